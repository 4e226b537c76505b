"""触发式监管 pages: the triggers of the department (the office: of its jurisdiction), recording
one, one trigger with its requests and merges, and the actions — ask for a triggered task, decide
it, merge into a random visit — one view each. Thin: services change, selectors read."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from shuangsuiji.core import audit
from shuangsuiji.core.decorators import requires
from shuangsuiji.core.errors import DomainError
from shuangsuiji.core.permissions import Action, can
from shuangsuiji.core.selectors import departments_in_scope

from . import selectors, services
from .forms import DecideForm, MergeForm, RequestForm, TriggerForm
from .models import TriggerStatus


def _problems(form) -> str:
    return "；".join(
        f"{form.fields[k].label if k in form.fields else ''}：{e}"
        for k, errs in form.errors.items()
        for e in errs
    )


def _departments(user):
    return departments_in_scope(user).filter(is_office=False)


@requires(Action.TRIGGER_VIEW)
def trigger_list(request):
    qs = selectors.triggers_for(request.user).prefetch_related("targets")
    status = request.GET.get("status", "")
    if status in TriggerStatus.values:
        qs = qs.filter(status=status)
    return render(
        request,
        "triggers/list.html",
        {
            "triggers": qs[:200],
            "status": status,
            "statuses": TriggerStatus.choices,
            "counts": selectors.trigger_counts(request.user),
            "pending": selectors.pending_requests(request.user).select_related("task", "trigger"),
            "can_edit": can(request.user, Action.TRIGGER_EDIT),
        },
    )


@requires(Action.TRIGGER_EDIT)
def trigger_new(request):
    form = TriggerForm(request.POST or None, user=request.user, departments=_departments(request.user))
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            t = services.trigger_record(
                actor=request.user,
                category=c["category"],
                source=c["source"],
                received_on=c["received_on"],
                targets=c["targets_text"],
                items=list(c["items"]),
                description=c["description"],
                complainant=c["complainant"],
                source_department=c["source_department"],
                followup=c["followup"],
            )
        except DomainError as e:
            form.add_error(e.field if e.field in form.fields else None, e.message)
        else:
            messages.success(request, "已登记触发事项")
            return redirect("triggers:detail", t.pk)
    return render(request, "triggers/new.html", {"form": form})


@requires(Action.TRIGGER_VIEW)
def trigger_detail(request, pk):
    t = get_object_or_404(selectors.triggers_for(request.user), pk=pk)
    own = (
        can(request.user, Action.TRIGGER_EDIT)
        and selectors.triggers_editable_by(request.user).filter(pk=pk).exists()
    )
    requests_ = list(selectors.requests_of(t))
    return render(
        request,
        "triggers/detail.html",
        {
            "t": t,
            "own": own,
            # the complainant is for the department that keeps the trigger only, not the office
            "show_complainant": request.user.department_id == t.department_id,
            "targets": t.targets.order_by("name"),
            "items": t.items.order_by("code"),
            "open_targets": selectors.open_targets(t),
            "merges": selectors.merges_of(t),
            "requests": requests_,
            "may_decide": can(request.user, Action.TRIGGER_APPROVE),
            "request_form": RequestForm(),
            "decide_form": DecideForm(),
            "merge_form": MergeForm(trigger=t) if own and t.status == TriggerStatus.OPEN else None,
            "history": audit.entries_for(t).order_by("seq"),
        },
    )


@requires(Action.TRIGGER_EDIT)
@require_POST
def trigger_request(request, pk):
    t = get_object_or_404(selectors.triggers_for(request.user), pk=pk)
    form = RequestForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError(f"未申请：{_problems(form)}")
        services.task_request(actor=request.user, trigger=t, **form.cleaned_data)
        messages.success(request, "已申请触发式检查，待部门主管领导审批")
    except DomainError as e:
        messages.error(request, e.message)
    return redirect("triggers:detail", t.pk)


@requires(Action.TRIGGER_EDIT)
@require_POST
def trigger_merge(request, pk):
    t = get_object_or_404(selectors.triggers_for(request.user), pk=pk)
    if not selectors.triggers_editable_by(request.user).filter(pk=t.pk).exists():
        raise PermissionDenied
    form = MergeForm(request.POST, trigger=t)
    try:
        if not form.is_valid():
            raise DomainError(f"未合并：{_problems(form)}")
        services.trigger_merge(actor=request.user, trigger=t, **form.cleaned_data)
        messages.success(request, "已并入随机抽查：一次检查同时办理该事项")
    except DomainError as e:
        messages.error(request, e.message)
    return redirect("triggers:detail", t.pk)


@requires(Action.TRIGGER_APPROVE)
@require_POST
def request_decide(request, pk):
    req = get_object_or_404(selectors.requests_for(request.user), pk=pk)
    form = DecideForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError(f"未审批：{_problems(form)}")
        c = form.cleaned_data
        services.task_request_decide(
            actor=request.user, request=req, approve=c["decision"] == "approve", note=c["note"]
        )
        messages.success(
            request, "已批准：请由部门管理员匹配检查人员" if c["decision"] == "approve" else "已不予批准"
        )
    except DomainError as e:
        messages.error(request, e.message)
    return redirect("triggers:detail", req.trigger_id)
