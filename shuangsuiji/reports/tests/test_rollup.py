"""The rollup (rollup.py) against the base tables (reference.py): after seeded random sequences of
service calls — finishes, result edits, submissions and approvals on random days, corrections,
voids and redraws — the monthly report, the publicity counts, the monthly trend and the coverage
read from the rollup equal the base-table computation, for several months and as-of days, and the
rollup kept up by the services equals one rebuilt from scratch."""

import datetime as dt
import random
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from shuangsuiji.core import services as core
from shuangsuiji.core.errors import DomainError
from shuangsuiji.core.models import Role
from shuangsuiji.directory.models import Target, TargetKind
from shuangsuiji.draw import voids
from shuangsuiji.draw.models import DrawStatus, TargetDraw
from shuangsuiji.inspection import services as insp
from shuangsuiji.inspection.models import Inspection, InspectionStatus
from shuangsuiji.inspection.services import EDITABLE
from shuangsuiji.reports import kpi, monthly, reference, rollup
from shuangsuiji.reports.models import CoverageCount, CoveredTarget, Rollup

from .scenario import _run, build_scenario

D = dt.date
YEAR = 2026
CHECKS = [(5, None), (6, None), (6, D(2026, 6, 25)), (7, D(2026, 7, 15)), (8, None), (9, None), (12, None)]


def _snapshot(prefix: str, f) -> tuple:
    def form(x):
        return {k: c.as_tuple() for k, c in x.rows.items()}

    return (
        {d.pk: form(x) for d, x in f.per_dept.items()},
        form(f.summed),
        form(f.distinct),
        f.publicity,
        f.months,
    )


def _assert_equal_to_reference(prefix: str) -> None:
    for month, as_of in CHECKS:
        got = _snapshot(prefix, monthly.facts(prefix, YEAR, month, as_of))
        want = _snapshot(prefix, reference.facts(prefix, YEAR, month, as_of))
        assert got == want, (month, as_of)
        assert kpi.coverage(prefix, YEAR, month) == reference.coverage(prefix, YEAR, month), month


def _rows() -> tuple[Counter, Counter, Counter]:
    r = Counter(
        Rollup.objects.values_list(
            "draw_id",
            "department_id",
            "market",
            "finished_month",
            "problem_month",
            "publicity_day",
            "on_time",
            "n",
        )
    )
    c = Counter(
        CoveredTarget.objects.values_list("year", "region_id", "department_id", "target_id", "first_month")
    )
    n = Counter(CoverageCount.objects.values_list("year", "region_id", "department_id", "first_month", "n"))
    return r, c, n


class Actors:
    def __init__(self, w):
        self.admin = {w.m.pk: w.a_admin, w.h.pk: w.b_admin, w.e.pk: w.e_admin}
        self.reviewer = {w.m.pk: w.a_reviewer}
        for dept in (w.h, w.e):
            self.reviewer[dept.pk] = core.user_create(
                actor=None,
                username=f"rev{dept.pk}",
                password="Zx!9Lp-Qw7",  # unlike every "rev<pk>" (rev2026 ~ Rev#2026pw was refused)
                role=Role.REVIEWER,
                department=dept,
            )


def _at(monkeypatch, day: dt.date) -> None:
    moment = timezone.make_aware(dt.datetime(day.year, day.month, day.day, 10))
    monkeypatch.setattr(timezone, "now", lambda: moment)


def _step(rng: random.Random, w, actors: Actors, monkeypatch) -> str:
    """One random service call on a random inspection of a drawn draw (or a void and redraw)."""
    if rng.random() < 0.08:
        task = w.tasks[rng.choice(["T1", "T5"])]
        d = task.draws.filter(status=DrawStatus.DRAWN).first()
        if d is None:
            return "none"
        admin = w.a_admin
        try:
            voids.void_confirm(
                actor=w.office,
                request=voids.void_request(actor=admin, draw=d, reason="other", text="随机测试：作废"),
            )
        except DomainError:
            return "refused"
        if rng.random() < 0.7:
            _run(w, admin, task)
            return "void+redraw"
        return "void"
    draw = rng.choice(list(TargetDraw.objects.filter(status=DrawStatus.DRAWN, task__plan__year=YEAR)))
    sel = rng.choice(list(draw.selections.all()))
    member = rng.choice(list(sel.team.filter(active=True)))
    dept, user = member.department, member.inspector.user
    ins = insp.inspection_for(sel, dept)
    op = rng.choice(["finish", "result", "result", "publish", "publish", "correct"])
    day = D(2026, rng.choice([6, 7, 8, 9]), rng.randint(1, 28))
    _at(monkeypatch, day)
    try:
        if op == "finish" and ins.status in EDITABLE:
            insp.inspection_finish(actor=user, selection=sel, finished_on=day)
        elif op == "result" and ins.status in EDITABLE:
            problem = rng.random() < 0.4
            for item in insp._department_items(sel, dept):
                insp.result_save(
                    actor=user,
                    selection=sel,
                    item=item,
                    method="onsite",
                    categories=["pending_followup"] if problem else ["none_found"],
                    problem="发现问题" if problem else "",
                )
        elif op == "publish" and ins.status in EDITABLE and ins.finished_on:
            insp.inspection_submit(actor=user, selection=sel)
            insp.review_approve(actor=actors.reviewer[dept.pk], inspection=ins)
        elif op == "correct" and ins.status == InspectionStatus.PUBLISHED:
            insp.correction_open(actor=actors.admin[dept.pk], inspection=ins, reason="随机测试：更正")
        else:
            return "skip"
    except DomainError:
        return "refused"  # e.g. submitting before every item has a result: nothing changed
    finally:
        monkeypatch.undo()
    return op


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rollup_equals_the_base_tables_after_random_service_calls(world, monkeypatch, seed):
    w = build_scenario(world)
    actors = Actors(w)
    prefix = w.county.scope_prefix
    rng = random.Random(seed)
    _assert_equal_to_reference(prefix)
    done = Counter()
    for k in range(40):
        done[_step(rng, w, actors, monkeypatch)] += 1
        if k % 8 == 7:
            _assert_equal_to_reference(prefix)
    _assert_equal_to_reference(prefix)
    # what the services kept up equals a rollup rebuilt from scratch, row for row
    kept = _rows()
    rollup.rebuild()
    assert _rows() == kept
    # the sequence really exercised the services (not only refusals and skips)
    assert sum(done[k] for k in ("finish", "result", "publish")) >= 10, done
    assert Inspection.objects.filter(status=InspectionStatus.PUBLISHED).exists()


def test_issue_scenario_cells_from_the_rollup(world):
    """The rollup holds issue 5's expected cells (read from it, not from the base tables)."""
    w = build_scenario(world)
    per, summed, distinct = monthly.monthly(w.county.scope_prefix, YEAR, 6)
    assert per[w.m].rows["total"].as_tuple() == (4, 24, 19, 4)
    assert summed.rows["total"].as_tuple() == (6, 34, 28, 7)
    assert distinct.rows["total"].as_tuple() == (5, 28, 22, 6)
    # without the rollup rows the report finds nothing: it does read them
    Rollup.objects.all().delete()
    assert monthly.monthly(w.county.scope_prefix, YEAR, 6)[1].rows["total"].as_tuple() == (0, 0, 0, 0)
    call_command("rollup_rebuild")
    assert monthly.monthly(w.county.scope_prefix, YEAR, 6)[2].rows["total"].as_tuple() == (5, 28, 22, 6)


def test_void_drops_the_draw_and_its_coverage(world):
    w = build_scenario(world)
    prefix = w.county.scope_prefix
    before = kpi.coverage(prefix, YEAR, 6)
    d5 = w.tasks["T5"].draws.get(status=DrawStatus.DRAWN)
    voids.void_confirm(
        actor=w.office,
        request=voids.void_request(actor=w.a_admin, draw=d5, reason="other", text="范围设置错误"),
    )
    after = kpi.coverage(prefix, YEAR, 6)
    assert after[1] == before[1] - 3  # T5's 3 enterprises were drawn nowhere else
    assert after[0][w.m.pk] == before[0][w.m.pk] - 3
    assert after == reference.coverage(prefix, YEAR, 6)
    assert monthly.monthly(prefix, YEAR, 6)[0][w.m].rows["total"].as_tuple() == (3, 21, 19, 4)
    _assert_equal_to_reference(prefix)
    _run(w, w.a_admin, w.tasks["T5"])  # drawn again: counted again
    assert kpi.coverage(prefix, YEAR, 6) == before
    assert monthly.monthly(prefix, YEAR, 6)[0][w.m].rows["total"].as_tuple() == (4, 24, 19, 4)


def test_refused_service_call_leaves_the_rollup_as_it_was(world):
    w = build_scenario(world)
    kept = _rows()
    sel = w.draws["T1"].selections.get(target=w.targets["T1"][9])
    user = sel.team.filter(active=True).first().inspector.user
    with pytest.raises(DomainError, match="检查完毕日期须在任务检查时间内"):
        insp.inspection_finish(actor=user, selection=sel, finished_on=D(2026, 5, 1))
    assert _rows() == kept


def test_rebuild_command_checks_against_the_base_tables(world, capsys):
    w = build_scenario(world)
    call_command("rollup_rebuild", "--check", w.county.code, "--year", str(YEAR))
    out = capsys.readouterr().out
    assert "报表汇总已重建" in out and "汇总与逐条计算一致" in out
    with pytest.raises(CommandError, match="行政区划代码“999999”不存在"):
        call_command("rollup_rebuild", "--check", "999999")


def test_a_kind_changed_by_an_import_is_refreshed_per_target(world):
    """An import may turn a drawn 企业 into a 个体工商户 (set-based, outside the services): the
    importer's refresh_targets recomputes those targets' coverage rows."""
    w = build_scenario(world)
    prefix = w.county.scope_prefix
    before = kpi.coverage(prefix, YEAR, 6)
    changed = w.targets["T3"][:2]  # drawn by M and H
    Target.objects.filter(pk__in=[t.pk for t in changed]).update(kind=TargetKind.INDIVIDUAL)
    assert kpi.coverage(prefix, YEAR, 6) == before != reference.coverage(prefix, YEAR, 6)
    rollup.refresh_targets([t.pk for t in changed])
    after = kpi.coverage(prefix, YEAR, 6)
    assert after == reference.coverage(prefix, YEAR, 6)
    assert after[1] == before[1] - 2 and after[0][w.h.pk] == before[0][w.h.pk] - 2
    kept = _rows()
    rollup.rebuild()
    assert _rows() == kept


@pytest.mark.django_db
def test_an_update_import_that_changes_kinds_refreshes_coverage(world):
    """The same change through a real “update by code” import: directory tells the rollup
    (directory.signals.targets_kind_changed), nothing to call by hand."""
    from shuangsuiji.directory.tests.test_import import run

    w = build_scenario(world)
    prefix = w.county.scope_prefix
    before = kpi.coverage(prefix, YEAR, 6)
    changed = w.targets["T3"][:2]
    rows = "".join(f"{t.uscc},个体工商户\n" for t in changed)
    job = run(w.a_admin, "统一社会信用代码,主体类型\n" + rows, mode="update")
    assert job.status == "succeeded", job.result
    assert {t.kind for t in Target.objects.filter(pk__in=[t.pk for t in changed])} == {TargetKind.INDIVIDUAL}
    after = kpi.coverage(prefix, YEAR, 6)
    assert after == reference.coverage(prefix, YEAR, 6) and after[1] == before[1] - 2
