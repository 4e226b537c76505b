"""规则对照 (issue 21): the register of core/rules.py with each configured number's current value,
read from where it is configured — the year goals and the reporting schedule of every
jurisdiction within the reader's (per year), the server's settings, the code's defaults, the
result categories, the holiday calendar and the year's return-visit draws."""

import datetime as dt
import importlib
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings as django_settings
from django.db.models import QuerySet

from shuangsuiji.core import rules
from shuangsuiji.core.models import CalendarYear, Region, RegionLevel, Role
from shuangsuiji.core.scope import jurisdiction, visible_to
from shuangsuiji.followup.models import ReturnVisitDraw
from shuangsuiji.inspection.models import ResultCategory
from shuangsuiji.planning.models import YearGoals

from .models import ReportSchedule
from .selectors import schedule_for

UNSET = "未设定"
LEVELS = dict(RegionLevel.choices)


@dataclass
class Current:
    scope: str  # the jurisdiction, or 全平台
    value: str


@dataclass
class SettingRow:
    setting: rules.Setting
    values: list[Current]


@dataclass
class RuleRow:
    rule: rules.Rule
    settings: list[SettingRow]


def _percent(d) -> str:
    if d in (None, ""):
        return UNSET
    p = (Decimal(str(d)) * 100).normalize()
    return f"{p:f}%"


def _show(value) -> str:
    if value is None or value == "":
        return UNSET
    if isinstance(value, dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, dict):
        if not value:
            return "不分解"
        if set(value) <= set(LEVELS):
            return "、".join(f"{LEVELS[k]} {_percent(v)}" for k, v in value.items())
        return "、".join(f"{k} {_percent(v)}" for k, v in value.items())  # per risk class: A 1% …
    return str(value)


_SHARES = {
    "coverage",
    "joint_task_share",
    "joint_household_share",
    "credit_share",
    "publicity_on_time",
    "followup_rate",
}


def _regions(user, model, year: int) -> list[Region]:
    """The reader's own region and every region within its jurisdiction that set `model` for
    `year` (YearGoals and ReportSchedule are read by region and year: core/scope.py's jurisdiction)."""
    j = jurisdiction(user)
    if j.is_nothing:
        return []
    own = user.region
    below = Region.objects.filter(
        code__in=model.objects.filter(j.within("region"), year=year).values("region_id")
    ).exclude(code=own.code)
    return [own, *below.order_by("code")]


def _goals(user, year: int, field: str) -> list[Current]:
    out = []
    for region in _regions(user, YearGoals, year):
        goals = YearGoals.objects.filter(region=region, year=year).first()
        value = getattr(goals, field) if goals else None
        if goals is None:
            shown = UNSET
        elif field in _SHARES:
            shown = _percent(value)
        else:
            shown = _show(value)
        out.append(Current(region.name, shown))
    return out


def _schedule(user, year: int, field: str) -> list[Current]:
    out = []
    for region in _regions(user, ReportSchedule, year):
        schedule = schedule_for(region, year)
        value = getattr(schedule, field)
        shown = f"{value} 日" if field == "monthly_due_day" else _show(value)
        if field.startswith("w_"):
            shown += " 分"
        out.append(Current(region.name, shown + ("" if schedule.pk else "（默认）")))
    return out


def _constant(path: str) -> str:
    module, name = path.split(":")
    return _show(getattr(importlib.import_module(module), name))


def _visits(user, year: int) -> str:
    if user.role != Role.OFFICE:
        return "由双随机办公室在回访页查看"
    shares = visible_to(ReturnVisitDraw, user).filter(year=year).order_by("announced_at")
    return "、".join(_percent(s) for s in shares.values_list("share", flat=True)) or f"{year} 年尚无回访抽取"


def _categories() -> str:
    names = list(ResultCategory.objects.active().values_list("name", flat=True))
    return f"共 {len(names)} 个：" + "、".join(names)


def _calendar_years() -> QuerySet:
    return CalendarYear.objects.filter(complete=True).values_list("year", flat=True)


def current(setting: rules.Setting, user, year: int) -> list[Current]:
    kind, _, ref = setting.source.partition(":")
    if kind == "goals":
        return _goals(user, year, ref)
    if kind == "schedule":
        return _schedule(user, year, ref)
    if kind == "setting":
        return [Current("全平台", _show(getattr(django_settings, ref)))]
    if kind == "constant":
        return [Current("全平台", _constant(ref))]
    if kind == "categories":
        return [Current("全平台", _categories())]
    if kind == "calendar":
        years = sorted(_calendar_years())
        return [Current("全平台", "、".join(f"{y} 年" for y in years) or "尚未录入，按周末计算")]
    if kind == "visits":
        return [Current(user.region.name, _visits(user, year))]
    raise ValueError(f"unknown setting source {setting.source}")


def register(user, year: int) -> list[RuleRow]:
    return [RuleRow(r, [SettingRow(s, current(s, user, year)) for s in r.settings]) for r in rules.RULES]
