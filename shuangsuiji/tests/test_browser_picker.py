"""Tags are picked by ticking, never by Ctrl-click (issue 18): on the target form a department's
admin narrows the list by typing part of a name, ticks a tag and saves; the tags already ticked
stay in view while filtering. Without script the same list works, with no filter box."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from conftest import make_uscc
from shuangsuiji.directory import services
from shuangsuiji.tests.test_browser_width import _signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAMES = ["餐饮服务", "网吧", "旅馆业", "食品生产", "校外培训", "危险化学品"]


@pytest.mark.parametrize("context_options", [{}, {"java_script_enabled": False}], ids=["script", "no-script"])
def test_tags_are_ticked_and_filtered_by_name(page, live_server, world, context_options):
    w = world
    tags = {n: services.tag_create(actor=w.office, library="target", name=n) for n in NAMES}
    t = services.target_create(
        actor=w.a_admin,
        department=w.dept_a,
        kind="enterprise",
        name="鹿泉区好味道餐饮有限公司",
        key=make_uscc("91130110MA0B00001"),
        region=w.county,
    )
    services.target_tags_set(actor=w.a_admin, target=t, tags=[tags["网吧"]])
    _signed_in(page.context, live_server.url, "a_admin")
    page.goto(live_server.url + reverse("directory:target_edit", args=[t.pk]))
    picker = page.locator("[data-picker]")
    expect(picker.get_by_role("checkbox")).to_have_count(len(NAMES))
    expect(picker.get_by_role("checkbox", name="网吧")).to_be_checked()
    search = picker.get_by_role("searchbox", name="按名称筛选")
    if context_options.get("java_script_enabled", True):
        search.fill("食品")
        visible = [n for n in NAMES if picker.get_by_role("checkbox", name=n).is_visible()]
        assert visible == ["网吧", "食品生产"]  # the match, and the tag already ticked
        search.press("Enter")  # narrows, never submits the form
        expect(page).to_have_url(live_server.url + reverse("directory:target_edit", args=[t.pk]))
    else:
        expect(search).to_be_hidden()
    picker.get_by_text("食品生产").click()  # a tap on the name ticks the box
    page.get_by_role("button", name="保存").click()
    expect(page).to_have_url(live_server.url + reverse("directory:target_detail", args=[t.pk]))
    assert sorted(g.name for g in t.tags.all()) == ["网吧", "食品生产"]
