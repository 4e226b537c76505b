"""风险预警名单 pages: the list (scored, paged, filtered), one target's factors with the records
behind each, the office's settings, and the two things a department starts from a row — one view
each. Thin: watch.py changes, selectors.py reads."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from shuangsuiji.core.decorators import requires
from shuangsuiji.core.errors import DomainError
from shuangsuiji.core.paging import list_page
from shuangsuiji.core.params import int_param
from shuangsuiji.core.permissions import Action, can
from shuangsuiji.core.scope import jurisdiction, visible_to
from shuangsuiji.core.selectors import departments_in_scope
from shuangsuiji.directory.models import Target

from . import selectors, watch
from . import watch_score as ws
from .forms import WatchProposeForm, WatchSettingsForm, WatchTriggerForm

LEVELS = [("alert", "重点关注"), ("watch", "关注")]


def _rules(cfg) -> list[dict]:
    """The test printed on the page: each factor, how it is counted, its weight."""
    how = {
        "problems": f"近 {cfg.lookback_months} 个月已公示的检查中发现问题的次数",
        "refusals": f"近 {cfg.lookback_months} 个月已公示的检查结果为“不配合检查情节严重”的次数（同时计入发现问题）",
        "open": "尚未办结的后续处置台账条目数",
        "overdue": "已过期限仍未办结的台账条目数（同时计入未办结）",
        "triggers": f"近 {cfg.lookback_months} 个月收到的投诉举报、转办交办、监测预警、上级部署等触发事项数",
        "abnormal": f"近 {cfg.lookback_months} 个月处置为“列入经营异常名录”的次数",
        "status": f"近 {cfg.lookback_months} 个月登记状态变更为注销、吊销、撤销或迁出的，计 1 次",
        "idle_years": f"距上次检查完毕每满一年计 1，从未检查按 {cfg.idle_cap_years} 年计，至多 {cfg.idle_cap_years} 年；"
        "A 类（低风险）对象不计（无事不扰）",
    }
    weights = cfg.weights
    return [
        {"label": label, "unit": unit, "how": how[code], "weight": weights[code]}
        for code, label, unit in ws.FACTORS
    ]


def _departments(user):
    return departments_in_scope(user).filter(is_office=False).order_by("name")


@requires(Action.WATCH_VIEW)
def watch_list(request):
    user = request.user
    is_office = jurisdiction(user).is_office
    level = request.GET.get("level", "")
    flt = selectors.WatchFilter(
        level=level if level in dict(LEVELS) else "",
        q=request.GET.get("q", "")[:100],
        department=int_param(request.GET, "department", label="监管部门")
        if is_office and request.GET.get("department")
        else None,
    )
    today = timezone.localdate()
    rows = selectors.watch_list(user, today, flt)
    page = list_page(request, rows)
    ids = [r.target_id for r in page]
    targets = selectors.page_targets(user, ids)
    actions = selectors.page_actions(user, ids)
    lines = [
        {
            "row": r,
            "target": targets[r.target_id],
            "parts": [p for p in r.score.parts if p.points],
            "actions": actions.get(r.target_id, []),
        }
        for r in page
    ]
    cfg = selectors.settings_for(user)
    return render(
        request,
        "warning/watch_list.html",
        {
            "page": page,
            "lines": lines,
            "cfg": cfg,
            "rules": _rules(cfg),
            "levels": LEVELS,
            "flt": flt,
            "departments": _departments(user) if is_office else None,
            "today": today,
            "may_set": can(user, Action.WATCH_SETTINGS),
            "may_act": can(user, Action.WATCH_ACT),
        },
    )


def _target(request, pk) -> Target:
    return get_object_or_404(visible_to(Target, request.user), pk=pk)


@requires(Action.WATCH_VIEW)
def watch_detail(request, pk):
    user = request.user
    target = _target(request, pk)
    today = timezone.localdate()
    row = selectors.target_score(user, target, today)
    cfg = selectors.settings_for(user)
    return render(
        request,
        "warning/watch_detail.html",
        {
            "t": target,
            "row": row,
            "cfg": cfg,
            "rules": _rules(cfg),
            "rec": selectors.records(user, target, today),
            "actions": selectors.page_actions(user, [target.pk]).get(target.pk, []),
            "may_act": can(user, Action.WATCH_ACT) and bool(row.level),
            "today": today,
        },
    )


def _description(target, row, cfg) -> str:
    parts = "；".join(
        f"{p.label} {p.count} × {p.weight} 分 = {p.points} 分" for p in row.score.parts if p.points
    )
    return f"{target.name}列入风险预警名单，评分 {row.score.total}（列入分数线 {cfg.watch_threshold}）：{parts}。"


@requires(Action.WATCH_ACT)
def watch_trigger(request, pk):
    user = request.user
    target = _target(request, pk)
    today = timezone.localdate()
    row = selectors.target_score(user, target, today)
    cfg = selectors.settings_for(user)
    form = WatchTriggerForm(
        request.POST or None, user=user, initial={"description": _description(target, row, cfg)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            action = watch.watch_trigger_start(
                actor=user,
                target=target,
                items=list(form.cleaned_data["items"]),
                description=form.cleaned_data["description"],
            )
        except DomainError as e:
            form.add_error(e.field if e.field in form.fields else None, e.message)
        else:
            messages.success(
                request, "已登记监测预警触发事项：请在此申请触发式检查，经部门主管领导批准后实施"
            )
            return redirect("triggers:detail", action.trigger_id)
    return render(
        request,
        "warning/watch_action.html",
        {"t": target, "row": row, "form": form, "title": "发起触发式检查", "button": "登记监测预警触发事项"},
    )


@requires(Action.WATCH_ACT)
def watch_propose(request, pk):
    user = request.user
    target = _target(request, pk)
    row = selectors.target_score(user, target, timezone.localdate())
    form = WatchProposeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            watch.watch_class_propose(
                actor=user,
                target=target,
                risk_class=form.cleaned_data["risk_class"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as e:
            form.add_error(e.field if e.field in form.fields else None, e.message)
        else:
            messages.success(
                request, "已提出信用风险分类调整建议，由名录维护部门（或双随机办公室）采纳或驳回"
            )
            return redirect("warning:watch_detail", target.pk)
    return render(
        request,
        "warning/watch_action.html",
        {
            "t": target,
            "row": row,
            "form": form,
            "title": "提出信用风险分类调整建议",
            "button": "提交建议",
            "help": "建议交名录维护部门（或双随机办公室）在“变更建议”中采纳或驳回；本页不修改分类。",
        },
    )


@requires(Action.WATCH_SETTINGS)
def watch_settings(request):
    user = request.user
    if not jurisdiction(user).is_office:
        raise PermissionDenied
    cfg = selectors.settings_for(user)
    form = WatchSettingsForm(request.POST or None, current=cfg)
    if request.method == "POST" and form.is_valid():
        try:
            watch.watch_settings_save(actor=user, values=form.cleaned_data)
        except DomainError as e:
            form.add_error(e.field if e.field in form.fields else None, e.message)
        else:
            messages.success(request, "已保存风险预警名单的分值和分数线")
            return redirect("warning:watch_list")
    return render(request, "warning/watch_settings.html", {"form": form, "cfg": cfg})
