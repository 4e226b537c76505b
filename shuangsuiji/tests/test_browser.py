"""A person's walk through the pages in a real browser (Debian's chromium): signing in, the
directory import journey with its background job, the lockout, the audit chain and a phone."""

import csv
import io
import re
import signal

import pytest
from django.core.management import call_command
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from conftest import PASSWORD, make_uscc

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAMES = [
    "鹿泉区好味道餐饮有限公司",
    "鹿泉区张三便利店",
    "石家庄获鹿商贸有限公司",
    "鹿泉区铜冶五金店",
    "鹿泉区新华书店",
]
USCCS = [make_uscc(f"91130110MA0B0000{n}") for n in range(1, 6)]


def sign_in(page, base, username, password=PASSWORD):
    page.goto(base + "/")
    expect(page).to_have_url(f"{base}/login/?next=/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.get_by_role("button", name="登录").click()
    # Privileged roles give a TOTP code next (core/second_factor.py): a first sign-in enrols with
    # the secret the page shows for manual entry, a later one uses the enrolled secret.
    if page.url.startswith(f"{base}/login/enrol/"):
        secret = page.locator("#totp-secret").inner_text().replace(" ", "")
        page.fill("#id_code", totp_code(secret, username))
        page.get_by_role("button", name="完成绑定").click()
    elif page.url.startswith(f"{base}/login/code/"):
        from shuangsuiji.core.models import SecondFactor

        secret = SecondFactor.objects.get(user__username=username).secret
        page.fill("#id_code", totp_code(secret, username))
        page.get_by_role("button", name="验证").click()


def totp_code(secret: str, username: str) -> str:
    """The code of the earliest time step not yet used by `username` (a code works once, so a
    second sign-in within 30 seconds takes the next step, waiting for it if need be)."""
    import time

    import pyotp

    from shuangsuiji.core.models import SecondFactor

    totp = pyotp.TOTP(secret)
    used = (
        SecondFactor.objects.filter(user__username=username).values_list("last_step", flat=True).first() or 0
    )
    now = totp.timecode(time.time())
    step = max(now, used + 1)
    if step > now + 1:  # the server accepts one step ahead for clock drift, not more
        time.sleep((step - 1) * totp.interval - time.time() + 0.5)
    return totp.generate_otp(step)


def run_worker():
    """The worker is its own process in production; here it drains the queue in the test process.
    While it runs, the browser's requests wait in the route handler (the sync API dispatches
    nothing until the test calls it again), so the in-memory database has one user at a time."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    finally:
        for s, h in saved.items():
            signal.signal(s, h)


def market_csv(header: list[str], rows: list[dict]) -> bytes:
    """A CSV in the downloaded template's own column order; unnamed columns stay empty."""
    keys = [h.rstrip("*") for h in header]
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(header)
    for r in rows:
        w.writerow([r.get(k, "") for k in keys])
    return out.getvalue().encode("utf-8")


def row(i: int, **changes) -> dict:
    return {
        "统一社会信用代码": USCCS[i],
        "名称": NAMES[i],
        "主体类型": "企业",
        "行政区划代码": "130110",
        "住所": f"鹿泉区获鹿镇向阳大街{i + 1}号",
        "成立日期": "2019-06-0" + str(i + 1),
        **changes,
    }


def upload_file(page, header, rows, filename):
    expect(page.get_by_role("heading", name="导入检查对象")).to_be_visible()
    page.select_option("#id_template", "market")
    page.set_input_files(
        "#id_file", files=[{"name": filename, "mimeType": "text/csv", "buffer": market_csv(header, rows)}]
    )
    page.get_by_role("button", name="上传并导入").click()
    expect(page).to_have_url(re.compile(r"/jobs/\d+/$"))
    expect(page.locator("h1")).to_contain_text(filename)
    expect(page.locator("#job-status .tag").first).to_have_text("排队中")


def rendering_fonts(page, selector: str) -> set[str]:
    """The platform fonts chromium used for the text of the first `selector` element. A node id
    is only good until the document changes (a script of the page, a late stylesheet): when
    chromium says it no longer knows the node, the document is fetched again."""
    page.wait_for_load_state("load")
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        for attempt in range(3):
            root = cdp.send("DOM.getDocument")["root"]["nodeId"]
            node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
            try:
                fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
            except PlaywrightError as e:
                if "Could not find node" not in str(e) or attempt == 2:
                    raise
                continue
            return {f["familyName"] for f in fonts}
    finally:
        cdp.detach()


def test_directory_import_journey(page, live_server, world, artifact_path):
    base = live_server.url
    sign_in(page, base, "a_admin")
    expect(page.get_by_role("heading", name="工作台")).to_be_visible()

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="检查对象").click()
    expect(page.get_by_role("heading", name="检查对象名录库")).to_be_visible()
    page.get_by_role("link", name="导入").click()
    expect(page.get_by_role("heading", name="导入检查对象")).to_be_visible()

    with page.expect_download() as dl:
        page.locator('a[href$="/targets/template/market.csv"]').click()
    download = dl.value
    assert download.suggested_filename.endswith(".csv")
    first_line = download.path().read_bytes().decode("utf-8-sig").splitlines()[0]
    assert "统一社会信用代码" in first_line
    header = next(csv.reader([first_line]))

    bad_check = USCCS[1][:-1] + ("0" if USCCS[1][-1] != "0" else "1")
    bad = [row(0), row(1, 统一社会信用代码=bad_check), row(2), row(3, 行政区划代码="139999"), row(4)]
    upload_file(page, header, bad, "一月名录.csv")
    run_worker()
    status = page.locator("#job-status")
    expect(status.locator(".tag").first).to_have_text("未通过")
    expect(status).to_contain_text("未导入任何数据")
    errors = status.locator("table tbody tr")
    expect(errors).to_have_count(2)
    expect(errors.nth(0).locator("td").nth(0)).to_have_text("3")
    expect(errors.nth(0).locator("td").nth(1)).to_have_text("统一社会信用代码")
    expect(errors.nth(0).locator("td").nth(2)).to_contain_text("校验位不符")
    expect(errors.nth(1).locator("td").nth(0)).to_have_text("5")
    expect(errors.nth(1).locator("td").nth(1)).to_have_text("行政区划代码")
    expect(errors.nth(1).locator("td").nth(2)).to_contain_text("不在区划表中")
    page.screenshot(path=artifact_path("-1-errors"), full_page=True)

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="检查对象").click()
    page.get_by_role("link", name="导入").click()
    upload_file(page, header, [row(i) for i in range(5)], "一月名录-改正.csv")
    run_worker()
    # nothing is written before the clerk confirms the preview (issue 17)
    expect(status).to_contain_text("尚未写入任何数据")
    status.get_by_role("link", name="查看预览并确认导入").click()
    expect(page.locator("#preview-counts")).to_contain_text("新增 5 条")
    page.get_by_role("button", name="确认导入").click()
    expect(page).to_have_url(re.compile(r"/jobs/\d+/$"))
    run_worker()
    expect(status.locator(".tag").first).to_have_text("已完成")
    expect(status).to_contain_text("写入 5 条")
    expect(status.locator("table")).to_have_count(0)

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="检查对象").click()
    expect(page.locator(".totals")).to_contain_text("共 5 个检查对象")
    page.fill("#id_q", USCCS[2])
    page.get_by_role("button", name="查询").click()
    expect(page.locator(".totals")).to_contain_text("共 1 个检查对象")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.locator("code")).to_have_text(USCCS[2])

    rows.first.get_by_role("link", name=NAMES[2]).click()
    expect(page.get_by_role("heading", name=NAMES[2])).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text(USCCS[2])
    expect(page.locator("dl.facts")).to_contain_text("鹿泉区")
    expect(page.locator("dl.facts")).to_contain_text("市场监督管理局")
    assert NAMES[2] in page.inner_text("body")
    # The heading is drawn with the CJK font the stylesheet names, not a fallback's empty boxes.
    assert "WenQuanYi Micro Hei" in rendering_fonts(page, "h1")
    page.screenshot(path=artifact_path("-2-detail"), full_page=True)


def test_five_wrong_passwords_pause_sign_in_from_this_address(page, live_server, world):
    base = live_server.url
    sign_in(page, base, "a_inspector", "wrong-password")
    for _ in range(4):
        expect(page.locator(".errorlist")).to_contain_text("用户名或密码错误")
        page.fill("#id_password", "wrong-password")
        page.get_by_role("button", name="登录").click()
    expect(page.locator(".errorlist")).to_contain_text("已暂停从当前地址登录该账号")
    # Now even the right password is refused, with the same words.
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".errorlist")).to_contain_text("已暂停从当前地址登录该账号")
    expect(page).to_have_url(f"{base}/login/?next=/")


def test_auditor_verifies_the_audit_chain(page, live_server, world):
    base = live_server.url
    sign_in(page, base, "auditor")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="操作日志").click()
    expect(page.get_by_role("heading", name="操作日志")).to_be_visible()
    expect(page.locator("table tbody tr").first).to_be_visible()
    page.get_by_role("button", name="校验全部日志").click()
    expect(page.get_by_role("status")).to_contain_text("校验通过")
    expect(page.locator(".result.bad")).to_have_count(0)


@pytest.mark.parametrize(
    "context_options",
    [{"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}],
    ids=["390x844"],
)
def test_target_list_fits_a_phone(page, live_server, world):
    from shuangsuiji.directory import services

    for i in range(3):
        services.target_create(
            actor=world.a_admin,
            department=world.dept_a,
            kind="enterprise",
            name=NAMES[i],
            region=world.county,
            key=USCCS[i],
            address=row(i)["住所"],
        )
    base = live_server.url
    sign_in(page, base, "a_admin")
    page.goto(base + "/directory/targets/")
    expect(page.locator("table tbody tr")).to_have_count(3)
    m = page.evaluate(
        """() => {
          const t = document.querySelector('table');
          let scroller = null;
          for (let e = t; e && e !== document.body; e = e.parentElement) {  // the table may scroll itself
            const o = getComputedStyle(e).overflowX;
            if ((o === 'auto' || o === 'scroll') && e.clientWidth <= document.documentElement.clientWidth) { scroller = e.tagName; break; }
          }
          return {page: document.documentElement.scrollWidth, viewport: document.documentElement.clientWidth,
                  table: t.scrollWidth, scroller};
        }"""
    )
    assert m["viewport"] == 390, m
    assert m["page"] <= 390 + 2, f"手机宽度下页面可横向滚动（页面宽 {m['page']}px，视口 390px）：{m}"
    assert m["table"] <= 390 or m["scroller"], f"表格比屏幕宽却不在可横向滚动的容器中：{m}"
