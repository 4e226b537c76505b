"""风险预警名单 (issue 19): the score on hand-computed cases, 无事不扰 for A class, the office's
settings and their validation, the scope (department, office, another county), and what a
department starts from a row — a 监测预警 trigger, a class proposal that leaves the class alone."""

import datetime as dt

import pytest
from django.utils import timezone

from shuangsuiji.core.errors import DomainError, Forbidden, NotFound
from shuangsuiji.core.models import AuditEntry
from shuangsuiji.directory.models import ChangeSuggestion, Target
from shuangsuiji.tests.test_crawl import DISPLAY_NAMES, page_problems
from shuangsuiji.triggers import services as triggers
from shuangsuiji.triggers.models import Trigger
from shuangsuiji.warning import selectors, watch
from shuangsuiji.warning import watch_score as ws
from shuangsuiji.warning.models import WatchAction, WatchSettings

from .watch_fixtures import D, county, ready, watched  # noqa: F401  (fixtures)

# ---- the pure score --------------------------------------------------------------------------


def test_the_score_on_a_hand_computed_case():
    facts = ws.Facts(
        problems=2, refusals=1, open=3, overdue=1, triggers=2, abnormal=1, status=1, idle_years=2
    )
    s = ws.score(facts, ws.DEFAULT_WEIGHTS)
    # 2×10 + 1×15 + 3×5 + 1×10 + 2×8 + 1×10 + 1×5 + 2×4 = 20+15+15+10+16+10+5+8
    assert s.total == 99
    assert [(p.code, p.count, p.weight, p.points) for p in s.parts] == [
        ("problems", 2, 10, 20),
        ("refusals", 1, 15, 15),
        ("open", 3, 5, 15),
        ("overdue", 1, 10, 10),
        ("triggers", 2, 8, 16),
        ("abnormal", 1, 10, 10),
        ("status", 1, 5, 5),
        ("idle_years", 2, 4, 8),
    ]
    assert ws.level(99, 20, 40) == "alert" and ws.level(39, 20, 40) == "watch" and ws.level(19, 20, 40) == ""


def test_an_a_class_target_scores_nothing_for_time_since_its_last_inspection():
    facts = ws.Facts(problems=1, idle_years=3, a_class=True)
    s = ws.score(facts, ws.DEFAULT_WEIGHTS)
    idle = next(p for p in s.parts if p.code == "idle_years")
    assert idle.skipped and idle.points == 0 and idle.count == 3
    assert s.total == 10  # the problem only (无事不扰)
    assert ws.score(ws.Facts(problems=1, idle_years=3), ws.DEFAULT_WEIGHTS).total == 10 + 3 * 4


def test_whole_years_since_the_last_inspection_are_capped():
    today = D(2026, 12, 7)
    assert ws.idle_years(None, today, 3) == 3  # never inspected: the cap
    assert ws.idle_years(D(2026, 1, 5), today, 3) == 0
    assert ws.idle_years(D(2025, 12, 7), today, 3) == 1  # a whole year to the day
    assert ws.idle_years(D(2025, 12, 8), today, 3) == 0
    assert ws.idle_years(D(2019, 1, 1), today, 3) == 3
    assert ws.years_back(D(2028, 2, 29), 1) == D(2027, 2, 28)


# ---- the facts gathered from the platform ----------------------------------------------------


@pytest.mark.django_db
def test_the_facts_and_score_of_a_target_with_a_history(watched, django_assert_max_num_queries):  # noqa: F811  (the imported fixture)
    w = watched
    today = timezone.localdate()
    row = selectors.target_score(w.a_admin, w.watched, today)
    counts = {p.code: p.count for p in row.score.parts}
    assert counts == {
        "problems": 1,
        "refusals": 1,
        "open": 1,
        "overdue": 1,
        "triggers": 1,
        "abnormal": 0,
        "status": 1,
        "idle_years": 0,
    }
    # 1×10 + 1×15 + 1×5 + 1×10 + 1×8 + 1×5, by the default weights
    assert row.score.total == 53 and row.level == "alert"
    # the whole list in a few grouped queries, however many targets (60 here)
    with django_assert_max_num_queries(12):
        rows = selectors.watch_list(w.a_admin, today)
    assert rows[0].target_id == w.watched.pk and rows[0].score.total == 53


@pytest.mark.django_db
def test_time_since_the_last_inspection_counts_except_for_a_class(county):  # noqa: F811  (the imported fixture)
    w = county
    today = timezone.localdate()
    never_a, never_b = w.targets[0], w.targets[5]  # classes A and B, never inspected
    assert (never_a.risk_class, never_b.risk_class) == ("A", "B")
    assert selectors.target_score(w.office, never_a, today).score.total == 0
    assert selectors.target_score(w.office, never_b, today).score.total == 3 * 4
    # a department's own class (行业信用分级分类) stands for it: A classes never_b as A itself
    never_b.supervisions.filter(department=w.dept_a).update(own_risk_class="A")
    assert selectors.target_score(w.a_admin, never_b, today).score.total == 0
    assert selectors.target_score(w.office, never_b, today).score.total == 12


@pytest.mark.django_db
def test_the_office_lowers_its_threshold_and_the_never_inspected_come_onto_the_list(county):  # noqa: F811  (the imported fixture)
    w = county
    today = timezone.localdate()
    assert selectors.watch_list(w.office, today) == []  # 12 points at most, below the default 20
    values = {f: getattr(WatchSettings(), f) for f in watch.SETTING_FIELDS} | {"watch_threshold": 12}
    watch.watch_settings_save(actor=w.office, values=values)
    rows = selectors.watch_list(w.office, today)
    listed = {r.target_id for r in rows}
    not_a = {t.pk for t in w.targets if t.risk_class != "A"}
    assert listed == not_a  # every target but the A class, 12 points each
    assert AuditEntry.objects.filter(action="warning.watch.settings").count() == 1


# ---- the office's settings -------------------------------------------------------------------


def _defaults(**kw):
    return {f: getattr(WatchSettings(), f) for f in watch.SETTING_FIELDS} | kw


@pytest.mark.django_db
@pytest.mark.parametrize(
    "values,field,message",
    [
        (_defaults(watch_threshold=50, alert_threshold=40), "alert_threshold", "不能低于"),
        (_defaults(w_problems=101), "w_problems", "每次发现问题的检查（分）】须为 0 至 100"),
        (_defaults(watch_threshold=0), "watch_threshold", "须为 1 至 1000"),
        (_defaults(lookback_months="12"), "lookback_months", "统计期（月）"),
        ({k: 0 if k.startswith("w_") else v for k, v in _defaults().items()}, "w_problems", "不能全为 0"),
    ],
)
def test_bad_settings_are_refused_naming_the_field_and_nothing_is_saved(world, values, field, message):
    with pytest.raises(DomainError) as e:
        watch.watch_settings_save(actor=world.office, values=values)
    assert e.value.field == field and message in e.value.message
    assert not WatchSettings.objects.exists()
    assert not AuditEntry.objects.filter(action="warning.watch.settings").exists()


@pytest.mark.django_db
def test_only_the_office_sets_the_thresholds(world):
    for actor in (world.a_admin, world.auditor, world.sysadmin):
        with pytest.raises(Forbidden):
            watch.watch_settings_save(actor=actor, values=_defaults())
    saved = watch.watch_settings_save(
        actor=world.office, values=_defaults(watch_threshold=30, alert_threshold=60)
    )
    assert saved.region == world.county
    # the county's departments read the same numbers; another county keeps the defaults
    assert selectors.settings_for(world.a_admin).watch_threshold == 30
    assert selectors.settings_for(world.far_admin).watch_threshold == ws.DEFAULT_WATCH_THRESHOLD


# ---- scope -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_department_sees_its_supervised_targets_the_office_its_county(watched):  # noqa: F811  (the imported fixture)
    w = watched
    today = timezone.localdate()
    ids = {r.target_id for r in selectors.watch_list(w.a_admin, today)}
    assert w.watched.pk in ids
    assert w.watched.pk in {r.target_id for r in selectors.watch_list(w.office, today)}
    # B does not supervise targets[1] (odd): not on B's list; another county sees nothing
    assert w.watched.pk not in {r.target_id for r in selectors.watch_list(w.b_admin, today)}
    assert selectors.watch_list(w.far_admin, today) == []
    # B supervising it later sees the published inspection (public), not A's ledger or trigger
    w.watched.supervisions.create(department=w.dept_b)
    counts = {p.code: p.count for p in selectors.target_score(w.b_admin, w.watched, today).score.parts}
    assert (counts["problems"], counts["refusals"], counts["open"], counts["triggers"]) == (1, 1, 0, 0)


@pytest.mark.django_db
def test_the_pages_answer_by_scope(watched, client):  # noqa: F811  (the imported fixture)
    w = watched
    url = f"/warning/watch/{w.watched.pk}/"
    for user, status in ((w.a_admin, 200), (w.office, 200), (w.b_admin, 404), (w.far_admin, 404)):
        client.force_login(user)
        assert client.get(url).status_code == status, user
    client.force_login(w.a_admin)
    page = client.get("/warning/watch/").content.decode()
    assert w.watched.name in page and 'data-score="53"' in page
    assert "评分 ≥ <strong>20</strong> 分列入名单" in page  # the thresholds and the test printed
    detail = client.get(url).content.decode()
    assert f"/inspection/record/{w.ins.pk}/" in detail  # the records behind the count, linked
    assert "/followup/" in detail and "/triggers/" in detail
    # the pages with their records in them speak Chinese, codes marked (the crawl's own check;
    # the crawl's people have Chinese names, as here)
    for actor, name in DISPLAY_NAMES.items():
        type(w.a_admin).objects.filter(pk=getattr(w, actor).pk).update(display_name=name)
    page, detail = (client.get(u).content.decode() for u in ("/warning/watch/", url))
    for html in (page, detail, client.get(f"{url}trigger/").content.decode()):
        assert page_problems(html) == {"latin": [], "labels": [], "long_lists": []}


# ---- started from a row ----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_triggered_task_is_started_from_a_row_and_linked_back(watched, client):  # noqa: F811  (the imported fixture)
    w = watched
    entries = AuditEntry.objects.count()
    action = watch.watch_trigger_start(
        actor=w.a_admin, target=w.watched, items=[w.items["A-1"]], description="评分 53，列入重点关注"
    )
    t = action.trigger
    assert (t.category, t.source, t.department_id) == ("monitoring", "风险预警名单", w.dept_a.pk)
    assert list(t.targets.all()) == [w.watched] and action.score == 53
    assert {e.action for e in AuditEntry.objects.filter(seq__gt=entries)} == {
        "trigger.record",
        "warning.watch.trigger",
    }
    # twice while the first is still open: refused, nothing added
    with pytest.raises(DomainError, match="不能重复发起"):
        watch.watch_trigger_start(
            actor=w.a_admin, target=w.watched, items=[w.items["A-1"]], description="再次"
        )
    assert Trigger.objects.filter(source="风险预警名单").count() == 1
    # then the triggers app's own flow: the request waits for the department head
    req = triggers.task_request(
        actor=w.a_admin, trigger=t, window_start=D(2026, 12, 10), window_end=D(2026, 12, 31), reason="评分高"
    )
    assert req.status == "pending"
    client.force_login(w.a_admin)
    page = client.get("/warning/watch/").content.decode()
    assert f"/triggers/{t.pk}/" in page  # the row links to what it started


@pytest.mark.django_db
def test_the_trigger_page_posts_through_the_service(watched, client):  # noqa: F811  (the imported fixture)
    w = watched
    client.force_login(w.a_admin)
    url = f"/warning/watch/{w.watched.pk}/trigger/"
    form = client.get(url).content.decode()
    assert "列入风险预警名单，评分 53" in form  # the description comes pre-filled with the factors
    r = client.post(url, {"items": [w.items["A-1"].pk], "description": "评分 53"})
    action = WatchAction.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/triggers/{action.trigger_id}/"
    r = client.post(url, {"description": "评分 53"})  # no item: the form names the field
    assert r.status_code == 200 and "检查事项" in r.content.decode()
    assert WatchAction.objects.count() == 1


@pytest.mark.django_db
def test_a_class_proposal_goes_to_the_keeper_and_leaves_the_class_alone(watched):  # noqa: F811  (the imported fixture)
    w = watched
    action = watch.watch_class_propose(
        actor=w.a_admin, target=w.watched, risk_class="D", reason="多次不配合检查"
    )
    s = action.suggestion
    assert (s.field, s.suggested_value, s.status, s.department_id) == (
        "risk_class",
        "D",
        "pending",
        w.dept_a.pk,
    )
    assert s.source.startswith("风险预警名单（评分 53）")
    assert Target.objects.get(pk=w.watched.pk).risk_class == "B"  # unchanged until the keeper accepts
    assert AuditEntry.objects.filter(action="warning.watch.propose").count() == 1
    with pytest.raises(DomainError, match="已有待处理的变更建议"):
        watch.watch_class_propose(actor=w.a_admin, target=w.watched, risk_class="C", reason="再次")
    with pytest.raises(DomainError) as e:
        watch.watch_class_propose(actor=w.a_admin, target=w.watched, risk_class="E", reason="无效")
    assert e.value.field == "risk_class"
    assert ChangeSuggestion.objects.count() == 1


@pytest.mark.django_db
def test_nothing_is_started_for_a_target_off_the_list_or_out_of_scope(watched):  # noqa: F811  (the imported fixture)
    w = watched
    quiet = w.targets[3]  # class D, never inspected: 12 points, below 20
    with pytest.raises(DomainError, match="未达到列入名单的分数线"):
        watch.watch_class_propose(actor=w.a_admin, target=quiet, risk_class="D", reason="试")
    with pytest.raises(NotFound):
        watch.watch_trigger_start(actor=w.b_admin, target=w.watched, items=[w.items["B-1"]], description="试")
    with pytest.raises(Forbidden):
        watch.watch_class_propose(actor=w.office, target=w.watched, risk_class="D", reason="试")
    assert not WatchAction.objects.exists() and not ChangeSuggestion.objects.exists()


def test_dates_of_the_window():
    cfg = WatchSettings(lookback_months=24)
    assert selectors._since(cfg, dt.date(2026, 12, 7)) == dt.date(2024, 12, 7)
    assert selectors._since(WatchSettings(lookback_months=1), dt.date(2026, 3, 31)) == dt.date(2026, 2, 28)
    assert selectors._since(WatchSettings(lookback_months=2), dt.date(2026, 3, 31)) == dt.date(2026, 1, 31)
    assert selectors._since(WatchSettings(lookback_months=14), dt.date(2026, 2, 10)) == dt.date(2024, 12, 10)


@pytest.mark.django_db
def test_the_list_filters_by_level_name_and_department(watched, client, django_assert_max_num_queries):  # noqa: F811  (the imported fixture)
    w = watched
    today = timezone.localdate()
    values = _defaults(watch_threshold=12, alert_threshold=40)
    watch.watch_settings_save(actor=w.office, values=values)
    alert = selectors.watch_list(w.office, today, selectors.WatchFilter(level="alert"))
    assert [r.target_id for r in alert] == [w.watched.pk]
    plain = selectors.watch_list(w.office, today, selectors.WatchFilter(level="watch"))
    assert w.watched.pk not in {r.target_id for r in plain} and all(r.score.total == 12 for r in plain)
    named = selectors.watch_list(w.office, today, selectors.WatchFilter(q=w.watched.uscc))
    assert [r.target_id for r in named] == [w.watched.pk]
    of_b = selectors.watch_list(w.office, today, selectors.WatchFilter(department=w.dept_b.pk))
    assert {r.target_id for r in of_b} == {t.pk for t in w.targets[::2] if t.risk_class != "A"}
    client.force_login(w.office)
    with django_assert_max_num_queries(30):  # a page of 50 rows: a bounded number of queries
        page = client.get("/warning/watch/", {"department": w.dept_b.pk}).content.decode()
    assert "共 " in page and "每页 50 个" not in page  # 28 of B's targets on one page
    assert client.get("/warning/watch/", {"department": "x"}).status_code == 400
