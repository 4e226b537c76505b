"""检查不认真信号 (warning/careless.py and its pages) on a constructed year: one inspector found
nothing where the same strata and items found problems for his colleagues."""

import math

import pytest
from django.test import Client

from shuangsuiji.directory.models import Inspector
from shuangsuiji.inspection.models import ItemResult
from shuangsuiji.warning import careless, stats

from . import careless_world

# the constructed year, built once for this module (its tests read it; what one changes is undone)
careless_standing = careless_world.careless_standing

pytestmark = pytest.mark.django_db


@pytest.fixture
def careless_year(careless_standing, db, settings):
    settings.MEDIA_ROOT = careless_standing.media
    return careless_standing


@pytest.fixture
def low_minimum(monkeypatch):
    # the test county is small: each inspector has a handful of inspections, not a year's
    monkeypatch.setattr(careless, "MIN_INSPECTIONS", 4)


def _by_pk(rows):
    return {r.pk: r for r in rows}


def test_the_careless_inspector_is_flagged_and_no_one_else(careless_year, low_minimum):
    w = careless_year
    s = careless.jurisdiction_signals(w.county.scope_prefix, 2026)
    rows = _by_pk(s.inspectors)
    mine = rows[w.careless]
    assert mine.observed == 0 and mine.expected > 3
    assert mine.flagged and mine.q <= careless.ALPHA
    assert [r.pk for r in s.inspectors if r.flagged] == [w.careless]
    assert s.inspectors[0].pk == w.careless  # flagged first
    # a team result counts once for every member: his inspections are those with him on the team
    assert mine.inspection_ids == sorted(
        ins.pk
        for ins, sel in zip(w.published, w.draw.selections.order_by("order"), strict=True)
        if w.careless in w.teams[sel.pk]
    )
    assert mine.trials == 2 * mine.inspections  # two items, each checked once per inspection
    # BH over the tested inspectors only
    tested = [r for r in s.inspectors if r.tested]
    assert all(r.inspections >= 4 for r in tested)
    assert [r.q for r in tested] == pytest.approx(stats.bh_adjust([r.p for r in tested]))
    dept = _by_pk(s.departments)[w.dept_a.pk]
    assert dept.flagged_members == 1 and dept.inspections == len(w.published)


def test_his_p_value_is_the_product_of_the_cells_by_hand(careless_year, low_minimum):
    """Nothing found, so P(X ≤ 0) = Π(1 − rᵢ); each rᵢ recomputed here from the others' counts:
    the cell (stratum × item) shrunk to the item, the item to the whole (his results left out)."""
    w = careless_year
    inspector, row, trials = careless.inspector_detail(w.office, w.careless, 2026)
    assert inspector.pk == w.careless and row.observed == 0
    mine = set(row.inspection_ids)
    others = ItemResult.objects.filter(inspection__in=w.published).exclude(inspection__in=mine)
    risk = {s["label"]: s["risk_class"] for s in w.draw.strata}
    k = careless.SHRINK_STRENGTH

    def counts(qs):
        return qs.count(), qs.filter(found_problem=True).count()

    n0, y0 = counts(others)
    expected = []
    for ir in ItemResult.objects.filter(inspection__in=mine).select_related("inspection__selection", "item"):
        ni, yi = counts(others.filter(item=ir.item))
        item_rate = (yi + k * y0 / n0) / (ni + k)
        cls = risk[ir.inspection.selection.label]
        same_cell = [
            o
            for o in others.filter(item=ir.item).select_related("inspection__selection")
            if risk[o.inspection.selection.label] == cls
        ]
        nc, yc = len(same_cell), sum(o.found_problem for o in same_cell)
        expected.append((ir.inspection_id, ir.item.name, (yc + k * item_rate) / (nc + k)))
    assert sorted((t.inspection, t.item, round(t.expected, 12)) for t in trials) == sorted(
        (a, b, round(c, 12)) for a, b, c in expected
    )
    assert row.p == pytest.approx(math.prod(1 - r for *_, r in expected), rel=1e-12)
    assert row.expected == pytest.approx(sum(r for *_, r in expected))


def test_below_the_minimum_no_one_is_tested(careless_year, monkeypatch):
    monkeypatch.setattr(careless, "MIN_INSPECTIONS", 15)
    s = careless.jurisdiction_signals(careless_year.county.scope_prefix, 2026)
    assert s.minimum == 15 and all(r.inspections < 15 for r in s.inspectors)
    assert not any(r.tested or r.flagged for r in s.inspectors)
    assert "不少于 15 次" in s.method


def test_the_page_prints_the_test_and_links_every_flag_to_its_records(careless_year, low_minimum):
    w = careless_year
    c = Client()
    c.force_login(w.office)
    html = c.get("/warning/careless/?year=2026").content.decode()
    assert "泊松二项分布" in html and "本杰明尼–霍赫伯格方法" in html
    assert "data-alpha>0.05<" in html and "data-minimum>4<" in html
    name = Inspector.objects.get(pk=w.careless).name
    assert f'href="/warning/careless/inspectors/{w.careless}/?year=2026">{name}</a>' in html
    assert "data-flagged>1<" in html
    detail = c.get(f"/warning/careless/inspectors/{w.careless}/?year=2026").content.decode()
    row = _by_pk(careless.jurisdiction_signals(w.county.scope_prefix, 2026).inspectors)[w.careless]
    for pk in row.inspection_ids:
        assert f'href="/inspection/record/{pk}/"' in detail
    assert "标记：发现问题显著少于预期" in detail


def test_a_department_head_sees_his_own_people_only(careless_year, low_minimum):
    w = careless_year
    s = careless.signals_for(w.a_reviewer, 2026)
    assert s.inspectors and {r.department_id for r in s.inspectors} == {w.dept_a.pk}
    assert [r.pk for r in s.departments] == [w.dept_a.pk]
    # the office of another county sees none of them; a bad year is a Chinese 400
    c = Client()
    c.force_login(w.a_reviewer)
    r = c.get("/warning/careless/?year=abc")
    assert r.status_code == 400 and "年度" in r.content.decode()
    b_inspector = Inspector.objects.filter(department=w.dept_b).first()
    assert c.get(f"/warning/careless/inspectors/{b_inspector.pk}/").status_code == 404


def test_the_year_is_read_in_a_few_queries(careless_year, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        careless.jurisdiction_signals(careless_year.county.scope_prefix, 2026)


def test_a_weighted_return_visit_draw_samples_his_inspections_without_naming_him(careless_year, low_minimum):
    """The signals registered with followup's hook: his inspections form the weighted stratum, the
    draw verifies, and the public record names no inspector."""
    from shuangsuiji.followup import services as followup

    w = careless_year
    d = followup.visit_draw_announce(
        actor=w.office, year=2026, share="0.1", weighted_share="1", public_value_source="次日福彩3D开奖号码"
    )
    row = _by_pk(careless.jurisdiction_signals(w.county.scope_prefix, 2026).inspectors)[w.careless]
    heavy = [s for s in d.strata if s["label"].startswith("层")]
    assert len(heavy) == 1 and heavy[0]["quota"] == heavy[0]["size"] == len(row.inspection_ids)
    assert sorted(int(k) for k in d.pool[heavy[0]["label"]]) == row.inspection_ids
    d = followup.visit_draw_run(actor=w.office, draw=d, public_value="372")
    assert followup.visit_draw_verify(d)
    assert set(row.inspection_ids) <= set(d.visits.values_list("inspection_id", flat=True))
    record = Client().get(f"/followup/public/visits/{d.public_id}.json").content.decode()
    names = Inspector.objects.filter(department=w.dept_a).values_list("name", flat=True)
    assert not [n for n in names if n in record]
