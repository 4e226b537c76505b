"""Issue 17: the .xlsx templates teach (code columns as text, drop-down lists of the allowed
values, an example that is never imported, a notes sheet), a refused import's full error list
downloads as .xlsx, and a job's progress reads done / total and a percentage."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import make_uscc
from shuangsuiji.core.models import Job, JobStatus
from shuangsuiji.core.tasks import run_job
from shuangsuiji.directory import importing, services
from shuangsuiji.directory.import_templates import (
    DATA_SHEET,
    EXAMPLE_SHEET,
    NOTES_SHEET,
    TEXT_COLUMNS,
    allowed_values,
)
from shuangsuiji.directory.jobs import INSPECTOR_COLUMNS, ITEM_COLUMNS
from shuangsuiji.directory.models import MARKET_KINDS, RegistrationStatus, RiskClass, Tag, TagLibrary, Target
from shuangsuiji.directory.tabular import count_rows

HEADER = "统一社会信用代码*,名称*,主体类型*,行政区划代码*,住所,行业代码,成立日期,登记状态,状态变更日期,信用风险分类,分类日期,标签"

TEMPLATE_URLS = [
    ("/directory/targets/template/market.xlsx", importing.MARKET_COLUMNS),
    ("/directory/targets/template/person.xlsx", importing.PERSON_COLUMNS),
    ("/directory/targets/template/product.xlsx", importing.CODED_COLUMNS),
    ("/directory/inspectors/template.xlsx", INSPECTOR_COLUMNS),
    ("/directory/items/template.xlsx", ITEM_COLUMNS),
]


def workbook(resp) -> openpyxl.Workbook:
    assert resp.status_code == 200, resp.content[:300]
    return openpyxl.load_workbook(
        io.BytesIO(b"".join(resp.streaming_content) if resp.streaming else resp.content)
    )


def column_letter(ws, header: str) -> str:
    for cell in ws[1]:
        if importing.header_key(cell.value) == header:
            return cell.column_letter
    raise AssertionError(f"{header} not in the header")


def validation_for(ws, letter: str):
    """The list validation covering row 2 of a column."""
    for dv in ws.data_validations.dataValidation:
        if dv.type == "list" and f"{letter}2" in dv.sqref:
            return dv
    return None


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "columns"), TEMPLATE_URLS)
def test_template_formats_code_columns_as_text_and_lists_every_column(world, client_for, url, columns):
    wb = workbook(client_for(world.a_admin).get(url))
    assert wb.sheetnames == [DATA_SHEET, EXAMPLE_SHEET, NOTES_SHEET]
    data = wb[DATA_SHEET]
    assert [c.value for c in data[1]] == importing.template_header(columns)
    text_columns = [c.header for c in columns if c.header in TEXT_COLUMNS]
    assert text_columns  # every template has at least one code column
    for header in text_columns:
        letter = column_letter(data, header)
        assert data[f"{letter}2"].number_format == "@", header
        assert data[f"{letter}500"].number_format == "@", header
        assert data.column_dimensions[letter].number_format == "@", header
    # a free-text column stays General
    free = next(c.header for c in columns if c.header in ("名称", "姓名", "事项名称"))
    assert data[f"{column_letter(data, free)}2"].number_format == "General"
    # the notes sheet lists every column: required or not, the format, its other names
    notes = wb[NOTES_SHEET]
    listed = {r[0]: r for r in notes.iter_rows(min_row=5, values_only=True) if r[0]}
    assert set(listed) == {c.header for c in columns}
    for c in columns:
        row = listed[c.header]
        assert row[1] == ("是" if c.required else "否")
        if c.note:
            assert c.note in row[2]
        if c.header in TEXT_COLUMNS:
            assert "文本" in row[2]
        for alias in c.aliases:
            assert alias in row[4]
    # a column's note rides on its header cell too
    for c in columns:
        if c.note:
            assert c.note in data[f"{column_letter(data, c.header)}1"].comment.text


@pytest.mark.django_db
def test_market_template_lists_the_allowed_values_the_importer_maps(world, client_for):
    wb = workbook(client_for(world.a_admin).get("/directory/targets/template/market.xlsx"))
    data = wb[DATA_SHEET]
    for header, labels, table in (
        ("主体类型", [k.label for k in MARKET_KINDS], importing.KIND_BY_LABEL),
        ("登记状态", [label for _, label in RegistrationStatus.choices], importing.STATUS_BY_LABEL),
        ("信用风险分类", [label for _, label in RiskClass.choices], importing.RISK_BY_LABEL),
    ):
        dv = validation_for(data, column_letter(data, header))
        assert dv is not None, header
        offered = dv.formula1.strip('"').split(",")
        assert offered == labels
        # each offered value is one the importer understands
        assert all(importing.coded(table, v) for v in offered)
        letter = column_letter(data, header)
        assert str(dv.sqref) == f"{letter}2:{letter}1001"
    # no list on a free column
    assert validation_for(data, column_letter(data, "名称")) is None
    notes = {r[0]: r for r in wb[NOTES_SHEET].iter_rows(min_row=5, values_only=True) if r[0]}
    assert "A类（低风险）" in notes["信用风险分类"][3] and "低风险" in notes["信用风险分类"][3]
    assert "在营" in notes["登记状态"][3]


@pytest.mark.django_db
def test_inspector_and_item_templates_list_yes_no_and_item_kinds(world, client_for):
    client = client_for(world.a_admin)
    data = workbook(client.get("/directory/inspectors/template.xlsx"))[DATA_SHEET]
    for header in ("在岗", "专家"):
        assert validation_for(data, column_letter(data, header)).formula1 == '"是,否"'
    data = workbook(client.get("/directory/items/template.xlsx"))[DATA_SHEET]
    dv = validation_for(data, column_letter(data, "事项类别"))
    assert dv.formula1.strip('"').split(",") == allowed_values("事项类别") == ["一般检查事项", "重点检查事项"]


def _as_upload(wb: openpyxl.Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _import(user, content: bytes, filename: str) -> Job:
    job = services.import_start(
        actor=user,
        kind="target_import",
        upload=SimpleUploadedFile(filename, content),
        params={"template": "market", "mode": "create", "encoding": "auto", "stage": "write"},
    )
    run_job.call(job.pk)
    job.refresh_from_db()
    return job


@pytest.mark.django_db
def test_the_example_is_never_imported_and_is_a_valid_row(world, client_for):
    Tag.objects.create(library=TagLibrary.TARGET, name="餐饮服务", region=world.county)
    raw = b"".join(client_for(world.a_admin).get("/directory/targets/template/market.xlsx"))
    # sent back as downloaded (example sheet included): no data row, nothing imported
    job = _import(world.a_admin, raw, "模板.xlsx")
    assert job.status == JobStatus.FAILED and job.result["rows"] == 0
    assert not Target.objects.exists()
    # the example row, copied onto the data sheet, imports as it is
    wb = openpyxl.load_workbook(io.BytesIO(raw))
    example = [c.value for c in wb[EXAMPLE_SHEET][2]]
    for i, value in enumerate(example, 1):
        wb[DATA_SHEET].cell(row=2, column=i, value=value)
    job = _import(world.a_admin, _as_upload(wb), "模板.xlsx")
    assert job.result.get("error_count") == 0, job.result
    assert job.status != JobStatus.FAILED  # written, or waiting at the preview for confirmation
    assert job.result["rows"] == 1


def _bad_rows(n: int) -> tuple[str, list[list[str]]]:
    rows = []
    for i in range(n):
        good = make_uscc(f"91130110MA0B{i:05d}")
        bad = good[:-1] + ("0" if good[-1] != "0" else "1")  # a wrong check character
        rows.append([bad, f"企业{i:03d}", "企业", "130110", f"获鹿镇{i}号", "", "", "", "", "", "", ""])
    return "\n".join([HEADER, *(",".join(r) for r in rows)]), rows


@pytest.mark.django_db
def test_full_error_list_downloads_every_refused_row_with_its_reason(world, client_for):
    text, rows = _bad_rows(600)
    job = _import(world.a_admin, text.encode("utf-8"), "县里的台账.csv")
    assert job.status == JobStatus.FAILED
    assert job.result["error_count"] == 600
    assert len(job.result["errors"]) == importing.MAX_LISTED_ERRORS  # the page lists the first 500
    assert job.result["error_file_rows"] == 600

    client = client_for(world.a_admin)
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert f"/jobs/{job.pk}/output/" in page and "下载完整错误清单" in page

    resp = client.get(f"/jobs/{job.pk}/output/")
    assert resp.status_code == 200
    assert resp["Content-Disposition"].startswith("attachment")
    ws = workbook(resp).active
    got = list(ws.iter_rows(values_only=True))
    assert list(got[0]) == ["行号", "错误原因", *HEADER.split(",")]
    assert len(got) - 1 == 600
    for n, (line, original) in enumerate(zip(got[1:], rows, strict=True), start=2):
        assert line[0] == n  # the row as Excel numbers it in the refused file
        assert "【统一社会信用代码】" in line[1] and "校验位" in line[1]
        assert [("" if v is None else str(v)) for v in line[2:]] == original


@pytest.mark.django_db
def test_error_list_holds_only_refused_rows_with_all_their_reasons(world, client_for):
    ok = make_uscc("91130110MA0C00001")
    lines = [
        HEADER,
        f"{ok},好的一行,企业,130110,,,,,,,,",  # 2
        f"{make_uscc('91130110MA0C00002')},,企业,139999,,,,,,,,",  # 3: two errors
        f"{make_uscc('91130110MA0C00003')},风险错,企业,130110,,,,,,E,,",  # 4
    ]
    job = _import(world.a_admin, ("县级台账\n" + "\n".join(lines)).encode("utf-8"), "t.csv")
    assert job.status == JobStatus.FAILED
    got = list(workbook(client_for(world.a_admin).get(f"/jobs/{job.pk}/output/")).active.values)
    assert got[0][2:4] == ("统一社会信用代码*", "名称*")  # the header below the title row
    assert [r[0] for r in got[1:]] == [4, 5]  # numbered as the file is, title row included
    assert "【名称】" in got[1][1] and "【行政区划代码】" in got[1][1]
    assert "【信用风险分类】" in got[2][1]


@pytest.mark.django_db
def test_error_list_only_for_those_who_may_see_the_job(world, client_for):
    text, _ = _bad_rows(3)
    job = _import(world.a_admin, text.encode("utf-8"), "t.csv")
    assert job.output_file
    assert client_for(world.b_admin).get(f"/jobs/{job.pk}/output/").status_code == 404
    assert client_for(world.far_admin).get(f"/jobs/{job.pk}/output/").status_code == 404
    assert client_for(world.a_inspector).get(f"/jobs/{job.pk}/output/").status_code == 403
    assert client_for(world.office).get(f"/jobs/{job.pk}/output/").status_code == 200  # as the job page


@pytest.mark.django_db
def test_no_error_list_for_a_file_level_problem(world, client_for):
    job = _import(world.a_admin, "名称,住所\n甲,乙\n".encode(), "t.csv")
    assert job.status == JobStatus.FAILED
    assert not job.output_file and "error_file_rows" not in job.result
    assert client_for(world.a_admin).get(f"/jobs/{job.pk}/output/").status_code == 404
    assert "下载完整错误清单" not in client_for(world.a_admin).get(f"/jobs/{job.pk}/").content.decode()


@pytest.mark.django_db
def test_small_import_keeps_its_error_list_too(world, client_for):
    text = "姓名*,身份证号*\n张三,130110198503150210\n李四,abc\n"
    job = services.import_start(
        actor=world.a_admin,
        kind="inspector_import",
        upload=SimpleUploadedFile("人员.csv", text.encode()),
        params={"mode": "create", "encoding": "auto"},
    )
    run_job.call(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.result["error_file_rows"] == 2
    got = list(workbook(client_for(world.a_admin).get(f"/jobs/{job.pk}/output/")).active.values)
    assert [r[0] for r in got[1:]] == [2, 3] and got[2][2:] == ("李四", "abc")
    assert job.total == 2 and job.done == 2


@pytest.mark.django_db
def test_progress_shows_done_of_total_and_a_percentage(world, client_for):
    text, _ = _bad_rows(600)
    job = _import(world.a_admin, text.encode("utf-8"), "t.csv")
    assert job.total == 600 and job.done == 600  # the total counted before pass 1
    running = Job.objects.create(
        kind="target_import",
        title="检查对象导入：大文件.csv",
        department=world.dept_a,
        created_by=world.a_admin,
        status=JobStatus.RUNNING,
        done=250,
        total=1000,
    )
    page = client_for(world.a_admin).get(f"/jobs/{running.pk}/", headers={"HX-Request": "true"})
    html = page.content.decode()
    assert "已处理 250 / 1000 行（25%）" in html
    assert 'max="1000" value="250"' in html


def test_count_rows_is_cheap_and_near(tmp_path):
    csv = tmp_path / "a.csv"
    csv.write_text("h1,h2\n1,2\n3,4", encoding="utf-8")  # no final line break
    assert count_rows(csv, "a.csv") == 3
    wb = openpyxl.Workbook()
    for i in range(5):
        wb.active.append([i, i])
    xlsx = tmp_path / "a.xlsx"
    wb.save(xlsx)
    assert count_rows(xlsx, "a.xlsx") == 5
    (tmp_path / "bad.xlsx").write_bytes(b"not a workbook")
    assert count_rows(tmp_path / "bad.xlsx", "bad.xlsx") is None
