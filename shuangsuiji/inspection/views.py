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
from shuangsuiji.draw.models import Selection
from shuangsuiji.draw.selectors import selection_by_token

from . import selectors, services
from .forms import AttachmentForm, CheckInForm, FinishForm, ResultForm, SubmitForm, progress_for

# Where each action's outcome is shown: the page comes back scrolled to that part, with the
# message beside it (no jump to the top of a long page).
AT_WORK, AT_RESULTS, AT_SUBMIT, AT_ATTACH = "work", "results-save", "submit", "attach"


@requires(Action.PLAN_VIEW)
def work(request):
    """手机端：我的检查对象（检查人员）；本部门的检查进度（管理员、复核人员、办公室）."""
    today = timezone.localdate()
    if request.user.role == Role.INSPECTOR:
        return _my_work(request, today)
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


def _my_work(request, today):
    """我的检查: four groups, each counted; 已完成 hidden until asked for (?done=1). ?show= narrows
    the groups to what a count of the 待办 home counted (selectors.my_work_shown)."""
    show = request.GET.get("show", "")
    show = show if show in selectors.MY_WORK_SHOWS else ""
    shown = list(selectors.my_work_shown(request.user, today=today, show=show)) if show else None
    groups = selectors.my_work(request.user, today, members=shown)
    show_done = request.GET.get("done") == "1"
    limit = selectors.WORK_GROUP_LIMIT
    return render(
        request,
        "inspection/my_work.html",
        {
            "groups": [
                {
                    "key": key,
                    "label": label,
                    "count": len(groups[key]),
                    "rows": groups[key][:limit] if key != "done" or show_done else [],
                    "expired": sum(1 for r in groups[key] if r.window == "ended") if key == "todo" else 0,
                }
                for key, label in selectors.WORK_GROUPS
            ],
            "show_done": show_done or bool(show),
            "show": show,
            "show_label": selectors.MY_WORK_SHOWS.get(show, ""),
            "show_total": len(shown) if shown is not None else 0,
            "limit": limit,
            "today": today,
        },
    )


def _selection(request, pk) -> Selection:
    return get_object_or_404(selectors.selections_for(request.user), pk=pk)


def _member_of(request, s: Selection):
    return (
        s.team.filter(inspector__user=request.user, active=True)
        .select_related("department", "inspector")
        .first()
    )


@requires(Action.PLAN_VIEW)
def target(request, pk):
    s = _selection(request, pk)
    member = _member_of(request, s)
    if request.method == "POST":
        if member is None:
            raise PermissionDenied
        return _act(request, s, member)
    return _target_page(request, s, member)


def _result_forms(items, existing, data=None) -> list[tuple]:
    """(item, form, stored result) per item; bound to the POST when re-shown after a refusal."""
    rows = []
    for item in items:
        stored = existing.get(item.pk)
        initial = {
            "method": stored.method if stored else ("document" if item.offsite_only else "onsite"),
            "categories": [c.code for c in stored.categories.all()] if stored else [],
            "problem": stored.problem if stored else "",
        }
        rows.append((item, ResultForm(data, prefix=f"i{item.pk}", item=item, initial=initial), stored))
    return rows


def _target_page(request, s: Selection, member, *, data=None, failed_item=None, status=200):
    today = timezone.localdate()
    task = s.draw.task
    departments = {}
    for m in s.team.filter(active=True).select_related("inspector", "department").order_by("department_id"):
        departments.setdefault(m.department, []).append(m)
    # Looking at the page records nothing: the inspection row appears with the first entry.
    mine = (
        selectors.inspections_for(request.user).filter(selection=s, department=member.department).first()
        if member
        else None
    )
    items = selectors.department_items(s, member.department) if member else list(task.items.all())
    existing = {r.item_id: r for r in mine.results.prefetch_related("categories")} if mine else {}
    forms = _result_forms(items, existing, data)
    for item, form, _stored in forms:
        if item.pk == failed_item:  # the browser scrolls to the refused item; nothing typed is lost
            form.fields["method"].widget.attrs["autofocus"] = True
    editable = bool(member and (mine is None or mine.status in services.EDITABLE) and task.state != "closed")
    checked_in = bool(member and selectors.checked_in(s, member.department))
    attachments = list(mine.attachments.all()) if mine else []
    missing = [item.name for item in items if item.pk not in existing]
    return render(
        request,
        "inspection/target.html",
        {
            "s": s,
            "task": task,
            "today": today,
            "window": selectors.window_state(task, today),
            "member": member,
            "teams": departments,
            "mine": mine,
            "forms": forms,
            "failed_item": failed_item,
            "editable": editable,
            # the parts of the page that show their own messages (the rest show at the top)
            "spots": ([AT_WORK, AT_ATTACH] if member else []) + ([AT_RESULTS, AT_SUBMIT] if editable else []),
            "checkin_refusal": selectors.checkin_refusal(s, member.department, member.inspector, today)
            if editable
            else "",
            "checked_in": checked_in,
            "checked_in_today": bool(
                member and s.checkins.filter(inspector=member.inspector, at__date=today).exists()
            ),
            # 全部未发现问题 once the visit is evidenced: a check-in or a check record attached
            "all_clear_ready": checked_in or bool(attachments),
            "all_clear_open": selectors.all_clear_applies(items, existing),
            "missing": missing,
            "finish_form": FinishForm(
                initial={"finished_on": mine.finished_on or today, "summary": mine.summary}
                if mine
                else {"finished_on": today}
            ),
            "submit_form": SubmitForm(prefix="submit", initial={"confirm": True, "finished_on": today}),
            "attach_form": AttachmentForm(),
            "attachments": attachments,
            "checkins": s.checkins.select_related("inspector"),
            "onsite_without_checkin": bool(
                mine and mine.results.filter(method="onsite").exists() and not s.checkins.exists()
            ),
        },
        status=status,
    )


def _pk(value) -> int:
    """An id from a form: anything but digits is a record that does not exist (404, not 500)."""
    if not str(value or "").isdigit():
        raise Http404
    return int(value)


def _back(s: Selection, anchor: str):
    return redirect(f"{reverse('inspection:target', args=[s.pk])}#{anchor}")


def _act(request, s: Selection, member):
    action = request.POST.get("action", "")
    if action == "results":
        return _save_results(request, s, member)
    anchor = AT_WORK
    try:
        if action == "all_clear":
            results = services.results_all_clear(actor=request.user, selection=s)
            messages.success(
                request,
                f"已将 {len(results)} 个事项录入为“未发现问题”，请确认后提交复核",
                extra_tags=AT_SUBMIT,
            )
            anchor = AT_SUBMIT
        elif action == "finish":
            anchor = AT_SUBMIT
            f = FinishForm(request.POST)
            if not f.is_valid():
                raise DomainError("请填写检查完毕日期")
            ins = services.inspection_finish(actor=request.user, selection=s, **f.cleaned_data)
            messages.success(
                request,
                f"已记录检查完毕；结果请于 {ins.due_on:%Y-%m-%d} 前录入并提交{'（暂定）' if ins.due_provisional else ''}",
                extra_tags=anchor,
            )
        elif action == "submit":
            anchor = AT_SUBMIT
            f = SubmitForm(request.POST, prefix="submit")
            if not f.is_valid():
                # the confirm step is the only way here: a bare “submit” is not a confirmation
                raise DomainError(
                    "；".join(e for errs in f.errors.values() for e in errs) or "请确认后再提交复核"
                )
            services.inspection_submit(
                actor=request.user, selection=s, finished_on=f.cleaned_data["finished_on"]
            )
            anchor = AT_WORK
            messages.success(request, "已提交复核", extra_tags=anchor)
        elif action == "attach":
            anchor = AT_ATTACH
            f = AttachmentForm(request.POST, request.FILES)
            if not f.is_valid():
                raise DomainError("请选择文件")
            services.attachment_add(actor=request.user, selection=s, upload=f.cleaned_data["file"])
            messages.success(request, "附件已上传", extra_tags=anchor)
        elif action == "checkin":
            f = CheckInForm(request.POST)
            f.is_valid()
            services.checkin(
                actor=request.user,
                selection=s,
                **{k: v for k, v in f.cleaned_data.items() if v not in (None, "")},
            )
            messages.success(request, "已签到（扫码入企）", extra_tags=anchor)
        else:
            raise PermissionDenied
    except DomainError as e:
        messages.error(request, e.message, extra_tags=anchor)
    return _back(s, anchor)


def _save_results(request, s: Selection, member):
    """One save for every item: stored, then back at the save button; a refusal shows the page
    again with everything typed kept and the refused item in view."""
    items = selectors.department_items(s, member.department)
    forms = [(item, ResultForm(request.POST, prefix=f"i{item.pk}", item=item)) for item in items]
    # only the items on the page the inspector posted (a form for each of the department's)
    forms = [(item, f) for item, f in forms if f"{f.prefix}-method" in request.POST]
    for item, f in forms:
        if not f.is_valid():
            problems = "；".join(f"{f.fields[k].label}：{e}" for k, errs in f.errors.items() for e in errs)
            return _results_refused(request, s, member, item.pk, f"“{item.name}”未保存：{problems}")
    try:
        saved = services.results_save(
            actor=request.user,
            selection=s,
            entries=[{"item": item, **f.cleaned_data} for item, f in forms],
        )
    except DomainError as e:
        if not e.errors:  # the record's state refuses any change: say so where the save was
            messages.error(request, e.message, extra_tags=AT_RESULTS)
            return _back(s, AT_RESULTS)
        return _results_refused(request, s, member, e.errors[0], e.message)
    messages.success(
        request,
        f"已保存：{'、'.join(r.item.name for r in saved)}" if saved else "没有修改，无需保存",
        extra_tags=AT_RESULTS,
    )
    return _back(s, AT_RESULTS)


def _results_refused(request, s, member, item_pk: int, message: str):
    messages.error(request, message, extra_tags=AT_RESULTS)
    return _target_page(request, s, member, data=request.POST, failed_item=item_pk, status=200)


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
