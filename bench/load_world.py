"""The load bench's world, on top of the demo county (manage.py demo_load): run inside
`manage.py shell` on the cluster's primary by bench/load_bench.py, it prints one JSON line
(prefixed WORLD=) that says what the scenario's journeys may touch. Everything it changes goes
through the services (audited), as a clerk's clicks would.

- inspectors' work: for each demo inspector account, the targets of an active task whose
  department part is still editable; one per task is kept editable ("held") so that no task
  closes during the run: the inspectors' saves go to the held ones, and each save changes a
  result (未发现问题 ↔ 未发现开展本次抽查涉及的经营活动), so every save is a real write;
- reviewers' supply: the other editable parts are entered (未发现问题 for every item), marked
  finished and submitted for review, next to those the demo left submitted; a reviewer
  approves them during the run (复核通过即公示), and between steps the bench opens a correction
  of each approved one and submits it again (load_bench.replenish), so the supply lasts;
- the public portal: search terms (name substrings and USCCs of published results), the public
  ids of the draws, the published plans.
"""

import datetime as dt
import json

from django.utils import timezone

from shuangsuiji.core.models import Role, User
from shuangsuiji.draw import selectors as draw_selectors
from shuangsuiji.draw.models import DrawStatus, Selection, TeamMember
from shuangsuiji.inspection import selectors as isel
from shuangsuiji.inspection import services as insp
from shuangsuiji.inspection.models import Inspection, InspectionStatus, PublishedResult
from shuangsuiji.planning import selectors as planning

TERMS = 40


def _finish_day(task) -> dt.date | None:
    today = timezone.localdate()
    day = min(today, task.window_end)
    return day if day >= task.window_start else None


def _submit(user, sel, dept) -> bool:
    for item in isel.department_items(sel, dept):
        insp.result_save(
            actor=user,
            selection=sel,
            item=item,
            method="document" if item.offsite_only else "onsite",
            categories=["none_found"],
        )
    day = _finish_day(sel.draw.task)
    if day is None:
        return False
    insp.inspection_submit(actor=user, selection=sel, finished_on=day)
    return True


def _parts(task) -> dict:
    """(selection, department) → its inspection's status, for every part of the task's draw."""
    draw = task.draws.filter(status=DrawStatus.DRAWN).first()
    parts = {
        (m["selection"], m["department"]): InspectionStatus.OPEN
        for m in TeamMember.objects.filter(selection__draw=draw, active=True).values(
            "selection", "department"
        )
    }
    for ins in Inspection.objects.filter(selection__draw=draw):
        parts[(ins.selection_id, ins.department_id)] = ins.status
    return parts


def build() -> dict:
    work, supply = [], []
    members = (
        TeamMember.objects.filter(
            inspector__user__role=Role.INSPECTOR,
            active=True,
            selection__draw__status=DrawStatus.DRAWN,
            selection__draw__task__state__in=isel.ACTIVE_TASK[:-1],
        )
        .select_related("inspector__user", "selection__draw__task", "department")
        .order_by("selection__draw__task_id", "inspector__user__username", "selection_id")
    )
    held: set[tuple] = set()  # (task, user): one editable part each, never submitted
    for m in members:
        user, sel, dept, task = m.inspector.user, m.selection, m.department, m.selection.draw.task
        ins = Inspection.objects.filter(selection=sel, department=dept).first()
        status = ins.status if ins else InspectionStatus.OPEN
        if status in insp.EDITABLE and (task.pk, user.pk) not in held:
            held.add((task.pk, user.pk))
            items = [{"pk": i.pk, "offsite": bool(i.offsite_only)} for i in isel.department_items(sel, dept)]
            work.append({"user": user.username, "selection": sel.pk, "items": items})
            continue
        reviewer = User.objects.filter(role=Role.REVIEWER, department=dept, is_active=True).first()
        if reviewer is None:
            continue
        if status in insp.EDITABLE and _submit(user, sel, dept):
            status = InspectionStatus.SUBMITTED
        if status == InspectionStatus.SUBMITTED:
            ins = Inspection.objects.get(selection=sel, department=dept)
            supply.append(
                {
                    "reviewer": reviewer.username,
                    "inspection": ins.pk,
                    "user": user.username,
                    "selection": sel.pk,
                }
            )
    # a task closes once every part is published: keep only the supply of tasks that some part
    # outside the supply holds open (an approved part is corrected and submitted again later)
    kept = []
    for task_id in {Selection.objects.get(pk=s["selection"]).draw.task_id for s in supply}:
        task = Selection.objects.filter(draw__task_id=task_id).first().draw.task
        mine = {
            s["inspection"]
            for s in supply
            if Selection.objects.get(pk=s["selection"]).draw.task_id == task_id
        }
        ids = dict(
            ((i.selection_id, i.department_id), i.pk)
            for i in Inspection.objects.filter(selection__draw__task=task)
        )
        open_parts = [
            k for k, st in _parts(task).items() if st != InspectionStatus.PUBLISHED and ids.get(k) not in mine
        ]
        if open_parts:
            kept += [s for s in supply if s["inspection"] in mine]
    supply = sorted(kept, key=lambda s: s["inspection"])
    names = list(PublishedResult.objects.order_by("pk").values_list("name", "uscc").distinct()[:TERMS])
    terms = []
    for n, (name, code) in enumerate(names):
        terms.append(code if n % 4 == 3 and code else name[2:6] if len(name) >= 6 else name)
    draws = list(draw_selectors.public_draws().values_list("public_id", flat=True))
    plans = list(planning.published_plans().order_by("pk").values_list("pk", flat=True)[:10])
    return {
        "work": work,
        "supply": supply,
        "terms": sorted(set(terms)),
        "draws": sorted(set(draws)),
        "plans": plans,
        "reviewers": sorted({s["reviewer"] for s in supply}),
        "inspectors": sorted({w["user"] for w in work} | {s["user"] for s in supply}),
    }


print("WORLD=" + json.dumps(build(), ensure_ascii=False))
