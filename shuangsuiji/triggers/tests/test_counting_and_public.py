"""A triggered inspection runs the random flow to publication; it is published marked as such
(category only), in the hand-over export too; seed 003's form and the coverage count random
inspections only, the triggered ones are reported beside them (issue 19)."""

import datetime as dt
import io
import json

import openpyxl
from django.urls import reverse

from shuangsuiji.directory.models import Inspector
from shuangsuiji.draw import services as draws
from shuangsuiji.inspection import services as insp
from shuangsuiji.inspection.models import PublishedResult
from shuangsuiji.publicity import results
from shuangsuiji.reports import kpi, monthly
from shuangsuiji.triggers import services

from .conftest import approved, full_draw, record

SECRET = ("后厨卫生状况差", "张某", "13800000000", "12345")


def _publish(w, draw, *, problem: bool):
    """The first target's team member (signed in as a_inspector) enters, finishes, submits; the
    reviewer publishes."""
    sel = draw.selections.order_by("order").first()
    m = sel.team.filter(active=True).order_by("pk").first()
    Inspector.objects.filter(user=w.a_inspector).update(user=None)
    Inspector.objects.filter(pk=m.inspector_id).update(user=w.a_inspector)
    w.a_inspector._state.fields_cache.pop("inspector", None)
    for item in draw.task.items.all():
        insp.result_save(
            actor=w.a_inspector,
            selection=sel,
            item=item,
            method="onsite",
            categories=["not_disclosed"] if problem else ["none_found"],
            problem="后厨未公示食品经营许可" if problem else "",
        )
    insp.inspection_finish(
        actor=w.a_inspector, selection=sel, finished_on=max(draw.task.window_start, dt.date(2026, 12, 2))
    )
    ins = insp.inspection_submit(actor=w.a_inspector, selection=sel)
    return insp.review_approve(actor=w.a_reviewer, inspection=ins)


def test_a_triggered_result_is_published_marked_with_its_category_only(county, client):
    w = county
    _, task, draw = approved(w, [w.targets[1], w.targets[2]])
    draws.teams_draw(actor=w.a_admin, draw=draw)
    ins = _publish(w, draw, problem=True)
    rows = list(PublishedResult.objects.filter(inspection=ins))
    assert rows and all((r.task_kind, r.trigger_category) == ("triggered", "complaint") for r in rows)
    assert rows[0].kind_label == "触发式检查（投诉举报）"
    assert ins.followups.exists()  # R-FUP-1: the problem went on the ledger, as for a random one

    page = client.get(reverse("publicity:results"), {"q": w.targets[1].uscc}).content.decode()
    assert "触发式检查（投诉举报）" in page
    export = b"".join(client.get(reverse("publicity:export_results_json")).streaming_content).decode()
    data = json.loads(export)
    assert data["format"] == "ssj-public-results-v2"
    assert {(r["kind"], r["trigger_category"]) for r in data["results"]} == {("triggered", "complaint")}
    csv = b"".join(client.get(reverse("publicity:export_results_csv")).streaming_content).decode()
    assert "检查类型,触发类别" in csv and "触发式检查,投诉举报" in csv
    for text in (page, export, csv):
        assert not any(s in text for s in SECRET), "the complaint or the complainant leaked"

    # the enterprise's page and its notice say 触发式检查, and claim no random draw
    sel = draw.selections.order_by("order").first()
    own = client.get(reverse("publicity:selection", args=[sel.token])).content.decode()
    assert "触发式检查（投诉举报）" in own and "不是随机抽取" in own and "被随机抽中的证明" not in own


def test_seed_003s_cells_count_random_inspections_and_the_triggered_ones_stand_beside(county, client):
    w = county
    random_draw = full_draw(w, w.task_a)
    random_n = random_draw.selections.count()
    _, task, draw = approved(w, [w.targets[1], w.targets[2]])
    draws.teams_draw(actor=w.a_admin, draw=draw)
    _publish(w, draw, problem=True)
    prefix = w.county.scope_prefix

    f = monthly.facts(prefix, 2026, 12)
    assert f.per_dept[w.dept_a].rows["total"].households == random_n
    assert f.per_dept[w.dept_a].rows["total"].tasks == 1  # task_a only
    assert f.distinct.rows["total"].finished == 0 and f.distinct.rows["total"].problems == 0
    t = monthly.triggered(prefix, 2026, 12)
    cell = t.per_dept[w.dept_a]
    assert (cell.tasks, cell.households, cell.finished, cell.problems) == (1, 2, 1, 1)
    assert t.total.as_tuple() == (1, 2, 1, 1)
    # the coverage goal counts the random draw's enterprises only
    per, total = kpi.coverage(prefix, 2026, 12)
    drawn = set(random_draw.selections.values_list("target_id", flat=True))
    assert total == len(drawn) and per[w.dept_a.pk] == len(drawn)

    client.force_login(w.a_admin)
    page = client.get(reverse("reports:monthly"), {"year": 2026, "month": 12}).content.decode()
    assert "触发式检查（另行统计）" in page and "不计入月报表各项" in page
    board = client.get(reverse("reports:dashboard"), {"year": 2026, "month": 12}).content.decode()
    assert "触发式检查（另行统计）" in board

    # the .xlsx: the form's cells as above, the triggered figures on a sheet beside
    for user, sheets in ((w.a_admin, ["月报表"]), (w.office, ["月报表", "每个任务和对象只计一次"])):
        client.force_login(user)
        body = client.get(reverse("reports:monthly"), {"year": 2026, "month": 12, "format": "xlsx"}).content
        wb = openpyxl.load_workbook(io.BytesIO(body))
        assert wb.sheetnames == [*sheets, "触发式检查（另行统计）"]
        form = wb["月报表"]
        assert form["C6"].value == "总计" and form["D6"].value == 1 and form["E6"].value == random_n
        assert (form["F6"].value, form["G6"].value) == (0, 0)
        beside = wb["触发式检查（另行统计）"]
        assert [beside.cell(row=5, column=c).value for c in range(2, 6)] == [1, 2, 1, 1]
        assert "不计入月报表各项" in beside["A6"].value


def test_a_merged_trigger_counts_once_in_the_random_visit(county):
    w = county
    random_draw = full_draw(w, w.task_a)
    sel = random_draw.selections.order_by("order").first()
    t = record(w, [sel.target])
    services.trigger_merge(actor=w.a_admin, trigger=t, selection=sel)
    prefix = w.county.scope_prefix
    assert monthly.triggered(prefix, 2026, 12).total.as_tuple() == (0, 0, 0, 0)
    assert (
        monthly.facts(prefix, 2026, 12).per_dept[w.dept_a].rows["total"].households
        == random_draw.selections.count()
    )


def test_result_fields_end_with_the_new_columns():
    assert [k for k, _ in results.RESULT_FIELDS][-2:] == ["kind", "trigger_category"]
