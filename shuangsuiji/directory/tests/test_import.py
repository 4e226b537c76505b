"""Imports succeed whole or change nothing, and list every bad row with its row number, field
and a Chinese reason."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from conftest import make_ric, make_uscc
from shuangsuiji.core.models import AuditEntry, Job, JobStatus
from shuangsuiji.core.tasks import run_job
from shuangsuiji.directory import services
from shuangsuiji.directory.models import Inspector, Tag, TagLibrary, Target, TargetSupervision

HEADER = "统一社会信用代码*,名称*,主体类型*,行政区划代码*,住所,行业代码,成立日期,登记状态,状态变更日期,信用风险分类,分类日期,标签"
U1 = make_uscc("91130110MA0A00001")
U2 = make_uscc("92130110MA0A00002")
U_OLD = make_uscc("91130185MA0A00003")  # issued by 鹿泉市 before the 2014 re-division
U_UNKNOWN = make_uscc("91999999MA0A00004")


def run(user, text: str | bytes, filename="t.csv", confirm=True, **params) -> Job:
    """Upload and run the job; a target import's preview is then confirmed (one more job run),
    unless `confirm` is False."""
    content = text.encode("utf-8") if isinstance(text, str) else text
    job = services.import_start(
        actor=user,
        kind=params.pop("kind", "target_import"),
        upload=SimpleUploadedFile(filename, content),
        params={"template": "market", "mode": "create", "encoding": "auto", **params},
    )
    run_job.call(job.pk)
    job.refresh_from_db()
    return confirmed(user, job) if confirm else job


def confirmed(user, job: Job) -> Job:
    """确认导入 of a job waiting at its preview, run at once; any other job as it is."""
    if job.result.get("stage") == "preview":
        services.import_confirm(actor=user, job_id=job.pk)
        run_job.call(job.pk)
        job.refresh_from_db()
    return job


def errors(job):
    return [(e["row"], e["field"], e["reason"]) for e in job.result["errors"]]


@pytest.fixture
def tagged(world):
    Tag.objects.create(library=TagLibrary.TARGET, name="餐饮服务", region=world.county)
    return world


@pytest.mark.django_db
def test_good_file_imports_with_supervision_tags_and_one_audit_entry(tagged):
    w = tagged
    csv = "\n".join(
        [
            HEADER,
            f"{U1},鹿泉区好味道餐饮有限公司,企业,130110100,获鹿镇1号,H6210,2015-03-02,存续,,B,2026-01-31,餐饮服务",
            f"{U2},鹿泉区张三便利店,个体工商户,130110101,,5292,2020/05/06,,,a,,",
            f"{U_OLD},老字号有限公司,企业,130110,,62,20100101,注销,2024-06-30,,,",
        ]
    )
    job = run(w.a_admin, csv)
    assert job.status == JobStatus.SUCCEEDED, job.result
    assert job.result["written"] == 3
    t1 = Target.objects.get(uscc=U1)
    assert (t1.kind, t1.region_id, t1.industry_id, t1.risk_class, str(t1.founded_on)) == (
        "enterprise",
        "130110100",
        "6210",
        "B",
        "2015-03-02",
    )
    assert t1.industry_code == "6210"  # stored at the level given: the 小类 正餐服务
    assert [t.name for t in t1.tags.all()] == ["餐饮服务"]
    t2 = Target.objects.get(uscc=U2)
    assert (
        t2.kind == "individual"
        and t2.risk_class == "A"
        and str(t2.founded_on) == "2020-05-06"
        and t2.status == "active"
    )
    assert Target.objects.get(uscc=U_OLD).status == "cancelled"
    assert TargetSupervision.objects.filter(department=w.dept_a).count() == 3
    entry = AuditEntry.objects.get(action="target.import")
    assert entry.detail["sha256"] == job.input_sha256 and entry.detail["written"] == 3
    assert entry.actor_id == w.a_admin.pk


@pytest.mark.django_db
def test_retired_region_digits_in_a_code_warn_and_unknown_ones_too(world):
    csv = f"{HEADER}\n{U_OLD},老字号,企业,130110,,,,,,,,\n{U_UNKNOWN},外地,企业,130110,,,,,,,,"
    job = run(world.a_admin, csv)
    assert job.status == JobStatus.SUCCEEDED
    assert job.result["warning_count"] == 2
    warned = {(w["row"], w["field"]): w["reason"] for w in job.result["warnings"]}
    assert "130185" in warned[(2, "统一社会信用代码")] and "已撤销" in warned[(2, "统一社会信用代码")]
    assert "999999" in warned[(3, "统一社会信用代码")] and "不在区划表中" in warned[(3, "统一社会信用代码")]


@pytest.mark.django_db
def test_every_bad_row_listed_and_nothing_saved(tagged):
    w = tagged
    run(w.a_admin, f"{HEADER}\n{U1},已有企业,企业,130110,,,,,,,,")
    before = Target.objects.count()
    bad_check = U2[:-1] + ("0" if U2[-1] != "0" else "1")
    rows = [
        HEADER,
        f"{bad_check},校验位错,企业,130110,,,,,,,,",  # 2
        f"{U2[:-1]},位数不对,企业,130110,,,,,,,,",  # 3
        f"{make_uscc('91130110MA0A00010')},区划不存在,企业,139999,,,,,,,,",  # 4
        f"{make_uscc('91130110MA0A00011')},区划已撤销,企业,130185,,,,,,,,",  # 5
        f"{make_uscc('91130110MA0A00012')},行业不存在,企业,130110,,Z99,,,,,,",  # 6
        f"{make_uscc('91130110MA0A00013')},重复A,企业,130110,,,,,,,,",  # 7
        f"{make_uscc('91130110MA0A00013')},重复B,企业,130110,,,,,,,,",  # 8
        f"{U1},目录中已有,企业,130110,,,,,,,,",  # 9
        f"{make_uscc('91130110MA0A00014')},,企业,130110,,,,,,,,",  # 10: name missing
        f"{make_uscc('91130110MA0A00015')},日期错,企业,130110,,,2020-13-45,,,,,",  # 11
        f"{make_uscc('91130110MA0A00016')},类型错,自然人,130110,,,,,,,,",  # 12
        f"{make_uscc('91130110MA0A00017')},风险错,企业,130110,,,,,,E,,",  # 13
        f"{make_uscc('91130110MA0A00018')},标签错,企业,130110,,,,,,,,不存在的标签",  # 14
        f"{make_uscc('91130110MA0A00019')},外县,企业,130433,,,,,,,,",  # 15
        f"{make_uscc('91130110MA0A00020')},好的一行,企业,130110,,,,,,,,",  # 16
    ]
    job = run(w.a_admin, "\n".join(rows))
    assert job.status == JobStatus.FAILED
    assert "未导入任何数据" in job.message
    got = errors(job)
    expect = {
        (2, "统一社会信用代码", "校验位不符：请对照营业执照核对全部 18 位"),
        (3, "统一社会信用代码", "应为 18 位，实为 17 位"),
        (4, "行政区划代码", "不在区划表中"),
        (5, "行政区划代码", "已撤销"),
        (6, "行业代码", "格式错误"),
        (8, "统一社会信用代码", "与第 7 行重复"),
        (9, "统一社会信用代码", "目录中已有此主体"),
        (10, "名称", "必填"),
        (11, "成立日期", "日期“2020-13-45”不存在"),
        (12, "主体类型", "不是市场主体类型"),
        (13, "信用风险分类", "应为 A、B、C 或 D"),
        (14, "标签", "不在本部门可用的标签库中"),
        (15, "行政区划代码", "不在本辖区内"),
    }
    for row, field, words in expect:
        assert any(r == row and f == field and words in reason for r, f, reason in got), (
            row,
            field,
            words,
            got,
        )
    assert not any(r == 16 for r, _, _ in got)
    assert job.result["error_count"] == len(got) == len(expect)
    assert Target.objects.count() == before


@pytest.mark.django_db
def test_gbk_file_detected_and_wrong_encoding_named(world):
    csv = f"{HEADER}\n{U1},鹿泉区好味道餐饮有限公司,企业,130110,,,,,,,,"
    job = run(world.a_admin, csv.encode("gbk"))
    assert job.status == JobStatus.SUCCEEDED
    Target.objects.all().delete()
    job = run(world.a_admin, csv.encode("gbk"), encoding="utf-8")
    assert job.status == JobStatus.FAILED
    assert "无法按 UTF-8 解码" in job.result["errors"][0]["reason"]
    garbage = b"\xff\xfe\x00\x81\x82" * 10
    job = run(world.a_admin, garbage)
    assert job.status == JobStatus.FAILED and "编码无法识别" in job.message


@pytest.mark.django_db
def test_xlsx_with_date_cells(world):
    import datetime as dt

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER.split(","))
    ws.append(
        [U1, "表格企业", "企业", 130110, None, None, dt.datetime(2019, 7, 1), None, None, "C", None, None]
    )
    buf = io.BytesIO()
    wb.save(buf)
    job = run(world.a_admin, buf.getvalue(), filename="名录.xlsx")
    assert job.status == JobStatus.SUCCEEDED, job.result
    t = Target.objects.get(uscc=U1)
    assert str(t.founded_on) == "2019-07-01" and t.region_id == "130110" and t.risk_class == "C"


@pytest.mark.django_db
def test_missing_header_and_wrong_file_type(world):
    job = run(world.a_admin, "名称,住所\n某企业,某地")
    assert job.status == JobStatus.FAILED
    assert (
        "缺少必填列" in job.result["errors"][0]["reason"]
        and "统一社会信用代码" in job.result["errors"][0]["reason"]
    )
    from shuangsuiji.core.errors import DomainError

    with pytest.raises(DomainError, match="文件类型不支持"):
        services.import_start(
            actor=world.a_admin, kind="target_import", upload=SimpleUploadedFile("x.pdf", b"%PDF"), params={}
        )
    job = run(world.a_admin, b"PK\x03\x04 not really", filename="x.xlsx")
    assert job.status == JobStatus.FAILED and "无法读取 Excel" in job.message


@pytest.mark.django_db
def test_update_by_uscc_changes_only_given_fields(world):
    run(
        world.a_admin,
        f"{HEADER}\n{U1},原名称,企业,130110,原住所,62,2015-03-02,,,B,2025-12-31,\n{U2},二号,个体工商户,130110,,,,,,A,,",
    )
    job = run(
        world.a_admin, f"统一社会信用代码,信用风险分类,分类日期\n{U1},D,2026-02-28\n{U2},c,", mode="update"
    )
    assert job.status == JobStatus.SUCCEEDED, job.result
    t = Target.objects.get(uscc=U1)
    assert (t.name, t.address, t.risk_class, str(t.risk_class_set_on)) == (
        "原名称",
        "原住所",
        "D",
        "2026-02-28",
    )
    assert Target.objects.get(uscc=U2).risk_class == "C"
    job = run(world.a_admin, f"统一社会信用代码,信用风险分类\n{U_UNKNOWN},A", mode="update")
    assert job.status == JobStatus.FAILED and "目录中没有此主体" in job.result["errors"][0]["reason"]


@pytest.mark.django_db
def test_update_records_status_change_date(world):
    run(world.a_admin, f"{HEADER}\n{U1},一号,企业,130110,,,,,,,,")
    run(world.a_admin, f"统一社会信用代码,登记状态,状态变更日期\n{U1},吊销,2026-02-01", mode="update")
    t = Target.objects.get(uscc=U1)
    assert t.status == "revoked" and str(t.status_changed_on) == "2026-02-01"


@pytest.mark.django_db
def test_person_template_stores_only_masked_number(world):
    ric = make_ric("13010219850612123")
    job = run(world.a_admin, f"身份证号,姓名,行政区划代码,地址\n{ric},张三,130110,某村", template="person")
    assert job.status == JobStatus.SUCCEEDED, job.result
    t = Target.objects.get(kind="person")
    assert t.key_display == "1301**********" + ric[-4:]
    assert ric not in (t.nonmarket_key or "") and len(t.nonmarket_key) == 64
    job = run(world.a_admin, f"身份证号,姓名,行政区划代码\n{ric},张三,130110", template="person")
    assert job.status == JobStatus.FAILED and "目录中已有" in job.result["errors"][0]["reason"]
    job = run(world.a_admin, f"身份证号,姓名,行政区划代码\n{ric[:-1]}Y,李四,130110", template="person")
    assert job.status == JobStatus.FAILED and job.result["errors"][0]["field"] == "身份证号"


@pytest.mark.django_db
def test_project_template_keys_by_department_code(world):
    job = run(
        world.a_admin,
        "编码,名称,行政区划代码\nXM-001,道路改造项目,130110\nXM-002,厂房项目,130110",
        template="project",
    )
    assert job.status == JobStatus.SUCCEEDED
    assert set(Target.objects.filter(kind="project").values_list("nonmarket_key", flat=True)) == {
        "XM-001",
        "XM-002",
    }


@pytest.mark.django_db
def test_a_code_with_a_line_break_or_tab_is_refused_naming_the_row(world):
    """The frozen pool file keeps one candidate per line, tab-separated: a key may hold neither."""
    csv = '编码,名称,行政区划代码\nXM-001,道路改造项目,130110\n"XM-\n002",厂房项目,130110\n"XM\t003",仓库项目,130110'
    job = run(world.a_admin, csv, template="project")
    assert job.status == JobStatus.FAILED
    assert [(r, f) for r, f, _ in errors(job)] == [(3, "编码"), (4, "编码")]
    assert "控制字符" in errors(job)[0][2]
    assert not Target.objects.filter(kind="project").exists()


INSPECTOR_HEADER = "姓名,身份证号,业务条线,执法证号,执法证有效期至,专长标签,在岗,专家,联系电话"


@pytest.mark.django_db
def test_inspector_import_and_its_errors(world):
    Tag.objects.create(library=TagLibrary.INSPECTOR, name="食品安全", region=world.county)
    r1, r2 = make_ric("13010219850101123"), make_ric("13010219900202456")
    good = f"{INSPECTOR_HEADER}\n王五,{r1},食品经营监管股,冀001,2028-12-31,食品安全,是,否,13800000000\n赵六,{r2},,冀002,2027-06-30,,否,是,"
    job = run(world.a_admin, good, kind="inspector_import")
    assert job.status == JobStatus.SUCCEEDED, job.result
    w5 = Inspector.objects.get(name="王五")
    assert (
        w5.business_line == world.line_a1
        and w5.on_duty
        and not w5.is_expert
        and [t.name for t in w5.specialties.all()] == ["食品安全"]
    )
    assert w5.id_masked.startswith("1301") and r1 not in w5.id_masked
    assert Inspector.objects.get(name="赵六").is_expert and not Inspector.objects.get(name="赵六").on_duty
    bad = "\n".join(
        [
            INSPECTOR_HEADER,
            f"孙七,{r1},,,,,,,",  # already in the directory
            f"周八,{make_ric('13010219900303789')},不存在的股,,2027-01-01,,,,",
            f"吴九,{make_ric('13010219900404111')},,,2027-99-01,不存在的专长,也许,,",
            "郑十,12345,,,,,,,",
        ]
    )
    job = run(world.a_admin, bad, kind="inspector_import")
    assert job.status == JobStatus.FAILED
    got = errors(job)
    assert (2, "身份证号") in [(r, f) for r, f, _ in got]
    assert (3, "业务条线") in [(r, f) for r, f, _ in got]
    assert {(4, "执法证有效期至"), (4, "专长标签"), (4, "在岗"), (5, "身份证号")} <= {
        (r, f) for r, f, _ in got
    }
    assert Inspector.objects.count() == 2
    job = run(
        world.a_admin,
        f"身份证号,执法证有效期至,在岗\n{r1},2030-01-01,否",
        kind="inspector_import",
        mode="update",
    )
    assert job.status == JobStatus.SUCCEEDED
    w5.refresh_from_db()
    assert str(w5.certificate_expiry) == "2030-01-01" and not w5.on_duty and w5.name == "王五"


@pytest.mark.django_db
def test_only_department_admins_import(world):
    from shuangsuiji.core.errors import Forbidden

    for user in (world.office, world.a_inspector, world.sysadmin, world.auditor):
        with pytest.raises(Forbidden):
            services.import_start(
                actor=user, kind="target_import", upload=SimpleUploadedFile("t.csv", b"x"), params={}
            )


@pytest.mark.django_db(transaction=True)
def test_the_worker_process_runs_a_queued_import(world):
    job = services.import_start(
        actor=world.a_admin,
        kind="target_import",
        upload=SimpleUploadedFile("t.csv", f"{HEADER}\n{U1},一号,企业,130110,,,,,,,,".encode()),
        params={"template": "market", "mode": "create", "encoding": "auto"},
    )
    assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.started_at and job.finished_at
    assert job.result["stage"] == "preview" and not Target.objects.filter(uscc=U1).exists()
    services.import_confirm(actor=world.a_admin, job_id=job.pk)  # the worker writes on 确认导入
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.result["stage"] == "done"
    assert Target.objects.filter(uscc=U1).exists()


@pytest.mark.django_db
def test_a_formula_looking_name_survives_export_and_import(world):
    from shuangsuiji.directory.tabular import csv_line

    line = csv_line([U1, '=HYPERLINK("x")公司', "企业", "130110", "", "", "", "", "", "", "", ""])
    assert line.split(",")[1].startswith("\"'=") or "'=" in line
    job = run(world.a_admin, f"{HEADER}\n{line}")
    assert job.status == JobStatus.SUCCEEDED, job.result
    assert Target.objects.get(uscc=U1).name == '=HYPERLINK("x")公司'


@pytest.mark.django_db
def test_a_refused_file_leaves_no_spool_files(world, tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    job = run(
        world.a_admin,
        f"{HEADER}\n{U1},一号,企业,130110,,,,,,,,".encode("gbk") + b"\xff\xfe\xfd",
        encoding="utf-8",
    )
    assert job.status == JobStatus.FAILED
    assert not list(tmp_path.glob("ssj-*"))


USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXYZIOSVabc -"


@given(st.text(alphabet=USCC_CHARS, min_size=16, max_size=20))
def test_the_import_fast_path_agrees_with_python_stdnum(text):
    """Pass 1 checks canonical codes itself for speed; it must accept exactly what stdnum does."""
    from stdnum.cn import uscc

    from shuangsuiji.core.identifiers import IdentifierError
    from shuangsuiji.directory.importing import _uscc

    try:
        ours = _uscc(text)[0]
    except IdentifierError:
        ours = None
    assert ours == (uscc.validate(text) if uscc.is_valid(text) else None)


@given(
    st.text(alphabet="0123456789", min_size=8, max_size=8),
    st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=9, max_size=9),
)
def test_the_fast_path_accepts_every_valid_code(digits, rest):
    from stdnum.cn import uscc

    from shuangsuiji.directory.importing import _uscc

    code = digits + rest + uscc.calc_check_digit(digits + rest)
    assert _uscc(code) == (code, [])


@pytest.mark.postgres
@pytest.mark.django_db
def test_imports_keep_the_rows_copy_of_supervision(world):
    """PostgreSQL keeps each target's supervising departments on its row for the draw's freeze
    (directory migration 0005): a new import writes it with the row, another department's
    添加监管关系 adds itself (its update file does not: issue 17), and the copy matches the
    supervision table."""
    from django.db import connection

    run(world.a_admin, f"{HEADER}\n{U1},一号,企业,130110,,,,,,B,,\n{U2},二号,个体工商户,130110,,,,,,,,")
    job = run(world.b_admin, f"统一社会信用代码,信用风险分类\n{U1},C", mode="update")
    assert job.status == JobStatus.SUCCEEDED, job.result
    job = run(world.b_admin, f"统一社会信用代码\n{U1}", mode="supervise")
    assert job.status == JobStatus.SUCCEEDED, job.result
    with connection.cursor() as c:
        c.execute("SELECT uscc, supervised_by FROM directory_target ORDER BY uscc")
        copies = dict(c.fetchall())
    table = {
        uscc: sorted(
            TargetSupervision.objects.filter(target__uscc=uscc).values_list("department_id", flat=True)
        )
        for uscc in (U1, U2)
    }
    assert copies == table
    assert table == {U1: sorted([world.dept_a.pk, world.dept_b.pk]), U2: [world.dept_a.pk]}


@given(st.lists(st.text(alphabet=" \t'=+-@a1\0\u3000", max_size=6), max_size=8))
def test_a_rows_cells_are_cleaned_the_same_on_the_fast_path(cells):
    # pass 1 strips a row's cells at once and unescapes only a row where one starts with "'"
    from shuangsuiji.directory.importing import _clean, _cleaned

    assert _cleaned(cells) == [_clean(c) for c in cells]
