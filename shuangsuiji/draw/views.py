"""Draw pages for the lead department (announce, witnesses, run, teams, void), the reviewer
(recusals) and the auditor (downloads). Thin: services change, selectors read."""

import datetime as dt
import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from shuangsuiji.core.decorators import requires
from shuangsuiji.core.errors import DomainError
from shuangsuiji.core.params import id_param
from shuangsuiji.core.permissions import Action, can
from shuangsuiji.planning.selectors import tasks_for

from . import selectors, services
from .forms import AnnounceForm, ReasonForm, RecusalRequestForm, RunForm, WitnessCommitForm, WitnessRevealForm
from .records import public_record
from .verify import verify_record


@requires(Action.DRAW_RUN)
def announce(request, task_pk):
    task = get_object_or_404(tasks_for(request.user), pk=task_pk)
    if task.lead_id != request.user.department_id:
        raise PermissionDenied  # the lead department organizes the draw
    form = AnnounceForm(
        request.POST or None,
        initial={
            "draw_at": timezone.localtime().replace(second=0, microsecond=0),
            "public_value_at": timezone.localtime().replace(second=0, microsecond=0) + dt.timedelta(hours=1),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            draw = services.draw_announce(actor=request.user, task=task, **form.cleaned_data)
        except DomainError as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, f"已公告抽取 {draw.public_id}：对象池已冻结并承诺")
            return redirect("draw:detail", draw.public_id)
    return render(
        request, "form.html", {"form": form, "title": f"公告抽取：{task}", "back_url": task_url(task)}
    )


def task_url(task):
    from django.urls import reverse

    return reverse("planning:task_detail", args=[task.pk])


_ACTIONS = {
    "commit": (
        WitnessCommitForm,
        lambda u, d, f: services.witness_commit(actor=u, draw=d, **f),
        "见证人承诺已记录",
    ),
    "reveal": (
        WitnessRevealForm,
        lambda u, d, f: services.witness_reveal(actor=u, draw=d, **f),
        "见证人数字已揭示并与承诺核对一致",
    ),
    "run": (RunForm, lambda u, d, f: services.draw_run(actor=u, draw=d, **f), "抽取完成"),
    "teams": (None, lambda u, d, f: services.teams_draw(actor=u, draw=d), "人员匹配完成"),
    "abort": (ReasonForm, lambda u, d, f: services.draw_abort(actor=u, draw=d, **f), "本次抽取已中止"),
    "void": (
        ReasonForm,
        lambda u, d, f: services.draw_void(actor=u, draw=d, **f),
        "本次抽取已作废，可重新公告抽取",
    ),
}


@requires(Action.PLAN_VIEW)
def detail(request, public_id):
    action = request.POST.get("action") if request.method == "POST" else None
    if action is not None:
        if action not in _ACTIONS and action != "recusal":
            raise Http404
        # A role that may never do this gets 403 before anything is looked up.
        if action == "recusal" and not (
            can(request.user, Action.DRAW_RUN) or can(request.user, Action.RECUSAL_DECIDE)
        ):
            raise PermissionDenied
        if action != "recusal" and not can(request.user, Action.DRAW_RUN):
            raise PermissionDenied
    draw = get_object_or_404(selectors.draws_for(request.user), public_id=public_id)
    runner = can(request.user, Action.DRAW_RUN) and draw.task.lead_id == request.user.department_id
    if action is not None:
        if action == "recusal":
            f = RecusalRequestForm(request.POST)
            member_id = id_param(request.POST, "member", label="申请回避的检查人员")
            member = get_object_or_404(selectors.team_members(draw), pk=member_id)
            if f.is_valid():
                try:
                    services.recusal_request(
                        actor=request.user, member=member, reason=f.cleaned_data["reason"]
                    )
                    messages.success(request, "回避申请已登记，由本部门主管领导决定")
                except DomainError as e:
                    messages.error(request, e.message)
            return redirect("draw:detail", public_id)
        form_class, call, done = _ACTIONS[action]
        form = form_class(request.POST) if form_class else None
        if form is not None and not form.is_valid():
            messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
        else:
            try:
                call(request.user, draw, form.cleaned_data if form else {})
            except DomainError as e:
                messages.error(request, e.message)
            else:
                messages.success(request, done)
        return redirect("draw:detail", public_id)
    strata = _strata(request.user, draw)
    # drawn stratum by stratum: the order would group the targets by stratum, so one who may not
    # see the strata gets them by key
    selections = (
        draw.selections.select_related("target")
        .prefetch_related("team__inspector", "team__department")
        .order_by("order" if strata["strata_shown"] else "key")
    )
    return render(
        request,
        "draw/detail.html",
        {
            "draw": draw,
            "witnesses": draw.witnesses.all(),
            "selections": selections,
            "runner": runner,
            "checks": verify_record(public_record(draw, with_selection=True)),
            "forms": _forms(draw),
            **strata,
        },
    )


def _strata(user, draw) -> dict:
    """The strata with their classes, by class, for one who may see them; otherwise as the public
    record has them (label, size, quota, root) and no stratum beside a drawn target."""
    if selectors.strata_shown(user, draw):
        return {"strata_shown": True, "strata": sorted(draw.strata, key=lambda s: s["risk_class"] or "Z")}
    return {"strata_shown": False, "strata": sorted(draw.strata, key=lambda s: s["label"])}


def _forms(draw) -> dict:
    """Each form with its own id prefix (one page holds several); the next witness number is
    suggested, and the reveal offers only witnesses who committed and have not revealed."""
    labels = list(draw.witnesses.values_list("label", flat=True))
    pending = list(draw.witnesses.filter(revealed_at__isnull=True).values_list("label", flat=True))
    return {
        "commit": WitnessCommitForm(auto_id="commit_%s", initial={"label": f"见证人{len(labels) + 1}"}),
        "reveal": WitnessRevealForm(auto_id="reveal_%s", labels=pending),
        "run": RunForm(auto_id="run_%s"),
        "reason": ReasonForm(auto_id="reason_%s"),
    }


@requires(Action.RECUSAL_DECIDE)
def recusals(request):
    if request.method == "POST":
        request_id = id_param(request.POST, "request", label="回避申请")
        req = get_object_or_404(selectors.pending_recusals(request.user), pk=request_id)
        try:
            services.recusal_decide(
                actor=request.user,
                request=req,
                approve=request.POST.get("decision") == "approve",
                note=request.POST.get("note", ""),
            )
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, "已决定")
        return redirect("draw:recusals")
    return render(request, "draw/recusals.html", {"requests": selectors.recusals_for(request.user)})


@requires(Action.DRAW_AUDIT)
def audit_list(request):
    return render(
        request,
        "draw/audit_list.html",
        {"draws": selectors.draws_for(request.user).order_by("-announced_at")},
    )


@requires(Action.DRAW_AUDIT)
def audit_download(request, public_id, what):
    draw = get_object_or_404(selectors.draws_for(request.user), public_id=public_id)
    if what == "pool":
        return FileResponse(
            draw.pool_file.open("rb"), as_attachment=True, filename=f"{draw.public_id}.pool.gz"
        )
    if what == "record":
        body = json.dumps(public_record(draw, internal=True), ensure_ascii=False, indent=1)
        resp = HttpResponse(body, content_type="application/json; charset=utf-8")
        resp["Content-Disposition"] = f'attachment; filename="{draw.public_id}.internal.json"'
        return resp
    raise Http404
