"""The reports benchmark (part `reports` of bench/run): the monthly report (月报表) and the KPI
dashboard over 10⁶ inspection results of one year on PostgreSQL.

Set-up (`_reports_setup`, not timed; reused when the database already holds it): the year 2019 (no
other part uses it) for 鹿泉区 (130110): the importer's 市场监督管理局 (M) plus 卫生健康局 (H) and
生态环境局 (E); 240 tasks — a third 部门联合 (M leads, H joins), a third 部门内部联合, a third ordinary,
half with quotas per risk class — each with one drawn draw (drawn_at spread over the months) and
every tenth also a voided one; ~750,000 selections from the directory (a deterministic sample, topped
up with synthetic enterprises when the directory is short); one inspection per selection and
department (two on joint tasks): --reports-rows inspections in all (default 10⁶), 90 % finished
over the year, each with one item result (8 % a problem), due 20 working days (≈ 28 days) later,
most published on time, some late, some not at all; a ledger entry per problem (half disposed).
Built set-based in SQL, then VACUUM ANALYZE; then the reports' rollup (shuangsuiji/reports/rollup.py)
is rebuilt from those tables (`rollup.rebuild`, what `manage.py rollup_rebuild` does; also when a
reused database has no rollup yet), since rows written in bulk bypass the services that keep it.

Measured (`_reports_measure`), median of --repeat runs after a warm-up:
- monthly report: `reports.monthly.monthly(prefix, 2019, 12)` — the per-department forms, the
  jurisdiction summed and each task and target once, read from the rollup — against two bare SQL
  references computing the per-department 总计 row only (the least the form needs): one GROUP BY
  over the rollup's rows of the counted draws, and one over the base tables' join;
- dashboard: `GET /reports/dashboard/?year=2019&month=12` as the office through Django's test client
  (middleware, `kpi.dashboard`, the SVG charts, the template), and `kpi.dashboard` alone, against a
  bare SQL reference: the per-department form row, the coverage COUNT(DISTINCT), the publicity
  and follow-up GROUP BYs, each once.

With --reports-spread province the tasks are spread over two cities and three counties (鹿泉区 and
正定县 of 石家庄市, 清河县 of 邢台市; common.SPREADS), each county with its own M, H, E and office,
and the province's and 石家庄市's offices read them: the measure adds 石家庄市's and the province's
monthly reports, the province's per-city comparison (reports/levels.py, each city's forms) and the
province office's dashboard page; the city's form is checked to be its counties' forms added up.
"""

import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    ADMIN,
    IMPORTER_DEPT,
    OFFICE,
    PASSWORD,
    SPREADS,
    UPPER_OFFICES,
    django_setup,
    run_step,
    timed_ms,
    vacuum_analyze,
)

YEAR = 2019
TASKS = 240
TASK_PREFIX = "BENCH-RPT-"
GOAL_S = 1.0


def _state(cur) -> tuple[int, int]:
    """(inspections, lead regions) of the bench's tasks: reused only when both match."""
    cur.execute(
        "SELECT count(*) FROM inspection_inspection i JOIN draw_selection s ON s.id = i.selection_id "
        "JOIN draw_targetdraw d ON d.id = s.draw_id JOIN planning_task t ON t.id = d.task_id "
        "WHERE t.code LIKE %s",
        [TASK_PREFIX + "%"],
    )
    n = cur.fetchone()[0]
    cur.execute(
        "SELECT count(DISTINCT l.region_id) FROM planning_task t JOIN core_department l ON l.id = t.lead_id "
        "WHERE t.code LIKE %s",
        [TASK_PREFIX + "%"],
    )
    return n, cur.fetchone()[0]


def _drop(cur) -> None:
    tasks = "SELECT id FROM planning_task WHERE code LIKE %s"
    draws = f"SELECT id FROM draw_targetdraw WHERE task_id IN ({tasks})"
    sels = f"SELECT id FROM draw_selection WHERE draw_id IN ({draws})"
    insp = f"SELECT id FROM inspection_inspection WHERE selection_id IN ({sels})"
    for sql in (
        # the rollup's rows of these draws first (its foreign key; rebuilt after the set-up)
        f"DELETE FROM reports_rollup WHERE draw_id IN ({draws})",
        f"DELETE FROM followup_followup WHERE task_id IN ({tasks})",
        f"DELETE FROM inspection_itemresult WHERE inspection_id IN ({insp})",
        f"DELETE FROM inspection_inspection WHERE selection_id IN ({sels})",
        f"DELETE FROM draw_selection WHERE draw_id IN ({draws})",
        f"DELETE FROM draw_targetdraw WHERE task_id IN ({tasks})",
        f"DELETE FROM planning_task_departments WHERE task_id IN ({tasks})",
        f"DELETE FROM planning_task_items WHERE task_id IN ({tasks})",
        f"DELETE FROM planning_task WHERE id IN ({tasks})",
    ):
        cur.execute(sql, [TASK_PREFIX + "%"])


def _world(spread: str = "county"):
    """Per county of the spread: M (鹿泉区's is the importer's department), H, E, the office (鹿泉区's
    with its clerk); the upper offices' clerks when spread over cities; one item; the plans.
    Returns (admin, {(county, key): department}, item, {(county, key): plan}, counties)."""
    from django.contrib.auth import get_user_model

    from shuangsuiji.core import services as core
    from shuangsuiji.core.models import Department, Region, Role
    from shuangsuiji.directory.models import Item, ItemStatus
    from shuangsuiji.planning.models import AnnualPlan, PlanStatus

    User = get_user_model()
    county = Region.objects.get(code="130110")
    admin = User.objects.filter(username=ADMIN).first()
    if admin is None:  # a database the import part did not set up
        m = Department.objects.filter(region=county, name=IMPORTER_DEPT).first() or core.department_create(
            actor=None, name=IMPORTER_DEPT, region=county
        )
        admin = core.user_create(
            actor=None,
            username=ADMIN,
            password=PASSWORD,
            role=Role.DEPT_ADMIN,
            department=m,
            display_name="导入员",
        )

    def office_of(region):
        return Department.objects.filter(region=region, is_office=True).first() or core.department_create(
            actor=None, name="双随机办公室", region=region, is_office=True
        )

    def clerk(username, region):
        if not User.objects.filter(username=username).exists():
            core.user_create(
                actor=None,
                username=username,
                password=PASSWORD,
                role=Role.OFFICE,
                department=office_of(region),
                display_name="办公室",
            )

    clerk(OFFICE, county)
    counties = [code for code, _ in SPREADS[spread]]
    depts = {("130110", "M"): admin.department}
    for code in counties:
        region = Region.objects.get(code=code)
        office_of(region)
        names = (("M", IMPORTER_DEPT), ("H", "卫生健康局"), ("E", "生态环境局"))
        for key, name in names if code != "130110" else names[1:]:
            depts[(code, key)] = Department.objects.filter(
                region=region, name=name
            ).first() or core.department_create(actor=None, name=name, region=region)
    if len(counties) > 1:
        for code, username in UPPER_OFFICES.items():
            clerk(username, Region.objects.get(code=code))
    item, _ = Item.objects.get_or_create(
        region=county, code="BENCH-RPT-1", defaults={"name": "基准测试事项", "status": ItemStatus.PUBLISHED}
    )
    plans = {
        k: AnnualPlan.objects.get_or_create(
            department=d, year=YEAR, defaults={"status": PlanStatus.PUBLISHED, "version": 1}
        )[0]
        for k, d in depts.items()
    }
    return admin, depts, item, plans, counties


def _rollup(phases: dict) -> None:
    """The reports' rollup from the tables just written (untimed set-up), then ANALYZE."""
    from shuangsuiji.reports import rollup

    t = time.perf_counter()
    rollup.rebuild()
    vacuum_analyze("reports_rollup", "reports_coveredtarget", "reports_coveragecount")
    phases["rollup rebuild"] = time.perf_counter() - t


def step_reports_setup(n_inspections: str, spread: str = "county") -> dict:
    n = int(n_inspections)
    django_setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from shuangsuiji.reports.models import Rollup

    call_command("migrate", "reports", verbosity=0)  # a database built before the rollup existed

    from shuangsuiji.draw.models import DrawStatus, TargetDraw
    from shuangsuiji.planning.models import QuotaMode, Task, TaskMode, TaskState

    t0 = time.perf_counter()
    with connection.cursor() as cur:
        have, regions = _state(cur)
        if have and abs(have - n) <= n // 100 and regions == len(SPREADS[spread]):
            phases = {}
            if not Rollup.objects.exists():
                _rollup(phases)
            return {
                "reused": True,
                "spread": spread,
                "phases": phases,
                "inspections": have,
                "setup_seconds": time.perf_counter() - t0,
                **_describe(cur),
            }
    phases = {}
    admin, depts, item, plans, counties = _world(spread)
    # joint tasks' selections have two inspections: selections = n / (1/3·2 + 2/3·1) = 3n/4
    selections = n * 3 // 4
    with transaction.atomic(), connection.cursor() as cur:
        t = time.perf_counter()
        _drop(cur)
        cur.execute("SELECT count(*) FROM directory_target")
        short = selections - cur.fetchone()[0]
        if short > 0:  # a short directory (a quick run): top it up with synthetic enterprises
            cur.execute(
                """
                INSERT INTO directory_target (kind, uscc, key_display, name, region_id, address, industry_code,
                    status, risk_class, created_at, updated_at)
                SELECT 'enterprise', 'R' || lpad(g::text, 17, '0'), '', '基准企业' || g, '130110', '', '',
                       'active', substr('ABCD', 1 + g %% 4, 1), now(), now()
                FROM generate_series(1, %s) g
                """,
                [short],
            )
        phases["world"] = time.perf_counter() - t
        t = time.perf_counter()
        task_ids = []
        for k in range(TASKS):
            mode = (TaskMode.JOINT, TaskMode.INTERNAL_JOINT, TaskMode.ORDINARY)[k % 3]
            lead = "M" if mode == TaskMode.JOINT else "MHE"[(k // 3) % 3]
            county = counties[(k // 9) % len(counties)]  # every mode and lead in every county
            lead = (county, lead)
            task = Task.objects.create(
                plan=plans[lead],
                code=f"{TASK_PREFIX}{k:04d}",
                name=f"基准测试任务{k}",
                mode=mode,
                lead=depts[lead],
                quota_mode=QuotaMode.RATIO if k % 2 == 0 else QuotaMode.TOTAL,
                ratios={"A": "0.01", "B": "0.03", "C": "0.10", "D": "0.30"},
                window_start=dt.date(YEAR, 1, 1),
                window_end=dt.date(YEAR, 12, 31),
                state=TaskState.CLOSED,
                in_published_plan=True,
            )
            task.departments.add(depts[lead], *([depts[(county, "H")]] if mode == TaskMode.JOINT else []))
            task.items.add(item)
            month = 1 + k % 12
            at = timezone.make_aware(dt.datetime(YEAR, month, 3 + k % 20, 9, 30))
            common = {
                "task": task,
                "draw_at": at,
                "announced_at": at,
                "announced_by": admin,
                "secret_revealed": "0" * 64,
                "secret_commitment": "0" * 64,
                "pool_root": "0" * 64,
                "strata": [],
                "seed": "0" * 64,
                "drawn_at": at,
                "drawn_by": admin,
            }
            seq = 1
            if k % 10 == 0:  # voided first, then drawn again (方案作废 in the assessment)
                TargetDraw.objects.create(
                    seq=1,
                    public_id=f"{task.code}-1",
                    status=DrawStatus.VOIDED,
                    ended_reason="基准测试：范围设置错误",
                    ended_at=at,
                    ended_by=admin,
                    pool_file=f"draws/pools/{task.code}-1.pool.gz",
                    **common,
                )
                seq = 2
            d = TargetDraw.objects.create(
                seq=seq,
                public_id=f"{task.code}-{seq}",
                status=DrawStatus.DRAWN,
                pool_file=f"draws/pools/{task.code}-{seq}.pool.gz",
                **common,
            )
            task_ids.append((task.pk, d.pk))
        phases["tasks+draws"] = time.perf_counter() - t
        t = time.perf_counter()
        # selections: the first `selections` targets by id, dealt round-robin to the draws
        cur.execute(
            """
            CREATE TEMP TABLE rb_draws (n int PRIMARY KEY, draw_id bigint, task_id bigint) ON COMMIT DROP
            """
        )
        cur.executemany(
            "INSERT INTO rb_draws VALUES (%s, %s, %s)", [(i, d, t_) for i, (t_, d) in enumerate(task_ids)]
        )
        cur.execute(
            """
            INSERT INTO draw_selection (draw_id, label, "order", position, key, target_id, path, token, rating_code)
            SELECT r.draw_id, '层R', x.n, x.n, coalesce(x.uscc, x.kind || ':' || x.nonmarket_key), x.id, ''::bytea,
                   'rpt-' || x.id, ''
            FROM (SELECT id, uscc, kind, nonmarket_key, row_number() OVER (ORDER BY id) AS n
                  FROM directory_target ORDER BY id LIMIT %s) x
            JOIN rb_draws r ON r.n = x.n %% %s
            """,
            [selections, len(task_ids)],
        )
        phases["selections"] = time.perf_counter() - t
        t = time.perf_counter()
        # one inspection per (selection, department of the task); 90 % finished after the draw
        cur.execute(
            """
            INSERT INTO inspection_inspection (selection_id, department_id, status, finished_on, due_on,
                due_provisional, summary, submitted_at, reviewed_at, review_comment, published_at, version,
                offsite_reason)
            SELECT s.id, td.department_id,
                   CASE WHEN f.fin IS NULL THEN 'open' WHEN f.pub IS NULL THEN 'finished' ELSE 'published' END,
                   f.fin, f.fin + 28, false, '', NULL, NULL, '', f.pub, CASE WHEN f.pub IS NULL THEN 0 ELSE 1 END, ''
            FROM draw_selection s
            JOIN rb_draws r ON r.draw_id = s.draw_id
            JOIN draw_targetdraw d ON d.id = s.draw_id
            JOIN planning_task_departments td ON td.task_id = r.task_id
            CROSS JOIN LATERAL (
                SELECT CASE WHEN (s.id + td.department_id) %% 10 = 0 THEN NULL
                            ELSE least((d.drawn_at AT TIME ZONE 'Asia/Shanghai')::date + 5 + (s.id %% 60)::int,
                                       make_date(%(year)s, 12, 31)) END AS fin) f0
            CROSS JOIN LATERAL (
                SELECT f0.fin,
                       CASE WHEN f0.fin IS NULL OR s.id %% 20 = 1 THEN NULL
                            WHEN s.id %% 20 = 2 THEN (f0.fin + 40 + time '10:00') AT TIME ZONE 'Asia/Shanghai'
                            ELSE (f0.fin + 10 + time '10:00') AT TIME ZONE 'Asia/Shanghai' END AS pub) f
            """,
            {"year": YEAR},
        )
        phases["inspections"] = time.perf_counter() - t
        t = time.perf_counter()
        cur.execute(
            """
            INSERT INTO inspection_itemresult (inspection_id, item_id, checked, method, problem, found_problem,
                all_clear)
            SELECT i.id, %(item)s, true, 'onsite', '', (i.id %% 100) < 8, false
            FROM inspection_inspection i JOIN draw_selection s ON s.id = i.selection_id
            JOIN rb_draws r ON r.draw_id = s.draw_id
            WHERE i.finished_on IS NOT NULL
            """,
            {"item": item.pk},
        )
        cur.execute(
            """
            INSERT INTO followup_followup (inspection_id, item_id, department_id, target_id, task_id, year, problem,
                outcome_categories, found_on, opened_at, state, due_on, due_provisional, kind, disposed_on, measure,
                case_number, receiving_organ, outcome, penalty_decision_no, penalty_content, withdrawn_reason,
                withdrawn_from)
            SELECT i.id, %(item)s, i.department_id, s.target_id, r.task_id, %(year)s, '基准测试问题', '', i.finished_on,
                   now(), CASE WHEN i.id %% 2 = 0 THEN 'in_progress' ELSE 'pending' END, i.finished_on + 14, false,
                   CASE WHEN i.id %% 2 = 0 THEN 'rectify' ELSE '' END,
                   CASE WHEN i.id %% 2 = 0 THEN i.finished_on + 7 END, '', '', '', '', '', '', '', ''
            FROM inspection_inspection i JOIN draw_selection s ON s.id = i.selection_id
            JOIN rb_draws r ON r.draw_id = s.draw_id
            WHERE i.finished_on IS NOT NULL AND (i.id %% 100) < 8
            """,
            {"item": item.pk, "year": YEAR},
        )
        phases["results+ledger"] = time.perf_counter() - t
    t = time.perf_counter()
    vacuum_analyze(
        "directory_target",
        "draw_targetdraw",
        "draw_selection",
        "planning_task",
        "planning_task_departments",
        "inspection_inspection",
        "inspection_itemresult",
        "followup_followup",
    )
    phases["vacuum analyze"] = time.perf_counter() - t
    _rollup(phases)
    with connection.cursor() as cur:
        return {
            "reused": False,
            "phases": phases,
            "setup_seconds": time.perf_counter() - t0,
            "inspections": _state(cur)[0],
            "spread": spread,
            **_describe(cur),
        }


def _describe(cur) -> dict:
    cur.execute(
        "SELECT count(DISTINCT t.id), count(s.id) FROM planning_task t JOIN draw_targetdraw d ON d.task_id = t.id "
        "AND d.status = 'drawn' JOIN draw_selection s ON s.draw_id = d.id WHERE t.code LIKE %s",
        [TASK_PREFIX + "%"],
    )
    tasks, selections = cur.fetchone()
    cur.execute("SELECT count(*) FROM followup_followup WHERE year = %s", [YEAR])
    return {"tasks": tasks, "selections": selections, "ledger": cur.fetchone()[0]}


BARE_FORM = """
    SELECT td.department_id, count(DISTINCT d.task_id), count(*), count(i.id),
           count(i.id) FILTER (WHERE EXISTS (SELECT 1 FROM inspection_itemresult r
                                             WHERE r.inspection_id = i.id AND r.found_problem))
    FROM draw_targetdraw d
    JOIN planning_task t ON t.id = d.task_id
    JOIN core_department l ON l.id = t.lead_id
    JOIN planning_task_departments td ON td.task_id = d.task_id
    JOIN draw_selection s ON s.draw_id = d.id
    LEFT JOIN inspection_inspection i
           ON i.selection_id = s.id AND i.department_id = td.department_id AND i.finished_on <= %(end)s
    WHERE d.status = 'drawn' AND d.drawn_at < %(next)s AND d.drawn_at >= %(start)s AND l.region_id LIKE '130110%%'
    GROUP BY td.department_id
"""
BARE_ROLLUP_FORM = """
    SELECT r.department_id, count(DISTINCT d.task_id), sum(r.n),
           coalesce(sum(r.n) FILTER (WHERE r.finished_month <= %(end)s), 0),
           coalesce(sum(r.n) FILTER (WHERE r.problem_month <= %(end)s), 0)
    FROM draw_targetdraw d
    JOIN planning_task t ON t.id = d.task_id
    JOIN core_department l ON l.id = t.lead_id
    JOIN reports_rollup r ON r.draw_id = d.id AND r.department_id IS NOT NULL
    WHERE d.status = 'drawn' AND d.drawn_at < %(next)s AND d.drawn_at >= %(start)s AND l.region_id LIKE '130110%%'
    GROUP BY r.department_id
"""
BARE_ROLLUP_COVERAGE = """
    SELECT department_id, sum(n) FROM reports_coveragecount
    WHERE year = %(year)s AND region_id = '130110' AND first_month <= 12 GROUP BY department_id
"""
BARE_ROLLUP_PUBLICITY = """
    SELECT r.department_id, coalesce(sum(r.n) FILTER (WHERE r.publicity_day <= %(end)s), 0),
           coalesce(sum(r.n) FILTER (WHERE r.publicity_day <= %(end)s AND r.on_time), 0)
    FROM draw_targetdraw d JOIN reports_rollup r ON r.draw_id = d.id AND r.department_id IS NOT NULL
    WHERE d.status = 'drawn' AND d.drawn_at >= %(start)s AND d.drawn_at < %(next)s AND r.finished_month <= %(end)s
    GROUP BY r.department_id
"""
BARE_COVERAGE = """
    SELECT count(DISTINCT s.target_id) FROM draw_selection s
    JOIN draw_targetdraw d ON d.id = s.draw_id JOIN directory_target tg ON tg.id = s.target_id
    WHERE d.status = 'drawn' AND d.drawn_at >= %(start)s AND d.drawn_at < %(next)s AND tg.kind = 'enterprise'
"""
BARE_PUBLICITY = """
    SELECT i.department_id, count(*),
           count(*) FILTER (WHERE (i.published_at AT TIME ZONE 'Asia/Shanghai')::date <= i.due_on)
    FROM inspection_inspection i JOIN draw_selection s ON s.id = i.selection_id
    JOIN draw_targetdraw d ON d.id = s.draw_id
    WHERE d.status = 'drawn' AND d.drawn_at >= %(start)s AND d.drawn_at < %(next)s
      AND (i.due_on <= %(end)s OR i.published_at < %(next)s)
    GROUP BY i.department_id
"""
BARE_FOLLOWUP = """
    SELECT department_id, count(*), count(*) FILTER (WHERE disposed_on <= %(end)s)
    FROM followup_followup WHERE year = %(year)s AND found_on <= %(end)s GROUP BY department_id
"""


def step_reports_measure(repeat: str, spread: str = "county") -> dict:
    repeat = int(repeat)
    django_setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from shuangsuiji.core.models import Department, Region
    from shuangsuiji.reports import kpi
    from shuangsuiji.reports.monthly import monthly

    county = Region.objects.get(code="130110")
    departments = list(Department.objects.filter(region=county, is_office=False))
    today = dt.date(YEAR + 1, 1, 15)
    office = get_user_model().objects.get(username=OFFICE)
    client = Client(HTTP_HOST="localhost")
    client.force_login(office)
    out: dict = {}

    ms, (per_dept, summed, distinct) = timed_ms(lambda: monthly(county.scope_prefix, YEAR, 12), repeat)
    out["monthly"] = {
        "ms": ms,
        "summed_total": summed.rows["total"].as_tuple(),
        "distinct_total": distinct.rows["total"].as_tuple(),
        "departments": len(per_dept),
    }
    ms, board = timed_ms(lambda: kpi.dashboard(county, YEAR, 12, today, departments), repeat)
    out["dashboard_compute"] = {"ms": ms, "columns": len(board.columns)}

    from django.conf import settings
    from django.test import override_settings

    # the page's {% static %} links without a collectstatic manifest (as the tests do)
    plain = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }

    def page():
        with override_settings(STORAGES=plain):
            r = client.get("/reports/dashboard/", {"year": YEAR, "month": 12})
        assert r.status_code == 200, r.status_code
        return len(r.content)

    ms, size = timed_ms(page, repeat)
    out["dashboard_page"] = {"ms": ms, "bytes": size}
    params = {
        "start": timezone.make_aware(dt.datetime(YEAR, 1, 1)),
        "next": timezone.make_aware(dt.datetime(YEAR + 1, 1, 1)),
        "end": dt.date(YEAR, 12, 31),
        "year": YEAR,
    }
    with connection.cursor() as c:

        def bare(*sqls):
            def run():
                rows = []
                for sql in sqls:
                    c.execute(sql, params)
                    rows.append(c.fetchall())
                return rows

            return run

        ms, rows = timed_ms(bare(BARE_FORM), repeat)
        out["monthly_reference"] = {"ms": ms, "rows": rows[0]}
        ms, rollup_rows = timed_ms(bare(BARE_ROLLUP_FORM), repeat)
        # the rollup's per-department 总计 equals the base tables' (same GROUP BY, other source)
        assert sorted(rollup_rows[0]) == sorted(rows[0]), (rollup_rows[0], rows[0])
        out["monthly_rollup_reference"] = {"ms": ms, "rows": rollup_rows[0]}
        ms, _ = timed_ms(bare(BARE_FORM, BARE_COVERAGE, BARE_PUBLICITY, BARE_FOLLOWUP), repeat)
        out["dashboard_reference"] = {"ms": ms}
        ms, _ = timed_ms(
            bare(BARE_ROLLUP_FORM, BARE_ROLLUP_COVERAGE, BARE_ROLLUP_PUBLICITY, BARE_FOLLOWUP), repeat
        )
        out["dashboard_rollup_reference"] = {"ms": ms}
    if len(SPREADS[spread]) > 1:
        out |= _measure_upper(repeat, page_for=plain)
    return out


def _measure_upper(repeat: int, page_for) -> dict:
    """石家庄市's and the province's monthly reports, the province's per-city comparison and its
    office's dashboard page (--reports-spread province); the city's form must be its counties'
    forms added up, cell by cell (reports/levels.py)."""
    from django.contrib.auth import get_user_model
    from django.test import Client, override_settings

    from shuangsuiji.core.models import Region
    from shuangsuiji.reports import levels
    from shuangsuiji.reports.monthly import monthly

    out: dict = {}
    for key, prefix in (("monthly_city", "1301"), ("monthly_province", "13")):
        ms, (per_dept, summed, _) = timed_ms(lambda p=prefix: monthly(p, YEAR, 12), repeat)
        out[key] = {"ms": ms, "summed_total": summed.rows["total"].as_tuple(), "departments": len(per_dept)}
    city = levels.form_sum(monthly(code, YEAR, 12)[1] for code in ("130110", "130123"))
    assert city.rows["total"].as_tuple() == tuple(out["monthly_city"]["summed_total"]), "city ≠ Σ counties"
    province = Region.objects.get(code="130000")
    ms, parts = timed_ms(lambda: levels.monthly_parts(province, YEAR, 12), repeat)
    out["monthly_parts_province"] = {"ms": ms, "parts": [p.part.label for p in parts]}
    client = Client(HTTP_HOST="localhost")
    client.force_login(get_user_model().objects.get(username=UPPER_OFFICES["130000"]))

    def page():
        with override_settings(STORAGES=page_for):
            r = client.get("/reports/dashboard/", {"year": YEAR, "month": 12})
        assert r.status_code == 200 and b'data-compare="dashboard"' in r.content, r.status_code
        return len(r.content)

    ms, size = timed_ms(page, repeat)
    out["dashboard_page_province"] = {"ms": ms, "bytes": size}
    return out


STEPS = {"_reports_setup": step_reports_setup, "_reports_measure": step_reports_measure}


def run(args) -> dict:
    rows = getattr(args, "reports_rows", 1_000_000)
    spread = getattr(args, "reports_spread", "county")
    where = "、".join(name for _, name in SPREADS[spread])
    print(f"== reports: {rows:,} inspection results in {YEAR} ({where})", flush=True)
    setup = run_step("_reports_setup", rows, spread)
    print(
        f"   {'reused' if setup['reused'] else 'built'}: {setup['inspections']:,} inspections, "
        f"{setup['selections']:,} selections, {setup['tasks']} tasks in {setup['setup_seconds']:.0f} s",
        flush=True,
    )
    print("== reports: monthly report and dashboard", flush=True)
    measure = run_step("_reports_measure", args.repeat, spread)
    return {"setup": setup, "measure": measure, "repeat": args.repeat}


def report_rows(r: dict, tag: str) -> list[str]:
    """The rows of bench/RESULTS.md's table (called by report.py)."""
    m, n = r["measure"], r["setup"]["inspections"]
    goal = GOAL_S * 1000

    def ok(ms):
        return "✅" if ms <= goal else "❌"

    def ms(x):
        return f"{x:,.0f} ms" if x >= 100 else f"{x:.1f} ms"

    mo, mbase = m["monthly"]["ms"], m["monthly_reference"]["ms"]
    mref = m.get("monthly_rollup_reference", {}).get("ms", mbase)
    pg, comp, dbase = m["dashboard_page"]["ms"], m["dashboard_compute"]["ms"], m["dashboard_reference"]["ms"]
    dref = m.get("dashboard_rollup_reference", {}).get("ms", dbase)
    return [
        f"| monthly report (月报表) over {n:,} inspection results of one year: every department's form, the "
        f"jurisdiction summed and each task and target once (`monthly.monthly`, from the rollup){tag} | {ms(mo)} | "
        f"{ms(mref)} (bare GROUP BY over the rollup, per-department 总计 only; over the base tables "
        f"{ms(mbase)}) | {mo / mref:.2f}× | ≤ 1 s {ok(mo)} |",
        f"| KPI dashboard over the same {n:,} results: `GET /reports/dashboard/` as the office (all KPIs × "
        f"jurisdiction + {m['dashboard_compute']['columns'] - 1} departments, SVG charts){tag} | {ms(pg)} "
        f"(`kpi.dashboard` {ms(comp)}) | {ms(dref)} (bare SQL over the rollup: form, coverage, publicity; "
        f"follow-up over the ledger; all over the base tables {ms(dbase)}) | "
        f"{pg / dref:.2f}× | ≤ 1 s {ok(pg)} |",
    ] + _upper_rows(m, n, tag, ms, ok)


def _upper_rows(m: dict, n: int, tag: str, ms, ok) -> list[str]:
    """With --reports-spread province: the city's and the province's reports over the same data."""
    if "monthly_province" not in m:
        return []
    city, prov = m["monthly_city"]["ms"], m["monthly_province"]["ms"]
    parts, page = m["monthly_parts_province"]["ms"], m["dashboard_page_province"]["ms"]
    return [
        f"| monthly report of 石家庄市 (two counties) and of the province (two cities, three counties) over "
        f"the same {n:,} results{tag} | {ms(city)} / {ms(prov)} | — | — | ≤ 1 s {ok(max(city, prov))} |",
        f"| the province's per-city comparison (each city's forms) and its office's dashboard page with the "
        f"per-city KPIs{tag} | {ms(parts)} / {ms(page)} | — | — | ≤ 1 s {ok(max(parts, page))} |",
    ]
