"""Role × page for the reports pages (STYLE.md 4): every standing actor against every new URL,
one world for the whole table. The same rows are handed to the project's permission matrix."""

import pytest
from django.test import Client
from django.urls import reverse

from conftest import ACTORS
from shuangsuiji.reports import services

# method, path (placeholders filled below), data, answers in ACTORS order
ROWS = [
    ("GET", "/reports/dashboard/", None, [302, 200, 200, 200, 403, 200, 403, 403, 403, 200]),
    ("GET", "/reports/dashboard/coverage/", None, [302, 200, 200, 200, 403, 200, 403, 403, 403, 200]),
    (
        "GET",
        "/reports/dashboard/coverage/?department={dept_a}",
        None,
        [302, 200, 200, 200, 403, 404, 403, 403, 403, 404],
    ),
    ("GET", "/reports/dashboard/no-such-kpi/", None, [302, 404, 404, 404, 403, 404, 403, 403, 403, 404]),
    ("GET", "/reports/assessment/", None, [302, 200, 200, 200, 403, 200, 403, 403, 403, 200]),
    ("GET", "/reports/estimates/", None, [302, 200, 200, 200, 403, 200, 403, 403, 403, 200]),
    (
        "GET",
        "/reports/assessment/{dept_a}/unpublished/",
        None,
        [302, 200, 200, 200, 403, 404, 403, 403, 403, 404],
    ),
    ("GET", "/reports/submissions/", None, [302, 200, 200, 200, 403, 200, 403, 403, 403, 200]),
    (
        "GET",
        "/reports/submissions/monthly/{a_monthly}/",
        None,
        [302, 200, 200, 200, 403, 404, 403, 403, 403, 404],
    ),
    ("GET", "/reports/quarterly/", None, [302, 200, 200, 200, 403, 200, 403, 403, 403, 200]),
    (
        "POST",
        "/reports/quarterly/",
        {"quarter": "1", "text": "进展"},
        [302, 403, 302, 302, 403, 302, 403, 403, 403, 302],
    ),
    ("GET", "/reports/quarterly/{a_quarterly}/", None, [302, 200, 200, 200, 403, 404, 403, 403, 403, 404]),
    ("GET", "/reports/schedule/", None, [302, 200, 403, 403, 403, 403, 403, 403, 403, 403]),
    # 规则对照 (issue 21): the office and the auditor
    ("GET", "/reports/rules/", None, [302, 200, 403, 403, 403, 403, 403, 403, 200, 403]),
    ("GET", "/reports/rules/?year=2027", None, [302, 200, 403, 403, 403, 403, 403, 403, 200, 403]),
    ("POST", "/reports/rules/", {}, [302, 405, 403, 403, 403, 403, 403, 403, 405, 403]),
]


@pytest.mark.django_db
def test_reports_permission_matrix(world):
    w = world
    monthly = services.monthly_submit(actor=w.a_admin, department=w.dept_a, year=2026, month=1)
    quarterly = services.quarterly_submit(
        actor=w.a_admin, department=w.dept_a, year=2026, quarter=1, text="一季度"
    )
    fill = {"dept_a": w.dept_a.pk, "a_monthly": monthly.pk, "a_quarterly": quarterly.pk}
    assert reverse("reports:dashboard") == "/reports/dashboard/"
    wrong = []
    for method, path, data, answers in ROWS:
        url = path.format(**fill)
        for actor, expected in zip(ACTORS, answers, strict=True):
            c = Client()
            if actor != "anonymous":
                c.force_login(getattr(w, actor))
            r = c.post(url, data) if method == "POST" else c.get(url)
            if r.status_code != expected:
                wrong.append(f"{method} {url} {actor}: {r.status_code} ≠ {expected}")
    assert not wrong, "\n".join(wrong)
