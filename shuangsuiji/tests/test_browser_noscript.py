"""Forms that guide without script (issue 18): a department's admin whose browser runs no
JavaScript fills the task form. The pickers are plain inputs and selects, every conditional part
is shown, a missing field is summed up at the top of the form (in view as the page opens, each
entry a link to its field), and a correct submit creates the task."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from shuangsuiji.tests.test_browser_width import _signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

YEAR = 2026
TASK_NAME = "无脚本浏览器中新建的抽查任务"


def _draft_plan(w):
    """A's draft plan for the year and one item A has claimed."""
    from shuangsuiji.directory import services as directory
    from shuangsuiji.planning import services as planning

    item = directory.item_create(
        actor=w.office, code="LQ-SC-09", name="食品经营许可事项检查", methods=["onsite"]
    )
    directory.item_claim(actor=w.a_admin, item=directory.item_publish(actor=w.office, item=item))
    return planning.plan_create(actor=w.a_admin, year=YEAR)


@pytest.mark.parametrize("context_options", [{"java_script_enabled": False}], ids=["no-script"])
def test_the_task_form_works_without_script(page, live_server, world, context_options):
    from shuangsuiji.planning.models import Task

    plan = _draft_plan(world)
    base = live_server.url
    _signed_in(page.context, base, "a_admin")
    page.goto(base + reverse("planning:task_create", args=[plan.pk]))
    expect(page.locator("#error-summary")).to_have_count(0)
    # no script: the pickers are the plain fields, the folded parts are all shown
    expect(page.get_by_label("查找抽查事项")).to_be_hidden()
    expect(page.locator("#row-departments")).to_be_visible()
    expect(page.locator("#quota-total")).to_be_visible()
    expect(page.locator("#id_scope_regions_text")).to_be_editable()

    # 1. saved empty: the summary is at the top of the form, in view, and leads to the field
    page.get_by_role("button", name="保存任务").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_in_viewport()
    expect(summary).to_contain_text("请更正以下内容后再提交")
    expect(summary).to_contain_text("任务名称：")
    first_row = page.locator(".task-form .form-row").first
    assert summary.bounding_box()["y"] < first_row.bounding_box()["y"]
    summary.get_by_role("link", name=re.compile("^任务名称")).click()
    expect(page).to_have_url(re.compile("#row-name$"))
    expect(page.locator("#row-name")).to_be_in_viewport()
    assert not Task.objects.filter(plan=plan).exists()  # nothing half-saved

    # 2. filled in as a clerk would, with the region typed by name: the task is created
    page.fill("#id_name", TASK_NAME)
    page.select_option("#id_mode", "ordinary")
    page.get_by_label("LQ-SC-09 食品经营许可事项检查", exact=False).check()
    page.fill("#id_scope_regions_text", "鹿泉区")
    page.select_option("#id_quota_mode", "ratio")
    for cls, pct in zip("ABCD", ("10", "20", "50", "100"), strict=True):
        page.fill(f"#id_ratio_{cls}", pct)
    page.fill("#id_window_start", f"{YEAR}-06-01")
    page.fill("#id_window_end", f"{YEAR}-12-31")
    page.fill("#id_publish_selection_on", f"{YEAR}-06-01")
    page.get_by_role("button", name="保存任务").click()
    # (the browser keeps the summary link's #row-name across the redirect; nothing bears that id there)
    expect(page).to_have_url(
        re.compile(re.escape(base + reverse("planning:plan_detail", args=[plan.pk])) + "(#.*)?$")
    )
    expect(page.locator(".messages")).to_contain_text(f"已保存任务：{TASK_NAME}")
    task = Task.objects.get(plan=plan)
    assert task.name == TASK_NAME and task.scope_regions == ["130110"]
    assert [i.code for i in task.items.all()] == ["LQ-SC-09"]
