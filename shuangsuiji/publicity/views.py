"""一公开: the public portal, no sign-in. It never shows risk classes, 身份证号, natural persons'
names unmasked, or internal comments (R-TGT-2): everything here is built from the public
record functions, never from internal models directly."""

import hmac
import json

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from shuangsuiji.core import audit
from shuangsuiji.core.errors import DomainError
from shuangsuiji.core.identifiers import mask_name
from shuangsuiji.core.ops.caching import private_page, public_page
from shuangsuiji.core.paging import CappedPaginator, list_page
from shuangsuiji.directory.models import TargetKind
from shuangsuiji.draw import selectors as draw_selectors
from shuangsuiji.draw.designated import SPEC as DESIGNATED
from shuangsuiji.draw.models import DrawStatus
from shuangsuiji.draw.records import entry_proof, proof_checks, public_record
from shuangsuiji.draw.selectors import public_draws
from shuangsuiji.draw.verify import verify_record
from shuangsuiji.draw.voids import redraw_context
from shuangsuiji.followup.selectors import published_penalties
from shuangsuiji.inspection import selectors as inspection_selectors
from shuangsuiji.inspection import services as inspection_services
from shuangsuiji.inspection.forms import RatingForm
from shuangsuiji.planning.models import TaskState
from shuangsuiji.planning.selectors import published_plans

from . import selectors
from .forms import PublicDrawFilterForm, PublicPlanFilterForm


# Cache headers and 304s (core/ops/caching.py): the lists and a plan change only with a logged
# state change, so their Last-Modified is the audit log's newest entry; a draw's page changes with
# the date too (its selections are shown from the task's publication day), so it has the ETag only.
@public_page(last_modified=audit.last_change_at)
def index(request):
    """The portal's home: the latest plans and draws, each count a link to its paged list."""
    plans, draws = selectors.plans_shown(), selectors.draws_shown()
    return render(
        request,
        "publicity/index.html",
        {
            "plans": plans[:INDEX_ROWS],
            "plans_total": CappedPaginator(plans, INDEX_ROWS),
            "draws": draws[:INDEX_ROWS],
            "draws_total": CappedPaginator(draws, INDEX_ROWS),
        },
    )


INDEX_ROWS = 10  # the home shows the latest few; the lists page the rest


@public_page(last_modified=audit.last_change_at)
def draw_list(request):
    filters = PublicDrawFilterForm(request.GET)
    return render(
        request, "publicity/draw_list.html", {"filters": filters, "page": list_page(request, filters.rows())}
    )


@public_page(last_modified=audit.last_change_at)
def plan_list(request):
    filters = PublicPlanFilterForm(request.GET)
    return render(
        request, "publicity/plan_list.html", {"filters": filters, "page": list_page(request, filters.rows())}
    )


@public_page(last_modified=audit.last_change_at)
def plan(request, pk):
    p = get_object_or_404(published_plans(), pk=pk)
    return render(request, "publicity/plan.html", {"plan": p, "versions": p.versions.order_by("-number")})


@public_page()
def draw(request, public_id):
    d = get_object_or_404(public_draws(), public_id=public_id)
    rec = public_record(d)
    checks = verify_record(rec) if request.GET.get("verify") else None
    return render(
        request,
        "publicity/draw.html",
        {
            "draw": d,
            "rec": rec,
            "checks": checks,
            "all_ok": checks is not None and all(c.ok for c in checks),
            "redraw": redraw_context(d),
        },
    )


@public_page()
def draw_json(request, public_id):
    d = get_object_or_404(public_draws(), public_id=public_id)
    resp = HttpResponse(
        json.dumps(public_record(d), ensure_ascii=False, indent=1),
        content_type="application/json; charset=utf-8",
    )
    resp["Content-Disposition"] = f'inline; filename="{d.public_id}.json"'
    return resp


@private_page  # the link is the enterprise's own, and its forms carry CSRF tokens
def selection(request, token):
    """The page a selected enterprise opens from its notice or by scanning the inspectors' QR
    code (扫码入企): who may inspect it, for which task, until when, its own draw proof, the
    check-in button for a signed-in member of the team, and its one anonymous rating."""
    s = draw_selectors.selection_by_token(token)
    if s is None:
        return render(request, "publicity/selection_invalid.html", {"reason": "invalid"}, status=404)
    task = s.draw.task
    today = timezone.localdate()
    if s.draw.status != DrawStatus.DRAWN or task.state == TaskState.VOIDED:
        validity = ("bad", "无效：该抽取或任务已作废，请拒绝以此码进行的检查")
    elif today > task.window_end:
        validity = ("bad", f"已过期：检查时间已于 {task.window_end:%Y-%m-%d} 结束")
    elif today < task.window_start:
        validity = ("warn", f"尚未开始：检查时间自 {task.window_start:%Y-%m-%d} 起")
    else:
        validity = ("ok", f"有效：{task.window_start:%Y-%m-%d} 至 {task.window_end:%Y-%m-%d}")
    rating_form = RatingForm(request.POST or None) if request.POST.get("action") == "rate" else RatingForm()
    if request.method == "POST" and request.POST.get("action") == "rate" and rating_form.is_valid():
        try:
            inspection_services.rating_submit(selection=s, **rating_form.cleaned_data)
        except DomainError as e:
            if hasattr(s, "rating"):  # rated already: the form is gone from the page, say it above
                messages.error(request, e.message)
                return redirect("publicity:selection", token)
            rating_form.add_error(e.field if e.field in rating_form.fields else None, e.message)
        else:
            messages.success(request, "感谢评价，评价已匿名记录")
            return redirect("publicity:selection", token)
    # a triggered task's designated list has no random draw to prove (draw/designated.py)
    designated = s.draw.spec == DESIGNATED
    seed_checks = [] if designated else verify_record(public_record(s.draw, with_selection=False))
    proof, proof_error, path_ok, position_drawn = None, "", False, False
    if request.method == "POST" and request.POST.get("action") == "proof":
        given = (request.POST.get("proof_code") or "").strip().upper()
        # the enterprise's own copy of the notice carries the code; the QR code inspectors scan does not
        if (
            not designated
            and s.proof_code
            and s.position is not None
            and hmac.compare_digest(given, s.proof_code)
        ):
            proof = entry_proof(s)
            path_ok, position_drawn = proof_checks(s.draw, proof)
        else:
            proof_error = "企业核验码不正确：请核对送达本单位的检查通知书"
    seed_ok = all(c.ok for c in seed_checks)
    user = request.user
    member = (
        s.team.filter(inspector__user=user, active=True).select_related("department", "inspector").first()
        if user.is_authenticated
        else None
    )
    # the check-in button greyed out with the reason, before the tap (the service refuses too)
    checkin_refusal = (
        inspection_selectors.checkin_refusal(s, member.department, member.inspector, today) if member else ""
    )
    return render(
        request,
        "publicity/selection.html",
        {
            "s": s,
            "task": task,
            "designated": designated,
            "proof": proof,
            "proof_error": proof_error,
            "path_ok": path_ok,
            "seed_ok": seed_ok,
            "position_drawn": position_drawn,
            "all_ok": path_ok and seed_ok and position_drawn,
            "team": s.team.filter(active=True).select_related("inspector", "department"),
            "validity": validity,
            "member": member,
            "checkin_refusal": checkin_refusal,
            "rated": hasattr(s, "rating"),
            "rating_form": rating_form,
            "target_name": mask_name(s.target.name) if s.target.kind == TargetKind.PERSON else s.target.name,
            # R-FUP-1: penalty results published beside the inspection
            "penalties": [
                p
                for ps in published_penalties(s.inspections.values_list("pk", flat=True)).values()
                for p in ps
            ],
        },
    )
