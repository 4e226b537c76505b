"""Every cell of seed 003's form for June, over issue 5's scenario (tests/scenario.py)."""

import pytest

from shuangsuiji.reports.monthly import monthly

ROWS = ("total", "internal", "joint", "market", "credit")


@pytest.mark.django_db
def test_every_cell_of_the_june_report(scenario):
    w = scenario
    per_dept, summed, distinct = monthly("130110", 2026, 6)
    got = {d: {k: per_dept[d].rows[k].as_tuple() for k in ROWS} for d in per_dept}
    assert got[w.m] == {
        "total": (4, 24, 19, 4),
        "internal": (3, 18, 13, 3),
        "joint": (1, 6, 6, 1),
        "market": (4, 24, 19, 4),
        "credit": (3, 19, 14, 3),
    }
    assert got[w.h] == {
        "total": (1, 6, 5, 2),
        "internal": (0, 0, 0, 0),
        "joint": (1, 6, 5, 2),
        "market": (1, 6, 5, 2),
        "credit": (1, 6, 5, 2),
    }
    assert got[w.e] == {
        "total": (1, 4, 4, 1),
        "internal": (1, 4, 4, 1),
        "joint": (0, 0, 0, 0),
        "market": (0, 0, 0, 0),
        "credit": (0, 0, 0, 0),
    }
    assert summed.rows["total"].as_tuple() == (6, 34, 28, 7)
    assert distinct.rows["total"].as_tuple() == (5, 28, 22, 6)


@pytest.mark.django_db
def test_cumulative_to_the_months_end(scenario):
    per_dept, summed, _ = monthly("130110", 2026, 5)  # drawn in June: nothing yet in May
    assert summed.rows["total"].as_tuple() == (0, 0, 0, 0) and not per_dept


@pytest.mark.django_db
def test_department_fills_submits_and_exports_the_form(scenario, client_for):
    import io

    import openpyxl
    from django.urls import reverse

    from shuangsuiji.core.models import AuditEntry
    from shuangsuiji.reports.models import MonthlySubmission

    w = scenario
    url = reverse("reports:monthly") + "?year=2026&month=6"
    c = client_for(w.a_admin)
    page = c.get(url).content.decode()
    assert "市场监督管理局" in page and "河北双随机执法监管平台" in page
    bad = {f"internal_{i}": v for i, v in enumerate(["1", "2", "5", "0"])}
    c.post(url, {**bad, "action": "save"})
    assert not MonthlySubmission.objects.exists()  # finished > households: refused, nothing saved
    other = {f"internal_{i}": v for i, v in enumerate(["2", "10", "8", "1"])}
    c.post(url, {**other, "contact": "张三", "phone": "0311-8000000", "action": "submit"})
    sub = MonthlySubmission.objects.get(department=w.m, year=2026, month=6)
    assert (
        sub.other_platform["internal"] == [2, 10, 8, 1] and sub.submitted_at and sub.submitted_by == w.a_admin
    )
    assert sub.snapshot["total"] == [4, 24, 19, 4]
    assert AuditEntry.objects.filter(action="report.submit").count() == 1
    wb = openpyxl.load_workbook(io.BytesIO(c.get(url + "&format=xlsx").content))
    ws = wb.active
    values = [[ws.cell(row=r, column=col).value for col in range(4, 8)] for r in range(6, 11)]
    assert values == [[4, 24, 19, 4], [3, 18, 13, 3], [1, 6, 6, 1], [4, 24, 19, 4], [3, 19, 14, 3]]
    assert [ws.cell(row=11, column=col).value for col in range(4, 8)] == [2, 10, 8, 1]
    assert "市场监督管理局" in ws["A3"].value
    # The office sees the jurisdiction (both counts) and who has submitted
    office_page = client_for(w.office).get(url).content.decode()
    assert (
        "每个任务和对象只计一次" in office_page
        and sub.submitted_at.astimezone().strftime("%Y-%m-%d") in office_page
    )
    # Another department's admin cannot fill department M's form
    assert client_for(w.b_admin).get(url).status_code == 200  # sees its own
    assert "卫生健康局" in client_for(w.b_admin).get(url).content.decode()
