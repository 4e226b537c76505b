"""Load at a fixed arrival rate through the balancer (issue 20, "Load"; bench/run --only load).

A cluster of its own (scripts/cluster, cluster_bench.Cluster, on ports apart from the drills'),
the demo county (manage.py demo_load --targets 2000) on its primary, and bench/load_world.py's
additions (parts submitted for review, the portal's search terms). Then, all on this machine
(the generator, both nodes, nginx, both databases):

1. CPU per request of each page kind: CPU_REQUESTS requests of one kind, CPU_CONCURRENCY at a
   time; the CPU time (utime + stime from /proc) the app nodes' processes, the PostgreSQL
   processes (primary and replica) and nginx used meanwhile, divided by the requests.
2. The uncached mix at fixed arrival rates, stepping up: visitors' journeys (a first request at a
   fixed interval, the next after a think time) in the documented weights (JOURNEYS); each step
   STEP_SECONDS of arrivals, then its journeys finish. The highest rate whose requests all answer
   as expected (0 errors) with p95 ≤ P95_GOAL_MS is reported; the ladder stops at the first step
   that fails.
3. The public pages from the balancer's cache (scripts/cluster balancer with
   SHUANGSUIJI_CLUSTER_PUBLIC_CACHE=on: proxy_cache honouring the app's Cache-Control; the
   selection pages and signed-in requests never cached), the same way.
4. The reference: the balancer serving /healthz (app node, one database round trip) at the highest
   rate of 2 and of 3 — the stack's floor; the ratio of the p95s.

The generator is open-loop (latency counted from when a request was due, so a slow answer never
delays the next arrival): locust's users are a closed loop (a user waits for its answer before the
next request; constant_throughput only approximates a fixed rate and stops arriving when the
server slows), and its own CPU would come off the same two cores. A small asyncio HTTP/1.1 client
over loopback sockets costs little CPU and needs no package.

Bounded: each step ≤ STEP_SECONDS of arrivals plus the journeys' tail (each request ≤
REQUEST_TIMEOUT, a journey ≤ 3 requests with think times ≤ THINK[1]); every ladder has a fixed
number of steps; the measuring part stops starting steps after LOAD_DEADLINE. Traffic only to
127.0.0.1.
"""

import asyncio
import contextlib
import datetime as dt
import json
import os
import random
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, urlencode

from cluster_bench import Cluster

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # shuangsuiji.demo.factor (no Django): the demo's TOTP secret
    sys.path.insert(0, str(ROOT))
PORTS = {  # apart from scripts/cluster's defaults and from the drills' (cluster_bench.PORTS)
    "SHUANGSUIJI_CLUSTER_PG_PORT": "55462",
    "SHUANGSUIJI_CLUSTER_REPLICA_PORT": "55463",
    "SHUANGSUIJI_CLUSTER_APP1_PORT": "58031",
    "SHUANGSUIJI_CLUSTER_APP2_PORT": "58032",
    "SHUANGSUIJI_CLUSTER_LB_PORT": "58110",
}
DEMO_TARGETS = 2000
DEMO_PASSWORD = "Demo@2026"
P95_GOAL_MS = 300.0
CACHED_GOAL_RPS = 200
STEP_SECONDS = 15.0
WARMUP_SECONDS = 5.0
REQUEST_TIMEOUT = 10.0
THINK = (0.5, 2.0)  # seconds between a journey's requests, uniform
LOAD_DEADLINE = 600.0  # no step starts after this many seconds of measuring
CPU_REQUESTS = 40
CPU_CONCURRENCY = 4
UNCACHED_FACTORS = (0.15, 0.3, 0.45, 0.6, 0.7, 0.8, 0.9, 1.0)  # × the CPU-bound rate
CACHED_RATES = (100, 200, 300, 400, 600, 800, 1000)
SEED = 2026
LOWER_TRIES = 2  # steps tried below the first rate when it fails

# The uncached mix: (journey, weight, its requests). The request rate is the journeys' rate times
# their mean length (2.75 requests).
JOURNEYS = {
    "public": (0.55, "公众：公示首页或抽取列表或计划列表 → 检查结果查询 → 一次抽取的公示页"),
    "inspector": (0.20, "执法检查人员：我的检查 → 检查对象页 → 保存检查结果（POST）"),
    "reviewer": (0.10, "复核人员：待复核 → 复核通过并公示（POST）"),
    "office": (0.15, "双随机办公室：指标看板 → 月报表"),
}
JOURNEY_LENGTH = {"public": 3, "inspector": 3, "reviewer": 2, "office": 2}
# CPU per request: the page kinds measured one at a time
KINDS = [
    ("public_index", "公示首页 /public/"),
    ("public_search", "检查结果查询 /public/results/?q="),
    ("public_draw", "抽取公示页 /public/draws/‹编号›/"),
    ("public_cached", "公示页，负载均衡器缓存命中"),
    ("my_work", "我的检查 /inspection/（执法检查人员）"),
    ("target_page", "检查对象页 /inspection/s/‹编号›/"),
    ("save_results", "保存检查结果（POST）"),
    ("review_queue", "待复核 /inspection/review/"),
    ("approve", "复核通过并公示（POST）"),
    ("dashboard", "指标看板 /reports/dashboard/"),
    ("monthly", "月报表 /reports/monthly/（办公室）"),
    ("progress", "检查进度 /inspection/（办公室；不在负载的组合中）"),
    ("healthz", "/healthz（参照）"),
]

_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


# ---- a small HTTP/1.1 client over asyncio streams ---------------------------------------------


class HttpError(Exception):
    """A response the small client could not read (a closed connection, a malformed head)."""


class Conn:
    """One keep-alive connection to the balancer (reopened when the server closed it)."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader = self.writer = None

    async def close(self):
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    async def request(self, method: str, path: str, headers: dict, body: bytes = b"") -> tuple:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            raise HttpError("connection closed")
        status = int(status_line.split()[1])
        head: dict = {}
        cookies: dict = {}
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            k, _, v = line.decode("latin-1").partition(":")
            k, v = k.strip().lower(), v.strip()
            if k == "set-cookie":
                name, _, rest = v.partition("=")
                cookies[name] = rest.split(";", 1)[0]
            head[k] = v
        if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            data = b""
        elif "content-length" in head:
            data = await self.reader.readexactly(int(head["content-length"]))
        elif head.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int((await self.reader.readline()).split(b";")[0], 16)
                if size == 0:
                    trailer = await self.reader.readline()
                    while trailer not in (b"\r\n", b""):  # trailer fields, if any: skipped
                        trailer = await self.reader.readline()
                    break
                parts.append(await self.reader.readexactly(size))
                await self.reader.readexactly(2)
            data = b"".join(parts)
        else:
            data = await self.reader.read()
            await self.close()
        if head.get("connection", "").lower() == "close":
            await self.close()
        return status, head, cookies, data


# ---- who signs in, and the journeys ------------------------------------------------------------


class Visitor:
    """A signed-in account's cookies (a session the journeys share, as tabs of one browser do)."""

    def __init__(self, username: str, cookies: dict):
        self.username, self.cookies = username, dict(cookies)

    def header(self) -> dict:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}


def sign_in(lb: str, username: str, privileged: bool) -> Visitor:
    """The real sign-in: the form, the password, and for a privileged account the code step
    (the demo's TOTP secret; a code is accepted once per account, so another one may need the
    next 30-second step)."""
    import pyotp
    import requests

    from shuangsuiji.demo.factor import DEMO_TOTP_SECRET

    s = requests.Session()
    form = s.get(f"{lb}/login/", timeout=REQUEST_TIMEOUT)
    token = _CSRF.search(form.text).group(1)
    r = s.post(
        f"{lb}/login/",
        data={"csrfmiddlewaretoken": token, "username": username, "password": DEMO_PASSWORD},
        timeout=REQUEST_TIMEOUT,
        allow_redirects=False,
    )
    if privileged:
        for _ in range(3):  # bounded: at most three time steps
            page = s.get(f"{lb}/login/code/", timeout=REQUEST_TIMEOUT)
            token = _CSRF.search(page.text).group(1)
            r = s.post(
                f"{lb}/login/code/",
                data={"csrfmiddlewaretoken": token, "code": pyotp.TOTP(DEMO_TOTP_SECRET).now()},
                timeout=REQUEST_TIMEOUT,
                allow_redirects=False,
            )
            if r.status_code == 302:
                break
            time.sleep(31 - time.time() % 30)
    if r.status_code != 302 or "/login" in r.headers.get("Location", ""):
        raise RuntimeError(f"{username} 登录失败（{r.status_code}）")
    return Visitor(username, s.cookies.get_dict())


class Plan:
    """What the journeys touch: the world (load_world.py), the signed-in visitors, and the
    reviewers' queue of submitted parts (approved ones are corrected and resubmitted between steps)."""

    def __init__(self, world: dict, visitors: dict, rng: random.Random):
        self.world, self.visitors, self.rng = world, visitors, rng
        self.queue = [s for s in world["supply"]]
        self.approved: list[dict] = []  # approved since the last replenish
        self.confirmed = 0  # approvals the database shows published
        self.idle: dict = {}  # the stack's CPU per second with no requests (idle_cpu)
        self.flip: dict = {}  # selection → which category its next save sets

    def page(self, kind: str, i: int = 0, *, part: dict | None = None, token: str | None = None) -> tuple:
        """(method, path, headers, body, expected statuses) of the i-th request of a page kind: the
        one builder of the journeys and of the CPU measurement. `part`: the submitted part a
        reviewer opens and approves; `token`: the CSRF token the form's page gave (else the
        visitor's cookie)."""
        w = self.world

        def get(path: str, v: "Visitor | None" = None) -> tuple:
            return "GET", path, v.header() if v else {}, b"", (200,)

        def post(path: str, v: "Visitor", data: list) -> tuple:
            data = [("csrfmiddlewaretoken", token or v.cookies.get("csrftoken", "")), *data]
            return "POST", path, _form_headers(v), urlencode(data).encode(), (302,)

        work = w["work"][i % len(w["work"])]
        reviewer = part["reviewer"] if part else w["reviewers"][i % len(w["reviewers"])]
        office = self.visitors.get("office")
        match kind:
            case "public_index":
                return get("/public/")
            case "public_list" | "public_cached":
                return get(["/public/", "/public/draws/", "/public/plans/"][i % 3])
            case "public_search":
                return get("/public/results/?" + urlencode({"q": w["terms"][i % len(w["terms"])]}))
            case "public_draw":
                return get(f"/public/draws/{quote(w['draws'][i % len(w['draws'])])}/")
            case "my_work":
                return get("/inspection/", self.visitors[work["user"]])
            case "target_page":
                return get(f"/inspection/s/{work['selection']}/", self.visitors[work["user"]])
            case "save_results":
                return post(
                    f"/inspection/s/{work['selection']}/", self.visitors[work["user"]], self.save_data(work)
                )
            case "review_queue":
                return get("/inspection/review/", self.visitors[reviewer])
            case "approve":
                return post(
                    "/inspection/review/",
                    self.visitors[reviewer],
                    [("inspection", part["inspection"]), ("action", "approve")],
                )
            case "dashboard":
                return get("/reports/dashboard/", office)
            case "monthly":
                return get("/reports/monthly/", office)
            case "progress":
                return get("/inspection/", office)
            case "healthz":
                return get("/healthz")
        raise ValueError(kind)

    def save_data(self, work: dict) -> list:
        """The results form of a work item: each save flips its categories, so it changes a result."""
        flip = self.flip[work["selection"]] = not self.flip.get(work["selection"], False)
        data = [("action", "results")]
        for item in work["items"]:
            p = f"i{item['pk']}"
            data += [
                (f"{p}-method", "document" if item["offsite"] else "onsite"),
                (f"{p}-categories", "no_activity" if flip else "none_found"),
                (f"{p}-problem", ""),
            ]
        return data


def _result(rows: list, kind: str, due: float, start: float, end: float, status, error: str = "", ok=True):
    rows.append(
        {"kind": kind, "due": due, "start": start, "end": end, "status": status, "error": error, "ok": ok}
    )


async def _call(conn, rows, kind, due, method, path, headers, body=b"", expect=(200,)):
    """One request, recorded; returns (status, headers, cookies, body) or None on failure."""
    await asyncio.sleep(max(0.0, due - time.time()))
    start = time.time()
    try:
        out = await asyncio.wait_for(conn.request(method, path, headers, body), REQUEST_TIMEOUT)
    except (TimeoutError, OSError, HttpError, asyncio.IncompleteReadError, ValueError) as e:
        await conn.close()
        _result(rows, kind, due, start, time.time(), None, f"{type(e).__name__}: {e}"[:200], ok=False)
        return None
    status = out[0]
    good = status in expect and not (status == 302 and "/login" in out[1].get("location", ""))
    _result(rows, kind, due, start, time.time(), status, "" if good else f"HTTP {status}", ok=good)
    return out if good else None


def _think(rng) -> float:
    return rng.uniform(*THINK)


def _form_headers(v: Visitor) -> dict:
    return {**v.header(), "Content-Type": "application/x-www-form-urlencoded"}


def _token(page) -> str:
    m = _CSRF.search(page[3].decode("utf-8", "replace"))
    return m.group(1) if m else ""


async def journey(kind: str, plan: Plan, lb: tuple, rows: list, due: float, rng: random.Random):
    conn = Conn(*lb)

    async def call(record: str, page_kind: str, i: int = 0, **kw):
        return await _call(conn, rows, record, due, *plan.page(page_kind, i, **kw))

    try:
        if kind == "public" or kind == "public_cached":
            for page_kind in ("public_list", "public_search", "public_draw"):
                if await call("public", page_kind, rng.randrange(1 << 30)) is None:
                    return
                due = time.time() + _think(rng)
        elif kind == "healthz":
            await call("healthz", "healthz")
        elif kind == "inspector":
            i = rng.randrange(len(plan.world["work"]))
            if await call("my_work", "my_work", i) is None:
                return
            due = time.time() + _think(rng)
            if (page := await call("target_page", "target_page", i)) is None:
                return
            due = time.time() + _think(rng)
            await call("save_results", "save_results", i, token=_token(page))
        elif kind == "reviewer":
            part = plan.queue.pop(0) if plan.queue else None
            page = await call("review_queue", "review_queue", rng.randrange(1 << 30), part=part)
            if page is None or part is None:
                if part is not None:
                    plan.queue.append(part)
                return
            due = time.time() + _think(rng)
            if await call("approve", "approve", part=part, token=_token(page)):
                plan.approved.append(part)
        elif kind == "office":
            if await call("dashboard", "dashboard") is None:
                return
            due = time.time() + _think(rng)
            await call("monthly", "monthly")
    finally:
        await conn.close()


def _mix_choice(rng) -> str:
    x, acc = rng.random(), 0.0
    for name, (weight, _) in JOURNEYS.items():
        acc += weight
        if x < acc:
            return name
    return "public"


MEAN_LENGTH = sum(w * JOURNEY_LENGTH[k] for k, (w, _) in JOURNEYS.items())


async def _step(plan: Plan, lb: tuple, scenario: str, rate: float, seconds: float, rng) -> list:
    """Journeys start every length/rate seconds (so that requests arrive at `rate` per second)
    for `seconds`; waits for them all (each bounded)."""
    length = {"mix": MEAN_LENGTH, "public_cached": 3, "healthz": 1}[scenario]
    interval = length / rate
    rows: list = []
    tasks = []
    t0 = time.time() + 0.2
    n = int(seconds / interval)
    for i in range(n):
        due = t0 + i * interval
        kind = _mix_choice(rng) if scenario == "mix" else scenario
        await asyncio.sleep(max(0.0, due - time.time()))
        tasks.append(asyncio.create_task(journey(kind, plan, lb, rows, due, random.Random(rng.random()))))
    await asyncio.gather(*tasks)
    return rows


def _p(values: list, q: float) -> float | None:
    if not values:
        return None
    v = sorted(values)
    return v[min(len(v) - 1, int(q * len(v)))]


def summarize(rows: list, rate: float, seconds: float) -> dict:
    lat = [(r["end"] - r["due"]) * 1000 for r in rows if r["ok"]]
    lag = [(r["start"] - r["due"]) * 1000 for r in rows]
    errors = [r for r in rows if not r["ok"]]
    by_kind: dict = {}
    for r in rows:
        by_kind.setdefault(r["kind"], []).append((r["end"] - r["due"]) * 1000)
    return {
        "rate": rate,
        "seconds": seconds,
        "requests": len(rows),
        "achieved_rps": len(rows) / seconds if seconds else 0,
        "p50_ms": _p(lat, 0.50),
        "p95_ms": _p(lat, 0.95),
        "p99_ms": _p(lat, 0.99),
        "max_ms": max(lat, default=None),
        "generator_lag_p95_ms": _p(lag, 0.95),
        "errors": len(errors),
        "error_samples": sorted({f"{r['kind']}: {r['error']}" for r in errors})[:5],
        "p95_by_kind_ms": {k: _p(v, 0.95) for k, v in sorted(by_kind.items())},
        "passed": not errors and (_p(lat, 0.95) or 0) <= P95_GOAL_MS and bool(rows),
    }


# ---- CPU time of the stack's processes ---------------------------------------------------------


def _stat(pid: int) -> tuple[int, int, int] | None:
    """(ppid, pgid, utime + stime in ticks) of a process, from /proc/<pid>/stat."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(fields[1]), int(fields[2]), int(fields[11]) + int(fields[12])


def _pid(path) -> int | None:
    try:
        return int(Path(path).read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


class Stack:
    """Which processes are the app nodes, the databases and the balancer."""

    TICK = os.sysconf("SC_CLK_TCK")

    def __init__(self, c: Cluster):
        e = c.e
        self.app_groups = {
            os.getpgid(p) for p in (_pid(e["CLUSTER_APP1_PID"]), _pid(e["CLUSTER_APP2_PID"])) if p
        }
        self.pg_roots = {
            p
            for p in (
                _pid(f"{e['CLUSTER_PRIMARY_DATA']}/postmaster.pid"),
                _pid(f"{e['CLUSTER_REPLICA_DATA']}/postmaster.pid"),
            )
            if p
        }
        self.nginx_root = _pid(c.run / "nginx" / "nginx.pid")

    def cpu(self) -> dict:
        """CPU seconds used so far by each part (processes alive now; the nodes' workers and the
        PostgreSQL backends live for the whole run, so deltas hold)."""
        out = {"app": 0, "db": 0, "balancer": 0}
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            pid = int(entry.name)
            st = _stat(pid)
            if st is None:
                continue
            ppid, pgid, ticks = st
            if pgid in self.app_groups:
                out["app"] += ticks
            elif pid in self.pg_roots or ppid in self.pg_roots:
                out["db"] += ticks
            elif pid == self.nginx_root or ppid == self.nginx_root:
                out["balancer"] += ticks
        return {k: v / self.TICK for k, v in out.items()}


async def _kind_requests(plan: Plan, lb: tuple, kind: str, n: int) -> list:
    """n requests of one kind, CPU_CONCURRENCY at a time, each a real one (a save changes a result,
    an approval publishes a part)."""
    rows: list = []
    sem = asyncio.Semaphore(CPU_CONCURRENCY)

    async def one(i):
        async with sem:
            conn = Conn(*lb)
            try:
                part = plan.queue.pop(0) if kind == "approve" else None
                if await _call(conn, rows, kind, time.time(), *plan.page(kind, i, part=part)) and part:
                    plan.approved.append(part)
            finally:
                await conn.close()

    await asyncio.gather(*(one(i) for i in range(n)))
    return rows


def measure_cpu(plan: Plan, lb: tuple, stack: Stack, c: Cluster) -> dict:
    out = {}
    for kind, _label in KINDS:
        if kind == "public_cached":
            continue  # measured with the cache on (run_cached)
        n = min(CPU_REQUESTS, len(plan.queue)) if kind == "approve" else CPU_REQUESTS
        if n == 0:
            continue
        out[kind] = _cpu_of(plan, lb, stack, kind, n)
        if kind == "approve":
            replenish(plan, lb, c)
    return out


IDLE_SECONDS = 5.0


def idle_cpu(stack: Stack) -> dict:
    """CPU seconds per second the stack uses with no requests (the background workers polling the
    queue, the replica's WAL receiver, PostgreSQL's own processes): taken off each kind's count."""
    before = stack.cpu()
    time.sleep(IDLE_SECONDS)
    after = stack.cpu()
    return {k: (after[k] - before[k]) / IDLE_SECONDS for k in after}


def _cpu_of(plan, lb, stack, kind, n) -> dict:
    before, t0 = stack.cpu(), time.time()
    rows = asyncio.run(_kind_requests(plan, lb, kind, n))
    time.sleep(0.3)  # the last answers' logging and commits
    after, seconds = stack.cpu(), time.time() - t0
    idle = plan.idle or {}
    cpu = {
        k: max(0.0, after[k] - before[k] - idle.get(k, 0.0) * seconds) * 1000 / max(1, len(rows))
        for k in after
    }
    lat = [(r["end"] - r["start"]) * 1000 for r in rows if r["ok"]]
    return {
        "requests": len(rows),
        "errors": sum(1 for r in rows if not r["ok"]),
        "error_samples": sorted({r["error"] for r in rows if not r["ok"]})[:3],
        "seconds": time.time() - t0,
        "cpu_ms": cpu,
        "cpu_ms_total": sum(cpu.values()),
        "median_ms": _p(lat, 0.5),
    }


def replenish(plan: Plan, lb: tuple, c: Cluster) -> int:
    """Each part approved since the last time: its reviewer opens a correction (发起更正) and its
    inspector submits it again (提交复核), through the pages — so the reviewers' supply lasts.
    Not timed. Returns how many went back into the queue."""
    import requests

    back = 0
    ids = [p["inspection"] for p in plan.approved]
    if ids:  # an approval answers with a redirect either way: the database says whether it published
        plan.confirmed += c.sql(
            "SELECT count(*) FROM inspection_inspection WHERE id = ANY(%s) AND status = 'published'", (ids,)
        )[0][0]
    for part in plan.approved:
        rv, iv = plan.visitors[part["reviewer"]], plan.visitors[part["user"]]
        requests.post(
            f"http://{lb[0]}:{lb[1]}/inspection/review/",
            data={
                "csrfmiddlewaretoken": rv.cookies.get("csrftoken", ""),
                "inspection": part["inspection"],
                "action": "correct",
                "comment": "压力测试：重新复核",
            },
            cookies=rv.cookies,
            timeout=REQUEST_TIMEOUT,
            allow_redirects=False,
        )
        requests.post(
            f"http://{lb[0]}:{lb[1]}/inspection/s/{part['selection']}/",
            data={
                "csrfmiddlewaretoken": iv.cookies.get("csrftoken", ""),
                "action": "submit",
                "submit-confirm": "True",
                "submit-finished_on": dt.date.today().isoformat(),
            },
            cookies=iv.cookies,
            timeout=REQUEST_TIMEOUT,
            allow_redirects=False,
        )
    if ids:
        submitted = {
            pk
            for (pk,) in c.sql(
                "SELECT id FROM inspection_inspection WHERE id = ANY(%s) AND status = 'submitted'", (ids,)
            )
        }
        for part in plan.approved:
            if part["inspection"] in submitted:
                plan.queue.append(part)
                back += 1
    plan.approved = []
    return back


# ---- the ladders --------------------------------------------------------------------------------


def ladder(plan, lb, c, scenario: str, rates: list, deadline: float, rng) -> list:
    """Up the rates until a step fails; when the first fails, down (half, a quarter) instead."""
    steps = []
    rates = list(rates)
    while rates:
        rate = rates.pop(0)
        if time.time() > deadline:
            break
        gen0 = time.process_time()
        rows = asyncio.run(_step(plan, lb, scenario, rate, STEP_SECONDS, rng))
        s = summarize(rows, rate, STEP_SECONDS)
        s["generator_cpu_ms"] = (time.process_time() - gen0) * 1000 / max(1, len(rows))
        if scenario == "mix":
            s["approvals"] = len(plan.approved)
            confirmed = plan.confirmed
            s["replenished"] = replenish(plan, lb, c)
            s["approvals_published"] = plan.confirmed - confirmed
        steps.append(s)
        print(
            f"   {scenario} {rate:g} req/s: p95 {s['p95_ms']} ms, {s['errors']} errors"
            f"{', ' + '; '.join(s['error_samples']) if s['errors'] else ''}",
            flush=True,
        )
        if not s["passed"]:
            if len(steps) <= LOWER_TRIES and not any(x["passed"] for x in steps) and rate / 2 >= 1:
                rates = [rate / 2]  # the first failed: try half of it (at most LOWER_TRIES times)
                continue
            break
    return sorted(steps, key=lambda x: x["rate"])


def best(steps: list) -> dict | None:
    """The highest step that passed (a ladder stops at its first failure)."""
    passed = [s for s in steps if s["passed"]]
    return passed[-1] if passed else None


def reference_rate(name: str, steps: list) -> float | None:
    """The rate /healthz is measured at: the uncached mix's highest; for the cached pages the goal's
    rate when that step passed (/healthz reaches the app: far above the goal it measures the app
    nodes' CPU, not the balancer's floor), else their highest."""
    b = best(steps)
    if b is None:
        return None
    if name == "public_cached" and any(x["passed"] and x["rate"] == CACHED_GOAL_RPS for x in steps):
        return CACHED_GOAL_RPS
    return b["rate"]


def run(a=None, run_dir: Path | None = None) -> dict:
    if run_dir is None:
        run_dir = Path(tempfile.mkdtemp(prefix="ssj-load-"))
        run_dir.chmod(0o755)
    c = Cluster(run_dir)
    c.env.update(PORTS)
    c.env["SHUANGSUIJI_CLUSTER_PUBLIC_CACHE"] = "off"
    rng = random.Random(SEED)
    started = time.time()
    print(f"== load: scripts/cluster start ({run_dir})", flush=True)
    try:
        c.start()
        host, port = c.lb.split("//")[1].split(":")
        lb = (host, int(port))
        print(f"== load: manage.py demo_load --targets {DEMO_TARGETS} on the primary", flush=True)
        c.manage("demo_load", "--targets", str(DEMO_TARGETS), timeout=900)
        out = c.manage("shell", "-c", (Path(__file__).parent / "load_world.py").read_text(), timeout=300)
        world = json.loads(next(line for line in out.splitlines() if line.startswith("WORLD="))[6:])
        _vacuum(c)
        setup_seconds = time.time() - started
        load_before = os.getloadavg()
        visitors = {u: sign_in(c.lb, u, False) for u in world["inspectors"]}
        visitors |= {u: sign_in(c.lb, u, True) for u in [*world["reviewers"], "office"]}
        plan = Plan(world, visitors, rng)
        stack = Stack(c)
        measuring = time.time()
        deadline = measuring + LOAD_DEADLINE
        print("== load: CPU per request of each page kind", flush=True)
        asyncio.run(_step(plan, lb, "mix", 4, WARMUP_SECONDS, rng))  # warm: connections, caches
        replenish(plan, lb, c)
        plan.idle = idle_cpu(stack)
        cpu = measure_cpu(plan, lb, stack, c)
        mix_cpu = mix_cpu_ms(cpu)
        bound = 1000 * (os.cpu_count() or 2) / mix_cpu
        print(
            f"== load: uncached mix ({mix_cpu:.1f} ms CPU per request: ≤ {bound:.0f} req/s on the cores)",
            flush=True,
        )
        rates = sorted({max(1, round(bound * f)) for f in UNCACHED_FACTORS})
        uncached = ladder(plan, lb, c, "mix", rates, deadline, rng)
        print("== load: public pages from the balancer's cache", flush=True)
        c.env["SHUANGSUIJI_CLUSTER_PUBLIC_CACHE"] = "on"
        c.script("balancer", timeout=60)
        time.sleep(1)
        asyncio.run(_step(plan, lb, "public_cached", 20, WARMUP_SECONDS, rng))  # the cache filled
        cpu["public_cached"] = _cpu_of(plan, lb, stack, "public_cached", CPU_REQUESTS * 3)
        cached = ladder(plan, lb, c, "public_cached", list(CACHED_RATES), deadline, rng)
        hits = _cache_hits(c)
        print("== load: reference, /healthz through the balancer at the same rates", flush=True)
        reference = {}
        for name, steps in (("mix", uncached), ("public_cached", cached)):
            rate = reference_rate(name, steps)
            if rate is not None:
                reference[name] = summarize(
                    asyncio.run(_step(plan, lb, "healthz", rate, STEP_SECONDS, rng)), rate, STEP_SECONDS
                )
        measuring_seconds = time.time() - measuring
        load_after = os.getloadavg()
    finally:
        c.stop()
        shutil.rmtree(run_dir, ignore_errors=True)
    return {
        "setup_seconds": setup_seconds,
        "measuring_seconds": measuring_seconds,
        "world": {k: len(v) for k, v in world.items()},
        "cpu": cpu,
        "idle_cpu": plan.idle,
        "mix_cpu_ms": mix_cpu,
        "cpu_bound_rps": bound,
        "uncached": uncached,
        "cached": cached,
        "cache_status": hits,
        "reference": reference,
        "approvals_published": plan.confirmed,
        "load_before": load_before,
        "load_after": load_after,
        "step_seconds": STEP_SECONDS,
        "think": THINK,
    }


MIX_KINDS = {  # the page kinds each journey's requests are (for the mix's CPU per request)
    "public": ("public_index", "public_search", "public_draw"),
    "inspector": ("my_work", "target_page", "save_results"),
    "reviewer": ("review_queue", "approve"),
    "office": ("dashboard", "monthly"),
}


def mix_cpu_ms(cpu: dict) -> float:
    """The mix's CPU per request: each journey's requests' CPU, weighted, over the mean length."""
    per_journey = {
        k: sum(cpu.get(x, {}).get("cpu_ms_total", 0.0) for x in kinds) for k, kinds in MIX_KINDS.items()
    }
    return sum(JOURNEYS[k][0] * per_journey[k] for k in JOURNEYS) / MEAN_LENGTH


def _vacuum(c: Cluster) -> None:
    import psycopg

    with psycopg.connect(c.e["CLUSTER_PRIMARY_URL"], autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def _cache_hits(c: Cluster) -> dict:
    """The balancer's cache status of the public requests since the cache was turned on."""
    out: dict = {}
    for line in (c.run / "nginx" / "access.log").read_text(encoding="utf-8").splitlines():
        if '"GET /public/' in line and " cache=" in line:
            status = line.rsplit(" cache=", 1)[1].strip()
            if status != "-":
                out[status] = out.get(status, 0) + 1
    return out


# ---- bench/RESULTS.md ---------------------------------------------------------------------------


def _ok(good: bool) -> str:
    return "✅" if good else "❌"


def _ms(x) -> str:
    return "—" if x is None else (f"{x:.1f} ms" if x < 100 else f"{x:,.0f} ms")


def _ladder_text(steps: list) -> str:
    return ", ".join(
        f"{s['rate']:g} {'✓' if s['passed'] else '✗'} (p95 {_ms(s['p95_ms'])}"
        + (f", {s['errors']} errors" if s["errors"] else "")
        + ")"
        for s in steps
    )


def _scenario_row(d: dict, name: str, what: str, goal: str, good, tag: str) -> str:
    steps = d[name]
    b = best(steps)
    ref = d["reference"].get("mix" if name == "uncached" else "public_cached")
    if b is None:
        return f"| {what}{tag} | no step passed: {_ladder_text(steps)} | — | — | {goal} ❌ |"
    ours = (
        f"**{b['rate']:g} req/s** (p95 {_ms(b['p95_ms'])}, {b['requests']:,} requests, 0 errors; the generator "
        f"{b.get('generator_cpu_ms', 0):.1f} ms CPU per request, due-time lag p95 {_ms(b['generator_lag_p95_ms'])}); "
        f"steps in req/s: {_ladder_text(steps)}"
    )
    reference, ratio = "—", "—"
    if ref:
        same = next(x for x in steps if x["rate"] == ref["rate"])
        reference = f"/healthz at {ref['rate']:g} req/s: p95 {_ms(ref['p95_ms'])}, {ref['errors']} errors"
        if same is not b:
            reference += f" (ours at {ref['rate']:g} req/s: p95 {_ms(same['p95_ms'])})"
        if ref["p95_ms"]:
            ratio = f"{same['p95_ms'] / ref['p95_ms']:.1f}× (p95 at {ref['rate']:g} req/s)"
    return f"| {what}{tag} | {ours} | {reference} | {ratio} | {goal} {_ok(good(b))} |"


def report_rows(d: dict, tag: str) -> list[str]:
    mix = "; ".join(f"{JOURNEYS[k][1]} {JOURNEYS[k][0]:.0%}" for k in JOURNEYS)
    think = f"think times {d['think'][0]:g}–{d['think'][1]:g} s"
    common = (
        f"through the balancer, open loop at a fixed arrival rate, steps of {d['step_seconds']:.0f} s, {think}; "
        f"generator, two app nodes (gunicorn 1 × 4 threads each), nginx, PostgreSQL primary and replica all on "
        f"this machine; load average before/after {d['load_before'][0]:.1f} / {d['load_after'][0]:.1f}"
    )
    bound = d["cpu_bound_rps"]
    rows = [
        _scenario_row(
            d,
            "uncached",
            f"load, uncached mix (journeys: {mix}; {common}), highest rate with p95 ≤ {P95_GOAL_MS:.0f} ms "
            f"and 0 errors",
            f"as high as the CPU per request allows: {d['mix_cpu_ms']:.1f} ms per request of the mix → ≤ "
            f"{bound:.0f} req/s on the cores; ≥ 70 % of that",
            lambda b: b["rate"] >= 0.7 * bound,
            tag,
        ),
        _scenario_row(
            d,
            "cached",
            "load, public pages from the balancer's cache (nginx proxy_cache by the app's Cache-Control; "
            "cache status of the public requests: "
            + ", ".join(f"{k} {v:,}" for k, v in sorted(d["cache_status"].items()))
            + f"; {common}), highest rate with p95 ≤ {P95_GOAL_MS:.0f} ms and 0 errors",
            f"≥ {CACHED_GOAL_RPS} req/s",
            lambda b: b["rate"] >= CACHED_GOAL_RPS,
            tag,
        ),
    ]
    if "uncached" in d and best(d["uncached"]):
        b = best(d["uncached"])
        rows.append(
            f"| load, uncached mix at {b['rate']:g} req/s: p95 of each page kind{tag} | "
            + ", ".join(f"{k} {_ms(v)}" for k, v in b["p95_by_kind_ms"].items())
            + f"; {b['approvals_published']} approvals (复核通过并公示) published in the step | — | — | (for information) |"
        )
    healthz = d["cpu"].get("healthz", {}).get("cpu_ms_total")
    labels = dict(KINDS)
    for kind, c in d["cpu"].items():
        if kind == "healthz":
            continue
        cpu = c["cpu_ms"]
        ratio = f"{c['cpu_ms_total'] / healthz:.1f}×" if healthz else "—"
        rows.append(
            f"| load, CPU per request: {labels[kind]} ({c['requests']} requests, {CPU_CONCURRENCY} at a time"
            + (f", {c['errors']} errors" if c["errors"] else "")
            + f"){tag} | {c['cpu_ms_total']:.1f} ms (app {cpu['app']:.1f}, PostgreSQL {cpu['db']:.1f}, nginx "
            f"{cpu['balancer']:.1f}) | {_ms(healthz)} (/healthz) | {ratio} | (for information) |"
        )
    return rows


if __name__ == "__main__":  # python bench/load_bench.py: the load part alone, printed
    result = run()
    print("\n".join(report_rows(result, "")))
