"""Measures proposed fixes on the database `bench/run` left (run that first; `--only results` is
enough). Not part of bench/run and never of the test suite: the application code is untouched —
each proposal is a drop-in replacement defined here, checked to give exactly what the current code
gives, and timed against it in the same process. `results` temporarily adds an index to
inspection_publishedresult and drops it again.

The draw proposals measured here before (uncorrelated exclusion subqueries, cheaper leaf hashes
and Merkle stack, a streamed `_resolve`, batched inserts, a cheaper team order) are now in
shuangsuiji/draw (pool.py, engine.py, services.py), and bench/draw_bench.py measures them there.

    .venv/bin/python bench/draw_proposals.py results         # bigram index, capped counts

(with the environment bench/run sets: SHUANGSUIJI_DATABASE_URL, SHUANGSUIJI_SECRET_KEY,
DJANGO_SETTINGS_MODULE). Prints JSON.
"""

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import django_setup, timed_ms  # noqa: E402

# ---- the public results search -------------------------------------------------------------------


def results() -> dict:
    """A bigram GIN index on inspection_publishedresult.name (the function migration directory 0003
    made) for 2-character queries, and a capped paginator count; `search_page` timed with the
    current search_results and with the proposed one (same rows checked)."""
    from django.core.paginator import Paginator
    from django.db import connection
    from django.db.models import BooleanField, Q
    from django.db.models.expressions import RawSQL

    from shuangsuiji.inspection.models import PublishedResult
    from shuangsuiji.publicity import results as pub

    needles = ["鑫达", "餐饮", "有限公司", "达建材"]
    current_search = pub.search_results

    def proposed_search(q):
        q = (q or "").strip()[: pub.Q_MAX]
        if len(q) == 2 and not pub.USCC_SHAPE.match(q.upper()):
            bigram = RawSQL(
                'ssj_bigrams("inspection_publishedresult"."name") @> ARRAY[%s]::text[]',
                [q],
                output_field=BooleanField(),
            )
            return PublishedResult.objects.filter(Q(bigram) & Q(name__contains=q)).order_by(
                "name", "uscc", "-published_at", "inspection_id", "id"
            )
        return current_search(q)

    class CappedPaginator(Paginator):
        """Counts at most CAP + 1 inspections (the page then says “1,000+”)."""

        CAP = 1000

        @property
        def count(self):  # a property, as Django's
            return self.object_list.order_by()[: self.CAP + 1].count()

    def page_of(search, paginator_cls):
        def run(q):
            rows = search(q)
            page = paginator_cls(pub._inspections(rows), pub.PER_PAGE).get_page(1)
            ids = [pk for pk, *_ in page.object_list]
            got = list(PublishedResult.objects.filter(inspection_id__in=ids).order_by("inspection_id", "id"))
            capped = paginator_cls is not Paginator
            n = rows.order_by()[: CappedPaginator.CAP * 4 + 1].count() if capped else rows.count()
            return ids, len(got), n

        return run

    out = {}
    with connection.cursor() as c:
        c.execute("SET maintenance_work_mem = '256MB'")
        t = time.perf_counter()
        c.execute(
            "CREATE INDEX IF NOT EXISTS bench_published_result_bigrams ON inspection_publishedresult "
            "USING gin (ssj_bigrams(name))"
        )
        out["index_build_s"] = time.perf_counter() - t
        c.execute("SELECT pg_relation_size('bench_published_result_bigrams')")
        out["index_mb"] = c.fetchone()[0] / 2**20
        c.execute("ANALYZE inspection_publishedresult")
    try:
        for q in needles:
            cur_ms, cur = timed_ms(lambda q=q: page_of(current_search, Paginator)(q), 5)
            big_ms, big = timed_ms(lambda q=q: page_of(proposed_search, Paginator)(q), 5)
            cap_ms, cap = timed_ms(lambda q=q: page_of(proposed_search, CappedPaginator)(q), 5)
            out[q] = {
                "current_ms": cur_ms,
                "bigram_ms": big_ms,
                "bigram_capped_counts_ms": cap_ms,
                "same_page": cur[0] == big[0] == cap[0],
                "rows": cur[2],
                "_ids": cur[0],
            }
        # and an index in the search's order, so that the page of a broad query stops after 20
        with connection.cursor() as c:
            t = time.perf_counter()
            c.execute(
                "CREATE INDEX IF NOT EXISTS bench_published_result_order ON inspection_publishedresult "
                "(name, uscc, published_at DESC, inspection_id)"
            )
            out["order_index_build_s"] = time.perf_counter() - t
            c.execute("ANALYZE inspection_publishedresult")
        for q in needles:
            ms, res = timed_ms(lambda q=q: page_of(proposed_search, CappedPaginator)(q), 5)
            out[q]["bigram_capped_order_index_ms"] = ms
            out[q]["same_page_order_index"] = res[0] == out[q].pop("_ids")
    finally:
        with connection.cursor() as c:
            c.execute("DROP INDEX IF EXISTS bench_published_result_bigrams")
            c.execute("DROP INDEX IF EXISTS bench_published_result_order")
    return out


def main():
    django_setup()
    which = sys.argv[1] if len(sys.argv) > 1 else "all"
    fns = {"results": results}
    if which not in (*fns, "all"):
        raise SystemExit(f"unknown proposal {which}; one of: {', '.join(fns)}, all")
    out = {}
    for name, fn in fns.items():
        if which in (name, "all"):
            t = time.perf_counter()
            out[name] = fn()
            out[name]["_seconds"] = time.perf_counter() - t
            print(f"{name}: {out[name]['_seconds']:.0f} s", file=sys.stderr, flush=True)
    print(json.dumps(out, ensure_ascii=False, indent=1, default=str))


if __name__ == "__main__":
    main()
