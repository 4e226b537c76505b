"""Fixtures: the draw app's `ready` county (department A and B, items, 60 targets, inspectors,
A's published plan) and helpers that take a trigger from record to an approved triggered task."""

import datetime as dt

import pytest

from shuangsuiji.draw.tests.conftest import full_draw, ready  # noqa: F401  (fixture)
from shuangsuiji.triggers import services

D = dt.date
WINDOW = (D(2026, 12, 1), D(2026, 12, 31))  # today (December 2026) lies in it: check-in works


def record(w, targets, items=None, **kw):
    kw.setdefault("category", "complaint")
    kw.setdefault("source", "12345政务服务便民热线")
    kw.setdefault("received_on", D(2026, 11, 20))
    kw.setdefault("description", "消费者反映后厨卫生状况差，投诉人要求保密")
    kw.setdefault("complainant", "张某 13800000000")
    return services.trigger_record(
        actor=kw.pop("actor", w.a_admin), targets=targets, items=items or [w.items["A-1"]], **kw
    )


def request(w, trigger, **kw):
    kw.setdefault("window_start", WINDOW[0])
    kw.setdefault("window_end", WINDOW[1])
    kw.setdefault("reason", "投诉线索具体，需实地核查")
    return services.task_request(actor=kw.pop("actor", w.a_admin), trigger=trigger, **kw)


def approved(w, targets, items=None, **kw):
    """A trigger on `targets`, its triggered task asked for and approved: (trigger, task, draw)."""
    t = record(w, targets, items, **kw)
    req = request(w, t)
    services.task_request_decide(actor=w.a_reviewer, request=req, approve=True, note="同意，尽快核查")
    req.task.refresh_from_db()
    return t, req.task, req.task.draws.get()


@pytest.fixture
def county(ready):  # noqa: F811  (the imported fixture)
    return ready


__all__ = ["approved", "full_draw", "record", "request"]
