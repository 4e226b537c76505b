"""A target a triggered task inspects is kept out of random draws of the same items for the same
department, with its reason in the frozen pool (docs/draw-spec.md §2.3, `triggered`); only tasks
approved before the freeze count (issue 19)."""

import datetime as dt
import json

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.draw import pool
from shuangsuiji.draw.models import DrawStatus
from shuangsuiji.draw.records import public_record
from shuangsuiji.draw.tests.conftest import announce
from shuangsuiji.draw.tests.test_pool import _checked
from shuangsuiji.draw.verify import verify_record

from .conftest import approved, full_draw, record, request


def _excluded(draw) -> dict[int, str]:
    with draw.pool_file.open("rb") as f:
        return {int(x[3]): x[1] for x in pool.read_pool_lines(f) if x[0] == "X"}


def _candidates(draw) -> set[int]:
    with draw.pool_file.open("rb") as f:
        return {pk for _, _, _, pk in pool.read_pool(f)}


def test_a_triggered_target_is_excluded_from_the_random_draw_with_its_reason(county):
    w = county
    target = w.targets[1]
    approved(w, [target])  # item A-1, window December 2026
    draw = announce(w, w.task_a)  # items, department A
    assert _excluded(draw) == {target.pk: "triggered"}
    assert draw.exclusions["triggered"] == 1
    assert target.pk not in _candidates(draw)
    assert pool.EXCLUSION_REASONS["triggered"].startswith("近期已由本部门触发式检查")


def test_a_trigger_approved_after_the_freeze_does_not_count(county):
    w = county
    target = w.targets[1]
    req = request(w, record(w, [target]))  # asked for before, approved after the freeze
    draw = announce(w, w.task_a)
    from shuangsuiji.triggers import services

    services.task_request_decide(actor=w.a_reviewer, request=req, approve=True, note="同意")
    assert target.pk in _candidates(draw) and draw.exclusions["triggered"] == 0
    # the same rule read back as of the freeze: approved later, so not excluded then
    assert not pool.triggered_targets(w.task_a, draw.announced_at).filter(target_id=target.pk).exists()
    assert (
        pool.triggered_targets(w.task_a, draw.announced_at + dt.timedelta(days=1))
        .filter(target_id=target.pk)
        .exists()
    )


def test_only_the_same_items_same_department_and_window_count(county, settings):
    w = county
    a2_only, old = w.targets[1], w.targets[3]
    approved(w, [a2_only], items=[w.items["A-2"]])
    # the joint task checks A-1 and B-1: a triggered inspection of A-2 does not cover it
    joint = announce(w, w.joint)
    assert a2_only.pk not in _excluded(joint)
    # a triggered task whose window ended before the configured window is history
    _, task, _ = approved(w, [old])
    task.window_start, task.window_end = dt.date(2026, 1, 5), dt.date(2026, 1, 20)
    task.save(update_fields=["window_start", "window_end"])
    settings.TRIGGERED_EXCLUSION_DAYS = 30
    assert not pool.triggered_targets(w.task_a, timezone.now()).filter(target_id=old.pk).exists()
    settings.TRIGGERED_EXCLUSION_DAYS = 366
    assert pool.triggered_targets(w.task_a, timezone.now()).filter(target_id=old.pk).exists()


def test_a_voided_triggered_task_excludes_nothing(county):
    w = county
    target = w.targets[1]
    _, task, draw = approved(w, [target])
    from shuangsuiji.planning import services as planning

    assert pool.triggered_targets(w.task_a, timezone.now()).filter(target_id=target.pk).exists()
    planning.task_transition(actor=w.a_admin, task=task, to="voided", reason="对象已注销")
    assert draw.status == DrawStatus.DRAWN
    assert not pool.triggered_targets(w.task_a, timezone.now()).exists()


def test_the_exclusion_is_counted_by_its_reason_in_the_record_and_names_no_firm(county, client_for):
    """On this database's own path (set-based SQL on PostgreSQL) the pool with a `triggered`
    exclusion is the spec's reference pool; the draw's staff page, public page and public record
    give the count with its reason — never which firm a complaint is about — and still verify."""
    w = county
    target = w.targets[1]
    approved(w, [target])
    assert _checked(w.task_a).exclusions["triggered"] == 1
    draw = full_draw(w, w.task_a)
    assert draw.exclusions["triggered"] == 1 and not draw.selections.filter(target=target).exists()
    rec = public_record(draw, with_selection=True)
    assert rec["exclusions"]["triggered"] == 1
    checks = verify_record(rec)
    assert checks and all(c.ok for c in checks), [c for c in checks if not c.ok]
    staff = client_for(w.a_admin).get(reverse("draw:detail", args=[draw.public_id])).content.decode()
    assert "近期已触发式检查 1" in staff
    public = Client().get(reverse("publicity:draw", args=[draw.public_id])).content.decode()
    assert "近期已由本部门触发式检查检查相同事项 1" in public
    for text in (public, json.dumps(rec, ensure_ascii=False)):
        assert target.uscc not in text and target.name not in text
