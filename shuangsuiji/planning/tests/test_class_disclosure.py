"""Warnings when a task's plan would let the published list disclose risk classes (issue 16)."""

import datetime as dt

import pytest

from conftest import make_uscc
from shuangsuiji.directory import services as directory
from shuangsuiji.directory.models import Item, ItemStatus, Tag, TagLibrary, Target, TargetSupervision
from shuangsuiji.planning import selectors, services
from shuangsuiji.planning.disclosure import class_disclosure_warnings, ratio_warnings, scope_warnings
from shuangsuiji.planning.models import DEFAULT_RATIOS, QuotaMode

D = dt.date
SECRET = "风险分类结果依规不对外公开"


@pytest.fixture
def planned(world):
    """Department A's draft plan, one claimed item and twelve supervised targets of A–D (the three
    D ones tagged “重点监管”), two not yet classified."""
    w = world
    w.item = Item.objects.create(
        region=w.county, code="A-1", name="食品经营检查", methods=["onsite"], status=ItemStatus.PUBLISHED
    )
    directory.item_claim(actor=w.a_admin, item=w.item)
    w.tag = Tag.objects.create(library=TagLibrary.TARGET, name="重点监管", region=w.county)
    for i in range(14):
        t = Target.objects.create(
            kind="enterprise",
            uscc=make_uscc(f"91130110MA0C{i:05d}"),
            name=f"测试企业{i:02d}有限公司",
            region=w.county,
            industry_code="6210",
            risk_class="ABCD"[i % 4] if i < 12 else "",
        )
        TargetSupervision.objects.create(target=t, department=w.dept_a)
        if t.risk_class == "D":
            t.tags.add(w.tag)
    w.plan = services.plan_create(actor=w.a_admin, year=2026)
    return w


def _task(w, **kw):
    base = dict(name="食品经营抽查", items=[w.item], window_start=D(2026, 3, 1), window_end=D(2026, 6, 30))
    return services.task_save(actor=w.a_admin, plan=w.plan, **(base | kw))


def test_a_class_at_100_percent_discloses_the_undrawn():
    [w] = ratio_warnings(DEFAULT_RATIOS | {"D": "1"})
    assert w.startswith("D类对象抽查比例为 100%") and "未被抽中的对象不属于 D 类" in w and SECRET in w
    [w] = ratio_warnings(DEFAULT_RATIOS | {"B": "1.0000"})
    assert "B类对象抽查比例为 100%" in w and "尚未分类" in w


def test_a_single_class_drawn_discloses_the_drawn():
    warnings = ratio_warnings({"A": "0", "B": "0", "C": "0", "D": "0.3"})
    assert warnings == [
        "只有 D 类对象的抽查比例大于 0（A、B、C 类均为 0%）：公开的抽取名单将使任何人都能推知"
        "被抽中的对象都属于 D 类（风险分类结果依规不对外公开）"
    ]
    # D at 100% and nothing else: both inferences hold
    assert len(ratio_warnings({"A": "0", "B": "0", "C": "0", "D": "1"})) == 2
    [w] = ratio_warnings({"A": "0", "B": "0.05", "C": "0", "D": "0"})
    assert "都属于 B 类或尚未分类" in w


def test_the_default_and_ordinary_ratios_disclose_nothing():
    assert ratio_warnings(DEFAULT_RATIOS) == []
    assert ratio_warnings({}) == []  # classes left out take the defaults
    assert ratio_warnings({"A": "0", "B": "0.05", "C": "0.2", "D": "0.5"}) == []
    # form data: by total, no class is stratified
    assert class_disclosure_warnings({"quota_mode": QuotaMode.TOTAL, "ratios": {}}) == []
    assert class_disclosure_warnings({"quota_mode": QuotaMode.RATIO, "ratios": {"C": "1"}})


def test_scope_warnings_count_only_the_classes_that_can_be_drawn():
    assert scope_warnings({"D": 3}) and "范围内的 3 个对象都属于 D 类" in scope_warnings({"D": 3})[0]
    assert scope_warnings({"D": 3, "A": 0}) and not scope_warnings({"D": 3, "C": 1})
    assert not scope_warnings({"": 5})  # none classified: nothing to disclose
    # A is in scope but its ratio is 0: only D can be drawn
    [w] = scope_warnings({"A": 4, "D": 3}, {"A": "0"})
    assert "按比例可抽取的 3 个对象都属于 D 类" in w
    # unclassified targets are drawn at B's ratio
    assert not scope_warnings({"": 2, "D": 3}, {"B": "0.03"})
    assert scope_warnings({"": 2, "D": 3}, {"B": "0"})


@pytest.mark.django_db
def test_a_task_whose_scope_holds_one_class_is_warned(planned):
    w = planned
    plain = _task(w)
    assert selectors.scope_class_counts(plain) == {"A": 3, "B": 3, "C": 3, "D": 3, "": 2}
    assert class_disclosure_warnings(plain) == []
    tagged = _task(w, scope_tags=[w.tag])
    assert selectors.scope_class_counts(tagged) == {"D": 3}
    [warning] = class_disclosure_warnings(tagged)
    assert "范围内的 3 个对象都属于 D 类" in warning and SECRET in warning
    assert class_disclosure_warnings(tagged, with_scope=False) == []
    by_total = _task(w, scope_tags=[w.tag], quota_mode=QuotaMode.TOTAL, total=2)
    assert class_disclosure_warnings(by_total) == [warning]  # a list from one class is that class
    # the lead department's own class is what the draw stratifies by
    TargetSupervision.objects.filter(department=w.dept_a, target__risk_class="D").update(own_risk_class="C")
    assert selectors.scope_class_counts(tagged) == {"C": 3}


def _form(w, **kw):
    return {
        "name": "食品经营抽查",
        "mode": "ordinary",
        "items": [w.item.pk],
        "quota_mode": "ratio",
        "ratio_A": "1",
        "ratio_B": "3",
        "ratio_C": "10",
        "ratio_D": "30",
        "team_size": "2",
        "window_start": "2026-03-01",
        "window_end": "2026-06-30",
    } | kw


@pytest.mark.django_db
def test_the_pages_show_the_warning_without_blocking(planned, client_for):
    w = planned
    c = client_for(w.a_admin)
    url = f"/planning/plans/{w.plan.pk}/tasks/new/"
    r = c.post(url, _form(w, name="普通任务"), follow=True)
    page = r.content.decode()
    assert r.status_code == 200 and "已保存任务：普通任务" in page and SECRET not in page
    r = c.post(url, _form(w, name="高风险全查", ratio_D="100"), follow=True)
    page = r.content.decode()
    assert "已保存任务：高风险全查" in page  # saved all the same
    assert "D类对象抽查比例为 100%：公开的抽取名单将使任何人都能推知未被抽中的对象不属于 D 类" in page
    task = w.plan.tasks.get(name="高风险全查")
    assert task.ratios["D"] == "1"
    page = c.get(f"/planning/tasks/{task.pk}/").content.decode()
    assert 'id="class-disclosure"' in page and "未被抽中的对象不属于 D 类" in page
    plain = w.plan.tasks.get(name="普通任务")
    assert 'id="class-disclosure"' not in c.get(f"/planning/tasks/{plain.pk}/").content.decode()
    # the office sees it on the task's page too
    page = client_for(w.office).get(f"/planning/tasks/{task.pk}/").content.decode()
    assert "未被抽中的对象不属于 D 类" in page
