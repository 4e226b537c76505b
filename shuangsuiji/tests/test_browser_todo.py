"""Issue 18's "Done when" for the 待办 home, in a real browser (Debian's chromium): from a fresh
demo county, each role signs in and lands on its home; every count there is a link, and the list
it opens shows the same total. Before the walk a department asks to adjust its published plan,
so the office has a plan to approve (the issue found the office's home empty after a department
submitted)."""

import re

import pytest
from playwright.sync_api import expect

from shuangsuiji.demo import county
from shuangsuiji.tests.test_browser import sign_in
from shuangsuiji.tests.test_browser_draw import sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# demo account → what its home must hold (keys of core/todo.py items), at least
ROLES = {
    "office": {
        "planning.plans_to_approve",
        "reports.late",
        "draw.voids_to_confirm",
        "inspection.unpublished",
    },
    "scjg_admin": {
        "planning.plans_returned",
        "planning.draws_to_run",
        "planning.teams_to_match",
        "followup.inbox",
        "followup.to_dispose",
        "inspection.overdue",
    },
    "scjg_reviewer": {"inspection.review", "draw.recusals_to_decide"},
    "scjg_inspector": {"inspection.my_today", "inspection.my_week", "inspection.my_overdue"},
    "sysadmin": {"core.locked_accounts"},
    "secadmin": {"core.role_grants"},
    "auditor": {"core.audit_log", "draw.audit"},
}


def _adjustment_submitted():
    """市场监管局 asks to adjust its published 2026 plan: one plan for the office to approve."""
    from shuangsuiji.core.models import User
    from shuangsuiji.planning import services as planning
    from shuangsuiji.planning.models import AnnualPlan

    admin = User.objects.get(username="scjg_admin")
    plan = AnnualPlan.objects.get(department=admin.department, year=2026)
    planning.plan_adjust_open(actor=admin, plan=plan, reason="增加一项联合抽查任务")
    planning.plan_submit(actor=admin, plan=plan)


def _walk(page, base, username) -> dict[str, int]:
    """On the home page: each item's count; each link followed, the list's total read back."""
    expect(page).to_have_url(base + "/")
    expect(page.get_by_role("heading", name="工作台", level=1)).to_be_visible()
    keys = page.locator("li[data-todo]").evaluate_all("els => els.map(e => e.dataset.todo)")
    counts = {}
    for key in keys:
        item = page.locator(f'li[data-todo="{key}"]')
        counts[key] = int(item.locator("[data-count]").get_attribute("data-count"))
        item.get_by_role("link").click()
        expect(page.locator("[data-total]")).to_have_count(1)
        total = int(page.locator("[data-total]").get_attribute("data-total"))
        assert total == counts[key], (username, key, page.url)
        page.goto(base + "/")
    return counts


def test_every_roles_home_from_a_fresh_demo(demo_county, page, live_server, artifact_path):
    _adjustment_submitted()
    base = live_server.url
    seen = {}
    for username, expected in ROLES.items():
        if username == "scjg_inspector":
            # an inspector signs in from the sign-in page itself and lands on the home
            page.goto(base + "/login/")
            page.fill("#id_username", username)
            page.fill("#id_password", county.PASSWORD)
            page.get_by_role("button", name="登录").click()
        else:
            sign_in(page, base, username, county.PASSWORD)
        counts = _walk(page, base, username)
        assert expected <= set(counts), (username, sorted(counts))
        seen[username] = counts
        page.screenshot(path=artifact_path(f"-{username}"), full_page=True)
        sign_out(page)
    # the office now has the plan the department submitted; the demo's year left work for each role
    assert seen["office"]["planning.plans_to_approve"] >= 1
    assert seen["auditor"]["core.audit_log"] > 0 and seen["auditor"]["draw.audit"] > 0
    # and no role that keeps the platform sees a count of supervision data
    for username in ("sysadmin", "secadmin", "auditor"):
        assert not {k for k in seen[username] if re.match(r"(inspection|planning|followup|reports)\.", k)}
