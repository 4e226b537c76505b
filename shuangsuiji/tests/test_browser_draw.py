"""Issue 3's "Done when", walked in a real browser (Debian's chromium): the office loads the year's
goals from a preset, department A plans a 部门联合 task with department B, the office publishes
the plan, A announces the draw (ssj-draw-v2: a public value of a stated source and time, committed
in the terms), two witnesses commit before that time, the draw runs after it with the value
entered, both departments' teams are drawn, and an anonymous visitor verifies the public draw in
the browser (static/js/draw-verify.js, every check of verify_record), sees one changed byte fail
at its item, and checks one enterprise's own proof.

Only the directory (items, targets, inspectors) is set up through the services; every step of
the journey goes through the pages."""

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from conftest import make_ric, make_uscc
from shuangsuiji.tests.test_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

D = dt.date
YEAR = 2026
ON_FILE = 40  # enterprises founded before the snapshot date (2025-12-31): the denominator
LATE = 3  # founded in 2026: in the pool, not in the denominator
TASK_NAME = "餐饮行业部门联合双随机抽查"
WITNESSES = [("见证人1", "区纪委监委派驻纪检组干部", "271828"), ("见证人2", "餐饮行业协会代表", "314159")]
RISK_WORDS = ("A类", "B类", "C类", "D类")


def _directory(w):
    """Published items claimed by both departments, targets of all four risk classes supervised
    by them, inspectors with certificates valid past the task window."""
    from shuangsuiji.directory import services as directory
    from shuangsuiji.directory.models import TargetSupervision

    for code, name, admin in (
        ("LQ-SC-01", "食品经营许可事项检查", w.a_admin),
        ("LQ-WS-01", "公共场所卫生检查", w.b_admin),
    ):
        item = directory.item_create(actor=w.office, code=code, name=name, methods=["onsite"])
        item = directory.item_publish(actor=w.office, item=item)
        directory.item_claim(actor=admin, item=item)
    for i in range(ON_FILE + LATE):
        own = w.b_admin if i % 5 == 4 else w.a_admin  # some only B supervises
        t = directory.target_create(
            actor=own,
            department=own.department,
            kind="enterprise",
            name=f"鹿泉区第{i + 1:02d}餐饮有限公司",
            region=w.county,
            key=make_uscc(f"91130110MA0C{i:05d}"),
            founded_on=D(2019, 6, 1) if i < ON_FILE else D(YEAR, 3, 1),
        )
        # the class is the keeper's (市场监督管理局) to set, for B's targets too (issue 14)
        directory.target_update(actor=w.a_admin, target=t, risk_class="ABCD"[i % 4])
        if own == w.a_admin and i % 2 == 0:  # and half of A's are supervised by B too
            TargetSupervision.objects.create(target=t, department=w.dept_b)
    for dept, admin, first in ((w.dept_a, w.a_admin, 1), (w.dept_b, w.b_admin, 21)):
        for n in range(first, first + 4):
            directory.inspector_create(
                actor=admin,
                department=dept,
                name=f"{dept.name[:2]}检查员{n}",
                id_number=make_ric(f"1301021985{n % 9 + 1:02d}{10 + n % 18:02d}{n:03d}"),
                certificate_no=f"冀{dept.pk:02d}{n:04d}",
                certificate_expiry=D(YEAR + 2, 12, 31),
            )


def _task_form(page, artifact_path):
    """The task form as a clerk meets it: a missing field is summed up at the top and its link
    leads to it; the quota mode and the task's mode show their own fields only; the items are
    found by name in their department's group; the pickers take a region and an industry by
    name, and a chosen entry can be removed."""
    page.get_by_role("button", name="保存任务").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("任务名称：")
    summary.get_by_role("link", name=re.compile("^任务名称")).click()
    expect(page.locator("#id_name")).to_be_focused()
    page.fill("#id_name", TASK_NAME)

    departments = page.locator("#row-departments")
    expect(departments).to_be_hidden()  # an ordinary task has no other departments
    page.select_option("#id_mode", "joint")
    expect(departments).to_be_visible()
    page.get_by_label("卫生健康局").check()

    page.get_by_label("LQ-SC-01 食品经营许可事项检查", exact=False).check()
    other = page.get_by_label("公共场所卫生检查", exact=False)
    expect(other).to_be_hidden()  # in 卫生健康局's group, folded
    page.get_by_label("查找抽查事项").fill("公共场所")
    expect(page.get_by_label("LQ-SC-01 食品经营许可事项检查", exact=False)).to_be_hidden()
    other.check()
    page.get_by_label("查找抽查事项").fill("")
    expect(page.locator("#kinds-from-items")).to_contain_text("对象池将包含全部类型的对象")

    # the pickers: a region by its name (read by the server), an industry from the list, removed
    region = page.get_by_label("区划范围")
    region.fill("鹿泉区")
    region.press("Enter")
    expect(page.locator("#row-scope_regions_text .chips li")).to_have_text([re.compile("^鹿泉区")])
    industry = page.get_by_label("行业范围")
    industry.fill("62 餐饮业")  # an entry of the list, as choosing it from the list puts it
    expect(page.locator("#row-scope_industries_text .chips li")).to_have_text([re.compile("^62 餐饮业")])
    page.get_by_role("button", name="移除 62 餐饮业").click()
    expect(page.locator("#row-scope_industries_text .chips li")).to_have_count(0)

    total = page.locator("#quota-total")
    page.select_option("#id_quota_mode", "total")
    expect(total).to_be_visible()
    expect(page.locator("#quota-ratio")).to_be_hidden()
    page.fill("#id_total", "-3")  # not valid, and ignored once the ratio mode is chosen again
    page.select_option("#id_quota_mode", "ratio")
    expect(total).to_be_hidden()
    for cls, pct in zip("ABCD", ("10", "20", "50", "100"), strict=True):
        page.fill(f"#id_ratio_{cls}", pct)
    page.fill("#id_window_start", f"{YEAR}-06-01")
    page.fill("#id_window_end", f"{YEAR}-12-31")
    page.fill("#id_publish_selection_on", f"{YEAR}-06-01")  # in the past: the list is public
    page.screenshot(path=artifact_path("-1a-task-form"), full_page=True)
    page.get_by_role("button", name="保存任务").click()


def _anonymous_page(browser, base):
    """A fresh context with no session, guarded like the `page` fixture: only the live server,
    no console errors."""
    port = urlsplit(base).port
    external, problems = [], []
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})

    def route(r):
        url = urlsplit(r.request.url)
        if url.scheme in ("http", "https", "ws", "wss") and (
            url.hostname not in ("127.0.0.1", "localhost") or url.port != port
        ):
            external.append(r.request.url)
            r.abort("blockedbyclient")
        else:
            r.continue_()

    context.route("**/*", route)
    p = context.new_page()
    p.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text} @ {m.location}"))
    p.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    p.set_default_timeout(10_000)
    return context, p, external, problems


def sign_out(page):
    page.get_by_role("button", name="退出").click()
    expect(page.get_by_role("button", name="登录")).to_be_visible()


def message(page):
    return page.locator(".messages")


PUBLIC_VALUE_SOURCE = "2026-12-20 福彩3D开奖号码"
PUBLIC_VALUE = "456"


def test_joint_draw_journey(page, browser, live_server, world, artifact_path, monkeypatch):
    from django.utils import timezone

    from shuangsuiji.draw.models import Selection, TargetDraw
    from shuangsuiji.draw.records import entry_proof

    _directory(world)
    base = live_server.url
    nav = page.get_by_role("navigation", name="主导航")

    # 1. The office loads the preset year goals and sees the coverage denominator.
    sign_in(page, base, "office")
    nav.get_by_role("link", name="年度目标").click()
    expect(page.get_by_role("heading", name=re.compile(r"年度目标"))).to_be_visible()
    page.select_option("#id_p-preset", label="石家庄市鹿泉区 2026")
    page.fill("#id_p-year", str(YEAR))
    page.get_by_role("button", name="载入预设").click()
    expect(page).to_have_url(f"{base}/planning/goals/?year={YEAR}")
    expect(message(page)).to_contain_text(f"已按预设载入 {YEAR} 年度目标")
    expect(page.locator("#denominator")).to_have_text(str(ON_FILE))
    expect(page.locator("#target-households")).to_have_text("2")  # ⌈40 × 3%⌉
    expect(page.locator("#id_coverage")).to_have_value(re.compile(r"^3(\.0*)?$"))
    page.screenshot(path=artifact_path("-1-goals"), full_page=True)
    sign_out(page)

    # 2. Department A drafts its 2026 plan with a 部门联合 task with department B and submits it.
    sign_in(page, base, "a_admin")
    nav.get_by_role("link", name="年度抽查计划").click()
    page.fill("#year", str(YEAR))
    page.get_by_role("button", name="新建本部门年度计划").click()
    expect(page.get_by_role("heading", name=f"市场监督管理局 {YEAR} 年度抽查计划")).to_be_visible()
    page.get_by_role("link", name="新增任务").click()
    expect(page.get_by_role("heading", name=re.compile("新增抽查任务"))).to_be_visible()
    _task_form(page, artifact_path)
    expect(message(page)).to_contain_text(f"已保存任务：{TASK_NAME}")
    expect(message(page)).to_contain_text("区划“鹿泉区”已识别为：鹿泉区（130110）")
    expect(message(page)).to_contain_text("所选事项也未规定检查对象类型")
    row = page.locator("table tbody tr", has_text=TASK_NAME)
    expect(row).to_contain_text("部门联合")
    expect(row).to_contain_text("卫生健康局")
    page.get_by_role("button", name="提交审核").click()
    expect(message(page)).to_contain_text("已提交，等待双随机办公室审核")
    expect(page.locator(".card .tag").first).to_have_text("已提交待审核")
    sign_out(page)

    # 3. The office approves and publishes it.
    sign_in(page, base, "office")
    nav.get_by_role("link", name="年度抽查计划").click()
    page.locator("table tbody tr", has_text=str(YEAR)).get_by_role("link", name="市场监督管理局").click()
    page.get_by_role("button", name="审核通过并公示").click()
    expect(message(page)).to_contain_text("已审核通过并公示")
    expect(page.locator(".card .tag").first).to_have_text("已公示")
    sign_out(page)

    # 4. Department A announces the draw for now; two witnesses commit and reveal; the draw runs
    #    and both departments' teams are drawn.
    sign_in(page, base, "a_admin")
    nav.get_by_role("link", name="年度抽查计划").click()
    page.get_by_role("link", name="市场监督管理局").click()
    page.get_by_role("link", name=TASK_NAME).click()
    expect(page.get_by_role("heading", name=TASK_NAME)).to_be_visible()
    # the pool preview, before anything is announced: 43 enterprises, 21 to draw
    expect(page.locator("#task-pool-preview #preview-size")).to_have_text("43")
    expect(page.locator("#task-pool-preview #preview-quota")).to_have_text(str(2 + 3 + 6 + 10))
    page.get_by_role("link", name="公告抽取").click()
    steps = page.locator("ol.steps li")
    expect(steps).to_have_count(5)
    expect(page.locator("ol.steps li[aria-current=step]")).to_have_text(re.compile("^公告抽取"))
    draw_at = page.locator("#id_draw_at")
    expect(draw_at).not_to_have_value("")  # pre-filled with the current minute
    page.fill("#id_place", "区市场监管局三楼会议室")
    page.fill("#id_public_value_source", PUBLIC_VALUE_SOURCE)
    # the value becomes known a few minutes from now: the witnesses commit before, the draw runs after
    value_at = timezone.localtime().replace(second=0, microsecond=0) + dt.timedelta(minutes=3)
    page.fill("#id_public_value_at", value_at.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="下一步：核对对象池").click()
    # the confirmation: the preview and the irreversible button, which needs the box ticked
    expect(page.get_by_role("heading", name=re.compile("^确认公告抽取"))).to_be_visible()
    expect(page.locator("#pool-preview #preview-quota")).to_have_text("21")
    page.get_by_role("button", name="公告抽取（不可撤销）").click()
    expect(page.locator("#error-summary")).to_contain_text("请勾选确认后再公告")
    assert not TargetDraw.objects.exists()
    page.locator("#error-summary a").click()
    expect(page.locator("#id_confirmed")).to_be_focused()
    page.locator("#id_confirmed").check()
    page.screenshot(path=artifact_path("-1b-announce-confirm"), full_page=True)
    page.get_by_role("button", name="公告抽取（不可撤销）").click()
    expect(message(page)).to_contain_text("对象池已冻结并承诺")
    expect(page.get_by_role("heading", name=re.compile(r"^抽取 "))).to_be_visible()
    draw_url = page.url
    expect(page.locator("ol.steps li[aria-current=step]")).to_have_text(re.compile("^见证人登记并承诺"))
    expect(page.locator("#run-form")).to_have_count(0)  # the draw waits for the witnesses

    # Each witness is registered by A and gets a link (and its QR code) once; they commit and
    # reveal on their own phones (here: a fresh browser context each, signed in as nobody).
    invite = page.locator("#invite-form")
    phones = []
    for label, who, number in WITNESSES:
        expect(invite.locator("input[name=label]")).to_have_value(label)  # the next free label
        invite.locator("input[name=description]").fill(who)
        invite.get_by_role("button", name="登记并生成本人设备链接").click()
        shown = page.locator("#witness-link")
        expect(shown.locator(".qr svg")).to_be_visible()
        link = shown.locator("code").inner_text()
        assert urlsplit(link).path.startswith("/public/witness/")
        context, phone, external, problems = _anonymous_page(browser, base)
        phone.goto(link)
        expect(phone.get_by_role("heading", name=f"抽取见证：{label}")).to_be_visible()
        phone.locator("input[name=number]").fill(number)
        phone.locator("input[name=number_again]").fill(number)
        phone.get_by_role("button", name="确认承诺").click()
        expect(phone.locator(".result.ok")).to_contain_text("已承诺")
        phones.append((context, phone, external, problems, number))
    page.goto(draw_url)
    witnesses = page.locator("#witnesses tbody tr")
    expect(witnesses).to_have_count(2)
    expect(witnesses.locator(".tag.warn")).to_have_count(2)  # 已承诺
    expect(page.locator("input[name=number]")).to_have_count(0)  # no witness's number is typed here

    for context, phone, external, problems, number in phones:
        phone.reload()
        phone.locator("input[name=number]").fill(number)
        phone.get_by_role("button", name="揭示").click()
        expect(phone.locator(".result.ok")).to_contain_text("揭示完成")
        assert external == [] and problems == []
        context.close()
    page.goto(draw_url)
    expect(witnesses.locator(".tag.ok")).to_have_count(2)  # 已揭示
    # the draw's step is current, its button disabled until the public value is known
    expect(page.locator("ol.steps li[aria-current=step]")).to_have_text(
        re.compile("^录入公开随机值并抽取对象")
    )
    expect(page.locator("#run-form").get_by_role("button", name="抽取对象")).to_be_disabled()
    expect(page.locator("#step-blocked")).to_contain_text("公开随机值尚未产生")

    # the public value's time passes (the server's clock moved on by five minutes, within the
    # session's idle limit); staff enter the value
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + dt.timedelta(minutes=5))
    page.goto(draw_url)
    expect(page.locator("#step-blocked")).to_have_count(0)
    page.locator("#run-form").locator("input[name=public_value]").fill(PUBLIC_VALUE)
    page.locator("#run-form").get_by_role("button", name="抽取对象").click()
    expect(message(page)).to_contain_text("抽取完成")
    draw = TargetDraw.objects.get()
    assert draw.spec == "ssj-draw-v2" and draw.pool_format == "ssj-pool-v3"
    assert draw.public_value == PUBLIC_VALUE and draw.terms["public_value_source"] == PUBLIC_VALUE_SOURCE
    quota = sum(s["quota"] for s in draw.strata)
    assert quota == 2 + 3 + 6 + 10  # 11 A, 11 B, 11 C, 10 D at 10/20/50/100%, rounded up
    picked = page.locator("table", has=page.locator("th", has_text="检查组")).locator("tbody tr")
    expect(picked).to_have_count(quota)

    expect(page.locator("ol.steps li[aria-current=step]")).to_have_text(re.compile("^匹配检查人员"))
    page.get_by_role("button", name="匹配检查人员").click()
    expect(message(page)).to_contain_text("人员匹配完成")
    expect(page.get_by_role("button", name="匹配检查人员")).to_have_count(0)
    expect(page.locator("ol.steps li.done")).to_have_count(5)
    summary = page.locator("h3", has_text="人员匹配情况").locator("xpath=following-sibling::ul[1]")
    expect(summary).to_contain_text("市场监督管理局：可抽取 4 人，每组 2 人")
    expect(summary).to_contain_text("卫生健康局：可抽取 4 人，每组 2 人")
    for i in range(quota):
        team = picked.nth(i).locator("td").nth(4)
        expect(team).to_contain_text("市场监督管理局：")
        expect(team).to_contain_text("卫生健康局：")
    checks = page.locator("h2", has_text="核验").locator("xpath=following-sibling::ul[1]").locator(".tag")
    expect(checks.first).to_have_text("一致")
    expect(checks.filter(has_text="不一致")).to_have_count(0)
    page.screenshot(path=artifact_path("-2-draw-teams"), full_page=True)
    assert urlsplit(draw_url).path == f"/draw/{draw.public_id}/"

    # 5. An anonymous visitor verifies the public draw page in the browser (static/js/draw-verify.js:
    #    the page fetches the record, never asks the server to check); no risk class shows.
    context, anon, external, problems = _anonymous_page(browser, base)
    requested = []
    anon.on("request", lambda r: requested.append(r.url))
    try:
        anon.goto(f"{base}/public/draws/{draw.public_id}/")
        expect(anon.get_by_role("heading", name=f"随机抽取 {draw.public_id}")).to_be_visible()
        anon.get_by_role("button", name="验证").click()
        status = anon.get_by_role("status")
        expect(status).to_contain_text("验证通过")
        expect(status).to_contain_text("在本浏览器中计算")
        items = anon.locator("#draw-verify li")
        n_strata = len(draw.strata)
        # root, the terms (hash, agreement, quota rule), secret, each witness (number, time), seed,
        # each stratum's positions, the drawn leaves' paths, the named count
        n_checks = 1 + 3 + 1 + 2 * len(WITNESSES) + 1 + n_strata + 1 + 1
        expect(items).to_have_count(n_checks)
        expect(items.locator(".tag.ok", has_text="一致")).to_have_count(n_checks)
        for name in (
            "抽取条款哈希 = 条款的规范化文本的哈希",
            "见证人2 在公开随机值产生之前承诺",
            "种子 = 以服务器密钥计算的带密钥哈希（编号、根哈希、条款哈希、公开随机值、见证人数字）",
            "每个抽中的叶子都在冻结的对象池中其位置上（默克尔路径）",
            f"公布名单的对象数与各层抽取数之和一致（{quota}）",
        ):
            expect(anon.locator("#draw-verify li", has_text=name).locator(".tag")).to_have_text("一致")
        expect(anon.locator(".result.bad")).to_have_count(0)
        asked = [u for u in requested if "verify=" in u]
        assert not asked, f"验证不应请求服务器核对：{asked}"
        assert f"{base}/public/draws/{draw.public_id}.json" in requested
        expect(anon.locator("h2", has_text="抽中名单")).to_contain_text(f"抽中名单（{quota}）")
        body = anon.inner_text("body")
        shown = [w for w in RISK_WORDS if w in body]
        assert not shown, f"公开页面出现了信用风险分类：{shown}"
        anon.screenshot(path=artifact_path("-3-public-verify"), full_page=True)

        # A record with one byte changed (the first witness's number) shows 不一致 at that item.
        def tampered(route):
            rec = route.fetch().json()
            rec["witnesses"][0]["number"] = "371828"
            route.fulfill(json=rec)

        anon.route(f"**/public/draws/{draw.public_id}.json", tampered)
        anon.reload()
        anon.get_by_role("button", name="验证").click()
        expect(anon.get_by_role("status")).to_contain_text("验证不通过")

        def item(text):
            return anon.locator("#draw-verify li", has_text=text).locator(".tag")

        expect(item("见证人1 揭示的数字与其承诺一致")).to_have_text("不一致")
        expect(item("见证人2 揭示的数字与其承诺一致")).to_have_text("一致")
        expect(item("服务器密钥与公告时的承诺一致")).to_have_text("一致")
        expect(item("种子 = 以服务器密钥")).to_have_text("不一致")  # the number enters the seed
        anon.unroute(f"**/public/draws/{draw.public_id}.json")

        # One byte changed in a drawn leaf: only the leaves' check fails.
        def leaf_changed(route):
            rec = route.fetch().json()
            entry = rec["drawn"][0]["entries"][0]
            entry["leaf"] = entry["leaf"][:-1] + ("0" if entry["leaf"][-1] != "0" else "1")
            route.fulfill(json=rec)

        anon.route(f"**/public/draws/{draw.public_id}.json", leaf_changed)
        anon.reload()
        anon.get_by_role("button", name="验证").click()
        expect(anon.get_by_role("status")).to_contain_text("验证不通过")
        expect(anon.locator("#draw-verify .tag.bad")).to_have_count(1)
        expect(item("每个抽中的叶子都在冻结的对象池中其位置上（默克尔路径）")).to_have_text("不一致")
        expect(item("种子 = 以服务器密钥")).to_have_text("一致")
        anon.unroute(f"**/public/draws/{draw.public_id}.json")

        # An enterprise's own proof, checked in the page by the function the selection page calls.
        s = Selection.objects.order_by("order").first()
        proof = entry_proof(s)
        anon.reload()
        got = anon.evaluate(
            """async ([proof, url]) => {
                const rec = await (await fetch(url)).json();
                const ok = await window.ssjDrawVerify.checkProof(proof, rec);
                const bad = await window.ssjDrawVerify.checkProof({...proof, salt: proof.salt.slice(0, -1) + (proof.salt.endsWith("0") ? "1" : "0")}, rec);
                return [ok.map(c => [c.ok, c.name]), bad.map(c => [c.ok, c.name])];
            }""",
            [proof, f"{base}/public/draws/{draw.public_id}.json"],
        )
        ok, bad = got
        assert len(ok) == 5 and all(o for o, _ in ok), ok
        assert [n for o, n in bad if not o] == ["叶哈希 = H(0x00 ‖ enc(抽取编号, 盐值, 本单位标识))"], bad

        # 6. The enterprise opens its own verification page and enters the code on its notice.
        anon.goto(f"{base}/public/selection/{s.token}/")
        anon.get_by_label("企业核验码").fill(s.proof_code)
        anon.get_by_role("button", name="查看本单位的抽取证明").click()
        expect(anon.locator(".result.ok", has_text=re.compile("^核验一致"))).to_be_visible()
        expect(anon.locator(".result.ok", has_text=re.compile("^核验一致"))).to_contain_text(s.target.name)
        expect(anon.locator(".tag.bad")).to_have_count(0)
        body = anon.inner_text("body")
        shown = [w for w in RISK_WORDS if w in body]
        assert not shown, f"企业核验页出现了信用风险分类：{shown}"
        anon.screenshot(path=artifact_path("-4-selection"), full_page=True)
    finally:
        context.close()

    # Without JavaScript the page keeps the server's check as its fallback.
    bare = browser.new_context(locale="zh-CN", java_script_enabled=False)
    try:
        p = bare.new_page()
        p.goto(f"{base}/public/draws/{draw.public_id}/")
        p.get_by_role("button", name="验证").click()
        expect(p).to_have_url(re.compile(r"\?verify=1$"))
        expect(p.get_by_role("status")).to_contain_text("验证通过")
        expect(p.locator("#draw-verify .tag.bad")).to_have_count(0)
    finally:
        bare.close()
    assert not external, f"页面试图访问外部地址（内网离线部署，不得依赖 CDN）：{external}"
    assert not problems, f"浏览器控制台有错误：{problems}"
