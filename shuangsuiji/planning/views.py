"""Planning pages: thin — forms parse, services change, selectors read."""

import datetime as dt
import math
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.core import audit
from shuangsuiji.core.decorators import requires
from shuangsuiji.core.errors import DomainError
from shuangsuiji.core.paging import COUNT_CAP, CappedPaginator, list_page
from shuangsuiji.core.params import id_list_param, int_param
from shuangsuiji.core.permissions import Action, can
from shuangsuiji.core.selectors import lower_departments, member_departments

from . import disclosure, hooks, selectors, services, simulator
from .forms import (
    AssignmentPresetForm,
    GoalsForm,
    JointListForm,
    MilestoneDoneForm,
    MilestoneForm,
    PlanFilterForm,
    PresetForm,
    ReasonForm,
    SimulatorForm,
    SimulatorScopeForm,
    TaskFilterForm,
    TaskForm,
)
from .models import DEFAULT_RATIOS, PlanStatus, TaskState


def _error(form, e: DomainError):
    form.add_error(e.field if e.field in form.fields else None, e.message)


@requires(Action.GOALS_EDIT)
def goals(request):
    year = (
        int_param(request.GET, "year", label="年度", lo=2000, hi=2100)
        if request.GET.get("year")
        else timezone.localdate().year
    )
    current = selectors.goals_for(request.user, year)
    preset_form = PresetForm(initial={"year": year}, prefix="p")
    form = GoalsForm(
        initial=GoalsForm.initial_from(current)
        or {"year": year, "coverage_snapshot": dt.date(year - 1, 12, 31)}
    )
    if request.method == "POST":
        try:
            if "p-preset" in request.POST:
                preset_form = PresetForm(request.POST, prefix="p")
                if preset_form.is_valid():
                    g = services.goals_from_preset(
                        actor=request.user,
                        preset=preset_form.cleaned_data["preset"],
                        year=preset_form.cleaned_data["year"],
                    )
                    messages.success(request, f"已按预设载入 {g.year} 年度目标，可在下方逐项调整")
                    return redirect(f"{reverse('planning:goals')}?year={g.year}")
            else:
                form = GoalsForm(request.POST)
                if form.is_valid():
                    d = form.cleaned_data
                    services.goals_save(
                        actor=request.user,
                        year=d["year"],
                        source=d["source"],
                        coverage_snapshot=d["coverage_snapshot"],
                        **form.shares(),
                    )
                    messages.success(request, f"{d['year']} 年度目标已保存")
                    return redirect(f"{reverse('planning:goals')}?year={d['year']}")
        except DomainError as e:
            _error(form, e)
    denominator = target_households = None
    if current:
        denominator = selectors.enterprises_on_file(
            request.user.region.scope_prefix, current.coverage_snapshot
        )
        if current.coverage is not None:
            target_households = math.ceil(denominator * current.coverage)
    return render(
        request,
        "planning/goals.html",
        {
            "form": form,
            "preset_form": preset_form,
            "goals": current,
            "year": year,
            "denominator": denominator,
            "target_households": target_households,
        },
    )


@requires(Action.GOALS_EDIT)
def joint_lists(request):
    departments = member_departments(request.user.region)
    items = selectors.joint_list_items(request.user.region)
    form = JointListForm(request.POST or None, departments=departments, items=items)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.joint_list_save(
                actor=request.user,
                name=d["name"],
                lead=d["lead"],
                participants=d["participants"],
                items=list(d["items"]),
                industries=[
                    x.strip() for x in d["industries_text"].replace("，", ",").split(",") if x.strip()
                ],
                note=d["note"],
            )
        except DomainError as e:
            _error(form, e)
        else:
            messages.success(request, f"已保存一业一查清单：{d['name']}")
            return redirect("planning:joint_lists")
    entries = list(selectors.joint_lists_for(request.user))
    for e in entries:
        e.industry_names = selectors.industry_names(e.industries)
    return render(request, "planning/joint_lists.html", {"form": form, "entries": entries})


@requires(Action.PLAN_VIEW)
def plan_list(request):
    filters = PlanFilterForm(request.GET, user=request.user)
    plans = filters.rows().order_by("-year", "department__name")
    if request.method == "POST":
        _may(request.user, {Action.PLAN_EDIT})
        try:
            plan = services.plan_create(actor=request.user, year=int(request.POST["year"]))
        except (DomainError, ValueError, KeyError) as e:
            messages.error(request, getattr(e, "message", "请填写年度"))
        else:
            return redirect("planning:plan_detail", plan.pk)
    return render(
        request,
        "planning/plan_list.html",
        {
            "plans": (page := list_page(request, plans)),
            "page": page,
            "filters": filters,
            "can_edit": can(request.user, Action.PLAN_EDIT),
            "can_approve": can(request.user, Action.PLAN_APPROVE),
            "year": timezone.localdate().year,
        },
    )


# Which role may ever ask for each action on a plan: checked before the plan is looked up, so a
# role that may never act gets 403; a plan out of the user's scope is 404; the services then
# check the particular plan (own department, own jurisdiction) and refuse with 403 themselves.
PLAN_ACTIONS = {
    "submit": ({Action.PLAN_EDIT}, "已提交，等待双随机办公室审核"),
    "adjust": ({Action.PLAN_EDIT}, "已发起计划调整：修改后请提交审核"),
    "approve": ({Action.PLAN_APPROVE}, "已审核通过并公示"),
    "return": ({Action.PLAN_APPROVE}, "已退回"),
    "void": ({Action.PLAN_EDIT, Action.PLAN_APPROVE}, "计划已作废"),
}


def _may(user, actions) -> None:
    if not any(can(user, a) for a in actions):
        raise PermissionDenied


@requires(Action.PLAN_VIEW)
def plan_detail(request, pk):
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in PLAN_ACTIONS:
            raise Http404
        _may(request.user, PLAN_ACTIONS[action][0])
    plan = get_object_or_404(selectors.plans_for(request.user), pk=pk)
    own = can(request.user, Action.PLAN_EDIT) and plan.department_id == request.user.department_id
    office = can(request.user, Action.PLAN_APPROVE)
    if request.method == "POST":
        reason = request.POST.get("reason", "")
        calls = {
            "submit": lambda: services.plan_submit(actor=request.user, plan=plan),
            "adjust": lambda: services.plan_adjust_open(actor=request.user, plan=plan, reason=reason),
            "approve": lambda: services.plan_approve(actor=request.user, plan=plan),
            "return": lambda: services.plan_return(actor=request.user, plan=plan, comment=reason),
            "void": lambda: services.plan_void(actor=request.user, plan=plan, reason=reason),
        }
        try:
            calls[action]()
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, PLAN_ACTIONS[action][1])
        return redirect("planning:plan_detail", pk)
    return render(
        request,
        "planning/plan_detail.html",
        {
            "plan": plan,
            "tasks": plan.tasks.prefetch_related("departments", "items").order_by("code"),
            "versions": plan.versions.select_related("approved_by", "requested_by"),
            "history": audit.entries_for(plan).order_by("seq"),
            "own": own,
            "office": office and plan.department.region_id == request.user.region.code,
            "statuses": PlanStatus,
        },
    )


def _task_form(request, plan, instance=None):
    dept = plan.department
    region = dept.region
    return TaskForm(
        request.POST or None,
        instance=instance,
        department=dept,
        departments=member_departments(region),
        items=selectors.task_items(region),
        tags=selectors.task_scope_tags(region),
        joint_lists=selectors.joint_lists_of(region),
    )


@requires(Action.PLAN_EDIT)
def task_edit(request, plan_pk, pk=None):
    plan = get_object_or_404(
        selectors.plans_for(request.user).filter(department=request.user.department), pk=plan_pk
    )
    task = get_object_or_404(plan.tasks, pk=pk) if pk else None
    form = _task_form(request, plan, task)
    if request.method == "POST" and form.is_valid():
        try:
            task = services.task_save(actor=request.user, plan=plan, task=task, **form.service_fields())
        except DomainError as e:
            _error(form, e)
        else:
            messages.success(request, f"已保存任务：{task.name}")
            for note in form.notes:  # how typed names were read
                messages.info(request, note)
            if not form.cleaned_data["scope_kinds"]:
                if task.scope_kinds:
                    messages.info(
                        request,
                        f"未选择对象类型，已按所选事项的检查对象类型取为：{services.kinds_label(task.scope_kinds)}",
                    )
                else:
                    messages.warning(
                        request, "未选择对象类型，所选事项也未规定检查对象类型：对象池将包含全部类型的对象"
                    )
            for w in disclosure.class_disclosure_warnings(task):  # shown, not blocking
                messages.warning(request, w)
            return redirect("planning:plan_detail", plan.pk)
    return render(
        request,
        "planning/task_form.html",
        {
            "form": form,
            "title": f"{'修改' if task else '新增'}抽查任务（{plan}）",
            "back_url": reverse("planning:plan_detail", args=[plan.pk]),
        },
    )


@requires(Action.PLAN_VIEW)
def task_list(request):
    """抽查任务: the tasks the user reads, filtered by state, lead department and year; the 待办
    home links here for the draws to run and the teams to match."""
    filters = TaskFilterForm(request.GET, user=request.user)
    page = CappedPaginator(filters.rows(), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "planning/task_list.html",
        {"filters": filters, "page": page, "count_cap": COUNT_CAP, "today": timezone.localdate()},
    )


@requires(Action.PLAN_VIEW)
def task_detail(request, pk):
    if request.method == "POST":
        _may(request.user, {Action.PLAN_EDIT, Action.PLAN_APPROVE})
    task = get_object_or_404(
        selectors.tasks_for(request.user).prefetch_related(
            "departments", "items", "business_lines", "scope_tags"
        ),
        pk=pk,
    )
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and request.POST.get("action") == "send_down":
        lower = lower_departments(task.lead.region).filter(
            pk__in=id_list_param(request.POST, "departments", label="下派部门")
        )
        try:
            copies = services.task_send_down(actor=request.user, task=task, departments=list(lower))
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, f"已下派至 {len(copies)} 个部门")
        return redirect("planning:task_detail", pk)
    if request.method == "POST" and form.is_valid():
        try:
            services.task_void(actor=request.user, task=task, reason=form.cleaned_data["reason"])
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, "任务已作废")
        return redirect("planning:task_detail", pk)

    can_run = can(request.user, Action.DRAW_RUN) and task.lead_id == request.user.department_id
    return render(
        request,
        "planning/task_detail.html",
        {
            # 对象池预览 for the one who will announce it (draw's count, planning/hooks.py)
            "preview": hooks.pool_preview(task) if can_run and task.state == TaskState.PLANNED else None,
            "lower_departments": lower_departments(task.lead.region).select_related("region")
            if task.lead_id == request.user.department_id and task.in_published_plan
            else [],
            "sent_down": task.sent_down.select_related("lead", "lead__region"),
            "task": task,
            "scope": selectors.task_scope_labels(task),
            "ratios": {c: f"{float(Decimal(v) * 100):g}%" for c, v in (task.ratios or {}).items()},
            "draws": task.draws.order_by("seq"),
            "history": audit.entries_for(task).order_by("seq"),
            "merge": hooks.merge_candidates(task),  # draw's query (planning/hooks.py)
            "can_run": can_run,
            "form": form,
            # the scope's count only while the task may still change (one query over the directory)
            "class_warnings": disclosure.class_disclosure_warnings(
                task, with_scope=task.state == TaskState.PLANNED
            ),
        },
    )


# ---- 实施方案任务分工 (R-ADM-3) -------------------------------------------------------------------


def _year(request) -> int:
    value = request.GET.get("year") or request.POST.get("year") or ""
    return int(value) if value.isdigit() and 2000 <= int(value) <= 2100 else timezone.localdate().year


def _jurisdiction_departments(user):
    return member_departments(user.region).order_by("pk")


@requires(Action.PLAN_VIEW)
def workplan(request):
    """The 实施方案's assignments for a year: everyone in the jurisdiction reads them, late ones
    first; the office enters them, loads them from a preset, and marks them done."""
    if request.method == "POST":
        _may(request.user, {Action.WORKPLAN_EDIT})
    year = _year(request)
    office = can(request.user, Action.WORKPLAN_EDIT)
    form = MilestoneForm(
        request.POST if request.POST.get("action") == "add" else None,
        departments=_jurisdiction_departments(request.user),
        initial={"year": year},
    )
    preset_form = AssignmentPresetForm(
        request.POST if request.POST.get("action") == "preset" else None,
        initial={"year": year},
        prefix="p",
    )
    if request.method == "POST":
        try:
            if request.POST.get("action") == "preset":
                if preset_form.is_valid():
                    d = preset_form.cleaned_data
                    made = services.milestones_from_preset(
                        actor=request.user, preset=d["preset"], year=d["year"]
                    )
                    messages.success(request, f"已载入 {len(made)} 项任务分工（已有的不重复载入）")
                    return redirect(f"{reverse('planning:workplan')}?year={d['year']}")
            elif request.POST.get("action") == "add":
                if form.is_valid():
                    m = services.milestone_save(actor=request.user, **form.service_fields())
                    messages.success(request, "已新增任务分工")
                    return redirect(f"{reverse('planning:workplan')}?year={m.year}")
            else:
                raise Http404
        except DomainError as e:
            _error(preset_form if request.POST.get("action") == "preset" else form, e)
    today = timezone.localdate()
    rows = list(selectors.milestones_for(request.user, year).order_by("region_id", "order", "due_on", "pk"))
    for m in rows:
        m.late = m.is_late(today)
        m.mine = any(d.pk == request.user.department_id for d in m.departments.all())
    return render(
        request,
        "planning/workplan.html",
        {
            "year": year,
            "today": today,
            "rows": rows,
            "late": [m for m in rows if m.late],
            "done": sum(1 for m in rows if m.done),
            "office": office,
            "form": form,
            "preset_form": preset_form,
        },
    )


MILESTONE_ACTIONS = {
    "done": "已确认完成",
    "reopen": "已重新打开",
    "delete": "已删除",
    "save": "已保存",
}


@requires(Action.WORKPLAN_EDIT)
def milestone(request, pk):
    m = get_object_or_404(selectors.milestones_for(request.user), pk=pk)
    form = MilestoneForm(
        request.POST if request.POST.get("action") == "save" else None,
        instance=m,
        departments=_jurisdiction_departments(request.user),
    )
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in MILESTONE_ACTIONS:
            raise Http404
        back = f"{reverse('planning:workplan')}?year={m.year}"
        try:
            if action == "save":
                if not form.is_valid():
                    raise DomainError("请检查填写的内容")
                services.milestone_save(actor=request.user, milestone=m, **form.service_fields())
            elif action == "done":
                done = MilestoneDoneForm(request.POST)
                if not done.is_valid():
                    raise DomainError("完成日期格式不正确（YYYY-MM-DD）", field="done_on")
                services.milestone_done(actor=request.user, milestone=m, **done.cleaned_data)
            elif action == "reopen":
                services.milestone_reopen(
                    actor=request.user, milestone=m, reason=request.POST.get("reason", "")
                )
            else:
                services.milestone_delete(
                    actor=request.user, milestone=m, reason=request.POST.get("reason", "")
                )
        except DomainError as e:
            if action != "save":
                messages.error(request, e.message)
                return redirect(back)
            _error(form, e)
        else:
            messages.success(request, MILESTONE_ACTIONS[action])
            return redirect(back)
    return render(
        request,
        "planning/milestone.html",
        {"m": m, "form": form, "history": audit.entries_for(m).order_by("seq")},
    )


# ---- the planning simulator --------------------------------------------------------------------


def _pct(x, places: int = 2) -> str:
    return f"{float(x) * 100:.{places}f}%"


def _num(x) -> str:
    return f"{float(x):,.1f}"


def _prefill(user, department, kind: str, year: int) -> tuple[dict, dict]:
    """The form's starting values from the directory, past results and the inspector directory,
    and notes on where each came from."""
    prefix = user.region.scope_prefix
    mix = selectors.class_mix(prefix, department=department, kind=kind)
    rates = selectors.problem_rates(prefix, department=department, kind=kind)
    inspectors = selectors.inspectors_available(prefix, department=department, today=timezone.localdate())
    # Unclassified targets are drawn at B's ratio (draw/services.py), so they count with B here.
    counts = {c: mix[c] for c in "ABCD"}
    counts["B"] += mix[""]
    goals = selectors.goals_for(user, year)
    coverage = goals.coverage if goals and goals.coverage is not None else Decimal("0.03")
    initial = {
        "inspectors": inspectors,
        "days": 20,
        "per_day": 3,
        "team_size": 2,
        "goal": math.ceil(sum(counts.values()) * coverage),
    }
    for c in "ABCD":
        lo, hi = simulator.DEFAULT_BOUNDS[c]
        n, k = rates[c]
        initial |= {
            f"count_{c}": counts[c],
            f"ratio_{c}": Decimal(DEFAULT_RATIOS[c]) * 100,
            f"rate_{c}": round(Decimal(k) / n * 100, 2) if n else 0,
            f"min_{c}": Decimal(lo.numerator) / lo.denominator * 100,
            f"max_{c}": Decimal(hi.numerator) / hi.denominator * 100,
        }
    notes = {
        "unclassified": mix[""],
        "rates": {c: rates[c] for c in "ABCD"},
        "coverage": coverage,
        "coverage_source": "年度目标" if goals and goals.coverage is not None else "默认 3%",
    }
    return initial, notes


def _rows(prediction, bounds=None) -> list[dict]:
    return [
        {
            "label": simulator.CLASS_LABELS[r.risk_class],
            "count": r.count,
            "ratio": _pct(r.ratio),
            "bounds": f"{_pct(bounds[r.risk_class][0])} – {_pct(bounds[r.risk_class][1])}" if bounds else "",
            "selected": r.selected,
            "rate": _pct(r.problem_rate, 1),
            "expected": _num(r.expected_problems),
        }
        for r in prediction.rows
    ]


def _summary(p) -> dict:
    return {
        "selected": p.selected,
        "population": p.population,
        "coverage": _pct(p.coverage),
        "goal": p.goal,
        "meets_goal": p.meets_goal,
        "days_needed": math.ceil(p.days_needed),
        "days_available": _num(p.days_available),
        "within_capacity": p.within_capacity,
        "expected": _num(p.expected_problems),
    }


@requires(Action.PLAN_VIEW)
def simulator_page(request):
    """抽查计划测算: what per-class ratios give (coverage, inspector-days, expected problems)
    and which ratios the simulator suggests. For the office (its jurisdiction or one department)
    and department admins (their department)."""
    _may(request.user, {Action.PLAN_EDIT, Action.PLAN_APPROVE})
    office = can(request.user, Action.PLAN_APPROVE)
    scope = SimulatorScopeForm(
        request.GET or None,
        departments=_jurisdiction_departments(request.user) if office else None,
        initial={"kind": "enterprise", "year": timezone.localdate().year},
    )
    scope.is_valid()
    data = scope.cleaned_data if scope.is_bound else {}
    department = data.get("department") if office else request.user.department
    kind = data.get("kind", "enterprise")
    year = data.get("year") or timezone.localdate().year
    initial, notes = _prefill(request.user, department, kind, year)
    form = SimulatorForm(request.GET if "run" in request.GET else None, initial=initial)
    result = error = None
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        try:
            capacity = simulator.Capacity.of(d["inspectors"], d["days"], d["per_day"], d["team_size"])
            counts = {c: d[f"count_{c}"] for c in "ABCD"}
            rates = {c: form.share(f"rate_{c}") for c in "ABCD"}
            now = simulator.predict(
                counts=counts,
                ratios={c: form.share(f"ratio_{c}") for c in "ABCD"},
                rates=rates,
                capacity=capacity,
                goal=d["goal"],
            )
            best = simulator.suggest(
                counts=counts,
                rates=rates,
                capacity=capacity,
                goal=d["goal"],
                bounds={c: (form.share(f"min_{c}"), form.share(f"max_{c}")) for c in "ABCD"},
            )
        except simulator.SimulationError as e:
            error = str(e)
        else:
            result = {
                "rows": _rows(now),
                "summary": _summary(now),
                "feasible": best.feasible,
                "reasons": best.reasons,
                "suggested": _rows(best.prediction, best.bounds) if best.prediction else [],
                "suggested_summary": _summary(best.prediction) if best.prediction else None,
            }
    return render(
        request,
        "planning/simulator.html",
        {
            "scope": scope,
            "form": form,
            "result": result,
            "error": error,
            "notes": notes,
            "department": department,
            "kind": kind,
            "year": year,
        },
    )
