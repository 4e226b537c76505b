"""The KPIs derived from issue 5's scenario (R-PLAN-2, R-RPT-2): every figure for the jurisdiction
and each department, the colours at chosen dates, and the drill-down lists behind the figures."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from shuangsuiji.reports import drill, kpi
from shuangsuiji.reports.tests.kpi_scenario import ON_FILE_EXTRA, build_kpi_scenario

D = dt.date
NOVEMBER = D(2026, 11, 23)


@pytest.fixture
def kpi_world(scenario, monkeypatch):
    return build_kpi_scenario(scenario, monkeypatch)


def _figures(board):
    return {
        (c.department.name if c.department else "全辖区"): {
            k: (f.numerator, f.denominator) for k, f in c.figures.items()
        }
        for c in board.columns
    }


def _colours(board):
    return {
        (c.department.name if c.department else "全辖区"): {k: f.colour for k, f in c.figures.items()}
        for c in board.columns
    }


@pytest.mark.django_db
def test_kpis_and_colours_of_the_scenario(kpi_world):
    w = kpi_world
    on_file = 22 + ON_FILE_EXTRA  # the founded-later and the cancelled-before do not count
    june = kpi.dashboard(w.county, 2026, 6, NOVEMBER, [w.m, w.h, w.e])
    assert june.as_of == D(2026, 6, 30) and june.on_file == on_file
    got = _figures(june)
    assert got["全辖区"] == {
        "coverage": (22, on_file),  # T1 10 + T2 3 + T3 6 + T5 3 enterprises (个体工商户 are not 企业)
        "joint_task_share": (1, 5),  # each task once
        "joint_household_share": (6, 28),
        "credit_share": (3, 5),  # T1, T3, T5
        "publicity_on_time": (0, 0),  # nothing due before 2026-07-17
        "followup_rate": (0, 2),  # the two T1 problems, found on 06-20, disposed later
        "discovery_rate": (7, 28),  # each department's part
    }
    assert got[w.m.name] == {
        "coverage": (22, on_file),
        "joint_task_share": (1, 4),
        "joint_household_share": (6, 24),
        "credit_share": (3, 4),
        "publicity_on_time": (0, 0),
        "followup_rate": (0, 2),
        "discovery_rate": (4, 19),
    }
    assert got[w.h.name] == {
        "coverage": (6, on_file),
        "joint_task_share": (1, 1),
        "joint_household_share": (6, 6),
        "credit_share": (1, 1),
        "publicity_on_time": (0, 0),
        "followup_rate": (0, 0),
        "discovery_rate": (2, 5),
    }
    assert got[w.e.name] == {
        "coverage": (0, on_file),
        "joint_task_share": (0, 1),
        "joint_household_share": (0, 4),
        "credit_share": (0, 1),
        "publicity_on_time": (0, 0),
        "followup_rate": (0, 0),
        "discovery_rate": (1, 4),
    }
    # June 30: pace = goal × 181/365. Coverage 22% vs 30% (pace 14.9%) is amber; the
    # jurisdiction's joint task share 20% vs 45% (pace 22.3%) is red, M's 25% amber, H's 100% green.
    c = _colours(june)
    assert c["全辖区"] == {
        "coverage": "amber",
        "joint_task_share": "red",
        "joint_household_share": "amber",
        "credit_share": "amber",
        "publicity_on_time": "none",
        "followup_rate": "red",
        "discovery_rate": "none",
    }
    assert c[w.m.name]["joint_task_share"] == "amber" and c[w.h.name]["joint_task_share"] == "green"
    assert c[w.e.name]["credit_share"] == "red" and c[w.h.name]["coverage"] == "red"

    # August: six of T1's results published on time (07-01), two late (08-10); one problem disposed
    aug = kpi.dashboard(w.county, 2026, 8, NOVEMBER, [w.m, w.h, w.e])
    got = _figures(aug)
    assert got["全辖区"]["publicity_on_time"] == (6, 28)
    assert got[w.m.name]["publicity_on_time"] == (6, 19)
    assert got[w.h.name]["publicity_on_time"] == (0, 5) and got[w.e.name]["publicity_on_time"] == (0, 4)
    assert got["全辖区"]["followup_rate"] == got[w.m.name]["followup_rate"] == (1, 2)
    assert got["全辖区"]["joint_task_share"] == (1, 5)  # cumulative: unchanged since June

    # The year's end: what was amber in June and is still short is red; met stays green.
    dec = _colours(kpi.dashboard(w.county, 2026, 12, D(2027, 1, 10), [w.m, w.h]))
    assert dec["全辖区"]["coverage"] == "red" and dec[w.m.name]["joint_task_share"] == "red"
    assert dec[w.h.name]["joint_task_share"] == "green"


def test_colour_rule():
    g = Decimal("0.45")
    assert kpi.colour(Decimal("0.45"), g, D(2026, 3, 1)) == "green"
    assert kpi.colour(Decimal("0.30"), g, D(2026, 6, 30)) == "amber"  # pace 0.2232
    assert kpi.colour(Decimal("0.20"), g, D(2026, 6, 30)) == "red"
    assert kpi.colour(Decimal("0.44"), g, D(2026, 12, 31)) == "red"  # missed at the year's end
    assert kpi.colour(Decimal("0.449"), g, D(2026, 12, 30)) == "amber"  # pace 0.4488
    assert (
        kpi.colour(None, g, D(2026, 6, 30)) == "none"
        and kpi.colour(Decimal(1), None, D(2026, 6, 1)) == "none"
    )


@pytest.mark.django_db
def test_drill_down_lists_match_the_figures(kpi_world, client_for):
    w = kpi_world
    board = kpi.dashboard(w.county, 2026, 8, NOVEMBER, [w.m, w.h, w.e])
    for col in board.columns:
        for key, fig in col.figures.items():
            listing = drill.kpi_listing(w.county, 2026, 8, NOVEMBER, col.department, key, "")
            assert (listing.numerator, listing.denominator) == (fig.numerator, fig.denominator), (
                col.name,
                key,
            )
            if key == "coverage":
                assert listing.queryset.count() == fig.numerator
                continue
            assert listing.queryset.count() == fig.denominator
            ins = drill.kpi_listing(w.county, 2026, 8, NOVEMBER, col.department, key, "in").queryset
            out = drill.kpi_listing(w.county, 2026, 8, NOVEMBER, col.department, key, "out").queryset
            assert (ins.count(), out.count()) == (fig.numerator, fig.denominator - fig.numerator)
    # The page: the office drills into the jurisdiction's red joint task share
    c = client_for(w.office)
    page = c.get(reverse("reports:dashboard") + "?year=2026&month=6").content.decode()
    url = reverse("reports:kpi_drill", args=["joint_task_share"]) + "?year=2026&amp;month=6"
    assert url in page and 'data-colour="red"' in page and "<svg" in page and "<title" in page
    body = c.get(url.replace("&amp;", "&") + "&show=out").content.decode()
    assert "分母 <strong data-denominator>5</strong>" in body.replace("\n", "")
    for name in ("T1", "T2", "T4", "T5"):
        assert f"<td>{name}</td>" in body
    assert "<td>T3</td>" not in body  # the joint one is in the numerator, not in “其他任务”
    late = c.get(
        reverse("reports:kpi_drill", args=["publicity_on_time"])
        + f"?year=2026&month=8&department={w.m.pk}&show=out"
    ).content.decode()
    assert late.count('<span class="tag bad">') == 13  # 19 due, 6 on time


@pytest.mark.django_db
def test_dashboard_scope(scenario, client_for):
    w = scenario
    url = reverse("reports:dashboard") + "?year=2026&month=6"
    office = client_for(w.office).get(url).content.decode()
    assert all(d.name in office for d in (w.m, w.h, w.e)) and "全辖区" in office
    mine = client_for(w.a_admin).get(url)
    assert mine.status_code == 200
    text = mine.content.decode()
    assert w.m.name in text and w.h.name not in text.split("<table", 1)[1]
    drill_h = reverse("reports:kpi_drill", args=["coverage"]) + f"?year=2026&month=6&department={w.h.pk}"
    assert client_for(w.a_admin).get(drill_h).status_code == 404
    assert client_for(w.far_admin).get(drill_h).status_code == 404
    assert client_for(w.office).get(drill_h).status_code == 200
    assert client_for(w.a_reviewer).get(url).status_code == 200
    for user in (w.a_inspector, w.sysadmin, w.auditor):
        assert client_for(user).get(url).status_code == 403
    assert (
        client_for(w.office).get(reverse("reports:kpi_drill", args=["nope"]) + "?year=2026").status_code
        == 404
    )
