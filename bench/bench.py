"""The import and search benchmarks (run through bench/run, which prepares the environment).

    python bench/bench.py [--rows N] [--seed S] [--repeat K] [--import-runs R]

Steps, each measured step in a process of its own so that its peak RSS is its own:
1. a fresh database (SHUANGSUIJI_DATABASE_URL), migrated; regions and industries loaded with
   the shipped management commands; 鹿泉区 (130110) gets a 市场监督管理局 (the importer, with a
   department admin) and an office clerk; the shared target tags the data uses;
2. bench/generate.py writes the import file and the same rows as raw column values;
3. reference: `COPY directory_target (…) FROM STDIN WITH (FORMAT csv)` of the raw file into the
   emptied table (all indexes in place), one transaction;
4. ours: target_import_run on a Job, looked up as the worker does (pass 1 validate_targets, then
   write_targets in one transaction), into the same emptied table, timed phase by phase;
5. search over what step 4 wrote: the list view's queries through the real selectors, and the
   bare SQL they are compared with;
6. bench/RESULTS.md is rewritten.

Steps 3 and 4 alternate --import-runs times (default 2; the best of each is reported, every run is
kept in bench/results.json); before each: TRUNCATE directory_target CASCADE, VACUUM ANALYZE,
CHECKPOINT.
"""

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PY = sys.executable

IMPORTER_DEPT = "市场监督管理局"
ADMIN = "bench_admin"
OFFICE = "bench_office"
PASSWORD = "Bench@2026pw"


# ---- helpers ----------------------------------------------------------------------------------


def _django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _pg_conninfo(dbname: str | None = None) -> str:
    url = os.environ["SHUANGSUIJI_DATABASE_URL"]
    return url if dbname is None else url.rsplit("/", 1)[0] + "/" + dbname


def _dbname() -> str:
    return os.environ["SHUANGSUIJI_DATABASE_URL"].rsplit("/", 1)[1].split("?")[0]


def peak_rss_mb() -> float:
    """This process's peak resident set (VmHWM), in MB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class RssSampler(threading.Thread):
    """Samples VmRSS every 50 ms: a second opinion on VmHWM, and the peak per phase."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak = 0.0
        self._halt = threading.Event()

    def run(self):
        while not self._halt.is_set():
            self.peak = max(self.peak, current_rss_mb())
            self._halt.wait(0.05)

    def stop(self) -> float:
        self._halt.set()
        self.join()
        return max(self.peak, current_rss_mb())


def cpu_seconds(pid: int | None = None) -> float:
    """User + system CPU seconds of a process (a PostgreSQL backend: same machine, we may read
    its /proc); of this one when pid is None. Wall time suffers when other work shares the two
    cores; CPU time much less so, which is why both are reported."""
    if pid is None:
        r = resource.getrusage(resource.RUSAGE_SELF)
        return r.ru_utime + r.ru_stime
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return float("nan")


def _step(name: str, *args) -> dict:
    """Run `bench.py <name> args…` in a fresh process; its last stdout line is JSON."""
    t = time.perf_counter()
    proc = subprocess.run(
        [PY, str(BENCH / "bench.py"), name, *map(str, args)], capture_output=True, text=True
    )
    if proc.returncode:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"bench step {name} failed (exit {proc.returncode})")
    if proc.stderr.strip():
        sys.stderr.write(proc.stderr)
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"   {name}: {time.perf_counter() - t:.1f} s", flush=True)
    return out


def _reset_target_table():
    """Empty directory_target (and what hangs off it) and give both contenders the same start."""
    import psycopg

    with psycopg.connect(_pg_conninfo(), autocommit=True) as conn:
        conn.execute("TRUNCATE directory_target RESTART IDENTITY CASCADE")
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


# ---- step 4: our import -----------------------------------------------------------------------


def step_import(path: str, department_id: str) -> dict:
    """target_import_run on a Job, as the worker runs it (without the queue; its progress updates
    every 5,000 rows included). Phases are timed from the outside: the pass functions and the
    commit wrapped, every SQL statement timed by an execute wrapper."""
    baseline = current_rss_mb()
    _django()
    from django.contrib.auth import get_user_model
    from django.db import connection

    from shuangsuiji.core.models import Department, Job, JobStatus
    from shuangsuiji.core.tasks import _runner  # the worker's dispatch: kind -> job body
    from shuangsuiji.directory import importing

    dept = Department.objects.get(pk=department_id)
    user = get_user_model().objects.get(username=ADMIN)
    # the Job's input file is the generated CSV, linked into MEDIA_ROOT as an upload would be
    from django.conf import settings

    rel = "jobs/in/bench/targets.csv"
    dest = Path(settings.MEDIA_ROOT) / rel
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.unlink(missing_ok=True)
    try:
        os.link(path, dest)
    except OSError:
        shutil.copyfile(path, dest)
    job = Job.objects.create(
        kind="target_import",
        title="基准测试导入",
        department=dept,
        created_by=user,
        params={"template": "market", "mode": "create", "encoding": "auto", "filename": "targets.csv"},
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
    t0 = time.perf_counter()
    with connection.execute_wrapper(sql_timer):
        _runner("target_import")(job)
    total = time.perf_counter() - t0
    cpu = {"client_cpu_s": cpu_seconds() - cpu0, "server_cpu_s": cpu_seconds(backend) - server0}
    if connection.connection.info.backend_pid != backend:
        cpu["server_cpu_s"] = float("nan")  # reconnected: cannot account the server side
    sampled = sampler.stop()
    job.refresh_from_db()
    if job.status != JobStatus.SUCCEEDED:
        raise SystemExit(f"import failed: {job.message} {json.dumps(job.result, ensure_ascii=False)[:2000]}")
    from shuangsuiji.directory.models import Target, TargetSupervision

    dest.unlink(missing_ok=True)
    return {
        "seconds": total,
        **cpu,
        "phases": phases,
        "rss_after_phase_mb": rss_at,
        "peak_rss_mb": max(peak_rss_mb(), sampled),
        "rss_before_django_mb": baseline,
        "rss_after_django_setup_mb": django_rss,
        "written": job.result.get("written"),
        "warnings": job.result.get("warning_count"),
        "targets": Target.objects.count(),
        "supervisions": TargetSupervision.objects.count(),
        "tag_links": Target.tags.through.objects.count(),
    }


# ---- step 5: search ---------------------------------------------------------------------------


def _timed_ms(fn, repeat: int) -> tuple[float, object]:
    fn()  # warm: plans and the buffer cache
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), result


def step_search(repeat: str) -> dict:
    """The list view's two queries (first page of 50 by id, and the paginator's COUNT) through
    TargetFilter(q).apply(targets_for(user)), against bare SQL; with the server's plan and
    execution time (EXPLAIN ANALYZE) of exactly the SQL Django sent."""
    repeat = int(repeat)
    _django()
    from django.contrib.auth import get_user_model
    from django.db import connection

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

            def count(qs=qs):
                return qs.count()

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
                bare("SELECT count(*) FROM directory_target WHERE name LIKE %s", [like]), repeat
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

    with psycopg.connect(_pg_conninfo()) as conn:
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


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--repeat", type=int, default=5, help="timed repetitions of each search (median)")
    p.add_argument(
        "--import-runs", type=int, default=2, help="COPY/import pairs (the best of each is reported)"
    )
    a = p.parse_args()
    started = time.perf_counter()
    when = dt.datetime.now().astimezone()
    mach = None
    work = Path(tempfile.mkdtemp(prefix="ssj-bench-"))
    os.environ["SHUANGSUIJI_DATA_DIR"] = str(work / "data")
    try:
        print(f"== database {_dbname()} (fresh), migrate, regions, industries", flush=True)
        create_database()
        world = _step("_world")
        mach = machine()
        print(f"== generate {a.rows:,} rows", flush=True)
        sys.path.insert(0, str(BENCH))
        from generate import generate

        t = time.perf_counter()
        gen = generate(a.rows, work / "gen", a.seed)
        print(f"   generate: {time.perf_counter() - t:.1f} s, {gen['bytes'] / 1e6:.0f} MB", flush=True)
        copies, imports = [], []
        for run in range(1, a.import_runs + 1):  # alternating, so that drift in the machine's load hits both
            print(f"== run {run}/{a.import_runs}, reference: COPY into directory_target", flush=True)
            _reset_target_table()
            copies.append(_step("_copy", gen["copy_csv"]))
            print(f"   COPY {copies[-1]['rows']:,} rows in {copies[-1]['seconds']:.1f} s", flush=True)
            print(
                f"== run {run}/{a.import_runs}, ours: target_import_run (validate_targets + write_targets)",
                flush=True,
            )
            _reset_target_table()
            imports.append(_step("_import", gen["targets_csv"], world["department"]))
            print(f"   import {imports[-1]['written']:,} rows in {imports[-1]['seconds']:.1f} s", flush=True)
        copy = min(copies, key=lambda x: x["seconds"])
        ours = min(imports, key=lambda x: x["seconds"])
        print("== search", flush=True)
        import psycopg

        with psycopg.connect(_pg_conninfo(), autocommit=True) as conn:
            for t in ("directory_target", "directory_targetsupervision", "directory_target_tags"):
                conn.execute(f"VACUUM ANALYZE {t}")
        search = _step("_search", a.repeat)
        mach["load_after"] = os.getloadavg()
        results = {
            "when": when.isoformat(timespec="seconds"),
            "rows": a.rows,
            "machine": mach,
            "repeat": a.repeat,
            "import_runs": a.import_runs,
            "copy": copy,
            "ours": ours,
            "copy_runs": copies,
            "import_runs_detail": imports,
            "search": search,
            "wall_seconds": time.perf_counter() - started,
        }
        (BENCH / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str))
        sys.path.insert(0, str(BENCH))
        from report import write_report

        write_report(results, BENCH / "RESULTS.md")
        print(f"== wrote {BENCH / 'RESULTS.md'} ({time.perf_counter() - started:.0f} s in all)", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


STEPS = {"_world": step_world, "_copy": step_copy, "_import": step_import, "_search": step_search}

if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] in STEPS:
        print(json.dumps(STEPS[sys.argv[1]](*sys.argv[2:]), ensure_ascii=False, default=str))
    else:
        main()
