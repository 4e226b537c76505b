"""The draw day as steps (issue 18): 公告抽取 → 见证人承诺 → 见证人揭示 → 抽取对象 → 匹配检查人员,
each done, current or waiting, and for the current one whether it can be taken now and, if not,
why. A read of the draw's state only: the services refuse any step out of order (services.py,
witnesses.py); the page shows one step at a time as they would answer."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from .models import DrawStatus, TargetDraw
from .witnesses import commit_closed, reveal_blocked

DONE, CURRENT, WAITING, STOPPED = "done", "current", "waiting", "stopped"
STATE_LABELS = {DONE: "已完成", CURRENT: "当前步骤", WAITING: "待进行", STOPPED: "已停止"}

ANNOUNCE, COMMIT, REVEAL, RUN, TEAMS = "announce", "commit", "reveal", "run", "teams"
STEP_NAMES = {
    ANNOUNCE: "公告抽取",
    COMMIT: "见证人登记并承诺",
    REVEAL: "见证人揭示",
    RUN: "录入公开随机值并抽取对象",
    TEAMS: "匹配检查人员",
}


@dataclass
class Step:
    key: str
    state: str
    note: str = ""  # what happens in the step, or why it waits
    blocked: str = ""  # for the current step: why it cannot be taken yet ("" when it can)

    @property
    def name(self) -> str:
        return STEP_NAMES[self.key]

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


def _when(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def run_blocked(draw: TargetDraw, now: dt.datetime) -> str:
    """Why the target draw cannot run yet once every witness has revealed ("" when it can): the
    announced time and the public value's time (services.draw_run says the same)."""
    if now < draw.draw_at:
        return f"未到公告的抽取时间（{_when(draw.draw_at)}），届时刷新本页"
    if draw.public_value_at and now < draw.public_value_at:
        return f"公开随机值尚未产生（{_when(draw.public_value_at)}），届时刷新本页"
    return ""


def draw_steps(draw: TargetDraw, now: dt.datetime | None = None) -> list[Step]:
    """The steps of `draw` as things stand; at most one is current."""
    now = now or timezone.now()
    steps = [Step(ANNOUNCE, DONE, f"{_when(draw.announced_at)} 公告，对象池已冻结并承诺")]
    if draw.status in (DrawStatus.ABORTED, DrawStatus.VOIDED) and not draw.drawn_at:
        reached = STOPPED
        return steps + [Step(k, reached, draw.get_status_display()) for k in (COMMIT, REVEAL, RUN, TEAMS)]
    if draw.status == DrawStatus.ANNOUNCED:
        witnesses = list(draw.witnesses.all())
        committed = [w for w in witnesses if w.committed_at]
        revealed = [w for w in witnesses if w.revealed_at]
        enough = len(committed) >= settings.DRAW_MIN_WITNESSES and len(committed) == len(witnesses)
        if not enough:
            closed = commit_closed(draw, now)
            blocked = (closed + "：请中止本次抽取后重新公告") if closed else ""
            steps.append(
                Step(
                    COMMIT,
                    CURRENT,
                    f"至少 {settings.DRAW_MIN_WITNESSES} 名见证人，在本人设备上承诺；已登记 {len(witnesses)} 名，已承诺 {len(committed)} 名",
                    blocked,
                )
            )
            return steps + [
                Step(REVEAL, WAITING, "全部见证人承诺后进行"),
                Step(RUN, WAITING, "全部见证人揭示后进行"),
                Step(TEAMS, WAITING, "抽取对象后进行"),
            ]
        steps.append(Step(COMMIT, DONE, f"{len(committed)} 名见证人已承诺"))
        if len(revealed) < len(witnesses):
            steps.append(
                Step(
                    REVEAL,
                    CURRENT,
                    f"见证人在本人设备上再次输入数字；已揭示 {len(revealed)} / {len(witnesses)} 名",
                    reveal_blocked(draw) or "",
                )
            )
            return steps + [
                Step(RUN, WAITING, "全部见证人揭示后进行"),
                Step(TEAMS, WAITING, "抽取对象后进行"),
            ]
        steps.append(Step(REVEAL, DONE, f"{len(revealed)} 名见证人已揭示"))
        steps.append(Step(RUN, CURRENT, draw.public_value_source or "", run_blocked(draw, now)))
        return steps + [Step(TEAMS, WAITING, "抽取对象后进行")]
    # drawn (and perhaps voided since): the draw itself is done
    steps += [
        Step(COMMIT, DONE, f"{draw.witnesses.count()} 名见证人已承诺"),
        Step(REVEAL, DONE, "见证人已揭示"),
        Step(RUN, DONE, f"{_when(draw.drawn_at)} 抽取完成"),
    ]
    if draw.teams_drawn_at:
        steps.append(Step(TEAMS, DONE, f"{_when(draw.teams_drawn_at)} 匹配完成"))
    elif draw.status == DrawStatus.DRAWN:
        steps.append(Step(TEAMS, CURRENT, "各参与部门按规则为每个抽中对象匹配检查人员"))
    else:
        steps.append(Step(TEAMS, STOPPED, draw.get_status_display()))
    return steps


def current(steps: list[Step]) -> Step | None:
    return next((s for s in steps if s.state == CURRENT), None)


def before_announcement() -> list[Step]:
    """The steps as the announcement page shows them: the first is current."""
    return [Step(ANNOUNCE, CURRENT, "填写抽取安排，核对对象池后确认公告（不可撤销）")] + [
        Step(k, WAITING) for k in (COMMIT, REVEAL, RUN, TEAMS)
    ]
