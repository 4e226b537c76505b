"""The list behind every dashboard figure (R-RPT-2): for each KPI, the records of its denominator
with those counted in its numerator marked, filterable to either side. The listing's counts are the
figure's numerator and denominator, computed by the same selectors."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import BooleanField, ExpressionWrapper, F, Q, QuerySet
from django.urls import reverse

from shuangsuiji.core.models import Region
from shuangsuiji.directory.models import MARKET_KINDS
from shuangsuiji.draw.models import Selection, TargetDraw
from shuangsuiji.inspection.models import Inspection, ItemResult
from shuangsuiji.planning.models import AnnualPlan, QuotaMode, Task, TaskMode

from . import kpi, selectors
from .monthly import month_end


@dataclass
class Listing:
    key: str
    label: str
    scope: str
    numerator_label: str
    rest_label: str
    headers: list[str]
    queryset: QuerySet
    numerator: int
    denominator: int
    show: str
    describe_fn: object = None
    shows: list[tuple[str, str]] = field(default_factory=list)
    note: str = ""

    def describe(self, obj):
        return self.describe_fn(obj)


def _task_row(t: Task):
    return {
        "cells": [
            t.code,
            t.name,
            t.lead.name,
            t.get_mode_display(),
            t.get_quota_mode_display(),
            t.voided_reason,
        ],
        "url": reverse("planning:task_detail", args=[t.pk]),
        "hit": t.hit,
    }


def _selection_row(s: Selection):
    return {
        "cells": [
            s.target.name,
            s.key,
            s.target.get_kind_display(),
            s.draw.task.code,
            s.draw.task.get_mode_display(),
        ],
        "url": reverse("inspection:target", args=[s.pk]),
        "hit": s.hit,
    }


def _inspection_row(i: Inspection):
    return {
        "cells": [
            i.selection.target.name,
            i.department.name,
            i.selection.draw.task.code,
            f"{i.finished_on:%Y-%m-%d}" if i.finished_on else "",
            f"{i.due_on:%Y-%m-%d}" if i.due_on else "",
            f"{i.published_at.astimezone():%Y-%m-%d}" if i.published_at else "未公示",
        ],
        "url": reverse("inspection:record", args=[i.pk]),
        "hit": getattr(i, "hit", None),
    }


def _target_row(t):
    return {
        "cells": [t.name, t.uscc or t.key_display, t.get_kind_display()],
        "url": reverse("directory:target_detail", args=[t.pk]),
        "hit": True,
    }


def _followup_row(f):
    return {
        "cells": [
            f.target.name,
            f.department.name,
            f"{f.found_on:%Y-%m-%d}",
            f.get_kind_display() if f.kind else "待处置",
            f"{f.due_on:%Y-%m-%d}",
            f.get_state_display(),
        ],
        "url": f.get_absolute_url(),
        "hit": f.hit,
    }


def _flag(qs: QuerySet, condition) -> QuerySet:
    return qs.annotate(hit=ExpressionWrapper(condition, output_field=BooleanField()))


def kpi_listing(
    region: Region, year: int, month: int, today: dt.date, department, key: str, show: str
) -> Listing:
    from shuangsuiji.followup.selectors import ledger_for

    prefix = region.scope_prefix
    as_of = kpi.as_of_for(year, month, today)
    end = month_end(year, month)
    scope = department.name if department else "全辖区"
    common = {"key": key, "label": kpi.LABELS[key], "scope": scope}
    if key == "coverage":
        qs = selectors.covered_enterprises(prefix, year, end, department).order_by("id")
        n = qs.count()
        return Listing(
            **common,
            numerator_label="已抽查的企业",
            rest_label="",
            headers=["名称", "统一社会信用代码", "类型"],
            queryset=qs,
            numerator=n,
            denominator=_on_file(region, year),
            show="in",
            describe_fn=_target_row,
            note="分母为年度目标口径日期在册的企业数，名单见检查对象名录库；此处列出分子：本年已抽中的企业（每户一次）。",
        )
    if key in ("joint_task_share", "credit_share"):
        if key == "joint_task_share":
            cond = Q(mode=TaskMode.JOINT)
        else:  # per risk class, over market subjects (the form's credit row: monthly._rows_for)
            market = Selection.objects.filter(
                draw_id__in=selectors.draw_ids(prefix, year, end, department), target__kind__in=MARKET_KINDS
            )
            cond = Q(quota_mode=QuotaMode.RATIO, pk__in=market.values("draw__task_id"))
        qs = _flag(selectors.counted_tasks(prefix, year, end, department), cond).order_by("-hit", "code")
        labels = (
            ("部门联合任务", "其他任务")
            if key == "joint_task_share"
            else ("按风险分类抽取市场主体的任务", "其他任务（按总数抽取，或未抽中市场主体）")
        )
        headers, describe, base = (
            ["任务编号", "任务名称", "牵头部门", "抽查方式", "抽取方式", "作废原因"],
            _task_row,
            cond,
        )
    elif key == "joint_household_share":
        cond = Q(draw__task__mode=TaskMode.JOINT)
        qs = _flag(selectors.counted_selections(prefix, year, end, department), cond).order_by("-hit", "id")
        labels = ("部门联合任务抽中的户", "其他任务抽中的户")
        headers, describe, base = ["检查对象", "标识", "类型", "任务编号", "抽查方式"], _selection_row, cond
    elif key == "publicity_on_time":
        insp = selectors.due_or_published(selectors.year_inspections(prefix, year, department), as_of)
        day_end = selectors.day_end(as_of)
        cond = Q(published_at__lte=day_end, published_at__date__lte=F("due_on"))
        qs = _flag(insp.select_related("selection__target", "selection__draw__task", "department"), cond)
        qs = qs.order_by("hit", "due_on", "id")
        labels = ("按时公示", "逾期公示或逾期未公示")
        headers = ["检查对象", "部门", "任务编号", "检查完毕", "公示截止", "公示日期"]
        describe, base = _inspection_row, cond
    elif key == "discovery_rate":
        cond = Q(pk__in=ItemResult.objects.filter(found_problem=True).values("inspection_id"))
        insp = selectors.finished_inspections(prefix, year, end, department)
        qs = _flag(insp.select_related("selection__target", "selection__draw__task", "department"), cond)
        qs = qs.order_by("-hit", "id")
        labels = ("发现问题", "未发现问题")
        headers = ["检查对象", "部门", "任务编号", "检查完毕", "公示截止", "公示日期"]
        describe, base = _inspection_row, cond
    elif key == "followup_rate":
        cond = Q(disposed_on__lte=as_of)
        qs = _flag(ledger_for(region, year, department=department).filter(found_on__lte=as_of), cond)
        qs = qs.order_by("hit", "due_on", "id")
        labels = ("已处置", "未处置")
        headers, describe, base = (
            ["检查对象", "责任部门", "发现日期", "处置方式", "期限", "状态"],
            _followup_row,
            cond,
        )
    else:
        raise KeyError(key)
    denominator = qs.count()
    numerator = qs.filter(base).count()
    shown = {"in": qs.filter(base), "out": qs.exclude(base)}.get(show, qs)
    return Listing(
        **common,
        numerator_label=labels[0],
        rest_label=labels[1],
        headers=headers,
        queryset=shown,
        numerator=numerator,
        denominator=denominator,
        show=show if show in ("in", "out") else "",
        describe_fn=describe,
        shows=[
            ("", f"全部（分母 {denominator:,}）"),
            ("in", f"{labels[0]}（分子 {numerator:,}）"),
            ("out", f"{labels[1]}（{denominator - numerator:,}）"),
        ],
    )


def _on_file(region: Region, year: int) -> int:
    from shuangsuiji.planning.models import YearGoals
    from shuangsuiji.planning.selectors import enterprises_on_file

    goals = YearGoals.objects.filter(region=region, year=year).first()
    return enterprises_on_file(
        region.scope_prefix, goals.coverage_snapshot if goals else dt.date(year - 1, 12, 31)
    )


def describe(obj, as_of: dt.date):
    """A row of an assessment drill-down, whatever the record."""
    from shuangsuiji.followup.models import FollowUp, ReturnVisitFinding

    if isinstance(obj, Inspection):
        return _inspection_row(obj)
    if isinstance(obj, FollowUp):
        obj.hit = None
        return _followup_row(obj)
    if isinstance(obj, ReturnVisitFinding):
        target = obj.visit.inspection.selection.target
        return {
            "cells": [
                target.name,
                obj.department.name,
                obj.get_category_display(),
                obj.note,
                f"{obj.recorded_on:%Y-%m-%d}",
            ],
            "url": obj.get_absolute_url(),
            "hit": None,
        }
    if isinstance(obj, AnnualPlan):
        published = selectors.plan_published_on(obj.department, obj.year)
        return {
            "cells": [
                str(obj),
                obj.get_status_display(),
                obj.voided_reason or (f"首次公示 {published:%Y-%m-%d}" if published else "未公示"),
            ],
            "url": reverse("planning:plan_detail", args=[obj.pk]),
            "hit": None,
        }
    if isinstance(obj, TargetDraw):
        return {
            "cells": [obj.public_id, f"{obj.task.code} {obj.task.name}", "抽取作废", obj.ended_reason],
            "url": reverse("draw:detail", args=[obj.public_id]),
            "hit": None,
        }
    return {"cells": [str(obj), "未建立年度抽查计划"], "url": "", "hit": None}
