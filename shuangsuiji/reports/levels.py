"""Reports above the county (issue 20, “one instance, many jurisdictions”): a city office reads
each of its counties and the city's sum, the province office each of its cities and the
province's sum.

A 下级辖区 (a county under a city, a city under the province) is a child region in which some
department works; the upper level's own departments (市本级 / 省本级) are one more part. Every
counted draw belongs to exactly one part (the region of its task's lead department), so each cell
of the upper level's form is the sum of its parts' cells, and each KPI's numerator and denominator
are sums too: the ratios are recomputed from the sums, never averaged. The upper level's total is
computed directly over its whole prefix (monthly.py, kpi.py); the tests prove it equals the sum."""

import datetime as dt
from dataclasses import dataclass

from shuangsuiji.core.errors import NotFound
from shuangsuiji.core.models import Department, Region, RegionLevel, Role

from . import kpi
from .monthly import ROWS, Form, monthly

# The level below each level that reads summed reports.
_BELOW = {RegionLevel.CITY: RegionLevel.COUNTY, RegionLevel.PROVINCE: RegionLevel.CITY}
OWN_LABEL = {RegionLevel.CITY: "市本级", RegionLevel.PROVINCE: "省本级"}
TOTAL_LABEL = {RegionLevel.CITY: "全市合计", RegionLevel.PROVINCE: "全省合计"}


@dataclass(frozen=True)
class Part:
    """One row of the upper level's comparison: a lower jurisdiction, or the upper level's own
    departments (`own`, whose rows are those of the region's own code and nothing below it)."""

    region: Region
    own: bool = False

    @property
    def prefix(self) -> str:
        return self.region.code if self.own else self.region.scope_prefix

    @property
    def label(self) -> str:
        return OWN_LABEL[self.region.level] if self.own else self.region.name


def is_upper(region: Region | None) -> bool:
    return region is not None and region.level in _BELOW


def lower_regions(region: Region | None) -> list[Region]:
    """The jurisdictions one level below `region` in which some department works (a city's
    counties, the province's cities), by code; none below a county."""
    if not is_upper(region):
        return []
    below = list(
        Region.objects.filter(parent=region, level=_BELOW[region.level], retired_on__isnull=True).order_by(
            "code"
        )
    )
    codes = set(
        Department.objects.filter(region__code__startswith=region.scope_prefix).values_list(
            "region_id", flat=True
        )
    )
    return [r for r in below if any(c.startswith(r.scope_prefix) for c in codes)]


def parts(region: Region) -> list[Part]:
    """The lower jurisdictions, then the upper level's own departments when it has any."""
    out = [Part(r) for r in lower_regions(region)]
    if Department.objects.filter(region=region, is_office=False).exists():
        out.append(Part(region, own=True))
    return out


def area_for(user, code: str | None) -> Region:
    """The jurisdiction a report page shows: the user's own, or, for a city or province office,
    one of the jurisdictions below it (`code`). Any other code — another city's county, a
    county for a county office, a department's user — is not found (404, nothing revealed)."""
    own = user.region
    if not code:
        return own
    if user.role != Role.OFFICE or own is None:
        raise NotFound("未找到该辖区")
    found = next((r for r in lower_regions(own) if r.code == code), None)
    if found is None:
        raise NotFound("未找到该辖区")
    return found


# ---- 月报表: the comparison of the parts -----------------------------------------------------------


def form_sum(forms) -> Form:
    """Cell by cell sum of forms (次数 too: no task is in two parts)."""
    total = Form()
    for f in forms:
        for key, _, _ in ROWS:
            a, b = total.rows[key], f.rows[key]
            a.tasks += b.tasks
            a.households += b.households
            a.finished += b.finished
            a.problems += b.problems
    return total


@dataclass
class PartForms:
    part: Part
    summed: Form  # 各部门合计
    distinct: Form  # 每个任务和对象只计一次


def monthly_parts(region: Region, year: int, month: int) -> list[PartForms]:
    """Each part's form, as that jurisdiction's office sees it on its own monthly page."""
    out = []
    for p in parts(region):
        _, summed, distinct = monthly(p.prefix, year, month)
        out.append(PartForms(p, summed, distinct))
    return out


# ---- 指标看板: each lower jurisdiction's KPIs beside the upper level's ----------------------------


@dataclass
class PartFigures:
    part: Part
    column: kpi.Column  # the lower jurisdiction's whole-jurisdiction column, against its own goals


def dashboard_parts(region: Region, year: int, month: int, today: dt.date) -> list[PartFigures]:
    """Each lower jurisdiction's KPIs (its own 全辖区 column, coloured against its own year's
    goals). The upper level's own departments are not a jurisdiction with an enterprise
    directory and goals of their own: their tasks count in the upper level's total."""
    return [
        PartFigures(p, kpi.dashboard(p.region, year, month, today, [], jurisdiction=True).columns[0])
        for p in parts(region)
        if not p.own
    ]
