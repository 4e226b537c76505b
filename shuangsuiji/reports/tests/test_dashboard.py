"""The dashboard that compares (issue 18): departments as rows with the name column kept in view,
cells coloured by each KPI's status and saying it in words, and a ranked bar chart per KPI."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.reports import charts, kpi, selectors
from shuangsuiji.reports.tests.kpi_scenario import build_kpi_scenario

D = Decimal


def _bars(svg: str) -> list[tuple[str, str]]:
    """(label, fill) of each bar, top to bottom, read from the bars' own <title>."""
    return [(m[1], m[0]) for m in re.findall(r'<rect [^>]*fill="(#\w+)"><title>([^：<]+)：', svg)]


def test_ranked_bars_put_the_best_first_and_the_unmeasured_last():
    svg = charts.ranked_bars(
        [
            {"label": "乙局", "value": D("0.2"), "colour": "red"},
            {"label": "甲局", "value": None, "colour": "none"},
            {"label": "丙局", "value": D("0.45"), "colour": "green"},
            {"label": "丁局", "value": D("0.3"), "colour": "amber"},
        ],
        goal=D("0.4"),
        pace=D("0.35"),
        title="联合抽查次数占比：各部门排名",
        ident="rank-x",
    )
    ranks = re.findall(r'text-anchor="end" font-size="12" fill="#1f2933">(\d+)\. (\S+)</text>', svg)
    assert ranks == [("1", "丙局"), ("2", "丁局"), ("3", "乙局"), ("4", "甲局")]
    assert _bars(svg) == [
        ("丙局", charts.COLOURS["green"]),
        ("丁局", charts.COLOURS["amber"]),
        ("乙局", charts.COLOURS["red"]),
    ]  # no bar for 甲局, which says 无数据 instead
    assert "4. 甲局</text>" in svg and "无数据" in svg
    assert 'data-line="goal"' in svg and 'data-line="pace"' in svg
    assert "<title" in svg and "第1名 丙局 45.0%" in svg  # the same numbers for a screen reader


def test_ranked_bars_scale_to_the_figures_so_small_rates_differ():
    """A 4 % coverage against a 3 % goal is drawn on a 0–5 % axis, not a 0–100 % one."""
    svg = charts.ranked_bars(
        [
            {"label": "甲局", "value": D("0.044"), "colour": "green"},
            {"label": "乙局", "value": D("0.002"), "colour": "red"},
        ],
        goal=D("0.03"),
        pace=None,
        title="抽查企业覆盖率",
        ident="rank-c",
    )
    assert ">5%</text>" in svg and 'data-line="pace"' not in svg
    widths = [float(w) for w in re.findall(r'<rect [^>]*width="([\d.]+)" height="14"', svg)]
    assert widths[0] > 0.8 * 354 and widths[1] < 0.05 * 354  # 354 px = the bars' span
    assert charts._scale(0.0) == 0.05 and charts._scale(0.856) == 0.9 and charts._scale(1.0) == 1.0


@pytest.mark.django_db
def test_office_compares_departments_in_rows(scenario, monkeypatch, client_for):
    w = build_kpi_scenario(scenario, monkeypatch)
    page = client_for(w.office).get(reverse("reports:dashboard") + "?year=2026&month=6").content.decode()
    departments = list(selectors.reporting_departments(w.office))
    board = kpi.dashboard(w.county, 2026, 6, timezone.localdate(), departments)
    table = page.split('<table class="compare">', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<tr data-department="(\w+)">\s*<th scope="row" class="sticky">([^<]+)</th>', table)
    assert [name for _, name in rows] == [c.name for c in board.columns]
    assert rows[0] == ("all", "全辖区")
    # a column per KPI, its goal in the header; a cell per department and KPI, coloured and worded
    headers = re.findall(r'<th scope="col" class="num" data-kpi="(\w+)">', table)
    assert headers == [key for key, _, _ in kpi.KPIS]
    assert "目标 ≥ 45%" in table and "目标 无" in table
    for col in board.columns:
        row = table.split(f'class="sticky">{col.name}</th>', 1)[1].split("</tr>", 1)[0]
        cells = re.findall(r'data-kpi="(\w+)" data-colour="(\w+)">(.*?)</td>', row)
        assert [(k, c) for k, c, _ in cells] == [(k, col.figures[k].colour) for k, _, _ in kpi.KPIS]
        for key, colour, body in cells:
            assert col.figures[key].percent in body
            words = kpi.COLOUR_LABELS[colour][0]
            assert (words in body) if words else ('class="tag' not in body)
    legend = page.split('<ul class="legend"', 1)[1].split("</ul>", 1)[0]
    assert re.findall(r'<span class="tag (\w+)">(\S+?)</span>', legend) == [
        ("ok", "已达标"),
        ("warn", "进度内"),
        ("bad", "落后"),
    ]
    # one ranked chart per KPI, departments only (the jurisdiction is the table's first row)
    charts_shown = re.findall(r'<figure data-ranked="(\w+)">', page)
    assert charts_shown == [key for key, _, _ in kpi.KPIS]
    joint = page.split('<figure data-ranked="joint_task_share">', 1)[1].split("</figure>", 1)[0]
    labels = re.findall(r"(\d+)\. ([^<]+)</text>", joint)
    assert sorted(name for _, name in labels) == sorted(d.name for d in (w.m, w.h, w.e))
    by_name = {c.name: c.figures["joint_task_share"].value for c in board.columns}
    values = [by_name[name] for _, name in labels]
    known = [v for v in values if v is not None]
    assert known == sorted(known, reverse=True) and values[: len(known)] == known


@pytest.mark.django_db
def test_a_department_sees_its_own_row_and_no_ranking(scenario, client_for):
    w = scenario
    page = client_for(w.a_admin).get(reverse("reports:dashboard") + "?year=2026&month=6").content.decode()
    table = page.split('<table class="compare">', 1)[1].split("</table>", 1)[0]
    assert re.findall(r'class="sticky">([^<]+)</th>', table) == ["单位", w.m.name]
    assert "data-ranked" not in page and "各部门排名" not in page
