"""Helpers shared by the benchmark modules (bench.py, draw_bench.py, results_bench.py): Django
set-up in a step process, the database URL, and the measuring instruments (peak RSS, CPU time of
this process and of its PostgreSQL backend, medians)."""

import os
import resource
import statistics
import subprocess
import sys
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

# The jurisdictions the reports bench spreads its tasks over (--reports-spread): one county, the
# default, or two cities with three counties (issue 20, “one instance, many jurisdictions”), read
# by each county's office, 石家庄市's office and the province's (reports/levels.py).
SPREADS = {
    "county": [("130110", "鹿泉区")],
    "province": [("130110", "鹿泉区"), ("130123", "正定县"), ("130534", "清河县")],
}
UPPER_OFFICES = {"130100": "bench_city_office", "130000": "bench_province_office"}


def django_setup():
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def pg_conninfo(dbname: str | None = None) -> str:
    url = os.environ["SHUANGSUIJI_DATABASE_URL"]
    return url if dbname is None else url.rsplit("/", 1)[0] + "/" + dbname


def dbname() -> str:
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
    its /proc; its parallel workers are processes of their own, not counted); of this one and its
    finished children when pid is None. Wall time suffers when other work shares the two
    cores; CPU time much less so, which is why both are reported."""
    if pid is None:  # with the child processes it has waited for (the freeze's leaf helper)
        return sum(
            r.ru_utime + r.ru_stime
            for r in (resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN))
        )
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return float("nan")


class Clock:
    """Wall time, this process's CPU and (given a backend pid) its PostgreSQL backend's CPU over
    a block: `with Clock(pid) as c: …` then c.wall, c.client_cpu, c.server_cpu."""

    def __init__(self, backend_pid: int | None = None):
        self.pid = backend_pid

    def __enter__(self):
        self._cpu0 = cpu_seconds()
        self._srv0 = cpu_seconds(self.pid) if self.pid else 0.0
        self._t0 = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self._t0
        self.client_cpu = cpu_seconds() - self._cpu0
        self.server_cpu = (cpu_seconds(self.pid) - self._srv0) if self.pid else 0.0
        return False

    def as_dict(self, prefix: str = "") -> dict:
        return {
            f"{prefix}seconds": self.wall,
            f"{prefix}client_cpu_s": self.client_cpu,
            f"{prefix}server_cpu_s": self.server_cpu,
        }


def django_backend_pid() -> int:
    from django.db import connection

    connection.ensure_connection()
    return connection.connection.info.backend_pid


def timed_ms(fn, repeat: int) -> tuple[float, object]:
    """Median milliseconds of `repeat` calls after one warm-up call, and the last result."""
    fn()  # warm: plans and the buffer cache
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), result


def run_step(name: str, *args) -> dict:
    """Run `bench.py <name> args…` in a fresh process (so that its peak RSS is its own); its last
    stdout line is JSON."""
    import json

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


def vacuum_analyze(*tables: str) -> None:
    import psycopg

    with psycopg.connect(pg_conninfo(), autocommit=True) as conn:
        for t in tables:
            conn.execute(f"VACUUM ANALYZE {t}")
        # then flush the set-up's dirty pages now (CHECKPOINT) rather than have the checkpointer
        # spread them over the timed steps, and let autovacuum finish what the bulk writes started
        # elsewhere: the timed steps that follow should have the two cores to themselves
        conn.execute("CHECKPOINT")
        deadline = time.monotonic() + 300
        while (
            time.monotonic() < deadline
            and conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker' AND query <> ''"
            ).fetchone()[0]
        ):
            time.sleep(1)
