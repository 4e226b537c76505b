"""The demo county's 实施方案 milestones (R-ADM-3): the office loads the assignments of 鹿泉区's 2026
实施方案 (石鹿市监〔2026〕6号) and adds two of its own; those whose deadline has passed are marked
done, except the third-quarter progress report and the classification work — left late, so the
late list has something in it. Everything goes through the planning services."""

import datetime as dt

from shuangsuiji.core.models import Department, Region, User
from shuangsuiji.planning import services as planning

from .clock import at

LEFT_LATE = "报送第三季度“双随机、一公开”监管工作进展情况"


def load(region, year: int, today: dt.date) -> dict:
    """Each step on its own day (`clock.at`): the list entered in January, each assignment
    marked done two days before its deadline, up to `today`."""
    region = region if isinstance(region, Region) else Region.objects.get(code=region)
    office = User.objects.get(department__region=region, role="office", username="office")
    scjg = Department.objects.get(region=region, name__endswith="市场监督管理局")
    wsjk = Department.objects.get(region=region, name__endswith="卫生健康局")
    with at(dt.date(year, 1, 7)):
        made = planning.milestones_from_preset(actor=office, preset="luquan-2026", year=year)
        made.append(
            planning.milestone_save(
                actor=office,
                year=year,
                content="调整“双随机、一公开”监管工作领导小组成员单位，明确各单位信息联络员",
                unit_name="区双随机办公室",
                due_on=dt.date(year, 5, 15),
                due_text="5月15日前",
            )
        )
        made.append(
            planning.milestone_save(
                actor=office,
                year=year,
                content="利用分类标签库完成本单位检查对象和执法检查人员的分类标注",
                departments=[scjg, wsjk],
                due_on=dt.date(year, 6, 30),
                due_text="6月底前",
                note="实施方案二（一）要求，区双随机办公室细化时限",
            )
        )
    done = 0
    for m in sorted((m for m in made if m.due_on is not None), key=lambda m: m.due_on):
        on = m.due_on - dt.timedelta(days=2)
        # Left late on purpose: the third-quarter report and the departments' classification work.
        if m.due_on >= today or m.content == LEFT_LATE or m.departments.exists():
            continue
        with at(on, 16):
            planning.milestone_done(actor=office, milestone=m, done_on=on, note="已按时完成", today=on)
        done += 1
    return {"milestones": len(made), "milestones_done": done}
