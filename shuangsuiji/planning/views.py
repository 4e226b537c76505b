"""Planning pages: thin — forms parse, services change, selectors read."""

import datetime as dt
import math

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.core import audit
from shuangsuiji.core.decorators import requires
from shuangsuiji.core.errors import DomainError
from shuangsuiji.core.models import Department
from shuangsuiji.core.permissions import Action, can
from shuangsuiji.directory.models import Item, ItemStatus, Tag, TagLibrary
from shuangsuiji.draw.selectors import merge_candidates

from . import selectors, services
from .forms import GoalsForm, JointListForm, PresetForm, ReasonForm, TaskForm
from .models import JointList, PlanStatus


def _error(form, e: DomainError):
    form.add_error(e.field if e.field in form.fields else None, e.message)


@requires(Action.GOALS_EDIT)
def goals(request):
    year = int(request.GET.get("year") or timezone.localdate().year)
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
    departments = Department.objects.filter(region=request.user.region, is_office=False)
    items = Item.objects.filter(
        region__code__in=[
            request.user.region.code,
            request.user.region.code[:4] + "00",
            request.user.region.code[:2] + "0000",
        ],
        status=ItemStatus.PUBLISHED,
    )
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
    return render(
        request,
        "planning/joint_lists.html",
        {"form": form, "entries": selectors.joint_lists_for(request.user)},
    )


@requires(Action.PLAN_VIEW)
def plan_list(request):
    plans = selectors.plans_for(request.user).order_by("-year", "department__name")
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
            "plans": plans,
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
        departments=Department.objects.filter(region=region, is_office=False),
        items=Item.objects.filter(status=ItemStatus.PUBLISHED, claims__department__region=region).distinct(),
        tags=Tag.objects.filter(library=TagLibrary.TARGET, region__code__startswith=region.code[:2]),
        joint_lists=JointList.objects.filter(region=region),
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
            return redirect("planning:plan_detail", plan.pk)
    return render(
        request,
        "form.html",
        {
            "form": form,
            "title": f"{'修改' if task else '新增'}抽查任务（{plan}）",
            "back_url": reverse("planning:plan_detail", args=[plan.pk]),
        },
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
        lower = Department.objects.filter(
            pk__in=request.POST.getlist("departments"), region__parent=task.lead.region
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

    return render(
        request,
        "planning/task_detail.html",
        {
            "lower_departments": Department.objects.filter(
                region__parent=task.lead.region, is_office=False
            ).select_related("region")
            if task.lead_id == request.user.department_id and task.in_published_plan
            else [],
            "sent_down": task.sent_down.select_related("lead", "lead__region"),
            "task": task,
            "draws": task.draws.order_by("seq"),
            "history": audit.entries_for(task).order_by("seq"),
            "merge": merge_candidates(task),
            "can_run": can(request.user, Action.DRAW_RUN) and task.lead_id == request.user.department_id,
            "form": form,
        },
    )
