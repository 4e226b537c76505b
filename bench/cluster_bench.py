"""The fault drills of issue 20, on the local cluster of scripts/cluster (bench/run --only cluster).

The cluster is started afresh in a run directory of its own (scripts/cluster start), the drills
run one after another against its balancer, and the cluster is stopped (scripts/cluster stop)
whatever happens. Every load loop is bounded in count (LOAD_REQUESTS) and time (a pace of
LOAD_SECONDS, each request at most REQUEST_TIMEOUT, the whole loop at most LOOP_DEADLINE); all
traffic goes to 127.0.0.1.

1. replica — stop the replica (pg_ctl stop -m fast) a third of the way through a loop of public
   pages: every page must still be served (from the primary). Goal: 0 errors.
2. primary — restart the primary (pg_ctl restart -m fast) a third of the way through a loop of
   public pages, sign-in pages and sign-ins (writes): the app recovers without a restart. Goal:
   5xx only while PostgreSQL is down and at most 5 s after it is back.
3. node — kill -9 one app node (its gunicorn master and workers) a third of the way through the
   same mix: the balancer moves traffic to the other node. Goals: failed requests ≤ the requests
   in flight on that node when it died (from the balancer's log: upstream, end time and duration
   of each request); 0 committed writes lost — every sign-in answered as done has its `user.login`
   entry in the audit log, and `manage.py audit_verify` passes.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOAD_REQUESTS = 300
LOAD_SECONDS = 10.0
CONCURRENCY = 8
REQUEST_TIMEOUT = 15.0
LOOP_DEADLINE = 60.0
RECOVERY_GOAL_SECONDS = 5.0
PASSWORD = "Kq7#Harbor-2026"
LOGINS_PER_LOOP = 20
PORTS = {  # apart from scripts/cluster's defaults, so a cluster someone left running is untouched
    "SHUANGSUIJI_CLUSTER_PG_PORT": "55442",
    "SHUANGSUIJI_CLUSTER_REPLICA_PORT": "55443",
    "SHUANGSUIJI_CLUSTER_APP1_PORT": "58011",
    "SHUANGSUIJI_CLUSTER_APP2_PORT": "58012",
    "SHUANGSUIJI_CLUSTER_LB_PORT": "58090",
}
PUBLIC_PAGES = ("/public/", "/public/results/", "/public/audit-anchors/")


def _env_file(run: Path) -> dict:
    out = {}
    for line in (run / "env").read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith("#"):
            k, v = line.split("=", 1)
            out[k] = v
    return out


class Cluster:
    def __init__(self, run: Path):
        self.run = run
        self.env = {**os.environ, **PORTS, "SHUANGSUIJI_CLUSTER_DIR": str(run)}

    def script(self, *args, timeout=600):
        return subprocess.run(
            [str(ROOT / "scripts" / "cluster"), *args], env=self.env, check=True, timeout=timeout, cwd=ROOT
        )

    def start(self):
        self.script("start")
        self.e = _env_file(self.run)
        self.lb = self.e["CLUSTER_BALANCER"]

    def stop(self):
        self.script("stop", timeout=180)

    def pg_ctl(self, which: str, action: str):
        data = self.e["CLUSTER_PRIMARY_DATA" if which == "primary" else "CLUSTER_REPLICA_DATA"]
        cmd = [f"{self.e['CLUSTER_PG_BIN']}/pg_ctl", "-D", data, "-l", f"{data}.log", "-w", "-t", "60"]
        cmd += ["-m", "fast", action] if action in ("stop", "restart") else [action]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, timeout=120, capture_output=True)

    def app_env(self) -> dict:
        e = self.e
        return {
            **{k: v for k, v in os.environ.items() if not k.startswith("SHUANGSUIJI_")},
            "SHUANGSUIJI_DATABASE_URL": e["CLUSTER_PRIMARY_URL"],
            "SHUANGSUIJI_SECRET_KEY_FILE": e["CLUSTER_SECRET_KEY_FILE"],
            "SHUANGSUIJI_AUDIT_KEY_FILE": e["CLUSTER_AUDIT_KEY_FILE"],
            "SHUANGSUIJI_DATA_DIR": e["CLUSTER_DATA_DIR"],
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }

    def manage(self, *args, timeout=300) -> str:
        run = subprocess.run(
            ["python", "manage.py", *args],
            env=self.app_env(),
            cwd=ROOT,
            timeout=timeout,
            capture_output=True,
            text=True,
        )
        if run.returncode != 0:
            raise RuntimeError(f"manage.py {args[0]}: {run.stderr[-2000:]}")
        return run.stdout

    def sql(self, query: str, params=()):
        import psycopg

        with psycopg.connect(self.e["CLUSTER_PRIMARY_URL"], connect_timeout=5) as conn:
            return conn.execute(query, params).fetchall()


SETUP = """
from shuangsuiji.core import services as core
from shuangsuiji.core.models import Region, Role
core.regions_load([("130000", "河北省", None), ("130100", "石家庄市", None), ("130110", "鹿泉区", None)],
                  source="drill")
county = Region.objects.get(code="130110")
from shuangsuiji.core.models import Department
dept = Department.objects.filter(region=county, name="市场监督管理局").first() or core.department_create(
    actor=None, name="市场监督管理局", region=county)
for i in range({n}):
    core.user_create(actor=None, username=f"drill{{i}}", password="{pw}", role=Role.INSPECTOR,
                     department=dept, display_name=f"演练{{i}}")
"""


def _setup_world(c: Cluster, users: int) -> None:
    c.manage("shell", "-c", SETUP.format(n=users, pw=PASSWORD))


# ---- the load loop ---------------------------------------------------------------------------

_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _plan(n: int, logins: list[str]) -> list[tuple]:
    """n request specs: public pages, and sign-ins (a GET of the form, then the POST) spread
    evenly through the loop."""
    specs: list[tuple] = []
    every = max(1, n // max(1, len(logins))) if logins else 0
    users = iter(logins)
    for i in range(n):
        user = next(users, None) if every and i % every == every // 2 else None
        specs.append(("login", user) if user else ("get", PUBLIC_PAGES[i % len(PUBLIC_PAGES)]))
    return specs


def _one(lb: str, spec: tuple) -> list[dict]:
    import requests

    out = []

    def record(method, path, fn):
        t0 = time.time()
        try:
            r = fn()
            out.append(
                {"method": method, "path": path, "start": t0, "end": time.time(), "status": r.status_code}
            )
            return r
        except requests.RequestException as e:
            out.append(
                {
                    "method": method,
                    "path": path,
                    "start": t0,
                    "end": time.time(),
                    "status": None,
                    "error": str(e)[:200],
                }
            )
            return None

    kind, arg = spec
    s = requests.Session()
    if kind == "get":
        record("GET", arg, lambda: s.get(lb + arg, timeout=REQUEST_TIMEOUT, allow_redirects=False))
        return out
    form = record("GET", "/login/", lambda: s.get(lb + "/login/", timeout=REQUEST_TIMEOUT))
    m = _CSRF.search(form.text) if form is not None and form.status_code == 200 else None
    if m is None:
        return out  # the form failed: counted above; no sign-in attempted
    r = record(
        "POST",
        "/login/",
        lambda: s.post(
            lb + "/login/",
            data={"csrfmiddlewaretoken": m.group(1), "username": arg, "password": PASSWORD},
            timeout=REQUEST_TIMEOUT,
            allow_redirects=False,
        ),
    )
    if r is not None:
        out[-1]["user"] = arg
        out[-1]["signed_in"] = r.status_code == 302 and "/login/" not in r.headers.get("Location", "")
    return out


def load_loop(lb: str, specs: list[tuple], fault, at_fraction: float = 1 / 3) -> tuple[list[dict], dict]:
    """Runs the specs at an even pace over LOAD_SECONDS on CONCURRENCY threads; when
    at_fraction of them have been issued, runs fault() in its own thread (returns what it
    measured). Bounded: nothing is issued after LOOP_DEADLINE."""
    started = time.time()
    results: list[dict] = []
    fault_out: dict = {}
    lock = threading.Lock()
    trigger = int(len(specs) * at_fraction)
    fault_thread = threading.Thread(target=lambda: fault_out.update(fault() or {}))

    def job(i, spec):
        due = started + i * LOAD_SECONDS / len(specs)
        time.sleep(max(0.0, due - time.time()))
        if time.time() - started > LOOP_DEADLINE:
            return
        if i == trigger:
            fault_thread.start()
        rows = _one(lb, spec)
        with lock:
            results.extend(rows)

    with ThreadPoolExecutor(CONCURRENCY) as pool:
        for f in [pool.submit(job, i, s) for i, s in enumerate(specs)]:
            f.result()
    if fault_thread.is_alive() or fault_thread.ident is not None:
        fault_thread.join(timeout=180)
    fault_out["loop_seconds"] = time.time() - started
    return results, fault_out


def _failed(rows) -> list[dict]:
    return [r for r in rows if r["status"] is None or r["status"] >= 500]


# ---- the drills ------------------------------------------------------------------------------


def drill_replica(c: Cluster) -> dict:
    def fault():
        t = time.time()
        c.pg_ctl("replica", "stop")
        return {"stopped_at": t}

    rows, f = load_loop(c.lb, _plan(LOAD_REQUESTS, []), fault)
    after = [r for r in rows if r["start"] >= f["stopped_at"]]
    c.pg_ctl("replica", "start")
    return {
        "requests": len(rows),
        "after_stop": len(after),
        "errors": len(_failed(rows)),
        "statuses": _statuses(rows),
        "seconds": f["loop_seconds"],
    }


def _primary_answers(c: Cluster) -> bool:
    import psycopg

    try:
        psycopg.connect(c.e["CLUSTER_PRIMARY_URL"], connect_timeout=1).close()
        return True
    except psycopg.Error:
        return False


def _workers_running(c: Cluster) -> int:
    """The background workers (scripts/cluster's db_worker processes) running now."""
    running = 0
    for n in (1, 2):
        try:
            pgid = os.getpgid(int((c.run / f"worker{n}.pid").read_text().strip()))
        except (OSError, ValueError):
            continue
        for proc in Path("/proc").iterdir():
            try:
                mine = proc.name.isdigit() and os.getpgid(int(proc.name)) == pgid
                if mine and b"db_worker" in (proc / "cmdline").read_bytes():
                    running += 1
                    break
            except OSError:
                continue
    return running


def _worker_restarts(c: Cluster) -> int:
    """How many times scripts/cluster restarted a db_worker that had exited (its log says so)."""
    return sum(
        (c.run / f"worker{n}.log").read_text(encoding="utf-8", errors="replace").count("db_worker 退出")
        for n in (1, 2)
    )


def drill_primary(c: Cluster, users: list[str]) -> dict:
    def fault():
        down_at = time.time()
        c.pg_ctl("primary", "restart")
        while not _primary_answers(c) and time.time() - down_at < 120:
            time.sleep(0.05)
        return {"down_at": down_at, "up_at": time.time()}

    restarts = _worker_restarts(c)
    rows, f = load_loop(c.lb, _plan(LOAD_REQUESTS, users), fault)
    # the workers lost their database too: running again (a worker is restarted after 5 s)
    deadline = time.time() + 30
    while _workers_running(c) < 2 and time.time() < deadline:
        time.sleep(0.5)
    failed = _failed(rows)
    late = [r for r in failed if r["end"] > f["up_at"] + RECOVERY_GOAL_SECONDS]
    early = [r for r in failed if r["end"] < f["down_at"]]
    return {
        "requests": len(rows),
        "down_seconds": f["up_at"] - f["down_at"],
        "errors": len(failed),
        "errors_before_down": len(early),
        "errors_late": len(late),
        "last_error_after_up": max((r["end"] - f["up_at"] for r in failed), default=None),
        "workers_running_after": _workers_running(c),
        "worker_restarts": _worker_restarts(c) - restarts,
        "statuses": _statuses(rows),
        "seconds": f["loop_seconds"],
    }


_LOG = re.compile(
    r'\[(?P<msec>[\d.]+)\] "(?P<method>\S+) (?P<path>\S+) [^"]*" (?P<status>\d+) \S+ '
    r"(?P<rt>[\d.]+) (?P<up>.+?) (?P<ups>[-\d, :]+) rid="
)


def _balancer_log(c: Cluster) -> list[dict]:
    out = []
    for line in (c.run / "nginx" / "access.log").read_text(encoding="utf-8").splitlines():
        m = _LOG.search(line)
        if m:
            end = float(m["msec"])
            out.append(
                {"end": end, "start": end - float(m["rt"]), "upstream": m["up"], "status": int(m["status"])}
            )
    return out


def drill_node(c: Cluster, users: list[str]) -> dict:
    app1 = c.e["CLUSTER_APP1"].rsplit(":", 1)[1]
    app2 = c.e["CLUSTER_APP2"].rsplit(":", 1)[1]
    seq0 = c.sql("SELECT coalesce(max(seq), 0) FROM core_auditentry")[0][0]

    def fault():
        pid = int(Path(c.e["CLUSTER_APP1_PID"]).read_text().strip())
        t = time.time()
        # gunicorn --daemon forks twice: the master and its workers share the group of the session
        # it made, and nothing else is in it — the whole node dies at once
        os.killpg(os.getpgid(pid), signal.SIGKILL)
        return {"killed_at": t}

    rows, f = load_loop(c.lb, _plan(LOAD_REQUESTS, users), fault)
    kill = f["killed_at"]
    log = [x for x in _balancer_log(c) if x["end"] >= kill - LOOP_DEADLINE]
    in_flight = [
        x for x in log if f":{app1}" in x["upstream"] and x["start"] <= kill + 0.01 and x["end"] >= kill
    ]
    after = [x for x in log if x["start"] > kill + 0.5]
    failed = _failed(rows)
    acknowledged = {r["user"] for r in rows if r.get("signed_in")}
    logged = {
        actor
        for (actor,) in c.sql(
            "SELECT actor_id FROM core_auditentry WHERE action = 'user.login' AND seq > %s", (seq0,)
        )
    }
    ids = dict(c.sql("SELECT username, id FROM core_user WHERE username LIKE 'drill%%'"))
    lost = sorted(u for u in acknowledged if ids.get(u) not in logged)
    verify = subprocess.run(
        ["python", "manage.py", "audit_verify"],
        env=c.app_env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return {
        "requests": len(rows),
        "failed": len(failed),
        "in_flight_on_killed_node": len(in_flight),
        "after_kill_to_other_node": sum(1 for x in after if x["upstream"].endswith(f":{app2}")),
        "after_kill": len(after),
        "writes_acknowledged": len(acknowledged),
        "writes_lost": len(lost),
        "lost_users": lost,
        "audit_verify_ok": verify.returncode == 0,
        "audit_verify": (verify.stdout + verify.stderr)[-300:],
        "statuses": _statuses(rows),
        "seconds": f["loop_seconds"],
    }


def _statuses(rows) -> dict:
    out: dict = {}
    for r in rows:
        key = str(r["status"]) if r["status"] is not None else "error"
        out[key] = out.get(key, 0) + 1
    return out


def run(a=None, run_dir: Path | None = None) -> dict:
    if run_dir is None:
        # the postgres user runs the databases: a folder it can enter
        run_dir = Path(tempfile.mkdtemp(prefix="ssj-cluster-"))
        run_dir.chmod(0o755)
    c = Cluster(run_dir)
    started = time.time()
    print(f"== cluster: scripts/cluster start ({run_dir})", flush=True)
    try:
        c.start()
        t_up = time.time() - started
        _setup_world(c, 2 * LOGINS_PER_LOOP)
        users = [f"drill{i}" for i in range(2 * LOGINS_PER_LOOP)]
        print("== drill 1: stop the replica under load", flush=True)
        replica = drill_replica(c)
        print(f"   {json.dumps(replica, ensure_ascii=False)}", flush=True)
        print("== drill 2: restart the primary under load", flush=True)
        primary = drill_primary(c, users[:LOGINS_PER_LOOP])
        print(f"   {json.dumps(primary, ensure_ascii=False)}", flush=True)
        print("== drill 3: kill -9 one app node under load", flush=True)
        node = drill_node(c, users[LOGINS_PER_LOOP:])
        print(f"   {json.dumps(node, ensure_ascii=False)}", flush=True)
    finally:
        c.stop()
        shutil.rmtree(run_dir, ignore_errors=True)
    return {
        "start_seconds": t_up,
        "load": {"requests": LOAD_REQUESTS, "seconds": LOAD_SECONDS, "concurrency": CONCURRENCY},
        "replica": replica,
        "primary": primary,
        "node": node,
    }


def _ok(good: bool) -> str:
    return "✅" if good else "❌"


def report_rows(d: dict, tag: str) -> list[str]:
    load = d["load"]
    loop = f"{load['requests']} requests over {load['seconds']:.0f} s, {load['concurrency']} clients"
    signins = f"public pages and {LOGINS_PER_LOOP} sign-ins, each after a GET of its form"
    rep, pri, node = d["replica"], d["primary"], d["node"]
    last = pri["last_error_after_up"]
    when = (
        "all while it was down" if last is None or last <= 0 else f"the last {last:.1f} s after it was back"
    )
    return [
        f"| cluster drill: stop the replica under load ({loop}, public pages){tag} | "
        f"{rep['errors']} errors of {rep['requests']} ({rep['after_stop']} after the stop) | — | — | "
        f"0 errors {_ok(rep['errors'] == 0)} |",
        f"| cluster drill: restart the primary under load ({loop}: {signins}){tag} | "
        f"{pri['errors']} failed, {when} "
        f"(down {pri['down_seconds']:.1f} s; {pri['errors_before_down']} before the stop); "
        f"background workers: {pri.get('worker_restarts', '—')} restarted, "
        f"{pri.get('workers_running_after', '—')} of 2 running afterwards | — | — | "
        f"5xx only while down and ≤ {RECOVERY_GOAL_SECONDS:.0f} s after "
        f"{_ok(pri['errors_late'] == 0 and pri['errors_before_down'] == 0 and pri.get('workers_running_after') == 2)} |",
        f"| cluster drill: kill -9 one app node under load ({loop}: {signins}){tag} | "
        f"{node['failed']} failed; {node['after_kill_to_other_node']} of {node['after_kill']} later requests "
        f"on the other node | {node['in_flight_on_killed_node']} in flight on the killed node | — | "
        f"failed ≤ in flight {_ok(node['failed'] <= node['in_flight_on_killed_node'])} |",
        f"| cluster drill: committed writes after the kill (sign-ins answered as done, each checked for "
        f"its audit log entry){tag} | {node['writes_lost']} lost of {node['writes_acknowledged']}; "
        f"audit_verify {'passes' if node['audit_verify_ok'] else 'FAILS'} | — | — | "
        f"0 lost {_ok(node['writes_lost'] == 0 and node['audit_verify_ok'])} |",
    ]


if __name__ == "__main__":  # python bench/cluster_bench.py: the drills alone, printed
    result = run()
    print("\n".join(report_rows(result, "")))
