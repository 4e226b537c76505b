"""The demo county's year to date (issue 5: “every KPI colour and every list has something in
it”), built as `./scripts/demo` builds it, on a smaller directory."""

import io
import re

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings

from shuangsuiji.core.audit import verify
from shuangsuiji.core.models import User
from shuangsuiji.draw.models import DrawStatus, TargetDraw
from shuangsuiji.followup.models import FollowUp
from shuangsuiji.inspection.models import PublishedResult
from shuangsuiji.reports.monthly import monthly


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once in a transaction around the module, rolled back at its end (as the permission
    matrix does)."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("demo-media")):
                call_command("demo_load", targets=2000, stdout=io.StringIO())
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


def _page(user: str, url: str) -> str:
    c = Client()
    c.force_login(User.objects.get(username=user))
    r = c.get(url)
    assert r.status_code == 200, (url, r.status_code)
    return r.content.decode()


@pytest.mark.django_db
def test_the_year_happened_month_by_month(demo):
    drawn = TargetDraw.objects.filter(status=DrawStatus.DRAWN).order_by("drawn_at")
    months = {d.drawn_at.month for d in drawn}
    assert {3, 4, 6} <= months  # the draws are dated in their months, not the day the demo loaded
    assert TargetDraw.objects.filter(status=DrawStatus.VOIDED).exists()
    _, summed, _ = monthly("130110", 2026, 3)
    _, june, _ = monthly("130110", 2026, 6)
    assert 0 < summed.rows["total"].tasks < june.rows["total"].tasks
    assert june.rows["total"].finished > 0 and june.rows["total"].problems > 0
    assert PublishedResult.objects.exists()
    checked, broken, why = verify()
    assert checked > 0 and broken is None, why


@pytest.mark.django_db
def test_every_kpi_colour_and_every_list_has_something(demo):
    board = _page("office", "/reports/dashboard/?year=2026&month=11")
    assert {"green", "amber", "red"} <= set(
        re.findall(r'(?:data-colour|class)="[^"]*\b(green|amber|red)\b', board)
    )
    assert (
        FollowUp.objects.filter(state="closed").exists() and FollowUp.objects.exclude(state="closed").exists()
    )
    assert "逾期" in _page("office", "/followup/?year=2026")
    assert "逾期" in _page("office", "/reports/submissions/?year=2026")
    assert "逾期" in _page("office", "/planning/workplan/?year=2026")
    assert "data-rate>" in _page("office", "/reports/estimates/?year=2026&month=11")
    assert "data-score" in _page("office", "/reports/assessment/?year=2026")


@pytest.mark.django_db
def test_the_year_has_triggers_of_each_kind_two_triggered_tasks_and_a_merge(demo):
    from shuangsuiji.planning.models import Task, TaskKind
    from shuangsuiji.triggers.models import Trigger, TriggerMerge

    assert set(Trigger.objects.values_list("category", flat=True)) == {
        "complaint",
        "referral",
        "monitoring",
        "deployment",
    }
    approved = Task.objects.filter(kind=TaskKind.TRIGGERED, trigger_request__status="approved")
    assert approved.count() == 2
    assert TriggerMerge.objects.filter(selection__draw__task__kind=TaskKind.RANDOM).count() == 1
    published = PublishedResult.objects.filter(task_kind="triggered")
    assert published.exists() and set(published.values_list("trigger_category", flat=True)) == {"complaint"}
    # the random figures leave them out; the monthly page shows them beside
    page = _page("office", "/reports/monthly/?year=2026&month=11")
    assert "触发式检查（另行统计）" in page


@pytest.mark.django_db
def test_the_year_has_one_careless_inspector_and_the_return_visit_weights_toward_him(demo):
    """Issue 19: the fire brigade's inspector who entered all-clear on every team he was on is the
    one flag; the office's return-visit draw samples his work at 50% in an opaque stratum."""
    from shuangsuiji.followup.models import ReturnVisitDraw
    from shuangsuiji.followup.services import visit_draw_verify
    from shuangsuiji.warning import careless

    s = careless.jurisdiction_signals("130110", 2026)
    (flagged,) = [r for r in s.inspectors if r.flagged]
    assert flagged.department == "鹿泉区消防救援大队" and flagged.observed == 0
    assert flagged.inspections >= careless.MIN_INSPECTIONS and flagged.q <= careless.ALPHA
    d = ReturnVisitDraw.objects.get()
    (heavy,) = [x for x in d.strata if x["label"].startswith("层")]
    assert heavy["share"] == "0.5" and {int(k) for k in d.pool[heavy["label"]]} <= set(flagged.inspection_ids)
    assert visit_draw_verify(d)
    assert flagged.name in _page("office", "/warning/careless/?year=2026")


@pytest.mark.django_db
def test_the_watch_list_has_thresholds_and_a_target_started_from_it(demo):
    from shuangsuiji.warning.models import WatchAction, WatchSettings

    cfg = WatchSettings.objects.get(region_id="130110")
    assert (cfg.watch_threshold, cfg.alert_threshold) == (15, 30)
    started = WatchAction.objects.get(kind="trigger")
    t = started.trigger
    assert (t.category, t.source) == ("monitoring", "风险预警名单")
    assert t.requests.get().task.kind == "triggered"  # the triggered task, waiting for the head
    page = _page("scjg_admin", "/warning/watch/")
    assert started.target.name in page and f"/triggers/{t.pk}/" in page
    assert "评分 ≥ <strong>15</strong> 分列入名单" in page
