"""Issue 5's scenario carried into July–August so every KPI and assessment count has something in
it: the year's goals, enterprises on file beyond those drawn, six of T1's results published on
time and two late, one of the two ledger entries disposed. Built through the services, with the
clock set to the day each step happens."""

import datetime as dt
import itertools

from django.utils import timezone

from conftest import make_uscc
from shuangsuiji.directory.models import Target
from shuangsuiji.followup import services as followup
from shuangsuiji.followup.models import FollowUp
from shuangsuiji.inspection import services as insp
from shuangsuiji.planning import services as planning

D = dt.date
GOALS = {
    "coverage": "0.30",
    "joint_task_share": "0.45",
    "joint_household_share": "0.30",
    "credit_share": "0.80",
}
ON_FILE_EXTRA = 78  # enterprises on file at 2025-12-31 that no task drew
_n = itertools.count(1)


class Clock:
    """Sets django.utils.timezone.now (and so localdate) to a given moment in Asia/Shanghai."""

    def __init__(self, monkeypatch):
        self.mp = monkeypatch

    def at(self, day: dt.date, hour: int = 10):
        moment = timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour))
        self.mp.setattr(timezone, "now", lambda: moment)

    def reset(self):
        self.mp.undo()


def add_enterprises_on_file(w) -> None:
    """78 counted at the snapshot; one founded after it and one cancelled before it are not."""
    rows = []
    for i in range(ON_FILE_EXTRA + 2):
        n = next(_n)
        extra = {}
        if i == ON_FILE_EXTRA:
            extra = {"founded_on": D(2026, 3, 1)}
        elif i == ON_FILE_EXTRA + 1:
            extra = {"status": "cancelled", "status_changed_on": D(2025, 6, 1), "founded_on": D(2015, 1, 1)}
        rows.append(
            Target(
                kind="enterprise",
                uscc=make_uscc(f"91130110MA0K{n:05d}"),
                name=f"在册企业{n}",
                region=w.county,
                founded_on=extra.pop("founded_on", D(2020, 1, 1)),
                **extra,
            )
        )
    Target.objects.bulk_create(rows)


def publish(w, dept, targets, day: dt.date, clock: Clock, reviewer) -> None:
    """Submit and publish `targets`' inspections by `dept` on `day` (T1's draw)."""
    clock.at(day)
    draw = w.draws["T1"]
    for t in targets:
        sel = draw.selections.get(target=t)
        ins = sel.inspections.get(department=dept)
        user = sel.team.filter(active=True, department=dept).first().inspector.user
        insp.inspection_submit(actor=user, selection=sel)
        insp.review_approve(actor=reviewer, inspection=ins)


def build_kpi_scenario(w, monkeypatch):
    clock = Clock(monkeypatch)
    planning.goals_save(actor=w.office, year=2026, **GOALS)
    add_enterprises_on_file(w)
    t1 = w.targets["T1"]
    publish(w, w.m, t1[:6], D(2026, 7, 1), clock, w.a_reviewer)  # due 2026-07-17: on time
    publish(w, w.m, t1[6:8], D(2026, 8, 10), clock, w.a_reviewer)  # late
    fu = FollowUp.objects.filter(department=w.m, target=t1[0]).get()
    clock.at(D(2026, 8, 12))
    followup.followup_dispose(
        actor=w.a_admin,
        followup=fu,
        kind="rectify",
        measure="限期整改",
        due_on=D(2026, 9, 30),
        on=D(2026, 8, 12),
    )
    clock.reset()
    w.clock = clock
    return w
