"""Issue 4's "Done when", walked in a real browser (Debian's chromium): an inspector opens a drawn
target on a phone, the enterprise verifies the inspection from the QR code on its notice, the
inspector checks in on that page, enters and submits the results, another person reviews and
publishes them, and an anonymous visitor finds them by 统一社会信用代码. A forged code shows a
warning, and the enterprise rates the inspection once with the code printed on its notice.

Only the data up to the drawn teams is set up through the services, for a task whose window
holds today; every step of the journey goes through the pages."""

import datetime as dt
import re
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest
import segno
from django.utils import timezone
from playwright.sync_api import expect

from conftest import make_ric, make_uscc
from shuangsuiji.tests.test_browser import sign_in
from shuangsuiji.tests.test_browser_draw import message, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

D = dt.date
PHONE = {"viewport": {"width": 390, "height": 844}}
DESKTOP = {"width": 1280, "height": 800}
TASK_NAME = "食品经营企业双随机抽查"
ITEMS = [
    ("LQ-SC-01", "食品经营许可事项检查", ["食品经营许可证", "从业人员健康证明"]),
    ("LQ-GS-01", "企业公示信息检查", ["年度报告", "即时信息公示材料"]),
]
PROBLEM = "未按规定公示2025年度报告"


def _drawn_task_for_today(w):
    """Department A's plan for this year with one task whose window holds today, published,
    drawn (all targets) and teamed. Returns (selection, its team member linked to a_inspector)."""
    from shuangsuiji.directory import services as directory
    from shuangsuiji.draw import services as draws
    from shuangsuiji.draw.tests.conftest import full_draw
    from shuangsuiji.planning import services as planning

    today = timezone.localdate()
    year = today.year
    items = []
    for code, name, checklist in ITEMS:
        item = directory.item_create(
            actor=w.office, code=code, name=name, methods=["onsite", "document"], checklist=checklist
        )
        item = directory.item_publish(actor=w.office, item=item)
        directory.item_claim(actor=w.a_admin, item=item)
        items.append(item)
    for i in range(6):
        directory.target_create(
            actor=w.a_admin,
            department=w.dept_a,
            kind="enterprise",
            name=f"鹿泉区第{i + 1:02d}食品有限公司",
            region=w.county,
            key=make_uscc(f"91130110MA0D{i:05d}"),
            founded_on=D(2019, 6, 1),
            risk_class="BCD"[i % 3],
            address=f"鹿泉区获鹿镇向阳大街{i + 1}号",
        )
    for n in range(1, 5):
        directory.inspector_create(
            actor=w.a_admin,
            department=w.dept_a,
            name=f"市场检查员{n}",
            id_number=make_ric(f"1301021985{n:02d}{10 + n:02d}{n:03d}"),
            certificate_no=f"冀A{n:05d}",
            certificate_expiry=D(year + 2, 12, 31),
        )
    plan = planning.plan_create(actor=w.a_admin, year=year)
    start = max(D(year, 1, 1), today - dt.timedelta(days=30))
    task = planning.task_save(
        actor=w.a_admin,
        plan=plan,
        name=TASK_NAME,
        items=items,
        ratios={"A": "1", "B": "1", "C": "1", "D": "1"},
        window_start=start,
        window_end=min(D(year, 12, 31), today + dt.timedelta(days=30)),
        publish_selection_on=start,
    )
    planning.plan_submit(actor=w.a_admin, plan=plan)
    planning.plan_approve(actor=w.office, plan=plan)
    task.refresh_from_db()
    w.now = timezone.now()
    draw = full_draw(w, task)
    draws.teams_draw(actor=w.a_admin, draw=draw)
    s = draw.selections.order_by("order").first()
    member = s.team.filter(active=True).select_related("inspector").first()
    member.inspector.user = w.a_inspector
    member.inspector.save()
    return s, member, items


@contextmanager
def guarded_context(browser, base, viewport=DESKTOP, allow_404=()):
    """A fresh context (signed out until signed in), guarded like the `page` fixture: only the live server, no
    console errors (save the browser's own note on a 404 page listed in `allow_404`)."""
    port = urlsplit(base).port
    external, problems = [], []
    context = browser.new_context(locale="zh-CN", viewport=viewport)

    def route(r):
        url = urlsplit(r.request.url)
        if url.scheme in ("http", "https", "ws", "wss") and (
            url.hostname not in ("127.0.0.1", "localhost") or url.port != port
        ):
            external.append(r.request.url)
            r.abort("blockedbyclient")
        else:
            r.continue_()

    def console(m):
        if m.type != "error":
            return
        if "status of 404" in m.text and m.location.get("url", "").endswith(allow_404):
            return
        problems.append(f"console: {m.text} @ {m.location}")

    context.route("**/*", route)
    context.on("console", console)
    context.on("weberror", lambda e: problems.append(f"pageerror: {e.error}"))
    try:
        yield context
    finally:
        context.close()
    assert not external, f"页面试图访问外部地址（内网离线部署，不得依赖 CDN）：{external}"
    assert not problems, f"浏览器控制台有错误：{problems}"


def _page(context):
    p = context.new_page()
    p.set_default_timeout(10_000)
    return p


def _overflow(page, label: str, findings: list) -> None:
    """A phone page must not scroll sideways: note it (the walk goes on) when it does."""
    wide, width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if wide > width + 1:
        findings.append(f"{label}在 {width}px 宽的手机上横向溢出（页面宽 {wide}px）")


def _result_form(page, item):
    """One item's part of the one result form (all items are saved with one button)."""
    return page.locator(f"#item-{item.pk}")


@pytest.mark.parametrize("context_options", [PHONE], ids=["phone"])
def test_inspection_journey(page, browser, live_server, world, artifact_path):
    from shuangsuiji.inspection.models import PublishedResult, Rating

    s, member, (item1, item2) = _drawn_task_for_today(world)
    base = live_server.url
    target = s.target
    inspector = member.inspector
    team = list(s.team.filter(active=True).select_related("inspector"))
    nav = page.get_by_role("navigation", name="主导航")
    forged = f"{base}/public/selection/forged-code-1234/"
    findings = []  # problems that do not stop the walk, asserted at its end

    # 1. The inspector signs in on a phone and opens the drawn target from 我的检查.
    sign_in(page, base, "a_inspector")
    nav.get_by_role("link", name="我的检查").click()
    expect(page.get_by_role("heading", name="我的检查")).to_be_visible()
    card = page.locator(".card", has_text=target.name)
    expect(card).to_contain_text(TASK_NAME)
    page.screenshot(path=artifact_path("-1-my-work"), full_page=True)
    _overflow(page, "我的检查", findings)
    card.get_by_role("link", name=target.name).click()
    expect(page.get_by_role("heading", name=target.name, level=1)).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text(f"{inspector.name}（{inspector.certificate_no}）")
    expect(page.locator("dl.facts")).to_contain_text("尚未签到")
    page.screenshot(path=artifact_path("-2-target"), full_page=True)
    _overflow(page, "检查对象页", findings)

    # 2. The printable notice: the QR code (an inline <svg>) encodes the public page, and the
    #    rating code is printed beside it.
    page.get_by_role("link", name="检查通知书（打印）").click()
    expect(page.get_by_role("heading", name="“双随机、一公开”检查通知书")).to_be_visible()
    qr = page.locator(".qr svg")
    expect(qr).to_be_visible()
    expect(qr.locator("title")).to_have_text("核验二维码")
    qr_url = page.locator(".qr-block .help").inner_text().strip()
    assert qr_url == f"{base}/public/selection/{s.token}/"
    # The QR code encodes exactly that address: the same symbol drawn from it.
    drawn = re.search(r' d="([^"]+)"', segno.make(qr_url, error="m").svg_inline(scale=3)).group(1)
    assert qr.locator("path").get_attribute("d") == drawn
    # The inspectors' copy omits the enterprise's rating code (it reaches the enterprise on the
    # office's printed notice), so an inspector cannot rate their own inspection.
    expect(page.locator(".qr-block")).not_to_contain_text(s.rating_code)
    for m in team:
        expect(page.locator("table").first).to_contain_text(m.inspector.certificate_no)
    assert "身份证" not in page.inner_text("body")
    rating_code = s.rating_code  # as printed on the notice the office sent
    page.screenshot(path=artifact_path("-3-notice"), full_page=True)
    _overflow(page, "检查通知书", findings)

    # 3. The enterprise scans the QR code: the inspection is valid, with the team and their
    #    执法证 numbers, and its own proof of being drawn at random.
    with guarded_context(browser, base, PHONE["viewport"], allow_404=("/forged-code-1234/",)) as ctx:
        ent = _page(ctx)
        ent.goto(qr_url)
        validity = ent.get_by_role("status").first
        expect(validity).to_have_class(re.compile(r"\bok\b"))
        expect(validity).to_contain_text("有效：")
        for m in team:
            expect(ent.locator("dl.facts").first).to_contain_text(
                f"{m.inspector.name}（执法证号 {m.inspector.certificate_no}）"
            )
        expect(ent.locator(".result.ok", has_text="核验一致")).to_be_visible()
        expect(ent.get_by_role("button", name=re.compile("签到"))).to_have_count(0)
        ent.screenshot(path=artifact_path("-4-enterprise-verify"), full_page=True)
        _overflow(ent, "企业扫码打开的核验页", findings)

        # 4. The same walk with a forged code: a warning, nothing else.
        resp = ent.goto(forged)
        assert resp.status == 404
        expect(ent.get_by_role("status")).to_contain_text("该二维码无效")
        expect(ent.get_by_text(target.name)).to_have_count(0)
        ent.screenshot(path=artifact_path("-5-forged"), full_page=True)

    # 5. The inspector checks in on the page the QR code opens.
    page.goto(qr_url)
    page.get_by_role("button", name="检查人员签到").click()
    expect(message(page)).to_contain_text("已签到（扫码入企）")
    expect(page).to_have_url(qr_url)
    page.screenshot(path=artifact_path("-6-checked-in"), full_page=True)

    # 6. Back on the target page: the check-in is recorded; one item with a problem, one without;
    #    检查完毕; submitted for review.
    nav.get_by_role("link", name="我的检查").click()
    page.locator(".card", has_text=target.name).get_by_role("link", name=target.name).click()
    expect(page.locator("dl.facts")).to_contain_text(inspector.name)
    expect(page.locator("dl.facts")).not_to_contain_text("尚未签到")

    f1 = _result_form(page, item1)
    f1.get_by_label("未按规定公示应当公示的信息").check()
    f1.get_by_label("问题描述").fill(PROBLEM)
    _result_form(page, item2).get_by_label("未发现问题").check()
    page.get_by_role("button", name="保存全部事项").click()
    for item in (item1, item2):  # one save for both, named in one message
        expect(message(page)).to_contain_text(re.compile(f"已保存：.*{item.name}"))
    expect(page.locator("details.item summary", has_text="已录入")).to_have_count(2)
    _result_form(page, item1).locator("summary").click()
    expect(_result_form(page, item1).get_by_label("问题描述")).to_have_value(PROBLEM)

    today = timezone.localdate()
    page.get_by_text("只记录检查完毕（暂不提交）").click()
    expect(page.locator("#id_finished_on")).to_have_value(today.isoformat())
    page.fill("#id_summary", "现场检查，企业未按规定公示年度报告，已告知限期公示")
    page.get_by_role("button", name="记录检查完毕").click()
    expect(message(page)).to_contain_text("已记录检查完毕；结果请于")
    page.locator("details.confirm summary", has_text="提交复核").click()
    page.get_by_role("button", name="确认提交复核").click()
    expect(message(page)).to_contain_text("已提交复核")
    expect(page.locator(".card .tag").filter(has_text="已提交待复核")).to_be_visible()
    expect(page.get_by_role("button", name="提交复核")).to_have_count(0)
    page.screenshot(path=artifact_path("-7-submitted"), full_page=True)

    # On the phone the inspector must be able to see who is signed in and sign out (a shared
    # or lost phone); the walk goes on at desktop width either way.
    if not page.get_by_role("button", name="退出").is_visible():
        findings.append("手机宽度（390px）下页头隐藏了当前用户和“退出”按钮：检查人员在手机上无法退出登录")
    page.set_viewport_size(DESKTOP)
    sign_out(page)

    # The forged code, as a signed-in inspector sees it: a warning and no check-in button.
    with guarded_context(browser, base, PHONE["viewport"], allow_404=("/forged-code-1234/",)) as ctx:
        other = _page(ctx)
        sign_in(other, base, "a_inspector")
        other.goto(forged)
        expect(other.get_by_role("status")).to_contain_text("该二维码无效")
        expect(other.get_by_role("button", name=re.compile("签到"))).to_have_count(0)

    # 7. A reviewer (not the person who entered the results) approves: published.
    sign_in(page, base, "a_reviewer")
    nav.get_by_role("link", name="结果复核").click()
    expect(page.get_by_role("heading", name="结果复核")).to_be_visible()
    card = page.locator(".card", has_text=target.name)
    expect(card).to_contain_text(PROBLEM)
    expect(card).to_contain_text("录入：a_inspector")
    card.get_by_role("button", name="复核通过并公示").click()
    expect(message(page)).to_contain_text(f"已复核通过并公示：{target.name}")
    expect(page.get_by_text("没有待复核的结果")).to_be_visible()
    page.screenshot(path=artifact_path("-8-reviewed"), full_page=True)
    sign_out(page)
    assert PublishedResult.objects.filter(uscc=target.uscc).count() == 2

    # 8. An anonymous visitor finds the result by the 统一社会信用代码, per item.
    with guarded_context(browser, base) as ctx:
        anon = _page(ctx)
        anon.goto(f"{base}/public/results/")
        anon.fill("#id_q", target.uscc)
        anon.get_by_role("button", name="查询").click()
        expect(anon).to_have_url(f"{base}/public/results/?q={target.uscc}")
        section = anon.locator("section", has=anon.get_by_role("heading", name=target.name))
        expect(section).to_contain_text(TASK_NAME)
        expect(section).to_contain_text("市场监督管理局")
        rows = section.locator("tbody tr")
        expect(rows).to_have_count(2)
        row1, row2 = rows.filter(has_text=item1.name), rows.filter(has_text=item2.name)
        expect(row1.locator("td").nth(1)).to_have_text("未按规定公示应当公示的信息")
        expect(row1.locator("td").nth(2)).to_have_text("是")
        expect(row2.locator("td").nth(1)).to_have_text("未发现问题")
        expect(row2.locator("td").nth(2)).to_have_text("否")
        expect(section.locator("dt:text-is('检查日期') + dd")).to_have_text(today.isoformat())
        expect(section.locator("dt:text-is('是否发现问题') + dd")).to_have_text("是")
        expect(section).not_to_contain_text(PROBLEM)  # the description stays internal
        anon.screenshot(path=artifact_path("-9-public-results"), full_page=True)

    # 9. The enterprise rates once with the code printed on its notice; a second attempt from a
    #    form left open in another tab is refused.
    with guarded_context(browser, base, PHONE["viewport"]) as ctx:
        first, second = _page(ctx), _page(ctx)
        first.goto(qr_url)
        second.goto(qr_url)
        for p, score in ((first, "5 分"), (second, "1 分")):
            p.get_by_label("评价码（见检查通知书）").fill(rating_code)
            p.get_by_label(score).check()
            p.get_by_label("意见（可不填）").fill("检查规范，出示了执法证")
        first.get_by_role("button", name="提交评价").click()
        expect(message(first)).to_contain_text("感谢评价，评价已匿名记录")
        expect(first.get_by_text("本次检查已评价，感谢您的意见。")).to_be_visible()
        first.screenshot(path=artifact_path("-10-rated"), full_page=True)
        second.get_by_role("button", name="提交评价").click()
        second.wait_for_load_state()
        second.screenshot(path=artifact_path("-11-rated-twice"), full_page=True)
        assert [r.score for r in Rating.objects.all()] == [5]
        expect(second.get_by_text("本次检查已评价，感谢您的意见。")).to_be_visible()
        if "只能评价一次" not in second.inner_text("main"):
            findings.append(
                "第二次评价被拒绝，但页面只显示“本次检查已评价，感谢您的意见。”，没有告诉企业"
                "“本次检查已评价过，每次检查只能评价一次”"
            )

    assert not findings, "\n".join(findings)


# ---- issue 18: the two-item inspection on a phone, tap by tap -------------------------------------

TAPPABLE = "a[href], button, select, textarea, summary, input:not([type=hidden])"
MIN_TAP = 44  # px each way, on a 390 × 844 phone


def _small_targets(page, label: str) -> list[str]:
    """Every visible tappable element of the page smaller than MIN_TAP either way, by its
    boundingBox (the skip link parked off the left edge until focused is not on the page).
    Measured once the page's load event has fired: before its stylesheet applies, the skip link
    sits at the top as a plain 64×17 px link (a flake seen under load)."""
    page.wait_for_load_state("load")
    small = []
    for el in page.locator(TAPPABLE).all():
        if not el.is_visible():
            continue
        box = el.bounding_box()
        if box is None or box["x"] + box["width"] <= 0:
            continue
        if box["width"] < MIN_TAP or box["height"] < MIN_TAP:
            name = (el.inner_text() or el.get_attribute("name") or el.get_attribute("type") or "").strip()
            tag = el.evaluate("e => e.tagName.toLowerCase()")
            small.append(f"{label}：<{tag}> “{name[:20]}” {box['width']:.0f}×{box['height']:.0f}px")
    return small


def _apart(page, name: str) -> list[str]:
    """The irreversible button stands alone: no other button within 8 px of it."""
    mine = page.get_by_role("button", name=name).bounding_box()
    near = []
    for el in page.locator("button, summary").all():
        if not el.is_visible() or el.inner_text().strip() == name:
            continue
        b = el.bounding_box()
        gap_x = max(b["x"] - (mine["x"] + mine["width"]), mine["x"] - (b["x"] + b["width"]))
        gap_y = max(b["y"] - (mine["y"] + mine["height"]), mine["y"] - (b["y"] + b["height"]))
        if max(gap_x, gap_y) < 8:
            near.append(f"“{name}”紧挨着“{el.inner_text().strip()}”")
    return near


@pytest.mark.parametrize("context_options", [PHONE], ids=["phone"])
def test_two_items_without_problems_in_five_taps(page, live_server, world, artifact_path):
    """From 我的检查 to 提交复核 done, for a two-item target with no problem found: at most five
    taps, each on something already on the screen (no scrolling to find it), and every tappable
    element of every page on the way at least 44 px each way."""
    from shuangsuiji.core import audit
    from shuangsuiji.inspection.models import Inspection, InspectionStatus

    s, _member, items = _drawn_task_for_today(world)
    base = live_server.url
    target = s.target
    sign_in(page, base, "a_inspector")
    page.goto(f"{base}/inspection/")
    expect(page.get_by_role("heading", name="我的检查", level=1)).to_be_visible()
    small, near, taps = [], [], []

    def tap(locator, label):
        expect(locator).to_be_in_viewport()  # on the screen as the page came: no scroll needed
        locator.click()
        taps.append(label)

    small += _small_targets(page, "我的检查")
    page.screenshot(path=artifact_path("-0-my-work"), full_page=True)
    todo = page.locator("section#todo")
    expect(todo.locator("h2")).to_contain_text("待检查")
    tap(todo.get_by_role("link", name=target.name), "打开检查对象")

    expect(page.get_by_role("heading", name=target.name, level=1)).to_be_visible()
    all_clear = page.get_by_role("button", name="全部未发现问题")
    expect(all_clear).to_be_disabled()  # not before the visit is checked in
    small += _small_targets(page, "检查对象页（签到前，逐项表单展开）")
    page.screenshot(path=artifact_path("-1-target"), full_page=True)
    tap(page.get_by_role("button", name="扫码入企签到"), "签到")

    expect(message(page)).to_contain_text("已签到（扫码入企）")
    expect(all_clear).to_be_enabled()
    small += _small_targets(page, "检查对象页（已签到）")
    tap(all_clear, "全部未发现问题")

    expect(message(page)).to_contain_text("已将 2 个事项录入为“未发现问题”")
    small += _small_targets(page, "检查对象页（已录入）")
    tap(page.locator("details.confirm summary", has_text="提交复核"), "提交复核")

    confirm = page.get_by_role("button", name="确认提交复核")
    expect(confirm).to_be_visible()
    small += _small_targets(page, "检查对象页（确认提交）")
    near += _apart(page, "确认提交复核")
    page.screenshot(path=artifact_path("-2-confirm"))
    tap(confirm, "确认提交复核")

    expect(message(page)).to_contain_text("已提交复核")
    page.screenshot(path=artifact_path("-3-submitted"))
    small += _small_targets(page, "检查对象页（已提交）")
    page.goto(f"{base}/inspection/?done=1")
    expect(page.locator("section#review")).to_contain_text(target.name)
    page.screenshot(path=artifact_path("-4-my-work-after"), full_page=True)
    small += _small_targets(page, "我的检查（已提交，显示已完成）")
    page.goto(f"{base}/inspection/s/{s.pk}/notice/")
    small += _small_targets(page, "检查通知书")

    ins = Inspection.objects.get(selection=s)
    assert ins.status == InspectionStatus.SUBMITTED and ins.finished_on == timezone.localdate()
    results = list(ins.results.prefetch_related("categories"))
    assert sorted(r.item_id for r in results) == sorted(i.pk for i in items)
    assert all(r.all_clear and [c.code for c in r.categories.all()] == ["none_found"] for r in results)
    assert audit.entries_for(ins).filter(action="inspection.all_clear").count() == 1
    assert len(taps) <= 5, f"两个事项、未发现问题的检查用了 {len(taps)} 次点击：{taps}"
    assert not near, "\n".join(near)
    assert not small, "小于 44px 的可点元素：\n" + "\n".join(small)


@pytest.mark.parametrize("context_options", [PHONE], ids=["phone"])
def test_outside_the_window_the_checkin_is_greyed_out_with_its_reason(page, live_server, world):
    from shuangsuiji.inspection.models import CheckIn
    from shuangsuiji.planning.models import Task

    s, _member, _items = _drawn_task_for_today(world)
    today = timezone.localdate()
    Task.objects.filter(pk=s.draw.task_id).update(
        window_start=today - dt.timedelta(days=40), window_end=today - dt.timedelta(days=1)
    )
    base = live_server.url
    sign_in(page, base, "a_inspector")
    page.goto(f"{base}/inspection/")
    card = page.locator("section#todo .card", has_text=s.target.name)
    expect(card.locator(".tag.bad")).to_have_text("检查期限已过")
    card.get_by_role("link", name=s.target.name).click()
    button = page.get_by_role("button", name="扫码入企签到")
    expect(button).to_be_disabled()
    expect(page.locator("#checkin-why")).to_contain_text("暂不能签到：不在任务检查时间内")
    page.goto(f"{base}/public/selection/{s.token}/")
    expect(page.get_by_role("button", name="检查人员签到（扫码入企）")).to_be_disabled()
    assert not CheckIn.objects.exists()
