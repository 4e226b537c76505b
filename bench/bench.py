"""The benchmarks behind bench/RESULTS.md (run through bench/run, which prepares the environment).

    python bench/bench.py [--rows N] [--seed S] [--repeat K] [--import-runs R]
                          [--only import,search,results,draw,reports,cluster,load] [--results-rows N]
                          [--reports-rows N] [--reports-spread county|province]
                          [--draw-repeat K] [--draw-runs K] [--synth-max N] [--synth-select-max N] [--out DIR]

Six parts, in this order (--only picks some; without `import` the database of the last run is
reused, and results.json / RESULTS.md keep the other parts' rows, marked with their run):

import — 1. a fresh database (SHUANGSUIJI_DATABASE_URL), migrated; regions and industries loaded
   with the shipped management commands; 鹿泉区 (130110) gets a 市场监督管理局 (the importer, with
   a department admin) and an office clerk; the shared target tags the data uses;
   2. bench/generate.py writes the import file and the same rows as raw column values;
   3. reference: `COPY directory_target (…) FROM STDIN WITH (FORMAT csv)` of the raw file into the
   emptied table (all indexes in place), one transaction;
   4. ours: target_import_run on a Job, looked up as the worker does, the way an upload goes: the
   upload's job (pass 1 validate_targets, the preview, the checked rows kept), services.import_confirm,
   the confirmed job (the kept rows, the directory's state compared, then write_targets in one
   transaction); the clerk's reading of
   the preview is not timed. Into the same emptied table, timed phase by phase;
   5. ours, update: the same, mode 按代码更新, of a file of the same rows with each credit-risk
   class moved and one name in ten changed (generate.update_file), over what step 4 wrote: the
   per-field 变更记录 (TargetChange) included; then its second reference, the same amount of work in
   bare SQL (the created names and classes put back: COPY into a temporary table, UPDATE … FROM),
   and VACUUM FULL (not timed), so that the later parts run over a compact directory.
   Steps 3, 4 and 5 alternate --import-runs times (default 2; the best of each is reported, every
   run is kept in results.json); before 3 and 4: TRUNCATE directory_target CASCADE, VACUUM
   ANALYZE, CHECKPOINT.
search — over what the import wrote: the list view's queries through the real selectors, and the
   bare SQL they are compared with.
results — the public results search among --results-rows published results (bench/results_bench.py).
draw — the target draw over the imported directory and the team draw for the ~30,000 targets it
   selects (bench/draw_bench.py).
reports — the monthly report and the KPI dashboard over --reports-rows inspection results of one
   year (bench/reports_bench.py).
cluster — the fault drills of issue 20 on a cluster of its own (scripts/cluster): stop the replica,
   restart the primary, kill -9 an app node, each under a bounded load (bench/cluster_bench.py).
load — the load at fixed arrival rates through the balancer on a cluster of its own, the demo county
   on it: the uncached mix and the public pages from the balancer's cache, stepped up to the highest
   rate with p95 ≤ 300 ms and 0 errors; CPU per request of each page kind; /healthz as the
   reference (bench/load_bench.py).

Each measured step runs in a process of its own (`bench.py _step args…`) so that its peak RSS is
its own. bench/RESULTS.md is rewritten at the end (bench/report.py).
"""

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402  (the helpers live in bench/common.py, shared with the new parts)
    ADMIN,
    BENCH,
    IMPORTER_DEPT,
    OFFICE,
    PASSWORD,
    ROOT,
    SPREADS,
    RssSampler,
    cpu_seconds,
    current_rss_mb,
    peak_rss_mb,
)
from common import dbname as _dbname  # noqa: E402
from common import django_setup as _django  # noqa: E402
from common import pg_conninfo as _pg_conninfo  # noqa: E402
from common import run_step as _step  # noqa: E402
from common import timed_ms as _timed_ms  # noqa: E402

PY = sys.executable


def _reset_target_table():
    """Empty directory_target (and what hangs off it) and give both contenders the same start."""
    import psycopg

    with psycopg.connect(_pg_conninfo(), autocommit=True) as conn:
        # the draws' selections and the coverage rows name targets without a foreign key
        # (draw/models.py): CASCADE does not reach them, so they are named
        conn.execute(
            "TRUNCATE directory_target, draw_selection, reports_coveredtarget RESTART IDENTITY CASCADE"
        )
        for t in ("directory_target", "directory_targetsupervision", "directory_target_tags"):
            conn.execute(f"VACUUM ANALYZE {t}")
        conn.execute("CHECKPOINT")


# ---- step 1: database and world ---------------------------------------------------------------


def create_database():
    import psycopg

    name = _dbname()
    with psycopg.connect(_pg_conninfo("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'")
    manage = [PY, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v", "0"], check=True)
    subprocess.run([*manage, "load_regions", "-v", "0"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([*manage, "load_industries", "-v", "0"], check=True)


def step_world() -> dict:
    _django()
    from shuangsuiji.core import services as core
    from shuangsuiji.core.models import Region, Role
    from shuangsuiji.directory.models import Tag, TagLibrary

    sys.path.insert(0, str(BENCH))
    from generate import TAGS

    county = Region.objects.get(code="130110")
    office_dept = core.department_create(actor=None, name="双随机办公室", region=county, is_office=True)
    dept = core.department_create(actor=None, name=IMPORTER_DEPT, region=county)
    core.user_create(
        actor=None,
        username=ADMIN,
        password=PASSWORD,
        role=Role.DEPT_ADMIN,
        department=dept,
        display_name="导入员",
    )
    core.user_create(
        actor=None,
        username=OFFICE,
        password=PASSWORD,
        role=Role.OFFICE,
        department=office_dept,
        display_name="办公室",
    )
    for name in TAGS:
        Tag.objects.create(library=TagLibrary.TARGET, name=name, region=county)
    return {"department": dept.pk}


# ---- step 3: the reference COPY ---------------------------------------------------------------


def step_copy(path: str) -> dict:
    import psycopg

    sys.path.insert(0, str(BENCH))
    from generate import COPY_COLUMNS

    sampler = RssSampler()
    sampler.start()
    t0 = time.perf_counter()
    with psycopg.connect(_pg_conninfo()) as conn:  # one transaction, committed on exit
        backend = conn.info.backend_pid
        cpu0, server0 = cpu_seconds(), cpu_seconds(backend)
        with (
            conn.cursor() as cur,
            open(path, "rb") as f,
            cur.copy(f"COPY directory_target ({', '.join(COPY_COLUMNS)}) FROM STDIN WITH (FORMAT csv)") as cp,
        ):
            while block := f.read(1 << 20):
                cp.write(block)
        copied = time.perf_counter()
        conn.commit()  # the deferred foreign-key checks run here
        seconds = time.perf_counter() - t0
        cpu = {"client_cpu_s": cpu_seconds() - cpu0, "server_cpu_s": cpu_seconds(backend) - server0}
        rows = conn.execute("SELECT count(*) FROM directory_target").fetchone()[0]
    return {
        "seconds": seconds,
        "phases": {"copy": copied - t0, "commit": t0 + seconds - copied},
        "rows": rows,
        "peak_rss_mb": max(peak_rss_mb(), sampler.stop()),
        **cpu,
    }


def _restore_created(path: str) -> dict:
    """The update moved every class one step (D becomes A, A becomes B…) and renamed a tenth: put the
    names and classes back as created, so that the later parts measure the generated directory
    (the draw's quotas follow the classes: after the update its sample was 2.4 times as large).
    Timed, as the update's second reference: the same amount of work as the update file's (a
    class on every row, a name on a tenth) in bare SQL — the raw values COPied into a temporary
    table, one UPDATE … FROM, COMMIT — with no 变更记录, preview or checks."""
    import psycopg

    sys.path.insert(0, str(BENCH))
    from generate import COPY_COLUMNS

    t0 = time.perf_counter()
    with psycopg.connect(_pg_conninfo()) as conn, conn.cursor() as cur:
        cur.execute("CREATE TEMP TABLE created AS SELECT * FROM directory_target WITH NO DATA")
        with (
            open(path, "rb") as f,
            cur.copy(f"COPY created ({', '.join(COPY_COLUMNS)}) FROM STDIN WITH (FORMAT csv)") as cp,
        ):
            while block := f.read(1 << 20):
                cp.write(block)
        copied = time.perf_counter()
        cur.execute(
            "UPDATE directory_target t SET name = c.name, risk_class = c.risk_class, "
            "risk_class_set_on = c.risk_class_set_on, updated_at = now() FROM created c WHERE t.uscc = c.uscc"
        )
        rows = cur.rowcount
        updated = time.perf_counter()
        conn.commit()
    done = time.perf_counter()
    return {
        "seconds": done - t0,
        "rows": rows,
        "phases": {"copy": copied - t0, "update": updated - copied, "commit": done - updated},
    }


def _vacuum_full(table: str) -> None:
    import psycopg

    with psycopg.connect(_pg_conninfo(), autocommit=True) as conn:
        conn.execute(f"VACUUM (FULL, ANALYZE) {table}")


# ---- step 4: our import -----------------------------------------------------------------------


def step_import(path: str, department_id: str, mode: str = "create") -> dict:
    """target_import_run on a Job, as the worker runs it (without the queue; its progress updates
    every 5,000 rows included), the way a clerk's upload goes: the upload's job (pass 1 and the
    preview: stage preview), 确认导入 (services.import_confirm), the confirmed job (pass 1 and the
    preview again, its fingerprint compared, then pass 2 in one transaction). The time the clerk
    takes to read the preview is not counted; all the rest is. `mode`: create into the emptied
    table, or update (按代码更新, with 变更记录 per changed field) over the directory a create
    left. Phases are timed from the outside: the pass functions and the commit wrapped, every SQL
    statement timed by an execute wrapper."""
    baseline = current_rss_mb()
    _django()
    from django.contrib.auth import get_user_model
    from django.db import connection

    from shuangsuiji.core.models import Department, Job, JobStatus
    from shuangsuiji.core.tasks import _runner  # the worker's dispatch: kind -> job body
    from shuangsuiji.directory import importing, preview, services

    dept = Department.objects.get(pk=department_id)
    user = get_user_model().objects.get(username=ADMIN)
    # the Job's input file is the generated CSV, stored as an upload is (in the database,
    # core/storage.py): the storage every worker reads, which is what the confirmed job reads again
    from django.core.files import File
    from django.core.files.storage import default_storage

    from shuangsuiji.core.storage import local_copy

    rel = f"jobs/in/bench/targets-{mode}.csv"
    default_storage.delete(rel)
    with open(path, "rb") as f:
        rel = default_storage.save(rel, File(f))
    job = Job.objects.create(
        kind="target_import",
        title="基准测试导入",
        department=dept,
        created_by=user,
        params={
            "template": "market",
            "mode": mode,
            "encoding": "auto",
            "filename": f"targets-{mode}.csv",
            "stage": "preview",  # as services.import_start queues an upload
        },
        input_sha256="bench",
    )
    job.input_file.name = rel
    job.save(update_fields=["input_file"])
    django_rss = current_rss_mb()

    phases: dict[str, float] = {}
    rss_at: dict[str, float] = {}

    def timed(name, fn):
        def wrapper(*a, **kw):
            t = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                phases[name] = phases.get(name, 0.0) + time.perf_counter() - t
                rss_at[name] = peak_rss_mb()

        return wrapper

    importing.validate_targets = timed("pass1_validate", importing.validate_targets)
    preview.preview_targets = timed("preview", preview.preview_targets)
    preview.stage = timed("stage_keep", preview.stage)
    preview.unstage = timed("stage_fetch", preview.unstage)
    preview.state_unchanged = timed("stage_check", preview.state_unchanged)
    preview.directory_state = timed("stage_reread", preview.directory_state)
    load_spool = importing._load_spool

    def load_timed(cursor, table, columns, spool):
        timed(f"copy_{table}", load_spool)(cursor, table, columns, spool)

    importing._load_spool = load_timed
    importing.write_targets = timed("pass2_write_targets", importing.write_targets)

    def classify(sql: str) -> str:
        s = " ".join(sql.split())
        if s.startswith("INSERT INTO directory_target ("):
            return "insert_select_targets"
        if s.startswith("INSERT INTO directory_targetsupervision"):
            return "insert_supervision"
        if s.startswith("INSERT INTO directory_target_tags"):
            return "insert_tags"
        if s.startswith("INSERT INTO directory_targetchange"):
            return "insert_changes"
        if s.startswith("INSERT INTO directory_changesuggestion"):
            return "insert_suggestions"
        if "FROM ssj_stage" in s and s.startswith("SELECT count"):
            return "stage_count"
        if s.startswith("UPDATE directory_target AS t"):
            return "update_targets"
        return "other_sql"

    def sql_timer(execute, sql, params, many, context):
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            key = classify(sql)
            phases[key] = phases.get(key, 0.0) + time.perf_counter() - t

    # the import transaction's COMMIT (Atomic.__exit__ calls connection.commit())
    connection.commit = timed("commit", connection.commit)
    connection.ensure_connection()
    backend = connection.connection.info.backend_pid
    sampler = RssSampler()
    sampler.start()
    cpu0, server0 = cpu_seconds(), cpu_seconds(backend)
    stages: dict[str, float] = {}
    with connection.execute_wrapper(sql_timer):
        t0 = time.perf_counter()
        with local_copy(job.input_file) as job.input_path:  # as core/tasks.run_job does
            _runner("target_import")(job)  # the upload: pass 1, the preview
        stages["upload_preview"] = time.perf_counter() - t0
        job.refresh_from_db()
        if job.result.get("stage") != "preview":
            raise SystemExit(f"no preview: {job.message} {json.dumps(job.result, ensure_ascii=False)[:2000]}")
        shown = {k: job.result["preview"][k] for k in ("added", "changed", "unchanged", "changes")}
        # … the clerk reads the preview (not timed) …
        t1 = time.perf_counter()
        services.import_confirm(actor=user, job_id=job.pk)  # queues the job (no worker runs it here)
        job.refresh_from_db()
        stages["confirm"] = time.perf_counter() - t1
        t2 = time.perf_counter()
        with local_copy(job.input_file) as job.input_path:
            _runner("target_import")(job)  # the confirmed job: the kept rows checked, pass 2
        stages["confirmed_write"] = time.perf_counter() - t2
    total = sum(stages.values())
    cpu = {"client_cpu_s": cpu_seconds() - cpu0, "server_cpu_s": cpu_seconds(backend) - server0}
    if connection.connection.info.backend_pid != backend:
        cpu["server_cpu_s"] = float("nan")  # reconnected: cannot account the server side
    sampled = sampler.stop()
    job.refresh_from_db()
    if job.status != JobStatus.SUCCEEDED or job.result.get("stage") != "done":
        raise SystemExit(f"import failed: {job.message} {json.dumps(job.result, ensure_ascii=False)[:2000]}")
    from shuangsuiji.directory.models import Target, TargetChange, TargetSupervision

    default_storage.delete(rel)
    return {
        "mode": mode,
        "seconds": total,
        "stages": stages,
        "previewed": shown,
        **cpu,
        "phases": phases,
        "rss_after_phase_mb": rss_at,
        "peak_rss_mb": max(peak_rss_mb(), sampled),
        "rss_before_django_mb": baseline,
        "rss_after_django_setup_mb": django_rss,
        "written": job.result.get("written"),
        "changed_fields": job.result.get("changed"),
        "warnings": job.result.get("warning_count"),
        "targets": Target.objects.count(),
        "supervisions": TargetSupervision.objects.count(),
        "tag_links": Target.tags.through.objects.count(),
        "target_changes": TargetChange.objects.count(),
    }


# ---- step 5: search ---------------------------------------------------------------------------


def step_search(repeat: str) -> dict:
    """The list view's two queries (first page of 50 by id, and the paginator's COUNT, capped at
    10,001 as the page counts) through
    TargetFilter(q).apply(targets_for(user)), against bare SQL; with the server's plan and
    execution time (EXPLAIN ANALYZE) of exactly the SQL Django sent."""
    repeat = int(repeat)
    _django()
    from django.contrib.auth import get_user_model
    from django.db import connection

    from shuangsuiji.core.paging import COUNT_CAP, SEARCH_COUNT_CAP, CappedPaginator
    from shuangsuiji.directory.models import Target
    from shuangsuiji.directory.selectors import TargetFilter, targets_for

    User = get_user_model()
    users = {"dept": User.objects.get(username=ADMIN), "office": User.objects.get(username=OFFICE)}
    middle = Target.objects.order_by("id")[Target.objects.count() // 2]
    needles = {
        "uscc": middle.uscc,
        "name_full": middle.name,
        "name_4": "鑫达建材",
        "name_3": "达建材",
        "name_2": "鑫达",
        "name_2_broad": "餐饮",
        "name_very_broad": "有限公司",
    }

    def explain(sql, params) -> tuple[float, list[str]]:
        with connection.cursor() as c:
            c.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            plan = [r[0] for r in c.fetchall()]
        ms = sum(
            float(line.split(":")[1].split()[0])
            for line in plan
            if line.startswith(("Planning Time", "Execution Time"))
        )
        return ms, plan

    def captured(fn):
        queries = []

        def grab(execute, sql, params, many, context):
            queries.append((sql, params))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(grab):
            fn()
        return queries

    out = {"needles": needles, "cases": {}}
    for who, user in users.items():
        for label, q in needles.items():
            qs = TargetFilter(q=q).apply(targets_for(user))

            def page(qs=qs):
                return list(qs.order_by("id")[:50])

            cap = SEARCH_COUNT_CAP if TargetFilter(q=q).searches_names else COUNT_CAP

            def count(qs=qs, cap=cap):
                # as the list page counts: up to cap + 1 (a name search “超过 1,000 个”)
                return CappedPaginator(qs.order_by("id"), 50, cap=cap).count

            page_ms, rows = _timed_ms(page, repeat)
            count_ms, n = _timed_ms(count, repeat)
            (page_sql, page_params), (count_sql, count_params) = captured(page)[0], captured(count)[0]
            page_server, page_plan = explain(page_sql, page_params)
            count_server, count_plan = explain(count_sql, count_params)
            out["cases"][f"{who}:{label}"] = {
                "q": q,
                "page_ms": page_ms,
                "count_ms": count_ms,
                "ours_ms": page_ms + count_ms,
                "server_ms": page_server + count_server,
                "page_rows": len(rows),
                "count": n,
                "cap": cap,
                "page_sql": page_sql % tuple(repr(p) for p in page_params),
                "page_plan": page_plan,
                "count_plan": count_plan,
            }
    # the references: bare SQL
    ref = {}
    with connection.cursor() as c:

        def bare(sql, params):
            def run():
                c.execute(sql, params)
                return c.fetchall()

            return run

        ms, rows = _timed_ms(bare("SELECT id FROM directory_target WHERE uscc = %s", [middle.uscc]), repeat)
        assert len(rows) == 1
        ref["uscc"] = ms
        for label, q in needles.items():
            if label == "uscc":
                continue
            like = f"%{q}%"
            ms, _ = _timed_ms(
                bare("SELECT id FROM directory_target WHERE name LIKE %s LIMIT 50", [like]), repeat
            )
            count_ms, _ = _timed_ms(
                bare(
                    "SELECT count(*) FROM (SELECT 1 FROM directory_target WHERE name LIKE %s LIMIT %s) s",
                    [like, SEARCH_COUNT_CAP + 1],
                ),
                repeat,
            )
            ref[label] = ms
            ref[label + "+count"] = ms + count_ms
    out["reference_ms"] = ref
    return out


# ---- driver -----------------------------------------------------------------------------------


def machine() -> dict:
    cpu = "?"
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_gb = 0.0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_gb = int(line.split()[1]) / 1024 / 1024
    import psycopg

    # the server's own database: the bench database may not exist yet (bench/run --only cluster)
    with psycopg.connect(_pg_conninfo("postgres")) as conn:
        pg = conn.execute("SHOW server_version").fetchone()[0]
        settings = {
            k: conn.execute(f"SHOW {k}").fetchone()[0]
            for k in (
                "shared_buffers",
                "work_mem",
                "maintenance_work_mem",
                "max_wal_size",
                "synchronous_commit",
            )
        }
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": round(mem_gb, 1),
        "postgresql": pg,
        "pg_settings": settings,
        "python": platform.python_version(),
        "load_before": os.getloadavg(),
    }


# in the order a full run does them
PARTS = ("import", "search", "results", "draw", "reports", "cluster", "load")
PART_KEYS = {  # which keys of results.json each part writes
    "import": (
        "rows",
        "import_runs",
        "copy",
        "ours",
        "ours_update",
        "bare_update",
        "copy_runs",
        "import_runs_detail",
        "update_runs_detail",
    ),
    "search": ("repeat", "search"),
    "results": ("results",),
    "draw": ("draw",),
    "reports": ("reports",),
    "cluster": ("cluster",),
    "load": ("load",),
}


def _load_previous(path: Path) -> dict:
    """results.json of earlier runs, in the current shape (runs + part_run)."""
    if not path.exists():
        return {"runs": [], "part_run": {}}
    old = json.loads(path.read_text())
    if "runs" not in old:  # written before --only existed: one run, import and search
        old["runs"] = [
            {
                "id": 1,
                "when": old["when"],
                "command": f"bench/run --rows {old['rows']}",
                "parts": ["import", "search"],
                "wall_seconds": old["wall_seconds"],
                "machine": old["machine"],
            }
        ]
        old["part_run"] = {"import": 1, "search": 1}
    return old


def _target_count() -> int:
    import psycopg

    try:
        with psycopg.connect(_pg_conninfo(), connect_timeout=5) as conn:
            return conn.execute("SELECT count(*) FROM directory_target").fetchone()[0]
    except psycopg.Error as e:
        raise SystemExit(
            f"--only without import reuses the database {_dbname()}, which is not usable ({e}); "
            "run bench/run (or --only import) first"
        ) from None


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--repeat", type=int, default=5, help="timed repetitions of each search (median)")
    p.add_argument(
        "--import-runs", type=int, default=2, help="COPY/import pairs (the best of each is reported)"
    )
    p.add_argument(
        "--only",
        default=",".join(PARTS),
        help=f"comma-separated parts to run, of {','.join(PARTS)} (default: all). Without import, the "
        "database of the last run is reused; the other parts' rows are kept from the run that measured "
        "them, and RESULTS.md says which run each row comes from",
    )
    p.add_argument("--results-rows", type=int, default=1_000_000, help="published results to search among")
    p.add_argument(
        "--reports-rows", type=int, default=1_000_000, help="inspection results the reports run over"
    )
    p.add_argument(
        "--reports-spread",
        choices=sorted(SPREADS),
        default="county",
        help="the reports' tasks in one county (default) or over two cities with three counties (province)",
    )
    p.add_argument(
        "--draw-repeat", type=int, default=3, help="timed repetitions of the reference scan (best)"
    )
    p.add_argument(
        "--draw-runs",
        type=int,
        default=2,
        help="draws of the 10⁶ pool, each announced afresh (the best draw_run is reported, all are shown)",
    )
    p.add_argument(
        "--synth-max",
        type=int,
        default=10_000_000,
        help="largest synthetic pool (no database) fed to pool.freeze: 100000, 1000000 or 10000000; 0 for none",
    )
    p.add_argument(
        "--synth-select-max",
        type=int,
        default=1_000_000,
        help="largest synthetic pool whose selection (_resolve) is measured too",
    )
    p.add_argument("--out", type=Path, default=BENCH, help="where results.json and RESULTS.md go")
    a = p.parse_args()
    parts = [x.strip() for x in a.only.split(",") if x.strip()]
    unknown = set(parts) - set(PARTS)
    if unknown or not parts:
        raise SystemExit(
            f"--only: unknown part(s) {', '.join(sorted(unknown)) or '(none)'}; parts are {', '.join(PARTS)}"
        )
    parts = [x for x in PARTS if x in parts]
    started = time.perf_counter()
    when = dt.datetime.now().astimezone()
    a.out.mkdir(parents=True, exist_ok=True)
    results = _load_previous(a.out / "results.json")
    work = Path(tempfile.mkdtemp(prefix="ssj-bench-"))
    os.environ["SHUANGSUIJI_DATA_DIR"] = str(work / "data")
    new: dict = {}
    try:
        if "import" in parts:
            print(f"== database {_dbname()} (fresh), migrate, regions, industries", flush=True)
            create_database()
            world = _step("_world")
        elif not set(parts) <= {"cluster", "load"}:  # these start a cluster of their own: no bench database
            n = _target_count()
            print(f"== reusing database {_dbname()}: {n:,} targets; migrate", flush=True)
            # the code measured may have migrations the database has not seen yet
            subprocess.run([PY, str(ROOT / "manage.py"), "migrate", "-v", "0"], check=True)
        mach = machine()
        if "import" in parts:
            new |= run_import(a, work, world)
        if "search" in parts:
            print("== search", flush=True)
            import psycopg

            with psycopg.connect(_pg_conninfo(), autocommit=True) as conn:
                for t in ("directory_target", "directory_targetsupervision", "directory_target_tags"):
                    conn.execute(f"VACUUM ANALYZE {t}")
            new["search"] = _step("_search", a.repeat)
            new["repeat"] = a.repeat
        if "results" in parts:
            import results_bench

            new["results"] = results_bench.run(a)
        if "draw" in parts:
            import draw_bench

            new["draw"] = draw_bench.run(a)
        if "reports" in parts:
            import reports_bench

            new["reports"] = reports_bench.run(a)
        if "cluster" in parts:
            import cluster_bench

            new["cluster"] = cluster_bench.run(a)
        if "load" in parts:
            import load_bench

            new["load"] = load_bench.run(a)
        mach["load_after"] = os.getloadavg()
        run_id = max((r["id"] for r in results["runs"]), default=0) + 1
        results["runs"].append(
            {
                "id": run_id,
                "when": when.isoformat(timespec="seconds"),
                "command": "bench/run" + "".join(f" {x}" for x in sys.argv[1:]),
                "parts": parts,
                "wall_seconds": time.perf_counter() - started,
                "machine": mach,
                # the drills and the load run on a cluster of their own, over the demo county
                "targets": _target_count() if not set(parts) <= {"cluster", "load"} else None,
            }
        )
        for part in parts:
            for key in PART_KEYS[part]:
                results.pop(key, None)
            results["part_run"][part] = run_id
        results |= new
        used = set(results["part_run"].values())
        results["runs"] = [r for r in results["runs"] if r["id"] in used]
        last = results["runs"][-1]  # the header's run: the latest
        results["when"], results["machine"], results["wall_seconds"] = (
            last["when"],
            last["machine"],
            last["wall_seconds"],
        )
        (a.out / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str))
        from report import write_report

        write_report(results, a.out / "RESULTS.md")
        print(f"== wrote {a.out / 'RESULTS.md'} ({time.perf_counter() - started:.0f} s in all)", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run_import(a, work: Path, world: dict) -> dict:
    print(f"== generate {a.rows:,} rows", flush=True)
    from generate import generate, update_file

    t = time.perf_counter()
    gen = generate(a.rows, work / "gen", a.seed)
    gen |= update_file(gen["targets_csv"], work / "gen" / "targets_update.csv")
    print(f"   generate: {time.perf_counter() - t:.1f} s, {gen['bytes'] / 1e6:.0f} MB", flush=True)
    copies, imports, updates = [], [], []
    for run in range(1, a.import_runs + 1):  # alternating, so that drift in the machine's load hits both
        print(f"== run {run}/{a.import_runs}, reference: COPY into directory_target", flush=True)
        _reset_target_table()
        copies.append(_step("_copy", gen["copy_csv"]))
        print(f"   COPY {copies[-1]['rows']:,} rows in {copies[-1]['seconds']:.1f} s", flush=True)
        print(
            f"== run {run}/{a.import_runs}, ours: target_import_run, create (upload + preview, confirm, write)",
            flush=True,
        )
        _reset_target_table()
        imports.append(_step("_import", gen["targets_csv"], world["department"], "create"))
        print(f"   import {imports[-1]['written']:,} rows in {imports[-1]['seconds']:.1f} s", flush=True)
        print(
            f"== run {run}/{a.import_runs}, ours: target_import_run, update of the same rows (按代码更新)",
            flush=True,
        )
        updates.append(_step("_import", gen["update_csv"], world["department"], "update"))
        print(
            f"   update {updates[-1]['written']:,} rows ({updates[-1]['changed_fields']:,} field changes) "
            f"in {updates[-1]['seconds']:.1f} s",
            flush=True,
        )
    print(
        "== reference for the update: the created directory's names and classes put back in bare SQL",
        flush=True,
    )
    bare_update = _restore_created(gen["copy_csv"])
    print(f"   bare UPDATE of {bare_update['rows']:,} rows in {bare_update['seconds']:.1f} s", flush=True)
    # the two updates left two dead versions of every row: compact the table (not timed), so that
    # the later parts' bare scans are the fastest the directory allows, as after a fresh import
    t = time.perf_counter()
    _vacuum_full("directory_target")
    print(f"   VACUUM FULL directory_target: {time.perf_counter() - t:.1f} s", flush=True)
    return {
        "rows": a.rows,
        "import_runs": a.import_runs,
        "copy": min(copies, key=lambda x: x["seconds"]),
        "ours": min(imports, key=lambda x: x["seconds"]),
        "ours_update": min(updates, key=lambda x: x["seconds"]),
        "bare_update": bare_update,
        "copy_runs": copies,
        "import_runs_detail": imports,
        "update_runs_detail": updates,
    }


def _all_steps() -> dict:
    import draw_bench
    import reports_bench
    import results_bench

    return {
        "_world": step_world,
        "_copy": step_copy,
        "_import": step_import,
        "_search": step_search,
        **draw_bench.STEPS,
        **results_bench.STEPS,
        **reports_bench.STEPS,
    }


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1].startswith("_"):
        print(json.dumps(_all_steps()[sys.argv[1]](*sys.argv[2:]), ensure_ascii=False, default=str))
    else:
        main()
