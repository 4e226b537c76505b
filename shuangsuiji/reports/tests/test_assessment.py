"""督查考核 (R-RPT-2, R-ADM-5) over the scenario carried into August: each count, the score by the
formula shown, the drill-down behind each count, and scope."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from shuangsuiji.planning.models import PlanVersion
from shuangsuiji.reports import assessment, selectors, services
from shuangsuiji.reports.tests.kpi_scenario import build_kpi_scenario

D = dt.date
AUG31 = D(2026, 8, 31)


@pytest.fixture
def kpi_world(scenario, monkeypatch):
    return build_kpi_scenario(scenario, monkeypatch)


def _schedule(w, *, plan_publish_by, **weights):
    base = {a: getattr(selectors.schedule_for(w.county, 2026), a) for a in services.SCHEDULE_WEIGHTS}
    return services.schedule_save(
        actor=w.office,
        year=2026,
        monthly_due_day=20,
        dates={
            "q1_due": D(2026, 3, 23),
            "q2_due": D(2026, 6, 22),
            "q3_due": D(2026, 9, 25),
            "q4_due": D(2026, 12, 21),
            "plan_publish_by": plan_publish_by,
        },
        weights=base | weights,
    )


@pytest.mark.django_db
def test_counts_score_and_drill_downs(kpi_world, client_for):
    w = kpi_world
    published = PlanVersion.objects.get(plan=w.plans[w.m], number=1).published_at.astimezone().date()
    # The plans went public the day the scenario was built, after the deadline of 03-31; H has no
    # plan of its own at all.
    _schedule(w, plan_publish_by=D(2026, 3, 31), w_careless="4")
    rows, weights = assessment.assess(w.county, 2026, AUG31, [w.m, w.h, w.e])
    got = {r.department: r.counts for r in rows}
    assert got[w.m] == {
        "late_result": 2,  # published 08-10, due 07-17
        "unpublished": 11,  # 19 finished, 8 published
        "overdue_followup": 1,  # t1[1]'s entry: no disposition by its due date (t1[0]'s is due 09-30)
        "plan_late": 1,
        "voided": 1,  # T5's first draw
        "careless": 0,
    }
    assert got[w.h] == {
        "late_result": 0,
        "unpublished": 5,
        "overdue_followup": 0,
        "plan_late": 1,
        "voided": 0,
        "careless": 0,
    }
    assert got[w.e]["unpublished"] == 4 and got[w.e]["plan_late"] == 1
    scores = {r.department: r.score for r in rows}
    m = got[w.m]
    assert scores[w.m] == Decimal(100) - (
        m["late_result"] * 1 + m["unpublished"] * 2 + m["overdue_followup"] * 2 + 5 + 3
    )
    assert scores[w.h] == Decimal(100 - 5 * 2 - 5)
    assert weights["careless"] == Decimal("4")
    # On time when the deadline is the publication day itself
    _schedule(w, plan_publish_by=published)
    rows, _ = assessment.assess(w.county, 2026, published + dt.timedelta(days=1), [w.m, w.h])
    assert {r.department: r.counts["plan_late"] for r in rows} == {w.m: 0, w.h: 1}

    # The page shows the formula, and every count drills down to as many records
    c = client_for(w.office)
    page = c.get(reverse("reports:assessment") + f"?year=2026&as_of={AUG31:%Y-%m-%d}").content.decode()
    assert "得分 = 100 − 1×逾期公示结果 − 2×逾期未公示结果" in page
    rows, _ = assessment.assess(w.county, 2026, AUG31, [w.m, w.h, w.e])
    for r in rows:
        for key, n in r.counts.items():
            url = reverse("reports:assessment_drill", args=[r.department.pk, key])
            body = c.get(url + f"?year=2026&as_of={AUG31:%Y-%m-%d}").content.decode()
            assert f"<strong data-total>{n}</strong>" in body, (r.department, key)
    voided = c.get(
        reverse("reports:assessment_drill", args=[w.m.pk, "voided"]) + "?year=2026"
    ).content.decode()
    assert "范围设置错误" in voided  # the void's recorded reason


@pytest.mark.django_db
def test_assessment_scope(scenario, client_for):
    w = scenario
    url = reverse("reports:assessment") + "?year=2026"
    office = client_for(w.office).get(url).content.decode()
    assert all(f'data-department="{d.pk}"' in office for d in (w.m, w.h, w.e))
    own = client_for(w.a_admin).get(url).content.decode()
    assert f'data-department="{w.m.pk}"' in own and f'data-department="{w.h.pk}"' not in own
    other = reverse("reports:assessment_drill", args=[w.h.pk, "unpublished"]) + "?year=2026"
    assert client_for(w.a_admin).get(other).status_code == 404
    assert client_for(w.far_admin).get(other).status_code == 404
    assert client_for(w.b_admin).get(other).status_code == 200
    assert client_for(w.b_inspector).get(other).status_code == 403
    assert (
        client_for(w.office).get(reverse("reports:assessment_drill", args=[w.h.pk, "bogus"])).status_code
        == 404
    )
