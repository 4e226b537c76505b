"""Inspection pages: the inspector's phone view, the printable notice and check record, and the
reviewer's queue. Thin: services change, selectors read."""

from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.core.decorators import requires
from shuangsuiji.core.errors import DomainError
from shuangsuiji.core.models import Role
from shuangsuiji.core.paging import COUNT_CAP, CappedPaginator
from shuangsuiji.core.permissions import Action
from shuangsuiji.core.selectors import work_calendar
from shuangsuiji.directory.selectors import items_for
from shuangsuiji.draw.models import Selection
from shuangsuiji.draw.selectors import selection_by_token

from . import selectors, services
from .forms import AttachmentForm, CheckInForm, FinishForm, ResultForm, progress_for


@requires(Action.PLAN_VIEW)
def work(request):
    """手机端：我的检查对象（检查人员）；本部门的检查进度（管理员、复核人员、办公室）."""
    today = timezone.localdate()
    if request.user.role == Role.INSPECTOR:
        # ?show= narrows the list to what the 待办 home counted (selectors.my_work)
        show = request.GET.get("show", "")
        show = show if show in selectors.MY_WORK_SHOWS else ""
        assignments = list(selectors.my_work(request.user, today=today, show=show))
        states = {
            (i.selection_id, i.department_id): i
            for i in selectors.own_inspections(request.user).filter(
                selection__in=[a.selection_id for a in assignments]
            )
        }
        for a in assignments:
            a.state = states.get((a.selection_id, a.department_id))
        return render(
            request,
            "inspection/my_work.html",
            {
                "assignments": assignments,
                "today": today,
                "show": show,
                "show_label": selectors.MY_WORK_SHOWS.get(show, ""),
            },
        )
    return _progress(request, today)


PROGRESS_PAGE = 100  # rows per page (issue 18: no list renders more than 100 rows at once)


def _progress(request, today):
    """检查进度: every drawn target and inspecting department in the user's scope, paged, with
    a total and a count per state, each a link to the list it counts."""
    form, rows = progress_for(request.user, request.GET, today)
    page = CappedPaginator(rows, PROGRESS_PAGE).get_page(request.GET.get("page"))
    kept = {k: v for k, v in request.GET.items() if k in ("task", "department") and v}
    state_links = []
    for key, label in selectors.PROGRESS_STATES.items():
        _, state_rows = progress_for(request.user, {**kept, "state": key}, today)
        n = CappedPaginator(state_rows, PROGRESS_PAGE).count
        state_links.append((key, label, n, "?" + urlencode({**kept, "state": key})))
    return render(
        request,
        "inspection/progress.html",
        {
            "form": form,
            "page": page,
            "count_cap": COUNT_CAP,
            "state_links": state_links,
            "state": form.cleaned_data.get("state", "") if form.is_bound else "",
            "today": today,
            "entering": selectors.ENTERING,
            "ratings": selectors.rating_summary(request.user) if request.user.role == Role.OFFICE else None,
            "rating_min": selectors.RATING_MIN_GROUP,
        },
    )


def _selection(request, pk) -> Selection:
    return get_object_or_404(selectors.selections_for(request.user), pk=pk)


@requires(Action.PLAN_VIEW)
def target(request, pk):
    s = _selection(request, pk)
    member = s.team.filter(inspector__user=request.user, active=True).select_related("department").first()
    if request.method == "POST":
        if member is None:
            raise PermissionDenied
        return _act(request, s)
    departments = {}
    for m in s.team.filter(active=True).select_related("inspector", "department").order_by("department_id"):
        departments.setdefault(m.department, []).append(m)
    # Looking at the page records nothing: the inspection row appears with the first entry.
    mine = (
        selectors.inspections_for(request.user).filter(selection=s, department=member.department).first()
        if member
        else None
    )
    items = services._department_items(s, member.department) if member else list(s.draw.task.items.all())
    existing = {r.item_id: r for r in mine.results.prefetch_related("categories")} if mine else {}
    forms = [
        (
            item,
            ResultForm(
                prefix=f"i{item.pk}",
                item=item,
                initial={
                    "method": existing[item.pk].method
                    if item.pk in existing
                    else ("document" if item.offsite_only else "onsite"),
                    "categories": [c.code for c in existing[item.pk].categories.all()]
                    if item.pk in existing
                    else [],
                    "problem": existing[item.pk].problem if item.pk in existing else "",
                },
            ),
            existing.get(item.pk),
        )
        for item in items
    ]
    return render(
        request,
        "inspection/target.html",
        {
            "s": s,
            "task": s.draw.task,
            "member": member,
            "teams": departments,
            "mine": mine,
            "forms": forms,
            "editable": bool(
                member
                and (mine is None or mine.status in services.EDITABLE)
                and s.draw.task.state != "closed"
            ),
            "checked_in_today": bool(
                member
                and s.checkins.filter(inspector__user=request.user, at__date=timezone.localdate()).exists()
            ),
            "finish_form": FinishForm(
                initial={"finished_on": mine.finished_on or timezone.localdate(), "summary": mine.summary}
                if mine
                else None
            ),
            "attach_form": AttachmentForm(),
            "checkin_form": CheckInForm(),
            "checkins": s.checkins.select_related("inspector"),
            "onsite_without_checkin": bool(
                mine and mine.results.filter(method="onsite").exists() and not s.checkins.exists()
            ),
        },
    )


def _pk(value) -> int:
    """An id from a form: anything but digits is a record that does not exist (404, not 500)."""
    if not str(value or "").isdigit():
        raise Http404
    return int(value)


def _act(request, s: Selection):
    action = request.POST.get("action", "")
    try:
        if action.startswith("result:"):
            item = get_object_or_404(items_for(request.user), pk=_pk(action.split(":", 1)[1]))
            f = ResultForm(request.POST, prefix=f"i{item.pk}", item=item)
            if not f.is_valid():
                problems = "；".join(
                    f"{f.fields[k].label}：{e}" for k, errs in f.errors.items() for e in errs
                )
                raise DomainError(f"“{item.name}”未保存：{problems}")
            services.result_save(actor=request.user, selection=s, item=item, **f.cleaned_data)
            messages.success(request, f"已保存：{item.name}")
        elif action == "finish":
            f = FinishForm(request.POST)
            if not f.is_valid():
                raise DomainError("请填写检查完毕日期")
            ins = services.inspection_finish(actor=request.user, selection=s, **f.cleaned_data)
            messages.success(
                request,
                f"已记录检查完毕；结果请于 {ins.due_on:%Y-%m-%d} 前录入并提交{'（暂定）' if ins.due_provisional else ''}",
            )
        elif action == "submit":
            services.inspection_submit(actor=request.user, selection=s)
            messages.success(request, "已提交复核")
        elif action == "attach":
            f = AttachmentForm(request.POST, request.FILES)
            if not f.is_valid():
                raise DomainError("请选择文件")
            services.attachment_add(actor=request.user, selection=s, upload=f.cleaned_data["file"])
            messages.success(request, "附件已上传")
        elif action == "checkin":
            f = CheckInForm(request.POST)
            f.is_valid()
            services.checkin(
                actor=request.user,
                selection=s,
                **{k: v for k, v in f.cleaned_data.items() if v not in (None, "")},
            )
            messages.success(request, "已签到（扫码入企）")
        else:
            raise PermissionDenied
    except DomainError as e:
        messages.error(request, e.message)
    return redirect("inspection:target", s.pk)


@requires(Action.PLAN_VIEW)
def notice(request, pk):
    """检查通知书: printable; the QR code opens the enterprise's verification page, the rating
    code (printed, not in the QR) lets the enterprise rate the inspection once."""
    s = _selection(request, pk)
    url = request.build_absolute_uri(reverse("publicity:selection", args=[s.token]))
    qr = segno.make(url, error="m").svg_inline(scale=3, title="核验二维码")
    team = s.team.filter(active=True).select_related("inspector", "department")
    return render(
        request,
        "inspection/notice.html",
        # The rating code is the enterprise's alone, to rate the department that inspects it: only
        # the office's copy (the one sent to the enterprise) carries it; every copy the inspecting
        # departments print (admin, reviewer, inspector) leaves it off, so they cannot rate themselves.
        {
            "s": s,
            "task": s.draw.task,
            "url": url,
            "qr": qr,
            "team": team,
            "show_rating_code": request.user.role == Role.OFFICE,
        },
    )


@requires(Action.PLAN_VIEW)
def record(request, pk):
    """检查记录表: per target and department, with findings, the team and signature lines."""
    # Another department's part opens only once published (selectors.inspections_for).
    ins = get_object_or_404(selectors.inspections_for(request.user), pk=pk)
    team = ins.selection.team.filter(active=True, department=ins.department).select_related("inspector")
    results = ins.results.select_related("item").prefetch_related("categories")
    return render(
        request, "inspection/record.html", {"ins": ins, "s": ins.selection, "team": team, "results": results}
    )


REVIEW_PAGE = 20  # results per page of the queue (each with its items and attachments)


@requires(Action.RESULT_REVIEW)
def review(request):
    if request.method == "POST":
        ins = get_object_or_404(
            selectors.own_inspections(request.user), pk=_pk(request.POST.get("inspection"))
        )
        action, comment = request.POST.get("action"), request.POST.get("comment", "")
        try:
            if action == "approve":
                services.review_approve(actor=request.user, inspection=ins)
                messages.success(request, f"已复核通过并公示：{ins.selection.target.name}")
            elif action == "return":
                services.review_return(actor=request.user, inspection=ins, comment=comment)
                messages.success(request, "已退回修改")
            elif action == "correct":
                services.correction_open(actor=request.user, inspection=ins, reason=comment)
                messages.success(request, "已发起更正：修改后重新提交复核")
            else:
                raise PermissionDenied
        except DomainError as e:
            messages.error(request, e.message)
        return redirect("inspection:review")
    today = timezone.localdate()
    page = CappedPaginator(selectors.review_queue(request.user), REVIEW_PAGE).get_page(
        request.GET.get("page")
    )
    queue = list(page.object_list.prefetch_related("results__item", "results__categories", "attachments"))
    calendar = work_calendar()
    for i in queue:  # 已等待: working days since it was submitted (R-INSP-2 counts in working days)
        i.waiting = (
            calendar.workdays_between(timezone.localdate(i.submitted_at), today) if i.submitted_at else 0
        )
    published = CappedPaginator(
        selectors.published_of(request.user).order_by("-published_at", "-id"), REVIEW_PAGE
    )
    return render(
        request,
        "inspection/review.html",
        {
            "page": page,
            "queue": queue,
            "count_cap": COUNT_CAP,
            "published": published.get_page(request.GET.get("ppage")),
            "today": today,
        },
    )


@requires(Action.INSPECT)
def checkin_by_token(request, token):
    """The check-in button on the public page the enterprise scanned (扫码入企)."""
    s = selection_by_token(token)
    if s is None:
        raise Http404
    if request.method != "POST":
        return redirect("publicity:selection", token)
    f = CheckInForm(request.POST)
    f.is_valid()
    try:
        services.checkin(
            actor=request.user,
            selection=s,
            **{k: v for k, v in f.cleaned_data.items() if v not in (None, "")},
        )
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, "已签到（扫码入企）")
    return redirect("publicity:selection", token)
