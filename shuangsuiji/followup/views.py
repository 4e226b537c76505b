"""后续处置 pages: the ledger (台账), an entry with its history and the actions the user may take,
the transfer inbox, and return visits (draw and record). Thin: services change, selectors read."""

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Case, Value, When
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from shuangsuiji.core import audit
from shuangsuiji.core.decorators import requires
from shuangsuiji.core.errors import DomainError
from shuangsuiji.core.models import Role
from shuangsuiji.core.ops.caching import public_page
from shuangsuiji.core.paging import COUNT_CAP, CappedPaginator, list_page
from shuangsuiji.core.permissions import Action, can
from shuangsuiji.core.selectors import departments_in_scope

from . import selectors, services
from .forms import (
    DisposeForm,
    InboxFilterForm,
    OutcomeForm,
    ReturnTransferForm,
    VerifyForm,
    VisitDrawForm,
    VisitRecordForm,
    VisitRunForm,
    ledger_filtered,
)
from .models import OPEN_STATES, DispositionKind, FollowUp, FollowUpState, VisitDrawStatus


def _members(user):
    return departments_in_scope(user).filter(is_office=False).order_by("name")


def _with_overdue(qs, today):
    return qs.annotate(
        is_overdue=Case(
            When(state__in=OPEN_STATES, due_on__lt=today, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def _problems(form) -> str:
    return "；".join(
        f"{form.fields[k].label if k in form.fields else ''}：{e}"
        for k, errs in form.errors.items()
        for e in errs
    )


@requires(Action.FOLLOWUP_VIEW)
def ledger(request):
    today = timezone.localdate()
    form, qs = ledger_filtered(request.user, request.GET, today)
    page = CappedPaginator(_with_overdue(qs, today).order_by("due_on", "id"), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "followup/ledger.html",
        {
            "form": form,
            "page": page,
            "today": today,
            "count_cap": COUNT_CAP,
            "inbox": selectors.inbox_pending(request.user).count(),
        },
    )


def _actions(user, fu: FollowUp) -> dict:
    """Which actions this user may take on this entry now (the services check again)."""
    edit = can(user, Action.FOLLOWUP_EDIT)
    owner = edit and user.department_id == fu.department_id
    receiver = edit and fu.transfer_to_id is not None and user.department_id == fu.transfer_to_id
    return {
        "dispose": owner and fu.state == FollowUpState.PENDING,
        "accept": receiver and fu.state == FollowUpState.TRANSFER_PENDING,
        "outcome": fu.state == FollowUpState.IN_PROGRESS
        and (receiver if fu.kind == DispositionKind.TRANSFER else owner),
        "verify": owner and fu.state == FollowUpState.TO_VERIFY and user.role == Role.INSPECTOR,
    }


@requires(Action.FOLLOWUP_VIEW)
def entry(request, pk):
    fu = get_object_or_404(selectors.ledger_in_scope(request.user), pk=pk)
    others = _members(request.user).exclude(pk=fu.department_id)
    if request.method == "POST":
        if not can(request.user, Action.FOLLOWUP_EDIT):
            raise PermissionDenied  # the office reads the ledger; it never acts on it
        action = request.POST.get("action", "")
        try:
            if action == "dispose":
                f = DisposeForm(request.POST, departments=others)
                if not f.is_valid():
                    raise DomainError(f"未保存：{_problems(f)}")
                services.followup_dispose(actor=request.user, followup=fu, **f.cleaned_data)
                messages.success(request, "已记录处置方式")
            elif action == "accept":
                services.transfer_accept(actor=request.user, followup=fu)
                messages.success(request, "已接收移送，请在办结后记录处置结果")
            elif action == "return":
                f = ReturnTransferForm(request.POST)
                if not f.is_valid():
                    raise DomainError("退回时请填写理由")
                services.transfer_return(actor=request.user, followup=fu, **f.cleaned_data)
                messages.success(request, "已退回移送部门")
            elif action == "outcome":
                f = OutcomeForm(request.POST)
                if not f.is_valid():
                    raise DomainError(f"未保存：{_problems(f)}")
                services.outcome_record(actor=request.user, followup=fu, **f.cleaned_data)
                messages.success(request, "已记录处置结果")
            elif action == "verify":
                f = VerifyForm(request.POST)
                if not f.is_valid():
                    raise DomainError(f"未保存：{_problems(f)}")
                services.rectification_verify(actor=request.user, followup=fu, **f.cleaned_data)
                messages.success(request, "已记录整改核查")
            else:
                raise PermissionDenied
        except DomainError as e:
            messages.error(request, e.message)
        return redirect("followup:entry", fu.pk)
    today = timezone.localdate()
    return render(
        request,
        "followup/entry.html",
        {
            "fu": fu,
            "today": today,
            "overdue": fu.overdue_on(today),
            "history": audit.entries_for(fu).order_by("seq"),
            "transfers": fu.transfers.select_related("to_department", "sent_by", "decided_by"),
            "can": _actions(request.user, fu),
            "dispose_form": DisposeForm(departments=others),
            "outcome_form": OutcomeForm(),
            "verify_form": VerifyForm(),
            "return_form": ReturnTransferForm(),
        },
    )


@requires(Action.FOLLOWUP_VIEW)
def inbox(request):
    filters = InboxFilterForm(request.GET, user=request.user)  # the 待办 home: state=transfer_pending
    page = list_page(request, _with_overdue(filters.rows(), timezone.localdate()))
    return render(request, "followup/inbox.html", {"filters": filters, "page": page})


@requires(Action.RETURN_VISIT)
def visits(request):
    form = VisitDrawForm(request.POST or None, departments=_members(request.user))
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            d = services.visit_draw_announce(
                actor=request.user,
                year=c["year"],
                share=c["share"] / 100,
                public_value_source=c["public_value_source"],
                department=c["department"],
                weighted_share=c["weighted_share"] / 100 if c["weighted_share"] is not None else None,
            )
        except DomainError as e:
            form.add_error(e.field if e.field in form.fields else None, e.message)
        else:
            messages.success(request, f"已公告回访抽取 {d.public_id}：对象池已冻结，待公开随机值产生后抽取")
            return redirect("followup:visit_draw", d.pk)
    return render(
        request,
        "followup/visits.html",
        {
            "form": form,
            "draws": (page := list_page(request, selectors.visit_draws_for(request.user))),
            "page": page,
        },
    )


@requires(Action.RETURN_VISIT)
def visit_draw(request, pk):
    d = get_object_or_404(selectors.visit_draws_for(request.user), pk=pk)
    if request.method == "POST" and request.POST.get("action") == "run":
        try:
            services.visit_draw_run(
                actor=request.user, draw=d, public_value=request.POST.get("public_value", "")
            )
            messages.success(request, "已抽取，请逐一回访并记录")
        except DomainError as e:
            messages.error(request, e.message)
        return redirect(d.get_absolute_url())
    if request.method == "POST":
        v = get_object_or_404(
            d.visits, pk=request.POST.get("visit") if str(request.POST.get("visit", "")).isdigit() else 0
        )
        f = VisitRecordForm(request.POST, prefix=f"v{v.pk}")
        try:
            if not f.is_valid():
                raise DomainError(f"未保存：{_problems(f)}")
            c = f.cleaned_data
            services.visit_record(
                actor=request.user,
                visit=v,
                conclusion=c["conclusion"],
                note=c["note"],
                findings=c["findings"],
                on=c["on"],
            )
            messages.success(request, f"已记录回访：第 {v.order} 号")
        except DomainError as e:
            messages.error(request, e.message)
        return redirect(v.get_absolute_url())
    rows = []
    for v in d.visits.select_related(
        "department", "inspection__selection__target", "inspection__selection__draw__task"
    ).prefetch_related("findings"):
        initial = {
            "conclusion": v.conclusion,
            "note": v.note,
            "findings": [x.category for x in v.findings.all()],
        }
        if v.visited_on:
            initial["on"] = v.visited_on
        rows.append((v, VisitRecordForm(prefix=f"v{v.pk}", initial=initial)))
    return render(
        request,
        "followup/visit_draw.html",
        {"d": d, "rows": rows, "verified": services.visit_draw_verify(d), "run_form": VisitRunForm()},
    )


@public_page()  # the public portal's cache headers and ETag (core/ops/caching.py)
def visit_draw_json(request, public_id):
    """The public record of a return-visit draw (no sign-in): enough to re-run it (draw-spec §2,
    §4–6, purpose "ssj-return-visit-v1"). Keys are 检查记录号 of the public result export."""
    d = selectors.public_visit_draw(public_id)
    if d is None:
        raise Http404
    drawn = d.status == VisitDrawStatus.DRAWN
    rec = {
        "format": "ssj-return-visit-v1",
        "public_id": d.public_id,
        "status": d.status,
        "region": d.region.code,
        "year": d.year,
        "department": d.department.name if d.department else None,
        "share": str(d.share),
        "announced_at": d.announced_at.isoformat(),
        "public_value_source": d.public_value_source,
        "secret_commitment": d.secret_commitment,
        "pool_root": d.pool_root,
        "strata": d.strata,
        "pool": d.pool,
        # revealed only with the draw: until then the commitment binds the platform
        "secret_hex": d.server_secret() if drawn else None,
        "public_value": d.public_value if drawn else None,
        "seed": d.seed if drawn else None,
        "drawn_at": d.drawn_at.isoformat() if drawn else None,
        "selected": [
            {"label": label, "position": pos, "key": key}
            for label, pos, key in d.visits.order_by("order").values_list("label", "position", "key")
        ],
    }
    return HttpResponse(
        json.dumps(rec, ensure_ascii=False, indent=1), content_type="application/json; charset=utf-8"
    )
