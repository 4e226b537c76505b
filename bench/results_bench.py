"""The public results search benchmark (part `results` of bench/run): 检查结果公示查询 among 10⁶
published result rows.

Set-up (`_results_setup`, not timed; reused when the database already holds it): six years of the
importer's history (2020–2025), each an annual plan with one closed task and one drawn draw whose
selections (a deterministic ~6.7 % sample of the directory) were inspected and published, built
set-based in SQL: Selection → Inspection (published) → PublishedResult rows, 1–4 items per
inspection (2.5 on average), as `review_approve` writes them (the same name, code, task and
publication time on every row of one inspection). So 10⁶ rows are ~400,000 inspections of
~330,000 enterprises. The table's secondary indexes (uscc, the hand-over export index, the pg_trgm
GIN index on name) are dropped for the load and rebuilt from their own definitions, then VACUUM
ANALYZE.

Measured (`_results_search`), median of --repeat runs after a warm-up, for an exact USCC and name
substrings of 4, 3 and 2 characters (and two broad 2-/4-character words):
- ours: the page as the public gets it, `GET /public/results/?q=…` through Django's test client
  (middleware, `results.search` → `search_page(q, 1)`, the template), in this process: no network;
  and inside it the queries `search_page` sends (the COUNT of rows capped at 10,001, the paginator's
  COUNT of inspections unless capped, the page of 20 inspections, their rows), each also EXPLAIN
  ANALYZEd on the server;
- reference: bare SQL with the same WHERE: `SELECT * … WHERE uscc = %s` / `WHERE name LIKE %s`
  `LIMIT 20`, plus `SELECT count(*) … WHERE` the same.
"""

import datetime as dt
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ADMIN, django_setup, run_step, timed_ms  # noqa: E402

YEARS = range(2020, 2026)
HISTORY_TASK = "历年双随机抽查（基准测试历史数据）"
ITEMS = [
    "企业公示信息检查",
    "食品经营许可事项检查",
    "食品安全管理制度落实情况检查",
    "特种设备使用单位检查",
    "产品质量监督抽查",
    "价格行为检查",
    "广告发布行为检查",
    "计量器具使用情况检查",
]
NEEDLES = {
    "name_4": "鑫达建材",
    "name_3": "达建材",
    "name_2": "鑫达",
    "name_2_broad": "餐饮",
    "name_4_broad": "有限公司",
}


def _history_state(cur, dept_id: int) -> tuple[int, int]:
    cur.execute(
        "SELECT count(*) FROM planning_task t JOIN planning_annualplan p ON p.id = t.plan_id "
        "WHERE p.department_id = %s AND t.name = %s",
        [dept_id, HISTORY_TASK],
    )
    tasks = cur.fetchone()[0]
    cur.execute("SELECT count(*) FROM inspection_publishedresult")
    return tasks, cur.fetchone()[0]


def _drop_history(cur, dept_id: int) -> None:
    cur.execute("TRUNCATE inspection_inspection CASCADE")  # with publishedresult, itemresult, …
    tasks = (
        "SELECT t.id FROM planning_task t JOIN planning_annualplan p ON p.id = t.plan_id "
        f"WHERE p.department_id = {int(dept_id)} AND t.name = %s"
    )
    draws = f"SELECT id FROM draw_targetdraw WHERE task_id IN ({tasks})"
    for sql in (
        f"DELETE FROM draw_teammember WHERE selection_id IN (SELECT id FROM draw_selection WHERE draw_id IN ({draws}))",
        f"DELETE FROM draw_selection WHERE draw_id IN ({draws})",
        f"DELETE FROM draw_targetdraw WHERE task_id IN ({tasks})",
        f"DELETE FROM planning_task_departments WHERE task_id IN ({tasks})",
        f"DELETE FROM planning_task_items WHERE task_id IN ({tasks})",
        f"DELETE FROM planning_task WHERE id IN ({tasks})",
    ):
        cur.execute(sql, [HISTORY_TASK])
    cur.execute(
        "DELETE FROM planning_annualplan p WHERE p.department_id = %s AND p.year BETWEEN %s AND %s "
        "AND NOT EXISTS (SELECT 1 FROM planning_task t WHERE t.plan_id = p.id)",
        [dept_id, YEARS[0], YEARS[-1]],
    )


def step_results_setup(n_rows: str) -> dict:
    n_rows = int(n_rows)
    django_setup()
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from shuangsuiji.draw.models import DrawStatus, TargetDraw
    from shuangsuiji.planning.models import AnnualPlan, PlanStatus, Task, TaskState

    t0 = time.perf_counter()
    admin = get_user_model().objects.get(username=ADMIN)
    dept = admin.department
    with connection.cursor() as cur:
        tasks, rows = _history_state(cur, dept.pk)
        if tasks == len(YEARS) and rows == n_rows:
            return {"reused": True, "rows": rows, "setup_seconds": time.perf_counter() - t0, **_describe(cur)}
    with transaction.atomic(), connection.cursor() as cur:
        _drop_history(cur, dept.pk)
        cur.execute("SELECT count(*) FROM directory_target")
        targets = cur.fetchone()[0]
        # 1 + (inspection id % 4) items per inspection: 2.5 on average; 3 % spare, cut by LIMIT
        per_year = int(n_rows / 2.5 / len(YEARS) * 1.03) + 1
        ppm = min(1_000_000, per_year * 1_000_000 // max(targets, 1) + 1)
        cur.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'inspection_publishedresult' "
            "AND indexname NOT LIKE '%%_pkey'"
        )
        indexes = cur.fetchall()
        for name, _ in indexes:
            cur.execute(f'DROP INDEX "{name}"')
        phases = {}
        for year in YEARS:
            t = time.perf_counter()
            plan, _ = AnnualPlan.objects.get_or_create(
                department=dept, year=year, defaults={"status": PlanStatus.PUBLISHED, "version": 1}
            )
            task = Task.objects.create(
                plan=plan,
                code=f"{dept.region_id}-{year}-{dept.pk:03d}-H1",
                name=HISTORY_TASK,
                lead=dept,
                ratios={"A": "0.01", "B": "0.03", "C": "0.10", "D": "0.30"},
                window_start=f"{year}-03-01",
                window_end=f"{year}-11-30",
                state=TaskState.CLOSED,
                in_published_plan=True,
            )
            task.departments.add(dept)
            at = timezone.make_aware(dt.datetime(year, 2, 20, 9, 30))
            draw = TargetDraw.objects.create(
                task=task,
                seq=1,
                public_id=f"{task.code}-1",
                status=DrawStatus.DRAWN,
                draw_at=at,
                announced_at=at,
                announced_by=admin,
                secret_revealed="0" * 64,
                secret_commitment="0" * 64,
                pool_root="0" * 64,
                strata=[
                    {"label": "层H", "risk_class": "*", "size": targets, "root": "0" * 64, "quota": per_year}
                ],
                pool_file=f"draws/pools/{task.code}-1.pool.gz",
                seed="0" * 64,
                drawn_at=at,
                drawn_by=admin,
            )
            cur.execute(
                """
                INSERT INTO draw_selection (draw_id, label, "order", position, key, target_id, path, token, rating_code)
                SELECT %(draw)s, '层H', n, n - 1, key, id, ''::bytea, 'hist-' || %(draw)s || '-' || id, ''
                FROM (SELECT id, coalesce(uscc, kind || ':' || nonmarket_key) AS key,
                             row_number() OVER (ORDER BY id) AS n
                      FROM directory_target
                      WHERE abs(hashtext(id::text || %(salt)s)) %% 1000000 < %(ppm)s) x
                """,
                {"draw": draw.pk, "salt": f"y{year}", "ppm": ppm},
            )
            cur.execute(
                """
                INSERT INTO inspection_inspection (selection_id, department_id, status, finished_on, due_on,
                    due_provisional, summary, entered_by_id, submitted_at, reviewed_by_id, reviewed_at,
                    review_comment, published_at, version, offsite_reason)
                SELECT s.id, %(dept)s, 'published', d.day, d.day + 20, false, '', NULL, d.at, NULL, d.at, '',
                       d.at + interval '1 day' + (s.id %% 7200) * interval '1 second',
                       CASE WHEN s.id %% 50 = 0 THEN 2 ELSE 1 END, ''
                FROM draw_selection s
                CROSS JOIN LATERAL (
                    SELECT make_date(%(year)s, 3 + (s.id %% 9)::int, 1 + (s.id %% 28)::int) AS day,
                           (make_date(%(year)s, 3 + (s.id %% 9)::int, 1 + (s.id %% 28)::int) + time '16:00')
                               AT TIME ZONE 'Asia/Shanghai' AS at) d
                WHERE s.draw_id = %(draw)s
                """,
                {"dept": dept.pk, "year": year, "draw": draw.pk},
            )
            phases[f"selections+inspections {year}"] = time.perf_counter() - t
        t = time.perf_counter()
        cur.execute(
            """
            INSERT INTO inspection_publishedresult (inspection_id, uscc, name, task_code, task_name, department,
                item, outcome, found_problem, finished_on, published_at, version)
            SELECT i.id, coalesce(tg.uscc, ''), tg.name, tk.code, tk.name, %(dept_name)s,
                   (%(items)s::text[])[1 + ((g + i.id) %% 8)::int],
                   CASE WHEN p THEN '发现问题已责令改正' ELSE '未发现问题' END, p,
                   i.finished_on, i.published_at, i.version
            FROM inspection_inspection i
            JOIN draw_selection s ON s.id = i.selection_id
            JOIN draw_targetdraw d ON d.id = s.draw_id
            JOIN planning_task tk ON tk.id = d.task_id
            JOIN directory_target tg ON tg.id = s.target_id
            CROSS JOIN LATERAL generate_series(1, 1 + (i.id %% 4)::int) AS g
            CROSS JOIN LATERAL (SELECT abs(hashtext(i.id::text || g::text)) %% 100 < 8 AS p) pr
            ORDER BY i.id, g
            LIMIT %(n)s
            """,
            {"dept_name": dept.name, "items": ITEMS, "n": n_rows},
        )
        written = cur.rowcount
        phases["published rows"] = time.perf_counter() - t
        t = time.perf_counter()
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred foreign-key checks, now
        phases["foreign-key checks"] = time.perf_counter() - t
        t = time.perf_counter()
        for _, definition in indexes:
            cur.execute(definition)
        phases["indexes rebuilt"] = time.perf_counter() - t
    t = time.perf_counter()
    from common import vacuum_analyze

    vacuum_analyze("inspection_publishedresult", "inspection_inspection", "draw_selection", "draw_targetdraw")
    phases["vacuum analyze"] = time.perf_counter() - t
    with connection.cursor() as cur:
        return {
            "reused": False,
            "rows": written,
            "phases": phases,
            "indexes": [d for _, d in indexes],
            "setup_seconds": time.perf_counter() - t0,
            **_describe(cur),
        }


def _describe(cur) -> dict:
    cur.execute(
        "SELECT count(*), count(DISTINCT inspection_id), count(DISTINCT uscc) FROM inspection_publishedresult"
    )
    rows, inspections, enterprises = cur.fetchone()
    return {"rows": rows, "inspections": inspections, "enterprises": enterprises}


def step_results_search(repeat: str) -> dict:
    repeat = int(repeat)
    django_setup()
    from django.db import connection
    from django.test import Client

    from shuangsuiji.inspection.models import PublishedResult
    from shuangsuiji.publicity import results

    # an enterprise inspected in several years: the exact-code case
    with connection.cursor() as cur:
        cur.execute(
            "SELECT uscc FROM inspection_publishedresult WHERE uscc <> '' GROUP BY uscc "
            "HAVING count(DISTINCT inspection_id) >= 3 ORDER BY uscc LIMIT 1 OFFSET 100"
        )
        row = cur.fetchone()
    needles = {"uscc": row[0] if row else PublishedResult.objects.order_by("id").first().uscc, **NEEDLES}
    client = Client(HTTP_HOST="localhost")

    def explain(sql, params) -> float:
        with connection.cursor() as c:
            c.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            plan = [r[0] for r in c.fetchall()]
        return sum(
            float(x.split(":")[1].split()[0])
            for x in plan
            if x.startswith(("Planning Time", "Execution Time"))
        ), plan

    out = {"needles": needles, "cases": {}}
    inner: list[float] = []  # search_page's own time, per view call
    search_page = results.search_page

    def timed_search_page(*a, **kw):
        t = time.perf_counter()
        try:
            return search_page(*a, **kw)
        finally:
            inner.append((time.perf_counter() - t) * 1000)

    results.search_page = timed_search_page  # results.search calls it by its module name
    for label, q in needles.items():

        def view(q=q):
            r = client.get("/public/results/", {"q": q})
            assert r.status_code == 200, r.status_code
            return r

        inner.clear()
        view_ms, resp = timed_ms(view, repeat)
        page_ms = statistics.median(inner[1:])  # the first call was the warm-up
        sp = search_page(q, 1)
        # the queries search_page sends, each timed at the client and explained on the server
        sent = []

        def grab(execute, sql, params, many, context, sent=sent):
            t = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                sent.append((sql, params, (time.perf_counter() - t) * 1000))

        with connection.execute_wrapper(grab):
            search_page(q, 1)
        queries = []
        for sql, params, ms in sent:
            server_ms, plan = explain(sql, params)
            queries.append(
                {
                    "sql": sql % tuple(repr(p) for p in params),
                    "client_ms": ms,
                    "server_ms": server_ms,
                    "plan": plan,
                }
            )
        out["cases"][label] = {
            "q": q,
            "view_ms": view_ms,
            "search_page_ms": page_ms,
            "render_ms": view_ms - page_ms,
            "server_ms": sum(x["server_ms"] for x in queries),
            "rows": sp.rows,
            "inspections": sp.inspections,
            "groups_on_page": len(sp.groups),
            "bytes": len(resp.content),
            "queries": queries,
        }
    ref = {}
    with connection.cursor() as c:

        def bare(sql, params):
            def run():
                c.execute(sql, params)
                return c.fetchall()

            return run

        for label, q in needles.items():
            where, p = ("uscc = %s", [q]) if label == "uscc" else ("name LIKE %s", [f"%{q}%"])
            page_ms, _ = timed_ms(
                bare(f"SELECT * FROM inspection_publishedresult WHERE {where} LIMIT 20", p), repeat
            )
            count_ms, (n,) = timed_ms(
                bare(f"SELECT count(*) FROM inspection_publishedresult WHERE {where}", p), repeat
            )
            ref[label] = {"page_ms": page_ms, "count_ms": count_ms, "ms": page_ms + count_ms, "count": n[0]}
    out["reference"] = ref
    return out


STEPS = {"_results_setup": step_results_setup, "_results_search": step_results_search}


def run(args) -> dict:
    print(f"== results: {args.results_rows:,} published result rows (history 2020–2025)", flush=True)
    setup = run_step("_results_setup", args.results_rows)
    print(
        f"   {'reused' if setup['reused'] else 'built'}: {setup['rows']:,} rows, {setup['inspections']:,} inspections "
        f"in {setup['setup_seconds']:.0f} s",
        flush=True,
    )
    print("== results: search", flush=True)
    return {"setup": setup, "search": run_step("_results_search", args.repeat), "repeat": args.repeat}


if __name__ == "__main__":
    print(json.dumps(STEPS[sys.argv[1]](*sys.argv[2:]), ensure_ascii=False, default=str))
