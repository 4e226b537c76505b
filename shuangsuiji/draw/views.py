"""Draw pages for the lead department (announce, witnesses, run, teams, void), the reviewer
(recusals) and the auditor (downloads). Thin: services change, selectors read."""

import datetime as dt
import json

import segno
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.csrf import csrf_exempt

from shuangsuiji.core.decorators import requires
from shuangsuiji.core.errors import DomainError, NotFound
from shuangsuiji.core.paging import list_page
from shuangsuiji.core.params import id_param, int_param
from shuangsuiji.core.permissions import Action, can
from shuangsuiji.planning.selectors import tasks_for

from . import selectors, services, steps, voids, witnesses
from .designated import SPEC as DESIGNATED
from .forms import (
    AnnounceConfirmForm,
    AnnounceForm,
    ReasonForm,
    RecusalFilterForm,
    RecusalRequestForm,
    RunForm,
    VoidFilterForm,
    VoidRequestForm,
    WitnessCommitForm,
    WitnessInviteForm,
    WitnessRevealForm,
)
from .preview import pool_preview
from .records import public_record
from .verify import verify_record


@requires(Action.DRAW_RUN)
def announce(request, task_pk):
    """公告抽取 in two steps: the terms (time, place, public value), then a confirmation page
    showing the pool preview (what the freeze would take in and the quotas) with the irreversible
    button. A POST without the confirmation announces nothing."""
    task = get_object_or_404(tasks_for(request.user), pk=task_pk)
    if task.lead_id != request.user.department_id:
        raise PermissionDenied  # the lead department organizes the draw
    step = request.POST.get("step") if request.method == "POST" else None
    now = timezone.localtime().replace(second=0, microsecond=0)
    initial = {"draw_at": now, "public_value_at": now + dt.timedelta(hours=1)}
    if step == "announce":
        form = AnnounceConfirmForm(request.POST)
        if form.is_valid():
            try:
                draw = services.draw_announce(actor=request.user, task=task, **form.terms())
            except DomainError as e:
                form = AnnounceForm(request.POST)  # back to the terms, with the reason
                form.is_valid()
                form.add_error(e.field if e.field in form.fields else None, e.message)
                return _announce_page(request, task, form)
            messages.success(request, f"已公告抽取 {draw.public_id}：对象池已冻结并承诺")
            return redirect("draw:detail", draw.public_id)
        if set(form.errors) - {"confirmed"}:
            return _announce_page(request, task, AnnounceForm(request.POST))
        return _confirm_page(request, task, form)
    form = AnnounceForm(request.POST or None, initial=initial)
    if step == "confirm" and form.is_valid():
        try:
            services.announceable(task)
        except DomainError as e:
            form.add_error(None, e.message)
        else:
            return _confirm_page(request, task, AnnounceConfirmForm(initial=form.cleaned_data))
    return _announce_page(request, task, form)


def _announce_page(request, task, form):
    return render(
        request,
        "draw/announce.html",
        {"task": task, "form": form, "steps": steps.before_announcement(), "back_url": task_url(task)},
    )


def _confirm_page(request, task, form):
    """The terms as entered (carried in hidden fields) and the pool preview; the one button that
    announces."""
    terms = form.cleaned_data if form.is_bound and hasattr(form, "cleaned_data") else form.initial
    return render(
        request,
        "draw/announce_confirm.html",
        {
            "task": task,
            "form": form,
            "terms": terms,
            "preview": pool_preview(task),
            "min_witnesses": settings.DRAW_MIN_WITNESSES,
            "steps": steps.before_announcement(),
            "back_url": task_url(task),
        },
    )


def task_url(task):
    from django.urls import reverse

    return reverse("planning:task_detail", args=[task.pk])


_ACTIONS = {
    "run": (RunForm, lambda u, d, f: services.draw_run(actor=u, draw=d, **f), "抽取完成"),
    "teams": (None, lambda u, d, f: services.teams_draw(actor=u, draw=d), "人员匹配完成"),
    "abort": (ReasonForm, lambda u, d, f: services.draw_abort(actor=u, draw=d, **f), "本次抽取已中止"),
    "void": (
        VoidRequestForm,
        lambda u, d, f: voids.void_request(actor=u, draw=d, **f),
        "作废申请已提交，待双随机办公室确认后作废",
    ),
}


@requires(Action.PLAN_VIEW)
def detail(request, public_id):
    action = request.POST.get("action") if request.method == "POST" else None
    if action is not None:
        if action not in _ACTIONS and action not in _WITNESS_ACTIONS:
            raise Http404
        # A role that may never do this gets 403 before anything is looked up.
        if not can(request.user, Action.DRAW_RUN):
            raise PermissionDenied
    draw = get_object_or_404(selectors.draws_for(request.user), public_id=public_id)
    runner = can(request.user, Action.DRAW_RUN) and draw.task.lead_id == request.user.department_id
    if action in _WITNESS_ACTIONS:
        return _witness_action(request, draw, runner, action)
    if action is not None:
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
    return _page(request, draw, runner)


PAGE_ROWS = 50  # drawn targets per page of the draw's page (a list never shows more than 100)


def _page(request, draw, runner, **extra):
    strata = _strata(request.user, draw)
    # drawn stratum by stratum: the order would group the targets by stratum, so one who may not
    # see the strata gets them by key
    selections = Paginator(
        draw.selections.select_related("target")
        .prefetch_related("team__inspector", "team__department")
        .order_by("order" if strata["strata_shown"] else "key"),
        PAGE_ROWS,
    ).get_page(request.GET.get("page"))
    day = steps.draw_steps(draw)
    # a triggered task's designated list is no random draw: no pool, witnesses or public record
    # to check (draw/designated.py)
    designated = draw.spec == DESIGNATED
    return render(
        request,
        "draw/detail.html",
        {
            "draw": draw,
            "designated": designated,
            "witnesses": draw.witnesses.all(),
            "page": selections,
            "steps": day,
            "step": steps.current(day) if runner else None,
            "may_ask_recusal": draw.teams_drawn_at is not None and _may_record_recusal(request.user),
            "runner": runner,
            "checks": [] if designated else verify_record(public_record(draw, with_selection=True)),
            "forms": _forms(draw),
            **_void_part(draw),
            **strata,
            **extra,
        },
    )


def _void_part(draw) -> dict:
    """The draw's void requests (latest first) and whether one awaits the office."""
    requests = list(draw.void_requests.select_related("requested_by", "decided_by"))
    return {
        "void_requests": requests,
        "void_pending": any(r.status == "pending" for r in requests),
        "redraw_modes": voids.MODE_LABELS,
    }


def _strata(user, draw) -> dict:
    """The strata with their classes, by class, for one who may see them; otherwise as the public
    record has them (label, size, quota, root) and no stratum beside a drawn target."""
    if selectors.strata_shown(user, draw):
        return {"strata_shown": True, "strata": sorted(draw.strata, key=lambda s: s["risk_class"] or "Z")}
    return {"strata_shown": False, "strata": sorted(draw.strata, key=lambda s: s["label"])}


def _forms(draw) -> dict:
    """Each form with its own id prefix (one page holds several); the next free witness label is
    suggested. No form here takes a witness's number: witnesses type it on their own devices."""
    labels = set(draw.witnesses.values_list("label", flat=True))
    n = next(k for k in range(1, len(labels) + 2) if f"见证人{k}" not in labels)
    return {
        "invite": WitnessInviteForm(auto_id="invite_%s", initial={"label": f"见证人{n}"}),
        "run": RunForm(auto_id="run_%s"),
        "reason": ReasonForm(auto_id="reason_%s"),
        "void": VoidRequestForm(auto_id="void_%s"),
    }


# ---- witnesses: the lead registers them; each commits and reveals on their own device ------------

_WITNESS_ACTIONS = ("invite", "reissue", "remove")


def _witness_action(request, draw, runner, action):
    """登记见证人, 重新生成链接, 移除. A new link is shown on this response only (never stored, so
    never shown again): the page is rendered here rather than after a redirect."""
    if action == "invite":
        form = WitnessInviteForm(request.POST)
        if not form.is_valid():
            messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
            return redirect("draw:detail", draw.public_id)
        try:
            w, token = witnesses.witness_invite(actor=request.user, draw=draw, **form.cleaned_data)
        except DomainError as e:
            messages.error(request, e.message)
            return redirect("draw:detail", draw.public_id)
        return _page(request, draw, runner, new_link=_link(request, w, token))
    witness_id = id_param(request.POST, "witness", label="见证人")
    w = get_object_or_404(selectors.draw_witnesses(draw), pk=witness_id)
    try:
        if action == "reissue":
            token = witnesses.witness_reissue(actor=request.user, witness=w)
        else:
            witnesses.witness_remove(actor=request.user, witness=w)
    except DomainError as e:
        messages.error(request, e.message)
        return redirect("draw:detail", draw.public_id)
    if action == "remove":
        messages.success(request, f"已移除{w.label}")
        return redirect("draw:detail", draw.public_id)
    return _page(request, draw, runner, new_link=_link(request, w, token))


def _link(request, w, token) -> dict:
    url = request.build_absolute_uri(reverse("draw_witness:page", args=[token]))
    qr = segno.make(url, error="m").svg_inline(scale=4, title=f"{w.label}本人设备链接")
    return {"witness": w, "url": url, "qr": mark_safe(qr)}  # segno's own SVG markup


def _no_store(response):
    """A witness's page carries its credential in the URL: never cached, never sent on as a
    Referer."""
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


@csrf_exempt
def witness_page(request, token):
    """The witness's own page (no sign-in: the link's token is the credential). Before the
    commitment: the number twice; after it: the commitment, and once everyone has committed,
    the number again to reveal it; after the reveal the link is spent.

    Exempt from the CSRF check: a forged request would need the token, which is the whole
    credential (no session or cookie is involved); and under `Referrer-Policy: no-referrer` the
    browser sends its form posts with `Origin: null`, which Django's check refuses."""
    w = selectors.witness_by_token(token)
    if w is None:
        return _witness_invalid(request)
    forms = {}
    if request.method == "POST":
        try:
            answer = _witness_post(request, token, forms)
        except NotFound:  # replaced or spent while this request waited
            return _witness_invalid(request)
        if answer is not None:
            return answer
        w = selectors.witness_by_token(token)
        if w is None:
            return _witness_invalid(request)
    draw = w.draw
    context = {"w": w, "draw": draw}
    if not w.committed_at:
        context["closed"] = witnesses.commit_closed(draw)
        context["commit_form"] = forms.get("commit") or WitnessCommitForm()
    elif not w.revealed_at:
        ws = list(draw.witnesses.all())
        context["blocked"] = witnesses.reveal_blocked(draw)
        context["reveal_form"] = forms.get("reveal") or WitnessRevealForm()
        context["committed"] = sum(1 for x in ws if x.committed_at)
        context["registered"] = len(ws)
    return _no_store(render(request, "draw/witness.html", context))


def _witness_post(request, token, forms: dict):
    """A commit or a reveal: the response on success, else None with the form (and its errors)
    left in `forms` for the page."""
    action = request.POST.get("action")
    form_class = {"commit": WitnessCommitForm, "reveal": WitnessRevealForm}.get(action)
    if form_class is None:
        return None
    form = forms[action] = form_class(request.POST)
    if not form.is_valid():
        return None
    try:
        if action == "commit":
            witnesses.witness_commit(token=token, number=form.cleaned_data["number"])
            return _no_store(redirect("draw_witness:page", token))
        done = witnesses.witness_reveal(token=token, number=form.cleaned_data["number"])
    except DomainError as e:
        form.add_error(None, e.message)
        return None
    # the link is spent: this response is the last it shows
    return _no_store(render(request, "draw/witness.html", {"w": done, "draw": done.draw}))


def _witness_invalid(request):
    return _no_store(render(request, "draw/witness_invalid.html", status=404))


def _may_record_recusal(user) -> bool:
    """登记回避申请: a department's admin or its 主管领导, for its own members (the service checks
    the member's department)."""
    return can(user, Action.DRAW_RUN) or can(user, Action.RECUSAL_DECIDE)


RECUSAL_ROWS = 20


@requires(Action.PLAN_VIEW)
def recusal_new(request, public_id):
    """登记回避申请 on a page of its own: find the drawn target (by name or code, paged), pick the
    team member the enterprise asks to be recused, state its reason. The 主管领导 decides on
    the recusals page."""
    if not _may_record_recusal(request.user):
        raise PermissionDenied
    draw = get_object_or_404(selectors.draws_for(request.user), public_id=public_id)
    form = RecusalRequestForm(request.POST or None)
    if request.method == "POST":
        member_id = id_param(request.POST, "member", label="申请回避的检查人员")
        member = get_object_or_404(selectors.team_members(draw), pk=member_id)
        if form.is_valid():
            try:
                services.recusal_request(
                    actor=request.user, member=member, reason=form.cleaned_data["reason"]
                )
            except DomainError as e:
                messages.error(request, e.message)
            else:
                messages.success(
                    request,
                    f"已登记 {member.selection.target.name} 对 {member.inspector.name} 的回避申请，由本部门主管领导决定",
                )
                return redirect("draw:recusal_new", public_id)
        else:
            messages.error(request, "请填写企业申请回避的理由")
        return redirect(f"{reverse('draw:recusal_new', args=[public_id])}?s={member.selection_id}")
    q = (request.GET.get("q") or "").strip()[:100]
    chosen = None
    if "s" in request.GET:
        chosen = get_object_or_404(
            selectors.draw_selections(draw).select_related("target"),
            pk=int_param(request.GET, "s", label="检查对象"),
        )
    # by key: the drawn order groups the targets by stratum, which not everyone may see
    rows = selectors.draw_selections(draw, q=q).select_related("target").order_by("key")
    page = Paginator(rows, RECUSAL_ROWS).get_page(request.GET.get("page"))
    return render(
        request,
        "draw/recusal_new.html",
        {
            "draw": draw,
            "q": q,
            "page": page,
            "chosen": chosen,
            "members": selectors.recusable_members(chosen, request.user) if chosen else [],
            "form": form,
            "requests": selectors.draw_recusals(draw, request.user)[:50],
        },
    )


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
    filters = RecusalFilterForm(request.GET, user=request.user)  # the 待办 home links with status=pending
    return render(
        request, "draw/recusals.html", {"filters": filters, "page": list_page(request, filters.rows())}
    )


@requires(Action.PLAN_APPROVE)
def void_requests(request):
    """The office's page: the lead departments' requests to void a draw, to confirm or refuse."""
    if request.method == "POST":
        request_id = id_param(request.POST, "request", label="作废申请")
        req = get_object_or_404(selectors.pending_void_requests(request.user), pk=request_id)
        confirm = request.POST.get("decision") == "confirm"
        note = request.POST.get("note", "")
        try:
            if confirm:
                voids.void_confirm(actor=request.user, request=req, note=note)
            else:
                voids.void_refuse(actor=request.user, request=req, note=note)
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(
                request,
                f"已确认作废 {req.draw.public_id}，牵头部门可重新公告抽取"
                if confirm
                else f"已不予作废 {req.draw.public_id}",
            )
        return redirect("draw:voids")
    filters = VoidFilterForm(request.GET, user=request.user)  # the 待办 home links with status=pending
    return render(
        request,
        "draw/voids.html",
        {"filters": filters, "page": list_page(request, filters.rows()), "modes": voids.MODE_LABELS},
    )


@requires(Action.DRAW_AUDIT)
def audit_list(request):
    return render(
        request,
        "draw/audit_list.html",
        {
            "draws": (
                page := list_page(request, selectors.draws_for(request.user).order_by("-announced_at"))
            ),
            "page": page,
        },
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
