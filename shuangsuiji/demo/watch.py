"""The demo county's watch list (风险预警名单, issue 19): on 1 December the office sets its weights
and thresholds; the next day the 市场监管局 takes the first target of its list that nothing was
started for yet and starts a 监测预警 trigger from its row, then asks for the triggered task, which
waits for the department head. Each step through the services, on its own day (`clock.at`)."""

import datetime as dt

from django.utils import timezone

from shuangsuiji.core.models import Department, User
from shuangsuiji.directory.models import Item, ItemStatus, Target
from shuangsuiji.triggers import services as triggers
from shuangsuiji.warning import selectors, watch
from shuangsuiji.warning.models import WatchSettings

from .clock import at

D = dt.date


def _user(dept, role) -> User:
    return User.objects.filter(department=dept, role=role).order_by("pk").first()


def load(region: str, year: int, today: dt.date) -> dict:
    office = User.objects.get(username="office")
    scjg = Department.objects.get(region_id=region, name__endswith="市场监督管理局")
    admin = _user(scjg, "dept_admin")
    food = Item.objects.get(region_id=region, name="餐饮服务食品安全检查", status=ItemStatus.PUBLISHED)
    set_on = min(D(year, 12, 1), today)
    with at(set_on, 9):
        # the county's own numbers: a lower line than the defaults, a longer look back
        values = {f: getattr(WatchSettings(), f) for f in watch.SETTING_FIELDS}
        watch.watch_settings_save(
            actor=office,
            values=values | {"watch_threshold": 15, "alert_threshold": 30, "lookback_months": 36},
        )
    started_on = min(D(year, 12, 2), today)
    with at(started_on, 10):
        rows = selectors.watch_list(admin, timezone.localdate())
        if not rows:
            return {"watch_listed": 0, "watch_started": 0}
        target = Target.objects.get(pk=rows[0].target_id)
        action = watch.watch_trigger_start(
            actor=admin,
            target=target,
            items=[food],
            description=f"{target.name}列入风险预警名单（评分 {rows[0].score.total}），安排专项检查。",
        )
        triggers.task_request(
            actor=admin,
            trigger=action.trigger,
            window_start=D(year, 12, 7),
            window_end=D(year, 12, 31),
            reason="风险预警名单评分居首，多项风险信号",
        )
    return {"watch_listed": len(rows), "watch_started": 1}
