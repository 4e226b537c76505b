"""The draw benchmarks (part `draw` of bench/run): the target draw over the directory the import
wrote (10⁶ targets at full size), and the team draw for the ~30,000 targets it selects.

Set-up (`_draw_world`, not timed): every 2026 plan, task and draw a previous run left is deleted;
鹿泉区 gets a second department (卫生健康局) with its admin; three published items (one requiring
the specialty 食品安全) claimed by the two departments; a few hundred inspectors through
`inspector_create` (a tenth not drawable: off duty, 执法证 expiring in the window, experts); some
利害关系 (Conflict rows); the importer's 2026 plan through `plan_create` / `task_save` / `plan_submit`
/ `plan_approve` (by the office) with
- two earlier tasks of the year already drawn (4,000 and 2,000 selections inserted directly, one
  in progress, one closed), so that the pool has real exclusions (R-DRAW-4),
- the measured task: 部门联合 with 卫生健康局, scope 130110 (the whole county) and 企业 + 个体工商户,
  R-PLAN-3's default ratios (A 1 %, B 3 %, C 10 %, D 30 %): ~800,000 candidates, ~30,000 drawn,
- a small task (two townships, 个体工商户 only: ~90,000 candidates) for the memory comparison.

Measured, each in a process of its own (peak RSS = that process's VmHWM):
- `_scan`: the reference, `SELECT id FROM directory_target WHERE <scope(task)'s filter>` (the SQL of
  `pool.scope(task).values_list("pk")`), streamed through a server-side cursor 5,000 rows at a time;
- `_announce`: `draw_announce` (freeze + commit: `pool.freeze` streams the annotated scope, hashes
  the leaves into per-stratum RFC 6962 trees and writes the gzip pool file; then the TargetDraw,
  the task's state and the audit entry, one transaction), with `pool.freeze` timed inside it;
- `_select`: two witnesses commit and reveal (not timed), then `draw_run`, with
  `engine.select_positions` and `services._resolve` timed inside it: "selection" is the seed
  known → positions + audit paths resolved; the rest is writing the Selection rows;
- `_teams_ref` then `_teams`: the engine alone (the ssj-team-v2 drawer `teams_draw` uses, over the
  same candidates, the same conflicts, the same order; and the fast v1 drawer for comparison) and
  `teams_draw`;
- `_synth N`: the freeze's own statement for the main task (`pool.pg_rows`, streamed as
  `pool.freeze` streams it) over a directory-shaped table of N targets that PostgreSQL generates
  (the freeze's columns and index, not the search's), for N = 10⁵, 10⁶, 10⁷: time and peak RSS as
  the pool grows (and `_resolve` over the file, at 10⁵ and 10⁶);
- `_explain`: EXPLAIN ANALYZE of the freeze's query and of the reference scan (the breakdown).
"""

import datetime as dt
import json
import sys
import time
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    ADMIN,
    OFFICE,
    PASSWORD,
    Clock,
    RssSampler,
    current_rss_mb,
    django_backend_pid,
    django_setup,
    peak_rss_mb,
    pg_conninfo,
    run_step,
    vacuum_analyze,
)

YEAR = 2026
DEPT_B = "卫生健康局"
ADMIN_B = "bench_admin_b"
INSPECTORS = {"a": 200, "b": 120}  # per department, drawable or not
PRIOR = {"open": 4000, "closed": 2000}  # earlier 2026 tasks' selections
MAIN_SCOPE = {"scope_regions": ["130110"], "scope_kinds": ["enterprise", "individual"]}
SMALL_SCOPE = {"scope_regions": ["130110100", "130110101"], "scope_kinds": ["individual"]}
RATIOS = {"A": "0.01", "B": "0.03", "C": "0.10", "D": "0.30"}  # R-PLAN-3's defaults
WINDOW = (dt.date(YEAR, 7, 1), dt.date(YEAR, 10, 31))
SYNTH_SIZES = (100_000, 1_000_000, 10_000_000)


def _ric(body17: str) -> str:
    from stdnum.cn import ric

    return body17 + ric.calc_check_digit(body17 + "0")


# ---- set-up -------------------------------------------------------------------------------------


def _reset_year(cur) -> dict:
    """Delete the 2026 plans, tasks, draws, selections and teams an earlier run left behind (the
    audit entries stay: the chain is append-only)."""
    tasks = (
        "SELECT t.id FROM planning_task t JOIN planning_annualplan p ON p.id = t.plan_id "
        f"WHERE p.year = {YEAR}"
    )
    draws = f"SELECT id FROM draw_targetdraw WHERE task_id IN ({tasks})"
    sels = f"SELECT id FROM draw_selection WHERE draw_id IN ({draws})"
    cur.execute(f"SELECT count(*) FROM inspection_inspection WHERE selection_id IN ({sels})")
    if cur.fetchone()[0]:
        raise SystemExit("the bench's 2026 draws have inspections: not a database bench/run built")
    out = {}
    # rows other apps keep per draw (the reports app's roll-ups): every other table whose foreign
    # key points at draw_targetdraw
    cur.execute(
        "SELECT c.conrelid::regclass::text, a.attname FROM pg_constraint c "
        "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
        "WHERE c.contype = 'f' AND c.confrelid = 'draw_targetdraw'::regclass "
        "AND c.conrelid::regclass::text NOT IN ('draw_selection', 'draw_witness')"
    )
    others = [(table, f"{column} IN ({draws})") for table, column in cur.fetchall()]
    for table, where in [
        *others,
        (
            "draw_recusalrequest",
            f"member_id IN (SELECT id FROM draw_teammember WHERE selection_id IN ({sels}))",
        ),
        ("draw_teammember", f"selection_id IN ({sels})"),
        ("inspection_checkin", f"selection_id IN ({sels})"),
        ("inspection_rating", f"selection_id IN ({sels})"),
        ("draw_selection", f"draw_id IN ({draws})"),
        ("draw_witness", f"draw_id IN ({draws})"),
        ("draw_targetdraw", f"task_id IN ({tasks})"),
        ("planning_task_departments", f"task_id IN ({tasks})"),
        ("planning_task_business_lines", f"task_id IN ({tasks})"),
        ("planning_task_items", f"task_id IN ({tasks})"),
        ("planning_task_scope_tags", f"task_id IN ({tasks})"),
        ("planning_task", f"id IN ({tasks})"),
        ("planning_planversion", f"plan_id IN (SELECT id FROM planning_annualplan WHERE year = {YEAR})"),
        ("planning_annualplan", f"year = {YEAR}"),
    ]:
        cur.execute(f"DELETE FROM {table} WHERE {where}")
        if cur.rowcount:
            out[table] = cur.rowcount
    return out


def step_draw_world() -> dict:
    django_setup()
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from shuangsuiji.core import services as core
    from shuangsuiji.core.models import Department, Region, Role
    from shuangsuiji.directory import services as directory
    from shuangsuiji.directory.models import (
        Conflict,
        Inspector,
        Item,
        ItemClaim,
        ItemStatus,
        Tag,
        TagLibrary,
        Target,
    )
    from shuangsuiji.draw.models import DrawStatus, TargetDraw
    from shuangsuiji.planning import services as planning
    from shuangsuiji.planning.models import Task, TaskState

    User = get_user_model()
    t0 = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        deleted = _reset_year(cur)

    county = Region.objects.get(code="130110")
    admin = User.objects.get(username=ADMIN)
    office = User.objects.get(username=OFFICE)
    dept_a = admin.department
    dept_b = Department.objects.filter(region=county, name=DEPT_B).first()
    if dept_b is None:
        dept_b = core.department_create(actor=None, name=DEPT_B, region=county)
    admin_b = User.objects.filter(username=ADMIN_B).first()
    if admin_b is None:
        admin_b = core.user_create(
            actor=None,
            username=ADMIN_B,
            password=PASSWORD,
            role=Role.DEPT_ADMIN,
            department=dept_b,
            display_name="卫健管理员",
        )

    specs = {}
    for name in ("食品安全", "特种设备", "药品"):
        specs[name], _ = Tag.objects.get_or_create(
            library=TagLibrary.INSPECTOR, region=county, name=name, department=None
        )
    items = {}
    for code, name, actor, spec in (
        ("SJ-01", "食品经营监督检查", admin, "食品安全"),
        ("SJ-02", "企业公示信息检查", admin, None),
        ("WJ-01", "公共场所卫生检查", admin_b, None),
    ):
        item, _ = Item.objects.get_or_create(
            region=county,
            code=code,
            defaults={"name": name, "methods": ["onsite"], "status": ItemStatus.PUBLISHED},
        )
        if spec:
            item.required_specialties.add(specs[spec])
        if not ItemClaim.objects.filter(item=item, department=actor.department).exists():
            directory.item_claim(actor=actor, item=item)
        items[code] = item

    # inspectors: through the service (validated 身份证号, digest, audit), once per database
    created = 0
    for k, (dept, actor) in enumerate(((dept_a, admin), (dept_b, admin_b))):
        have = Inspector.objects.filter(department=dept).count()
        want = INSPECTORS["ab"[k]]
        for n in range(have, want):
            seq = k * 500 + n
            kw = {}
            if n % 20 == 7:
                kw["on_duty"] = False
            if n % 25 == 3:
                kw["is_expert"] = True
            expiry = dt.date(YEAR, 9, 30) if n % 30 == 11 else dt.date(YEAR + 2, 12, 31)
            spec = []
            if k == 0 and n % 3 == 0:
                spec.append(specs["食品安全"])
            if n % 7 == 0:
                spec.append(specs["特种设备" if k == 0 else "药品"])
            directory.inspector_create(
                actor=actor,
                department=dept,
                name=f"{'市监' if k == 0 else '卫健'}检查员{n:03d}",
                id_number=_ric(f"130102{1986 + n % 15}{n % 12 + 1:02d}{n % 28 + 1:02d}{seq:03d}"),
                certificate_no=f"冀{'AB'[k]}{dept.pk:02d}{n:05d}",
                certificate_expiry=expiry,
                specialties=spec,
                **kw,
            )
            created += 1

    # 利害关系: 400 (inspector, target) pairs spread over the directory, once per database
    if not Conflict.objects.exists():
        ins = list(Inspector.objects.order_by("pk").values_list("pk", flat=True))
        n_targets = Target.objects.count()
        first = Target.objects.order_by("pk").values_list("pk", flat=True).first()
        Conflict.objects.bulk_create(
            [
                Conflict(
                    inspector_id=ins[(j * 37) % len(ins)],
                    target_id=first + (j * 2_654_435) % n_targets,
                    reason="近亲属",
                )
                for j in range(400)
            ],
            ignore_conflicts=True,
        )

    # the plan: two earlier tasks, the measured one and the small one
    plan = planning.plan_create(actor=admin, year=YEAR)
    common = {"ratios": RATIOS, "window_start": WINDOW[0], "window_end": WINDOW[1]}
    prior = {
        "open": planning.task_save(
            actor=admin,
            plan=plan,
            name="2026年第一季度企业公示信息专项检查",
            items=[items["SJ-02"]],
            quota_mode="total",
            total=PRIOR["open"],
            window_start=dt.date(YEAR, 3, 1),
            window_end=dt.date(YEAR, 12, 31),
            **MAIN_SCOPE,
        ),
        "closed": planning.task_save(
            actor=admin,
            plan=plan,
            name="2026年春节食品安全专项检查",
            items=[items["SJ-01"]],
            quota_mode="total",
            total=PRIOR["closed"],
            window_start=dt.date(YEAR, 1, 10),
            window_end=dt.date(YEAR, 2, 28),
            **MAIN_SCOPE,
        ),
    }
    main = planning.task_save(
        actor=admin,
        plan=plan,
        name="2026年食品经营和公共场所卫生部门联合双随机抽查",
        mode="joint",
        departments=[dept_a, dept_b],
        items=[items["SJ-01"], items["WJ-01"]],
        **MAIN_SCOPE,
        **common,
    )
    small = planning.task_save(
        actor=admin,
        plan=plan,
        name="2026年获鹿镇、铜冶镇个体工商户双随机抽查",
        items=[items["SJ-02"]],
        **SMALL_SCOPE,
        **common,
    )
    planning.plan_submit(actor=admin, plan=plan)
    planning.plan_approve(actor=office, plan=plan)

    # the earlier tasks' draws: inserted directly (they are the data, not the measurement)
    now = timezone.now()
    with connection.cursor() as cur:
        for which, state in (("open", TaskState.IN_PROGRESS), ("closed", TaskState.CLOSED)):
            task = prior[which]
            d = TargetDraw.objects.create(
                task=task,
                seq=1,
                public_id=f"{task.code}-1",
                status=DrawStatus.DRAWN,
                draw_at=now,
                announced_at=now,
                announced_by=admin,
                secret_revealed="0" * 64,
                secret_commitment="0" * 64,
                pool_root="0" * 64,
                strata=[
                    {
                        "label": "层PRIOR",
                        "risk_class": "*",
                        "size": 0,
                        "root": "0" * 64,
                        "quota": PRIOR[which],
                    }
                ],
                pool_file=f"draws/pools/{task.code}-1.pool.gz",
                seed="0" * 64,
                drawn_at=now,
                drawn_by=admin,
            )
            cur.execute(
                """
                INSERT INTO draw_selection (draw_id, label, "order", position, key, target_id, path, token, rating_code)
                SELECT %s, '层PRIOR', n, n - 1, uscc, id, ''::bytea, 'bench-' || %s || '-' || id, ''
                FROM (SELECT t.id, t.uscc, row_number() OVER (ORDER BY md5(t.id::text || %s)) AS n
                      FROM directory_target t
                      WHERE t.status = 'active' AND t.kind IN ('enterprise', 'individual')) x
                WHERE n <= %s
                """,
                [d.pk, d.pk, which, PRIOR[which]],
            )
            Task.objects.filter(pk=task.pk).update(state=state)
    vacuum_analyze("draw_selection", "draw_targetdraw", "planning_task")
    return {
        "setup_seconds": time.perf_counter() - t0,
        "deleted": deleted,
        "inspectors_created": created,
        "main_task": main.pk,
        "small_task": small.pk,
        "departments": [dept_a.pk, dept_b.pk],
    }


# ---- the reference: the bare scan ---------------------------------------------------------------


def _scope_sql(task):
    from shuangsuiji.draw import pool

    return pool.scope(task).order_by().values_list("pk").query.sql_with_params()


def _shown(sql: str, params) -> str:
    """The statement with its parameters in, as the server sees it."""
    import psycopg

    with psycopg.connect(pg_conninfo()) as conn:
        return psycopg.ClientCursor(conn).mogrify(sql, [str(p) if hasattr(p, "label") else p for p in params])


def step_scan(task_id: str, repeat: str) -> dict:
    """SELECT id FROM directory_target WHERE <the same scope filter>, streamed (server-side
    cursor, 5,000 rows per fetch, as Django's .iterator(chunk_size=5000) does)."""
    import psycopg

    django_setup()
    from shuangsuiji.planning.models import Task

    sql, params = _scope_sql(Task.objects.get(pk=task_id))
    runs = []
    with psycopg.connect(pg_conninfo()) as conn:
        pid = conn.info.backend_pid
        for k in range(int(repeat) + 1):  # the first warms the cache and is not counted
            with Clock(pid) as c:
                n = 0
                with conn.cursor(name=f"scan{k}") as cur:
                    cur.itersize = 5000
                    cur.execute(sql, params)
                    while rows := cur.fetchmany(5000):
                        n += len(rows)
                conn.commit()
            if k:
                runs.append({**c.as_dict(), "rows": n})
    best = min(runs, key=lambda r: r["seconds"])
    return {"sql": _shown(sql, params), "runs": runs, **best, "peak_rss_mb": peak_rss_mb()}


# ---- ours: announce (freeze + commit) -----------------------------------------------------------


def step_announce(task_id: str) -> dict:
    rss_start = current_rss_mb()
    django_setup()
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from shuangsuiji.draw import pool, services
    from shuangsuiji.planning.models import Task

    admin = get_user_model().objects.get(username=ADMIN)
    task = Task.objects.get(pk=task_id)
    pid = django_backend_pid()
    rss_ready = current_rss_mb()
    inner: dict = {}
    freeze = pool.freeze

    def timed_freeze(task, labels, draw_id, exclude=()):
        with Clock(pid) as c:
            frozen = freeze(task, labels, draw_id, exclude=exclude)
        inner.update(c.as_dict("freeze_"))
        inner["freeze_peak_rss_mb"] = peak_rss_mb()
        frozen.file.seek(0, 2)
        inner["pool_file_bytes"] = frozen.file.tell()
        frozen.file.seek(0)
        return frozen

    # two more runs of the same freeze first, untimed by the announce: the reference scan is the
    # best of three on this shared machine, and so is the freeze (every run is reported)
    repeats = []
    labels = {c: f"层{c or 'U'}" for c in ("A", "B", "C", "D", "", "*")}  # draw_announce draws its own
    for _ in range(2):
        with Clock(pid) as c:
            freeze(task, labels, f"{task.code}-bench").file.close()
        repeats.append(c.wall)
    pool.freeze = timed_freeze  # draw_announce calls pool.freeze(...)
    sampler = RssSampler()
    sampler.start()
    with Clock(pid) as c:
        draw = services.draw_announce(
            actor=admin,
            task=task,
            draw_at=timezone.now(),
            place="基准测试",
            public_value_source="福彩3D开奖号码",
            public_value_at=timezone.now() + dt.timedelta(days=1),
        )
    sampled = sampler.stop()
    return {
        **c.as_dict(),
        **inner,
        "freeze_runs": [*repeats, inner["freeze_seconds"]],
        "draw": draw.pk,
        "pool": sum(s["size"] for s in draw.strata),
        "quota": sum(s["quota"] for s in draw.strata),
        "strata": [{k: s[k] for k in ("risk_class", "size", "quota")} for s in draw.strata],
        "exclusions": draw.exclusions,
        "peak_rss_mb": max(peak_rss_mb(), sampled),
        "rss_at_start_mb": rss_start,
        "rss_after_django_mb": rss_ready,
    }


# ---- ours: the selection (seed known → positions + paths), inside draw_run -----------------------


def step_select(draw_id: str) -> dict:
    django_setup()
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from shuangsuiji.draw import engine, services, witnesses
    from shuangsuiji.draw.models import TargetDraw

    admin = get_user_model().objects.get(username=ADMIN)
    draw = TargetDraw.objects.select_related("task").get(pk=draw_id)
    tokens = {}
    for k, (desc, num) in enumerate(
        (("区纪委监委派驻纪检组干部", "20260701"), ("个体劳动者协会代表", "8848")), 1
    ):
        _, tokens[k] = witnesses.witness_invite(actor=admin, draw=draw, label=f"见证人{k}", description=desc)
        witnesses.witness_commit(token=tokens[k], number=num)
    for k, num in enumerate(("20260701", "8848"), 1):
        witnesses.witness_reveal(token=tokens[k], number=num)
    pid = django_backend_pid()
    rss_ready = current_rss_mb()

    acc = {"positions_s": 0.0, "positions_cpu_s": 0.0}
    select_positions, resolve = engine.select_positions, services._resolve

    def timed_positions(*a, **kw):
        with Clock() as c:
            out = select_positions(*a, **kw)
        acc["positions_s"] += c.wall
        acc["positions_cpu_s"] += c.client_cpu
        acc["positions_first_at"] = acc.get("positions_first_at") or time.perf_counter() - c.wall
        return out

    def timed_resolve(draw, wanted):
        with Clock(pid) as c:
            out = resolve(draw, wanted)
        acc.update(c.as_dict("resolve_"))
        acc["selection_done_at"] = time.perf_counter()
        acc["selection_peak_rss_mb"] = peak_rss_mb()
        return out

    engine.select_positions, services._resolve = timed_positions, timed_resolve
    sampler = RssSampler()
    sampler.start()
    with Clock(pid) as c:
        # as of the announced public value's time (the witnesses committed before it)
        draw = services.draw_run(
            actor=admin, draw=draw, public_value="372", now=max(timezone.now(), draw.public_value_at)
        )
    sampled = sampler.stop()
    return {
        **c.as_dict("draw_run_"),
        **acc,
        # the selection: from the first select_positions call to _resolve's return (the seed
        # derivation before it is one HMAC)
        "selection_s": acc["selection_done_at"] - acc["positions_first_at"],
        "selection_cpu_s": acc["positions_cpu_s"] + acc["resolve_client_cpu_s"],
        "selected": draw.selections.count(),
        "peak_rss_mb": max(peak_rss_mb(), sampled),
        "rss_after_django_mb": rss_ready,
    }


# ---- teams ----------------------------------------------------------------------------------------


def _team_inputs(draw):
    """What teams_draw computes before its loop, computed the same way (the services' helpers)."""
    from shuangsuiji.directory.models import Conflict
    from shuangsuiji.draw import services

    task = draw.task
    selections = list(draw.selections.order_by("order").values_list("key", "target_id"))
    conflicts: dict[int, set[int]] = {}
    for insp_id, target_id in Conflict.objects.filter(target__in=[t for _, t in selections]).values_list(
        "inspector_id", "target_id"
    ):
        conflicts.setdefault(target_id, set()).add(insp_id)
    depts = []
    for department in task.departments.order_by("pk"):
        eligible, _ = services._eligibility(department, task)
        cands = [(i.pk, services._candidate(i)) for i in eligible]
        required = services._requirements(task, department)
        size = max(task.team_size, sum(1 for r in required if r.startswith("条线:")))
        depts.append((department.name, cands, required, size))
    return selections, conflicts, depts


def _engine_alone(spec: str, seed: bytes, selections, conflicts, depts) -> tuple[int, dict]:
    from shuangsuiji.draw import engine

    members = 0
    with Clock() as c:
        for name, cands, required, size in depts:
            drawer = engine.team_drawer(spec, seed, name, [x for _, x in cands], required, size)
            key_of = {pk: x.key for pk, x in cands}
            for key, target_id in selections:
                barred = [key_of[i] for i in conflicts.get(target_id, ()) if i in key_of]
                members += len(drawer.draw(key, barred))
    return members, c.as_dict()


def step_teams_ref(draw_id: str) -> dict:
    """The reference: the engine alone — the team drawer `teams_draw` uses (ssj-team-v2) for every
    drawn target and department, over the same eligible candidates (minus the target's
    conflicts), with the same seed, required specialties, team size and running load; no database
    in the timed loop. For comparison, the fast v1 drawer (the same teams as `engine.draw_team`)
    over the same inputs."""
    django_setup()
    from shuangsuiji.draw import engine
    from shuangsuiji.draw.models import TargetDraw

    draw = TargetDraw.objects.select_related("task").get(pk=draw_id)
    seed = bytes.fromhex(draw.seed)
    selections, conflicts, depts = _team_inputs(draw)
    members, timing = _engine_alone(engine.TEAM_V2, seed, selections, conflicts, depts)
    _, v1 = _engine_alone(engine.TEAM_V1, seed, selections, conflicts, depts)
    return {
        **timing,
        "engine": engine.TEAM_V2,
        "v1_fast": v1,
        "members": members,
        "selections": len(selections),
        "eligible": {name: len(cands) for name, cands, _, _ in depts},
        "required": {name: req for name, _, req, _ in depts},
        "peak_rss_mb": peak_rss_mb(),
    }


def step_teams(draw_id: str) -> dict:
    django_setup()
    from django.contrib.auth import get_user_model
    from django.db import connection

    from shuangsuiji.draw import engine, services
    from shuangsuiji.draw.models import TargetDraw, TeamMember

    admin = get_user_model().objects.get(username=ADMIN)
    draw = TargetDraw.objects.select_related("task").get(pk=draw_id)
    pid = django_backend_pid()
    phases: dict[str, float] = {}

    def add(name, dt_):
        phases[name] = phases.get(name, 0.0) + dt_

    def timed(name, fn):
        def wrapper(*a, **kw):
            t = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                add(name, time.perf_counter() - t)

        return wrapper

    # the phases keep the names the report prints: the team engine, and the TeamMember insert
    engine.TeamDrawerV2.draw = timed("engine.draw_team", engine.TeamDrawerV2.draw)
    services._eligibility = timed("_eligibility", services._eligibility)
    services._requirements = timed("_requirements", services._requirements)
    services._insert_members = timed("TeamMember bulk_create", services._insert_members)
    sql_seconds = {"n": 0, "s": 0.0}

    def sql_timer(execute, sql, params, many, context):
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            sql_seconds["n"] += 1
            sql_seconds["s"] += time.perf_counter() - t

    sampler = RssSampler()
    sampler.start()
    with Clock(pid) as c, connection.execute_wrapper(sql_timer):
        draw = services.teams_draw(actor=admin, draw=draw)
    sampled = sampler.stop()
    return {
        **c.as_dict(),
        "phases": phases,
        "sql_statements": sql_seconds["n"],
        "sql_seconds": sql_seconds["s"],
        "members": sum(1 for _ in TeamMember.objects.filter(selection__draw=draw).values_list("pk")),
        "selections": draw.selections.count(),
        "summary": {
            k: {x: v[x] for x in ("eligible", "team_size", "load_min", "load_max", "required")}
            for k, v in draw.team_summary.items()
        },
        "peak_rss_mb": max(peak_rss_mb(), sampled),
    }


# ---- synthetic: the freeze's statement over a generated directory-shaped table, 10⁵ to 10⁷ ---------

# the strata in the directory's proportions (unclassified 2 %, A 40 %, B 45 %, C 10 %, D 3 %)
SYNTH_SHARES = (("", 0.02), ("A", 0.40), ("B", 0.45), ("C", 0.10), ("D", 0.03))

_SYNTH_TABLE = "bench_synth_target"


def _synthetic_table(n: int, dept_ids: list[int]) -> None:
    """N targets in a copy of directory_target — its columns, the generated key included, and
    its index in pool order, both taken from the real table so that they cannot drift apart —
    generated by PostgreSQL in a scrambled order: the candidates of SYNTH_SHARES proportions,
    plus ~7 % the scope leaves out (cancelled, another county, another kind, supervised by
    another department). Rebuilt for each size, not timed."""
    from django.db import connection

    a, b = dept_ids
    strata = " ".join(
        f"WHEN h < {round(sum(x for _, x in SYNTH_SHARES[: i + 1]) * 1000)} THEN '{c}'"
        for i, (c, _) in enumerate(SYNTH_SHARES)
    )
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {_SYNTH_TABLE}")
        cur.execute(
            f"CREATE TABLE {_SYNTH_TABLE} (LIKE directory_target INCLUDING DEFAULTS INCLUDING GENERATED)"
        )
        cur.execute(
            f"""INSERT INTO {_SYNTH_TABLE} (id, kind, uscc, key_display, name, region_id, address,
                    industry_code, status, risk_class, created_at, updated_at, supervised_by)
                SELECT k, CASE WHEN k % 50 = 3 THEN 'farmer_coop' WHEN k % 2 = 0 THEN 'enterprise'
                               ELSE 'individual' END,
                       '9' || (1 + k % 2)::text || '1301' || lpad((k % 100)::text, 2, '0')
                           || lpad(((k * 2654435761) % 9999999967)::text, 10, '0'),
                       '', '',
                       CASE WHEN k % 60 = 9 THEN '130111' ELSE '130110' END || lpad((k % 300)::text, 3, '0'),
                       '', '6210',
                       CASE WHEN k % 40 = 5 THEN 'cancelled' ELSE 'active' END,
                       CASE {strata} END,
                       now(), now(),
                       CASE WHEN k % 70 = 11 THEN ARRAY[{a + b + 1000}]::bigint[]
                            WHEN k % 2 = 0 THEN ARRAY[{min(a, b)}, {max(a, b)}]::bigint[]
                            ELSE ARRAY[{a}]::bigint[] END
                FROM (SELECT (j * 1000003::bigint) % {n} + 1 AS k, ((j * 7919::bigint) % 1000) AS h
                      FROM generate_series(0, {n} - 1) j) g"""
        )
        cur.execute("SELECT pg_get_indexdef('target_pool_order'::regclass)")
        definition = cur.fetchone()[0]  # CREATE INDEX target_pool_order ON public.directory_target USING …
        _, _, rest = definition.partition(" USING ")
        cur.execute(f"CREATE INDEX {_SYNTH_TABLE}_pool_order ON {_SYNTH_TABLE} USING {rest}")
    vacuum_analyze(_SYNTH_TABLE)


SYNTH_DRAW_ID = "SYNTH-1"


def step_synth(n: str, select: str = "0", task_id: str = "") -> dict:
    """The freeze's statement for the task (what `pool.freeze` runs on PostgreSQL) over N targets
    of a directory-shaped table generated by PostgreSQL instead of read from the directory (and, with
    select=1, services._resolve over the pool file it wrote, for R-PLAN-3's default quotas), in a
    process of its own: time and peak RSS as the pool grows to 10⁷."""
    n = int(n)
    django_setup()
    from shuangsuiji.draw import engine, pool, services

    rss_ready = current_rss_mb()
    labels = {c: f"层{c or 'U'}" for c in ("A", "B", "C", "D", "")}
    pid = django_backend_pid()
    from shuangsuiji.planning.models import Task

    task = Task.objects.get(pk=task_id)
    _synthetic_table(n, list(task.departments.order_by("pk").values_list("pk", flat=True)))
    # the statement pool.freeze runs for the task, over the synthetic table in place of the directory
    inner, params = pool.pg_rows(task)
    sql, params = pool.freeze_statement(
        inner.replace('"directory_target"', f'"{_SYNTH_TABLE}"'), params, SYNTH_DRAW_ID
    )
    runs = []  # twice, the best reported (each run listed), as the announce's freeze and the scan
    for _ in range(2):
        with Clock(pid) as c:
            frozen = pool._stream(sql, params, labels, "SYNTH", SYNTH_DRAW_ID)
        runs.append(c.wall)
    frozen.file.seek(0, 2)
    out = {
        "n": n,
        "source": "a directory-shaped table generated by PostgreSQL, through pool.freeze's statement",
        "freeze_seconds": min(runs),
        "freeze_runs": runs,
        "freeze_cpu_s": c.client_cpu,
        "freeze_server_cpu_s": c.server_cpu,
        "pool": sum(s["size"] for s in frozen.strata),
        "exclusions": frozen.exclusions,
        "pool_file_bytes": frozen.file.tell(),
        "freeze_peak_rss_mb": peak_rss_mb(),
        "rss_after_django_mb": rss_ready,
    }
    frozen.file.seek(0)
    if select == "1":
        ratios = {c: Decimal(r) for c, r in RATIOS.items()} | {"": Decimal(RATIOS["B"])}
        strata = frozen.strata
        quotas = engine.quotas_by_ratio(
            {s["label"]: s["size"] for s in strata}, {s["label"]: ratios[s["risk_class"]] for s in strata}
        )
        for s in strata:
            s["quota"] = quotas[s["label"]]
        draw = SimpleNamespace(
            strata=strata,
            public_id=SYNTH_DRAW_ID,
            pool_format=frozen.format,
            pool_file=SimpleNamespace(open=lambda mode="rb": frozen.file),
        )
        with Clock() as c:
            wanted = {
                s["label"]: engine.select_positions(b"\x01" * 32, s["label"], s["size"], s["quota"])
                for s in strata
            }
            chosen = services._resolve(draw, wanted)
        out.update(
            {
                "select_seconds": c.wall,
                "select_cpu_s": c.client_cpu,
                "selected": len(chosen),
                "select_peak_rss_mb": peak_rss_mb(),
            }
        )
    return out


# ---- the breakdown: what the server spends on the freeze's query -------------------------------------


def step_explain(task_id: str) -> dict:
    django_setup()
    from django.db import connection, transaction
    from django.db.models import F

    from shuangsuiji.draw import pool
    from shuangsuiji.planning.models import Task

    task = Task.objects.get(pk=task_id)
    out = {}
    for name, (sql, params) in (
        # what pool.freeze runs on PostgreSQL, under the same settings
        ("freeze_query", pool.freeze_statement(*pool.pg_rows(task), f"{task.code}-explain")),
        ("scan", pool.scope(task).values_list("pk").query.sql_with_params()),
        (  # the scope in the pool's order, without the exclusion columns
            "scan_sorted",
            pool.scope(task)
            .annotate(key=pool.key_expr(), stratum=F("risk_class"))
            .order_by("stratum", "key")
            .values_list("pk", "key", "stratum")
            .query.sql_with_params(),
        ),
    ):
        with transaction.atomic(), connection.cursor() as cur:
            for statement in pool.FREEZE_SETTINGS:
                cur.execute(statement)
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            plan = [r[0] for r in cur.fetchall()]
        ms = sum(
            float(x.split(":")[1].split()[0])
            for x in plan
            if x.startswith(("Planning Time", "Execution Time"))
        )
        out[name] = {"server_ms": ms, "plan": plan, "sql": _shown(sql, params)}
    return out


STEPS = {
    "_draw_world": step_draw_world,
    "_scan": step_scan,
    "_announce": step_announce,
    "_select": step_select,
    "_teams_ref": step_teams_ref,
    "_teams": step_teams,
    "_synth": step_synth,
    "_draw_explain": step_explain,
}


# ---- the part, as bench/run runs it --------------------------------------------------------------------


def run(args) -> dict:
    print("== draw: set-up (2026 plan, tasks, inspectors; earlier runs' 2026 draws deleted)", flush=True)
    world = run_step("_draw_world")
    out: dict = {"world": world}
    main, small = world["main_task"], world["small_task"]
    vacuum_analyze("directory_target", "directory_targetsupervision", "draw_selection")
    print("== draw: reference scan, then announce (freeze + commit) at two pool sizes", flush=True)
    out["scan"] = run_step("_scan", main, args.draw_repeat)
    out["scan_small"] = run_step("_scan", small, args.draw_repeat)
    out["announce_small"] = run_step("_announce", small)
    # the draw, announced afresh each time (a draw runs once) on a new year's world: as the
    # reference is the best of its runs, draw_run is the best of these; the last is kept for the
    # team draw
    selects = []
    for k in range(max(1, args.draw_runs)):
        if k:
            main = run_step("_draw_world")["main_task"]
            vacuum_analyze("directory_target", "directory_targetsupervision", "draw_selection")
        out["announce"] = run_step("_announce", main)
        print(
            f"   pool {out['announce']['pool']:,} (scan {out['scan']['rows']:,} rows); "
            f"announce {out['announce']['seconds']:.1f} s, scan {out['scan']['seconds']:.2f} s",
            flush=True,
        )
        print(f"== draw: run {k + 1} (selection)", flush=True)
        selects.append(run_step("_select", out["announce"]["draw"]))
    out["select"] = min(selects, key=lambda s: s["draw_run_seconds"])
    out["select"]["draw_run_runs"] = [s["draw_run_seconds"] for s in selects]
    print("== draw: team draw", flush=True)
    out["teams_ref"] = run_step("_teams_ref", out["announce"]["draw"])
    out["teams"] = run_step("_teams", out["announce"]["draw"])
    out["explain"] = run_step("_draw_explain", main)
    out["synth"] = []
    for n in SYNTH_SIZES:
        if n > args.synth_max:
            continue
        print(
            f"== draw: synthetic freeze{' + selection' if n <= args.synth_select_max else ''}, {n:,} candidates",
            flush=True,
        )
        out["synth"].append(run_step("_synth", n, int(n <= args.synth_select_max), main))
    return out


if __name__ == "__main__":  # a step on its own: python bench/draw_bench.py _synth 100000
    print(json.dumps(STEPS[sys.argv[1]](*sys.argv[2:]), ensure_ascii=False, default=str))
