"""The task form that guides (issue 18): target types taken from the chosen items, pickers that
read region and industry names, items grouped by the department that claimed them, only the
chosen quota mode's fields read, and an error summary at the top that links to each field."""

import datetime as dt
import re

import pytest

from conftest import make_uscc
from shuangsuiji.core.models import AuditEntry
from shuangsuiji.directory import services as directory
from shuangsuiji.directory.models import Item, ItemStatus, Target, TargetSupervision
from shuangsuiji.planning import services
from shuangsuiji.planning.models import Task

D = dt.date


@pytest.fixture
def planned(world):
    """Department A's draft plan; A claims two items for enterprises and 个体工商户, B one for
    场所; one published item nobody claimed; targets of three kinds supervised by A."""
    w = world

    def item(code, name, kinds, admin=None, kind="general"):
        i = Item.objects.create(
            region=w.county,
            code=code,
            name=name,
            methods=["onsite"],
            kind=kind,
            target_kinds=kinds,
            status=ItemStatus.PUBLISHED,
        )
        if admin:
            directory.item_claim(actor=admin, item=i)
        return i

    w.food = item("A-1", "食品经营检查", ["enterprise"], w.a_admin, kind="key")
    w.ads = item("A-2", "广告发布检查", ["individual", "enterprise"], w.a_admin)
    w.site = item("B-1", "公共场所卫生检查", ["site"], w.b_admin)
    w.nobody = item("C-1", "无人认领的事项", ["enterprise"])
    for i, kind in enumerate(["enterprise", "individual", "site"] * 3):
        key = (
            {"nonmarket_key": f"场所{i:02d}", "keeper_department": w.dept_a}
            if kind == "site"
            else {"uscc": make_uscc(f"91130110MA0D{i:05d}")}
        )
        t = Target.objects.create(
            kind=kind,
            **key,
            name=f"对象{i:02d}",
            region=w.county,
            industry_code="6210",
            risk_class="B",
        )
        TargetSupervision.objects.create(target=t, department=w.dept_a)
    w.plan = services.plan_create(actor=w.a_admin, year=2026)
    return w


def _form(w, **kw) -> dict:
    return {
        "name": "食品经营抽查",
        "mode": "ordinary",
        "items": [w.food.pk],
        "quota_mode": "ratio",
        "ratio_A": "1",
        "ratio_B": "3",
        "ratio_C": "10",
        "ratio_D": "30",
        "team_size": "2",
        "window_start": "2026-03-01",
        "window_end": "2026-06-30",
    } | kw


def _url(w) -> str:
    return f"/planning/plans/{w.plan.pk}/tasks/new/"


# ---- 对象类型 from the items ----------------------------------------------------------------------


@pytest.mark.django_db
def test_target_types_left_empty_are_taken_from_the_items_and_recorded(planned):
    w = planned
    base = dict(window_start=D(2026, 3, 1), window_end=D(2026, 6, 30))
    task = services.task_save(actor=w.a_admin, plan=w.plan, name="两项", items=[w.ads, w.food], **base)
    assert task.scope_kinds == ["enterprise", "individual"]  # in TargetKind's order, once each
    entry = AuditEntry.objects.filter(action="task.create", object_id=str(task.pk)).get()
    assert "对象类型按所选事项取为：企业、个体工商户" in entry.summary
    # the scope takes in those kinds only, not the 场所 the directory also holds
    from shuangsuiji.planning.selectors import task_scope_targets

    assert set(task_scope_targets(task).values_list("kind", flat=True)) == {"enterprise", "individual"}
    # chosen types are kept as chosen
    chosen = services.task_save(
        actor=w.a_admin, plan=w.plan, name="只查企业", items=[w.ads], scope_kinds=["enterprise"], **base
    )
    assert chosen.scope_kinds == ["enterprise"]
    assert (
        "对象类型按所选事项"
        not in AuditEntry.objects.get(object_id=str(chosen.pk), action="task.create").summary
    )


@pytest.mark.django_db
def test_items_without_target_types_leave_every_kind_and_the_page_says_so(planned, client_for):
    w = planned
    Item.objects.filter(pk=w.food.pk).update(target_kinds=[])
    c = client_for(w.a_admin)
    page = c.post(_url(w), _form(w), follow=True).content.decode()
    assert "所选事项也未规定检查对象类型：对象池将包含全部类型的对象" in page
    assert Task.objects.get(name="食品经营抽查").scope_kinds == []
    page = c.post(_url(w), _form(w, name="广告", items=[w.ads.pk]), follow=True).content.decode()
    assert "已按所选事项的检查对象类型取为：企业、个体工商户" in page


# ---- the quota mode's fields -------------------------------------------------------------------


@pytest.mark.django_db
def test_the_other_quota_modes_fields_are_ignored(planned, client_for):
    w = planned
    c = client_for(w.a_admin)
    # by total: the hidden ratios hold nonsense and are not read
    r = c.post(_url(w), _form(w, name="按总数", quota_mode="total", total="5", ratio_A="abc", ratio_D="500"))
    assert r.status_code == 302, r.content.decode()[:3000]
    task = Task.objects.get(name="按总数")
    assert (task.total, task.ratios) == (5, {})
    # by ratio: the hidden total is not read
    r = c.post(_url(w), _form(w, name="按比例", total="-3"))
    assert r.status_code == 302
    task = Task.objects.get(name="按比例")
    assert task.total is None and task.ratios["C"] == "0.1"
    # the chosen mode's own fields are still checked
    r = c.post(_url(w), _form(w, name="比例有误", ratio_D="500"))
    assert r.status_code == 200 and "比例有误" not in set(Task.objects.values_list("name", flat=True))


@pytest.mark.django_db
def test_other_departments_are_read_for_a_joint_task_only(planned, client_for):
    w = planned
    c = client_for(w.a_admin)
    r = c.post(_url(w), _form(w, name="单独", departments=[w.dept_b.pk]))
    assert r.status_code == 302  # a hidden choice does not refuse an ordinary task
    assert list(Task.objects.get(name="单独").departments.all()) == [w.dept_a]
    r = c.post(
        _url(w), _form(w, name="联合", mode="joint", departments=[w.dept_b.pk], items=[w.food.pk, w.site.pk])
    )
    assert r.status_code == 302
    assert set(Task.objects.get(name="联合").departments.all()) == {w.dept_a, w.dept_b}


# ---- the error summary ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_errors_are_summed_up_at_the_top_with_links_to_their_fields(planned, client_for):
    w = planned
    c = client_for(w.a_admin)
    r = c.post(_url(w), _form(w, name="", items=[], window_end=""))
    page = r.content.decode()
    assert r.status_code == 200
    summary = page[page.index('id="error-summary"') : page.index("</div>", page.index('id="error-summary"'))]
    links = re.findall(r'<a href="#(row-\w+)">([^<]+)</a>', summary)
    assert [row for row, _ in links] == ["row-name", "row-items", "row-window_end"]
    assert all("这个字段是必填项" in text or "必填" in text for _, text in links), links
    # the summary comes before the first field; each link's target exists on the page
    assert page.index('id="error-summary"') < page.index('id="row-name"')
    for row, _ in links:
        assert f'id="{row}"' in page
    # a refusal by the service is in the summary too, at its field
    r = c.post(_url(w), _form(w, name="错年份", window_start="2027-01-01", window_end="2027-02-01"))
    summary = r.content.decode().split('id="error-summary"')[1].split("</ul>")[0]
    assert '<a href="#row-window_start">检查开始日期：检查时间须在 2026 年内</a>' in summary


# ---- the pickers ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_regions_and_industries_are_read_by_name_or_code(planned, client_for):
    w = planned
    c = client_for(w.a_admin)
    r = c.post(
        _url(w),
        _form(w, scope_regions_text="获鹿镇、130110101 铜冶镇", scope_industries_text="餐饮，5211"),
        follow=True,
    )
    page = r.content.decode()
    task = Task.objects.get(name="食品经营抽查")
    assert task.scope_regions == ["130110100", "130110101"]
    assert task.scope_industries == ["62", "5211"]
    assert "区划“获鹿镇”已识别为：获鹿镇（130110100）" in page
    assert "行业“餐饮”已识别为：62 餐饮业" in page  # not 住宿和餐饮业: a 门类 only by its own name
    # a 门类 stands for its 大类 (targets carry 4-digit codes)
    c.post(_url(w), _form(w, name="住宿餐饮", scope_industries_text="住宿和餐饮业"))
    assert Task.objects.get(name="住宿餐饮").scope_industries == ["61", "62"]
    # the edit form shows the names again
    page = c.get(f"/planning/plans/{w.plan.pk}/tasks/{task.pk}/edit/").content.decode()
    assert 'value="130110100 获鹿镇、130110101 铜冶镇"' in page and 'value="62 餐饮业、5211 百货零售"' in page
    assert '<option value="130110100 获鹿镇">' in page and '<option value="62 餐饮业">' in page


@pytest.mark.django_db
def test_a_name_that_is_not_recognised_says_so_and_nothing_is_saved(planned, client_for):
    w = planned
    c = client_for(w.a_admin)
    page = c.post(_url(w), _form(w, scope_regions_text="馆陶县")).content.decode()
    assert "本辖区内没有名称或代码为“馆陶县”的区划" in page  # another county's: not in scope
    page = c.post(_url(w), _form(w, scope_industries_text="火箭发射")).content.decode()
    assert "没有名称或代码为“火箭发射”的行业" in page
    page = c.post(_url(w), _form(w, scope_industries_text="服务")).content.decode()
    assert re.search(r"“服务”匹配到 \d+ 个行业", page)
    assert not Task.objects.exists()


# ---- the items -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_items_are_the_claimed_ones_grouped_by_department(planned, client_for):
    w = planned
    page = client_for(w.a_admin).get(_url(w)).content.decode()
    own = page.index("市场监督管理局认领的事项（2）")
    other = page.index("卫生健康局认领的事项（1）")
    code = '<span data-code="事项编码">{}</span> {}'.format
    assert own < page.index(code("A-1", "食品经营检查")) < page.index(code("A-2", "广告发布检查")) < other
    assert other < page.index(code("B-1", "公共场所卫生检查"))
    assert "无人认领的事项" not in page
    assert page.count('name="items"') == 3
    assert 'data-kinds="个体工商户 企业"' in page  # what the page's hint reads
    # the quota modes' fields are marked for showing one at a time; the page works without script
    assert 'data-show-when="quota_mode:ratio"' in page and 'data-show-when="quota_mode:total"' in page
    assert 'data-show-when="mode:joint"' in page
