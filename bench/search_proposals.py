"""Measures two proposed fixes for the slow name searches, on the directory `bench/run` left in
shuangsuiji_bench (run that first). Not part of bench/run: it changes the schema of the bench
database (adds a function and an index, and drops them again at the end).

    bench/run --rows 1000000 && .venv/bin/python bench/search_proposals.py

1. A capped COUNT for the paginator: `SELECT count(*) FROM (… LIMIT 10001)`, shown as "10,000+".
2. A bigram GIN index for 2-character substrings only, which pg_trgm cannot serve (a 2-character
   pattern has no trigram, so `LIKE '%鑫达%'` reads the whole table): the name's distinct
   2-character pieces as a text[] (an IMMUTABLE SQL function) under GIN, queried with
   `ssj_bigrams(name) @> ARRAY[q] AND name LIKE '%q%'`.
"""

import json
import os
import statistics
import sys
import time

import psycopg

URL = os.environ.get("SHUANGSUIJI_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/shuangsuiji_bench")
NEEDLES = ["鑫达", "餐饮", "有限公司", "达建材"]
DEPT_JOIN = (
    "FROM directory_target t JOIN directory_targetsupervision s ON s.target_id = t.id "
    "WHERE t.region_id LIKE '130110%%' AND s.department_id = %(dept)s AND {cond}"
)


def timed(conn, sql, params, repeat=5) -> float:
    conn.execute(sql, params).fetchall()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        conn.execute(sql, params).fetchall()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main():
    out = {}
    with psycopg.connect(URL, autocommit=True) as conn:
        dept = conn.execute(
            "SELECT department_id FROM directory_targetsupervision GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()[0]
        like = "t.name LIKE %(like)s"
        for q in NEEDLES:
            p = {"like": f"%{q}%", "q": q, "dept": dept}
            out[q] = {
                "count_exact_ms": timed(conn, f"SELECT count(*) {DEPT_JOIN.format(cond=like)}", p),
                "count_capped_ms": timed(
                    conn, f"SELECT count(*) FROM (SELECT 1 {DEPT_JOIN.format(cond=like)} LIMIT 10001) x", p
                ),
                "page_ms": timed(
                    conn, f"SELECT t.id {DEPT_JOIN.format(cond=like)} ORDER BY t.id LIMIT 50", p
                ),
            }
        print("building the bigram index …", file=sys.stderr, flush=True)
        conn.execute(
            """
            CREATE OR REPLACE FUNCTION ssj_bigrams(t text) RETURNS text[]
            LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
            RETURN ARRAY(SELECT substr(t, i, 2) FROM generate_series(1, char_length(t) - 1) AS i)
            """
        )
        t = time.perf_counter()
        conn.execute("CREATE INDEX bench_name_bigram ON directory_target USING gin (ssj_bigrams(name))")
        out["bigram_index_build_s"] = time.perf_counter() - t
        out["bigram_index_mb"] = (
            conn.execute("SELECT pg_relation_size('bench_name_bigram')").fetchone()[0] / 2**20
        )
        out["trgm_index_mb"] = (
            conn.execute("SELECT pg_relation_size('target_name_trgm')").fetchone()[0] / 2**20
        )
        conn.execute("ANALYZE directory_target")
        big = "ssj_bigrams(t.name) @> ssj_bigrams(%(q)s) AND t.name LIKE %(like)s"
        for q in [n for n in NEEDLES if len(n) == 2]:  # longer ones: pg_trgm serves them
            p = {"like": f"%{q}%", "q": q, "dept": dept}
            out[q] |= {
                "bigram_count_ms": timed(conn, f"SELECT count(*) {DEPT_JOIN.format(cond=big)}", p),
                "bigram_count_capped_ms": timed(
                    conn, f"SELECT count(*) FROM (SELECT 1 {DEPT_JOIN.format(cond=big)} LIMIT 10001) x", p
                ),
                "bigram_page_ms": timed(
                    conn, f"SELECT t.id {DEPT_JOIN.format(cond=big)} ORDER BY t.id LIMIT 50", p
                ),
                "hits": conn.execute(f"SELECT count(*) {DEPT_JOIN.format(cond=like)}", p).fetchone()[0],
            }
        # what the index costs an insert: the same rows written again with and without it
        for with_index in (True, False):
            if not with_index:
                conn.execute("DROP INDEX bench_name_bigram")
            with conn.transaction():
                conn.execute(
                    "CREATE TEMP TABLE again ON COMMIT DROP AS SELECT * FROM directory_target LIMIT 100000"
                )
                conn.execute(
                    "UPDATE again SET id = -id, uscc = NULL, nonmarket_key = 'bench-' || id, kind = 'site'"
                )
                t = time.perf_counter()
                conn.execute("INSERT INTO directory_target SELECT * FROM again")
                out[f"insert_100k_{'with' if with_index else 'without'}_bigram_s"] = time.perf_counter() - t
                raise psycopg.Rollback()  # leaves the directory as it was
        conn.execute("DROP FUNCTION ssj_bigrams(text)")
    print(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
