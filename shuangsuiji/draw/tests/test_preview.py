"""对象池预览 (issue 18): before the irreversible announcement, the pool's size per stratum and
the quotas, counted by the query the freeze streams and the quota rule it applies — the numbers
the freeze then produces, stratum by stratum (on SQLite and on PostgreSQL's own freeze path)."""

import datetime as dt

import pytest

from shuangsuiji.directory.models import RegistrationStatus, Target
from shuangsuiji.draw import voids
from shuangsuiji.draw.models import TargetDraw, VoidReason
from shuangsuiji.draw.preview import pool_preview
from shuangsuiji.planning import services as planning
from shuangsuiji.planning.models import Task

from .conftest import announce, full_draw

D = dt.date


def _by_class(strata) -> dict[str, tuple[int, int]]:
    return {s["risk_class"]: (s["size"], s["quota"]) for s in strata}


def _same(preview, draw: TargetDraw) -> None:
    assert _by_class(preview.strata) == _by_class(draw.strata)
    assert preview.exclusions == draw.exclusions
    assert (preview.size, preview.quota) == (
        sum(s["size"] for s in draw.strata),
        sum(s["quota"] for s in draw.strata),
    )


@pytest.mark.django_db
def test_the_preview_is_what_the_freeze_then_produces_per_stratum(ready):
    w = ready
    preview = pool_preview(w.task_a)
    # 60 targets of A: 14 each of A–D at 10/20/50/100%, 4 unclassified at B's ratio
    assert _by_class(preview.strata) == {
        "A": (14, 2),
        "B": (14, 3),
        "C": (14, 7),
        "D": (14, 14),
        "": (4, 1),
    }
    assert [s["name"] for s in preview.strata][:1] == ["A类（低风险）"]
    assert preview.problem == "" and preview.carried == 0
    _same(preview, announce(w, w.task_a))


@pytest.mark.django_db
def test_the_preview_counts_the_exclusions_as_the_freeze_does(ready):
    w = ready
    full_draw(w, w.task_a)
    preview = pool_preview(w.joint)
    assert preview.exclusions["open_task"] == 27  # what task_a drew, A being in both tasks
    assert dict(preview.excluded)["已在本部门本年度另一进行中的任务中"] == 27
    _same(preview, announce(w, w.joint))


@pytest.mark.django_db
def test_the_preview_of_a_task_drawn_by_total_has_one_stratum(ready):
    w = ready
    planning.plan_adjust_open(actor=w.a_admin, plan=w.plan_a, reason="新增按总数抽取的任务")
    task = planning.task_save(
        actor=w.a_admin,
        plan=w.plan_a,
        name="按总数抽取",
        items=[w.items["A-2"]],
        quota_mode="total",
        total=5,
        window_start=D(2026, 4, 1),
        window_end=D(2026, 6, 30),
    )
    planning.plan_submit(actor=w.a_admin, plan=w.plan_a)
    planning.plan_approve(actor=w.office, plan=w.plan_a)
    task = Task.objects.get(pk=task.pk)
    preview = pool_preview(task)
    assert _by_class(preview.strata) == {"*": (60, 5)}
    assert preview.rule == {"quota_rule": "total", "total": 5}
    _same(preview, announce(w, task))


@pytest.mark.django_db
def test_the_preview_of_a_partial_redraw_counts_only_the_replacements(ready):
    w = ready
    draw = full_draw(w, w.task_a)
    # a C-class target (half of C is drawn: the stratum has others to replace it with)
    gone = draw.selections.filter(target__risk_class="C").select_related("target").first().target
    req = voids.void_request(
        actor=w.a_admin, draw=draw, reason=VoidReason.POOL_INCLUDED, text="对象池未排除已注销的企业"
    )
    voids.void_confirm(actor=w.office, request=req, note="属实")
    Target.objects.filter(pk=gone.pk).update(status=RegistrationStatus.CANCELLED)
    preview = pool_preview(Task.objects.get(pk=w.task_a.pk))
    assert preview.carried == 26 and preview.quota == 1
    assert preview.rule["quota_rule"] == "replace"
    assert preview.exclusions["carried"] == 26  # kept from the voided draw: out of the new pool
    redraw = announce(w, Task.objects.get(pk=w.task_a.pk))
    _same(preview, redraw)


@pytest.mark.django_db
def test_a_scope_with_nothing_to_draw_says_why_before_the_announcement(ready):
    w = ready
    Task.objects.filter(pk=w.task_a.pk).update(scope_industries=["01"])  # no target is in 农业
    preview = pool_preview(Task.objects.get(pk=w.task_a.pk))
    assert preview.strata == [] and preview.size == 0
    assert "没有可抽取的对象" in preview.problem
