"""Issue 19's "a browser test walks a complaint from entry to a published triggered result", in a
real browser (Debian's chromium): a department admin records a 投诉举报 with its complainant and
description and asks for a triggered task; the department head approves it with a reason; the
admin draws the team; the inspector checks in, enters the results and submits them; the head
approves and publishes; an anonymous visitor finds the result marked 触发式检查 with its category
only — never the complainant, the complaint, its source or the problem description, on the page
or in the hand-over export (JSON, CSV and the public API).

Only the directory (one published item the department claimed, its enterprises, two inspectors)
is set up through the services, and the link of one inspector to the inspector's account, which
no page makes (the other browser tests set it the same way). Each person works in their own
browser, signed in once, as at their own desk."""

import csv
import datetime as dt
import io
import json
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import make_ric, make_uscc
from shuangsuiji.tests.test_browser import sign_in
from shuangsuiji.tests.test_browser_draw import message
from shuangsuiji.tests.test_browser_inspection import DESKTOP, guarded_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

D = dt.date
SOURCE = "12345政务服务便民热线"
DESCRIPTION = "市民反映该店后厨污水横流、餐具未经消毒即重复使用"
COMPLAINANT = "王先生 13812345678"
REASON = "投诉线索具体，需实地核查"
DECISION = "同意，十个工作日内完成核查"
PROBLEM = "餐具消毒记录缺失，已当场责令改正"
# what never leaves the department: the complaint, the complainant, its source, the finding's text
SECRETS = ("污水横流", "王先生", "13812345678", SOURCE, PROBLEM)
MARK = "触发式检查（投诉举报）"


def _directory(w):
    """Department A's food item (published, claimed), three enterprises it supervises (none
    A class: 无事不扰 would ask a reason at check-in) and two inspectors — a team of two takes
    both — one of them the inspector's account."""
    from shuangsuiji.directory import services as directory
    from shuangsuiji.directory.models import Inspector

    year = timezone.localdate().year
    item = directory.item_create(
        actor=w.office,
        code="LQ-SC-09",
        name="餐饮服务食品安全检查",
        methods=["onsite", "document"],
        checklist=["餐具清洗消毒记录", "从业人员健康证明"],
    )
    item = directory.item_publish(actor=w.office, item=item)
    directory.item_claim(actor=w.a_admin, item=item)
    targets = [
        directory.target_create(
            actor=w.a_admin,
            department=w.dept_a,
            kind="enterprise",
            name=f"鹿泉区第{i + 1:02d}餐饮有限公司",
            region=w.county,
            key=make_uscc(f"91130110MA0E{i:05d}"),
            founded_on=D(2020, 3, 1),
            risk_class="CDB"[i],
            address=f"鹿泉区获鹿镇胜利街{i + 1}号",
        )
        for i in range(3)
    ]
    inspectors = [
        directory.inspector_create(
            actor=w.a_admin,
            department=w.dept_a,
            name=f"食品检查员{n}",
            id_number=make_ric(f"1301021986{n:02d}{10 + n:02d}{n:03d}"),
            certificate_no=f"冀A{n + 20:05d}",
            certificate_expiry=D(year + 2, 12, 31),
        )
        for n in (1, 2)
    ]
    # no page links a directory entry to an account (the other browser tests set it the same way)
    Inspector.objects.filter(pk=inspectors[0].pk).update(user=w.a_inspector)
    return item, targets[0], inspectors


def test_a_complaint_from_entry_to_a_published_triggered_result(
    page, browser, live_server, world, artifact_path
):
    from shuangsuiji.inspection.models import PublishedResult
    from shuangsuiji.triggers.models import RequestStatus, Trigger, TriggerStatus

    item, target, inspectors = _directory(world)
    base = live_server.url
    today = timezone.localdate()
    window_end = min(D(today.year, 12, 31), today + dt.timedelta(days=20))
    shot = iter(range(1, 100))

    def snap(p, name):
        p.screenshot(path=artifact_path(f"-{next(shot)}-{name}"), full_page=True)

    def nav(p):
        return p.get_by_role("navigation", name="主导航")

    # 1. The department admin records the complaint from the form: the target by its code.
    sign_in(page, base, "a_admin")
    nav(page).get_by_role("link", name="触发式监管").click()
    expect(page.get_by_role("heading", name="触发式监管", level=1)).to_be_visible()
    page.get_by_role("link", name="登记触发事项").click()
    form = page.locator("#trigger-form")
    form.get_by_label(re.compile("^触发类别")).select_option(label="投诉举报")
    form.get_by_label(re.compile("^来源")).fill(SOURCE)
    form.get_by_label(re.compile("^收到日期")).fill((today - dt.timedelta(days=1)).isoformat())
    form.get_by_label(re.compile("^检查对象")).fill(target.uscc)
    form.get_by_label(f"{item.code} {item.name}").check()
    form.get_by_label(re.compile("^情况描述（内部，不公开）")).fill(DESCRIPTION)
    form.get_by_label(re.compile("^投诉举报人及联系方式（保密）")).fill(COMPLAINANT)
    snap(page, "record")
    form.get_by_role("button", name="登记", exact=True).click()
    expect(message(page)).to_contain_text("已登记触发事项")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text(DESCRIPTION)
    expect(facts).to_contain_text(COMPLAINANT)  # the department that keeps it sees who complained
    trigger = Trigger.objects.get()
    assert (trigger.category, trigger.complainant) == ("complaint", COMPLAINANT)
    assert list(trigger.targets.all()) == [target]
    detail_url = page.url

    # 2. It asks for a triggered task, with a window holding today and a reason.
    req_form = page.locator("#request-form")
    req_form.get_by_label("检查开始日期").fill(today.isoformat())
    req_form.get_by_label("检查结束日期").fill(window_end.isoformat())
    req_form.get_by_label("每组执法人员数").fill("2")
    req_form.get_by_label("申请理由").fill(REASON)
    req_form.get_by_role("button", name="提交申请").click()
    expect(message(page)).to_contain_text("已申请触发式检查，待部门主管领导审批")
    expect(page.locator("h1 .tag")).to_have_text("已申请触发式检查，待审批")
    # the admin may not decide: no decision form, the request waits for the head
    expect(page.locator("#decide-form")).to_have_count(0)
    expect(page.get_by_text("待部门主管领导审批", exact=True)).to_be_visible()
    snap(page, "requested")
    task = trigger.requests.get().task
    assert (task.kind, task.trigger_category, task.state) == ("triggered", "complaint", "planned")

    with (
        guarded_context(browser, base, DESKTOP) as head_ctx,
        guarded_context(browser, base, {"width": 390, "height": 844}) as insp_ctx,
        guarded_context(browser, base, DESKTOP) as anon_ctx,
    ):
        head = head_ctx.new_page()
        head.set_default_timeout(10_000)

        # 3. The department head finds the request waiting and approves it with a reason.
        sign_in(head, base, "a_reviewer")
        nav(head).get_by_role("link", name="触发式监管").click()
        pending = head.locator("section", has=head.get_by_role("heading", name="待审批的触发式检查（1）"))
        expect(pending).to_contain_text(task.code)
        expect(pending).to_contain_text(REASON)
        pending.get_by_role("link", name="审批").click()
        decide = head.locator("#decide-form")
        decide.get_by_label(re.compile(r"^审批[:：]?$")).select_option(label="批准")
        decide.get_by_label("审批意见").fill(DECISION)
        snap(head, "decide")
        decide.get_by_role("button", name="提交审批").click()
        expect(message(head)).to_contain_text("已批准：请由部门管理员匹配检查人员")
        expect(head.locator("h1 .tag")).to_have_text("已立触发式检查任务")
        expect(head.locator("table", has_text=task.code)).to_contain_text(DECISION)
        req = trigger.requests.get()
        assert (req.status, req.decided_by_id, req.decision_note) == (
            RequestStatus.APPROVED,
            world.a_reviewer.pk,
            DECISION,
        )
        trigger.refresh_from_db()
        assert trigger.status == TriggerStatus.TASKED

        # 4. The admin opens the designated list and draws the team: both inspectors, ≥ 2.
        page.goto(detail_url)
        page.get_by_role("link", name="检查对象与检查组").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("触发式检查对象")
        expect(page.locator(".card").first).to_contain_text("不是随机抽取")
        page.get_by_role("button", name="匹配检查人员").click()
        expect(message(page)).to_contain_text("人员匹配完成")
        expect(page.get_by_role("button", name="匹配检查人员")).to_have_count(0)
        row = page.locator("tr", has_text=target.name)
        for i in inspectors:
            expect(row).to_contain_text(i.name)
        snap(page, "team")
        sel = task.draws.get().selections.get()
        team = list(sel.team.filter(active=True).values_list("inspector_id", flat=True))
        assert sorted(team) == sorted(i.pk for i in inspectors)

        # 5. The inspector, on a phone, opens the target from 我的检查, checks in, enters the
        #    result (a problem, corrected on the spot), records 检查完毕 and submits.
        ins_page = insp_ctx.new_page()
        ins_page.set_default_timeout(10_000)
        sign_in(ins_page, base, "a_inspector")
        nav(ins_page).get_by_role("link", name="我的检查").click()
        card = ins_page.locator(".card", has_text=target.name)
        expect(card).to_contain_text(task.name)
        card.get_by_role("link", name=target.name).click()
        expect(ins_page.get_by_role("heading", name=target.name, level=1)).to_be_visible()
        # the notice the enterprise receives names the kind and category, not who complained
        target_url = ins_page.url
        ins_page.get_by_role("link", name="检查通知书（打印）").click()
        expect(ins_page.get_by_role("heading", name="触发式检查通知书")).to_be_visible()
        expect(ins_page.locator("main")).to_contain_text(MARK)
        notice = ins_page.content()
        assert "随机抽取" not in notice and not [s for s in SECRETS if s in notice]
        snap(ins_page, "notice")
        ins_page.goto(target_url)
        ins_page.get_by_role("button", name="扫码入企签到").click()
        expect(message(ins_page)).to_contain_text("已签到（扫码入企）")
        part = ins_page.locator(f"#item-{item.pk}")
        part.get_by_label("发现问题已责令改正").check()
        part.get_by_label("问题描述").fill(PROBLEM)
        ins_page.get_by_role("button", name="保存全部事项").click()
        expect(message(ins_page)).to_contain_text(f"已保存：{item.name}")
        ins_page.get_by_text("只记录检查完毕（暂不提交）").click()
        expect(ins_page.locator("#id_finished_on")).to_have_value(today.isoformat())
        ins_page.fill("#id_summary", "现场检查，餐具消毒记录缺失，已当场责令改正")
        ins_page.get_by_role("button", name="记录检查完毕").click()
        expect(message(ins_page)).to_contain_text("已记录检查完毕")
        ins_page.locator("details.confirm summary", has_text="提交复核").click()
        ins_page.get_by_role("button", name="确认提交复核").click()
        expect(message(ins_page)).to_contain_text("已提交复核")
        snap(ins_page, "submitted")

        # 6. The head (not the one who entered it) approves: published.
        nav(head).get_by_role("link", name="结果复核").click()
        card = head.locator(".card", has_text=target.name)
        expect(card).to_contain_text(PROBLEM)
        card.get_by_role("button", name="复核通过并公示").click()
        expect(message(head)).to_contain_text(f"已复核通过并公示：{target.name}")
        snap(head, "published")
        published = list(PublishedResult.objects.filter(uscc=target.uscc))
        assert [(r.task_kind, r.trigger_category) for r in published] == [("triggered", "complaint")]

        # 7. An anonymous visitor finds it by the 统一社会信用代码: marked 触发式检查 with the
        #    category, and nothing of the complaint.
        anon = anon_ctx.new_page()
        anon.set_default_timeout(10_000)
        anon.goto(f"{base}/public/results/")
        anon.fill("#id_q", target.uscc)
        anon.get_by_role("button", name="查询").click()
        section = anon.locator("section", has=anon.get_by_role("heading", name=target.name))
        expect(section.locator("dt:text-is('检查类型') + dd")).to_have_text(MARK)
        expect(section.locator("dt:text-is('是否发现问题') + dd")).to_have_text("是")
        expect(section.locator("tbody tr")).to_have_count(1)
        expect(section.locator("tbody tr td").nth(1)).to_have_text("发现问题已责令改正")
        snap(anon, "public-results")
        html = anon.content()
        assert MARK in html
        leaked = [s for s in SECRETS if s in html]
        assert not leaked, f"公示页面泄露了投诉内容：{leaked}"

        # The page the QR code opens tells the enterprise the inspection is triggered, not drawn,
        # and nothing of the complaint either.
        anon.goto(f"{base}/public/selection/{sel.token}/")
        expect(anon.locator("main")).to_contain_text(MARK)
        expect(anon.locator("main")).to_contain_text("不是随机抽取")
        html = anon.content()
        assert "被随机抽中的证明" not in html and not [s for s in SECRETS if s in html]
        snap(anon, "enterprise-page")

        # ... and the hand-over export (JSON, CSV, the public API) carries the marking, not the complaint.
        r = anon.request.get(f"{base}/public/export/results.json")
        assert r.ok
        body = r.text()
        rows = [x for x in json.loads(body)["results"] if x["uscc"] == target.uscc]
        assert [(x["kind"], x["trigger_category"]) for x in rows] == [("triggered", "complaint")]
        r = anon.request.get(f"{base}/public/export/results.csv")
        assert r.ok
        text = r.text()
        lines = [x for x in csv.DictReader(io.StringIO(text.lstrip("\ufeff"))) if target.uscc in x.values()]
        assert [(x["检查类型"], x["触发类别"]) for x in lines] == [("触发式检查", "投诉举报")]
        r = anon.request.get(f"{base}/api/v1/public/results", params={"q": target.uscc})
        assert r.ok
        api = r.text()
        assert [(x["kind"], x["trigger_category"]) for x in json.loads(api)["items"]] == [
            ("triggered", "complaint")
        ]
        for name, exported in (("JSON", body), ("CSV", text), ("接口", api)):
            leaked = [s for s in SECRETS if s in exported]
            assert not leaked, f"{name} 导出泄露了投诉内容：{leaked}"
