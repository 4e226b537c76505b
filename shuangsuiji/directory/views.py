"""Directory pages: thin — forms parse, services change, selectors read."""

from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from shuangsuiji.core.decorators import requires
from shuangsuiji.core.errors import DomainError
from shuangsuiji.core.paging import SEARCH_COUNT_CAP, CappedPaginator, list_page
from shuangsuiji.core.permissions import Action, can
from shuangsuiji.core.selectors import region_prefix

from . import exports, hooks, import_templates, importing, ownership, selectors, services
from .forms import (
    ConflictForm,
    ImportForm,
    InspectorFilterForm,
    InspectorForm,
    ItemForm,
    KeeperForm,
    OwnClassForm,
    SuggestionRejectForm,
    TagForm,
    TargetFilterForm,
    TargetForm,
    region_choices,
    tag_choices,
)
from .jobs import INSPECTOR_COLUMNS, ITEM_COLUMNS
from .models import TagLibrary
from .tabular import csv_line, write_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_MAX_ROWS = 200_000
HISTORY_ROWS = 100  # a target's inspection history on its page: the newest, no more (issue 18)


def _download(name: str, fmt: str, header: list[str], rows, count: int | None = None):
    stamp = timezone.localdate().strftime("%Y%m%d")
    filename = f"{name}-{stamp}.{fmt}"
    disposition = f"attachment; filename*=UTF-8''{quote(filename)}"
    if fmt == "csv":
        resp = StreamingHttpResponse(_csv_stream(header, rows), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        if count is not None and count > XLSX_MAX_ROWS:
            return HttpResponse(
                f"超过 {XLSX_MAX_ROWS} 行，请导出 CSV", status=400, content_type="text/plain; charset=utf-8"
            )
        resp = HttpResponse(write_xlsx(header, rows, name), content_type=XLSX)
    else:
        raise Http404
    resp["Content-Disposition"] = disposition
    return resp


def _template_download(name: str, fmt: str, columns):
    """An import template: the .xlsx one teaches (text-formatted code columns, drop-down lists,
    an example sheet, notes: directory/import_templates.py); the CSV one is its header."""
    if fmt != "xlsx":
        return _download(name, fmt, importing.template_header(columns), [])
    filename = f"{name}-{timezone.localdate().strftime('%Y%m%d')}.xlsx"
    resp = HttpResponse(import_templates.template_xlsx(columns, name), content_type=XLSX)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return resp


def _csv_stream(header, rows):
    yield "\ufeff" + csv_line(header)  # the BOM lets Excel open UTF-8 CSV correctly
    for r in rows:
        yield csv_line(r)


def _form_errors(form, e: DomainError):
    form.add_error(e.field if e.field in form.fields else None, e.message)


# ---- targets -----------------------------------------------------------------------------


@requires(Action.DIRECTORY_VIEW)
def target_list(request):
    tags = tag_choices(request.user, TagLibrary.TARGET)
    form = TargetFilterForm(request.GET or None, tags=tags, within=region_prefix(request.user) or "")
    f = form.filter()
    qs = f.apply(selectors.targets_for(request.user)).select_related("region", "industry")
    cap = SEARCH_COUNT_CAP if f.searches_names else None
    page = CappedPaginator(qs.order_by("id"), 50, cap=cap).get_page(request.GET.get("page"))
    return render(
        request,
        "directory/target_list.html",
        {
            "count_cap": page.paginator.cap,
            "form": form,
            "page": page,
            "can_edit": can(request.user, Action.TARGET_EDIT),
            "can_decide": ownership.may_decide_suggestions(request.user),
            "query": request.GET.urlencode(),
        },
    )


@requires(Action.DIRECTORY_VIEW)
def target_export(request, fmt):
    form = TargetFilterForm(
        request.GET or None,
        tags=tag_choices(request.user, TagLibrary.TARGET),
        within=region_prefix(request.user) or "",
    )
    qs = form.filter().apply(selectors.targets_for(request.user))
    return _download(
        "检查对象",
        fmt,
        exports.TARGET_HEADERS,
        exports.target_rows(qs),
        qs.count() if fmt == "xlsx" else None,
    )


def _change_rows(changes, risk_visible: bool) -> list[dict]:
    """变更记录 as the page shows it: Chinese field names, codes with their labels; the class and
    its date only where the user may see the class."""
    return [
        {
            "at": c.at,
            "field": ownership.SHARED_FIELDS.get(c.field, c.field),
            "before": ownership.value_label(c.field, c.before),
            "after": ownership.value_label(c.field, c.after),
            "actor": c.actor,
            "source": c.source,
        }
        for c in changes
        if risk_visible or c.field not in ownership.RISK_FIELDS
    ]


@requires(Action.DIRECTORY_VIEW)
def target_detail(request, pk):
    target = get_object_or_404(
        selectors.targets_for(request.user).select_related("region", "industry"), pk=pk
    )
    risk_visible = target.visible_risk_class is not None
    keeper = ownership.target_keeper(target)
    shared = ownership.can_edit_shared_fields(request.user, target)
    pending = selectors.suggestions_to_decide(request.user).filter(target=target) if shared else []
    return render(
        request,
        "directory/target_detail.html",
        {
            "t": target,
            "keeper": keeper,
            "departments": target.departments.all(),
            "tags": target.tags.all(),
            "can_edit": can(request.user, Action.TARGET_EDIT),
            "changes": _change_rows(selectors.target_changes(target)[:50], risk_visible),
            "changes_total": selectors.target_changes(target).count(),
            "own": selectors.own_supervision(request.user, target),
            "own_form": OwnClassForm(),
            "pending": _suggestion_rows(pending),
            "history": hooks.target_history(request.user, target, limit=HISTORY_ROWS),
            "history_rows": HISTORY_ROWS,
        },
    )


@requires(Action.TARGET_EDIT)
def target_create(request):
    form = TargetForm(
        request.POST or None,
        regions=region_choices(request.user),
        tags=tag_choices(request.user, TagLibrary.TARGET),
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            with transaction.atomic():  # the target and its tags: both saved or neither
                t = services.target_create(
                    actor=request.user,
                    department=request.user.department,
                    kind=d["kind"],
                    name=d["name"],
                    region=d["region"],
                    key=d["key"],
                    address=d["address"],
                    industry=d["industry"],
                    founded_on=d["founded_on"],
                    status=d["status"],
                    risk_class=d["risk_class"],
                )
                if d["tags"]:
                    services.target_tags_set(actor=request.user, target=t, tags=list(d["tags"]))
        except DomainError as e:
            _form_errors(form, e)
        else:
            messages.success(request, f"已新增：{t.name}")
            return redirect("directory:target_detail", t.pk)
    return render(
        request,
        "form.html",
        {"form": form, "title": "新增检查对象", "back": "directory:target_list"},
    )


@requires(Action.TARGET_EDIT)
def target_edit(request, pk):
    target = get_object_or_404(selectors.targets_for(request.user), pk=pk)
    tags = tag_choices(request.user, TagLibrary.TARGET)
    # a department that does not keep the target sees its shared fields read-only (the class
    # not at all) and changes only its own tags: ownership.py
    kept_by = None
    if not ownership.can_edit_shared_fields(request.user, target):
        keeper = ownership.target_keeper(target)
        kept_by = keeper.name if keeper else "名录维护部门"
    form = TargetForm(
        request.POST or None,
        instance=target,
        regions=region_choices(request.user),
        tags=tags,
        editing=True,
        kept_by=kept_by,
    )
    if request.method == "POST" and form.is_valid():
        try:
            changes = {k: form.cleaned_data[k] for k in form.changed_data if k != "tags"}
            target.refresh_from_db()
            with transaction.atomic():  # fields and tags: both saved or neither
                services.target_update(actor=request.user, target=target, **changes)
                if "tags" in form.changed_data:
                    services.target_tags_set(
                        actor=request.user, target=target, tags=list(form.cleaned_data["tags"])
                    )
        except DomainError as e:
            _form_errors(form, e)
        else:
            messages.success(request, "已保存")
            return redirect("directory:target_detail", pk)
    return render(
        request,
        "form.html",
        {"form": form, "title": f"修改：{target.name}", "back": "directory:target_list"},
    )


@requires(Action.TARGET_EDIT)
def target_own_class(request, pk):
    target = get_object_or_404(selectors.targets_for(request.user), pk=pk)  # scope first, any method
    if request.method != "POST":
        return redirect("directory:target_detail", pk)
    form = OwnClassForm(request.POST)
    if not form.is_valid():
        messages.error(request, "本部门分类应为 A、B、C 或 D，或留空")
        return redirect("directory:target_detail", pk)
    try:
        services.supervision_class_set(
            actor=request.user, target=target, risk_class=form.cleaned_data["risk_class"]
        )
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, "已保存本部门分类")
    return redirect("directory:target_detail", pk)


@requires(Action.DIRECTORY_VIEW)
def keeper(request):
    """Who keeps the county's market subjects' shared fields; the office names it here."""
    county = request.user.department.region
    may_name = ownership.may_name_keeper(request.user)
    form = KeeperForm(request.POST or None, departments=selectors.keeper_candidates(request.user))
    if request.method == "POST":
        if not may_name:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.directory_keeper_set(actor=request.user, department=form.cleaned_data["department"])
            except DomainError as e:
                _form_errors(form, e)
            else:
                messages.success(request, f"已指定名录维护部门：{form.cleaned_data['department'].name}")
                return redirect("directory:keeper")
    return render(
        request,
        "directory/keeper.html",
        {
            "county": county,
            "current": ownership.county_keeper(county.code),
            "form": form if may_name else None,
        },
    )


def _suggestion_rows(qs) -> list[dict]:
    return [
        {
            "s": x,
            "field": ownership.SHARED_FIELDS.get(x.field, x.field),
            "current": ownership.value_label(x.field, x.current_value),
            "suggested": ownership.value_label(x.field, x.suggested_value),
        }
        for x in qs
    ]


@requires(Action.DIRECTORY_VIEW)
def suggestion_list(request):
    """变更建议: those the user's department (or the office) decides, and those it made."""
    page = list_page(request, selectors.suggestions_to_decide(request.user).order_by("created_at", "pk"))
    to_decide = list(page)
    # the keeper decides for targets it may not supervise: link only those its pages show
    shown = set(
        selectors.targets_for(request.user)
        .filter(pk__in={x.target_id for x in to_decide})
        .values_list("pk", flat=True)
    )
    return render(
        request,
        "directory/suggestion_list.html",
        {
            "shown": shown,
            "page": page,
            "to_decide": _suggestion_rows(to_decide),
            "made": _suggestion_rows(
                selectors.suggestions_made_by(request.user).order_by("-created_at")[:50]
            ),
            "reject_form": SuggestionRejectForm(),
        },
    )


@requires(Action.DIRECTORY_VIEW)
def suggestion_accept(request, pk):
    if not ownership.may_decide_suggestions(request.user):
        raise PermissionDenied
    suggestion = get_object_or_404(selectors.suggestions_to_decide(request.user), pk=pk)
    if request.method != "POST":
        return redirect("directory:suggestion_list")
    try:
        services.suggestion_accept(actor=request.user, suggestion=suggestion)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"已采纳：{suggestion.target.name}")
    return redirect("directory:suggestion_list")


@requires(Action.DIRECTORY_VIEW)
def suggestion_reject(request, pk):
    if not ownership.may_decide_suggestions(request.user):
        raise PermissionDenied
    suggestion = get_object_or_404(selectors.suggestions_to_decide(request.user), pk=pk)
    if request.method != "POST":
        return redirect("directory:suggestion_list")
    form = SuggestionRejectForm(request.POST)
    try:
        services.suggestion_reject(
            actor=request.user,
            suggestion=suggestion,
            reason=form.cleaned_data["reason"] if form.is_valid() else "",
        )
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"已驳回：{suggestion.target.name}")
    return redirect("directory:suggestion_list")


@requires(Action.TARGET_EDIT)
def target_import(request):
    templates = [(k, v[0]) for k, v in importing.TEMPLATES.items()]
    return _import_page(request, "target_import", "导入检查对象", "target", templates)


def _import_page(request, kind: str, title: str, what: str, templates=None):
    """The upload page of every directory import: the file goes to the background worker and
    the user lands on the job's page."""
    form = ImportForm(request.POST or None, request.FILES or None, templates=templates, kind=kind)
    if request.method == "POST" and form.is_valid():
        params = {k: v for k, v in form.cleaned_data.items() if k != "file"}
        try:
            job = services.import_start(
                actor=request.user, kind=kind, upload=form.cleaned_data["file"], params=params
            )
        except DomainError as e:
            _form_errors(form, e)
        else:
            return redirect("core:job_detail", job.pk)
    return render(
        request, "directory/import.html", {"form": form, "title": title, "templates": templates, "kind": what}
    )


# Each previewed import's pages: its list, its upload page, its preview and changes download.
_PREVIEW_PAGES = {
    "target_import": ("检查对象名录库", "directory:target_list", "导入检查对象", "directory:target_import"),
    "inspector_import": (
        "执法检查人员名录库",
        "directory:inspector_list",
        "导入执法检查人员",
        "directory:inspector_import",
    ),
    "item_import": ("抽查事项清单", "directory:item_list", "导入抽查事项清单", "directory:item_import"),
}


def _import_preview(request, pk, kind: str):
    """预览: what the upload would do; 确认导入 queues the write, 放弃 discards the file. One page
    for every directory's import."""
    job = services.import_preview_of(request.user, pk, kind)
    here = f"directory:{kind}_preview"
    if request.method == "POST":
        decide = {"confirm": services.import_confirm, "abandon": services.import_abandon}.get(
            request.POST.get("decision")
        )
        if decide is None:
            raise Http404
        try:
            decide(actor=request.user, job_id=job.pk, kind=kind)
        except DomainError as e:
            messages.error(request, e.message)
            return redirect(here, job.pk)
        return redirect("core:job_detail", job.pk)
    shown = job.result.get("preview") if job.result.get("stage") == "preview" else None
    list_label, list_url, import_label, import_url = _PREVIEW_PAGES[kind]
    mode = job.params.get("mode", "create")
    return render(
        request,
        "directory/import_preview.html",
        {
            "job": job,
            "shown": shown,
            "mode_label": importing.MODE_LABELS[kind].get(mode, mode),
            "more": shown and shown["changes"] > len(shown["sample"]),
            "list_label": list_label,
            "list_url": list_url,
            "import_label": import_label,
            "import_url": import_url,
            "changes_url": f"directory:{kind}_changes",
        },
    )


def _import_changes(request, pk, kind: str):
    """The full list of a preview's changes, as .xlsx."""
    from . import preview

    job = services.import_preview_of(request.user, pk, kind)
    shown = job.result.get("preview") or {}
    if job.result.get("stage") != "preview" or not shown.get("changes_file"):
        raise Http404
    return _download(
        f"导入预览-明细-{job.pk}",
        "xlsx",
        preview.CHANGES_HEADER,
        preview.changes_rows(shown["changes_file"]),
        shown["changes"],
    )


@requires(Action.TARGET_EDIT)
def target_import_preview(request, pk):
    return _import_preview(request, pk, "target_import")


@requires(Action.TARGET_EDIT)
def target_import_changes(request, pk):
    return _import_changes(request, pk, "target_import")


@requires(Action.DIRECTORY_VIEW)
def target_template(request, template, fmt):
    if template not in importing.TEMPLATES:
        raise Http404
    label, columns = importing.TEMPLATES[template]
    return _template_download(f"检查对象导入模板-{label}", fmt, columns)


# ---- inspectors --------------------------------------------------------------------------


@requires(Action.DIRECTORY_VIEW)
def inspector_list(request):
    form = InspectorFilterForm(request.GET or None)
    qs = form.filter().apply(selectors.inspectors_for(request.user))
    qs = (
        qs.select_related("department", "business_line")
        .prefetch_related("specialties")
        .order_by("department_id", "name")
    )
    page = list_page(request, qs)
    return render(
        request,
        "directory/inspector_list.html",
        {
            "form": form,
            "page": page,
            "today": timezone.localdate(),
            "can_edit": can(request.user, Action.INSPECTOR_EDIT),
            "query": request.GET.urlencode(),
        },
    )


@requires(Action.DIRECTORY_VIEW)
def inspector_export(request, fmt):
    qs = InspectorFilterForm(request.GET or None).filter().apply(selectors.inspectors_for(request.user))
    return _download("执法检查人员", fmt, exports.INSPECTOR_HEADERS, exports.inspector_rows(qs))


@requires(Action.DIRECTORY_VIEW)
def inspector_detail(request, pk):
    if request.method == "POST" and not can(request.user, Action.INSPECTOR_EDIT):
        raise PermissionDenied
    insp = get_object_or_404(
        selectors.inspectors_for(request.user).select_related("department", "business_line"), pk=pk
    )
    form = ConflictForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        target = (
            selectors.targets_for(request.user)
            .filter(uscc=form.cleaned_data["target_key"].strip().upper())
            .first()
        )
        if not target:
            form.add_error("target_key", "本部门监管的检查对象中没有此统一社会信用代码")
        else:
            try:
                services.conflict_add(
                    actor=request.user, inspector=insp, target=target, reason=form.cleaned_data["reason"]
                )
            except DomainError as e:
                _form_errors(form, e)
            else:
                messages.success(request, "已登记回避关系")
                return redirect("directory:inspector_detail", pk)
    return render(
        request,
        "directory/inspector_detail.html",
        {
            "i": insp,
            "today": timezone.localdate(),
            "conflicts": insp.conflicts.select_related("target"),
            "form": form,
            "can_edit": can(request.user, Action.INSPECTOR_EDIT)
            and insp.department_id == request.user.department_id,
        },
    )


@requires(Action.INSPECTOR_EDIT)
def inspector_create(request):
    dept = request.user.department
    form = InspectorForm(
        request.POST or None, department=dept, tags=tag_choices(request.user, TagLibrary.INSPECTOR)
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            insp = services.inspector_create(
                actor=request.user,
                department=dept,
                name=d["name"],
                id_number=d["id_number"],
                specialties=d["specialties"],
                business_line=d["business_line"],
                certificate_no=d["certificate_no"],
                certificate_expiry=d["certificate_expiry"],
                on_duty=d["on_duty"],
                is_expert=d["is_expert"],
                phone=d["phone"],
            )
        except DomainError as e:
            _form_errors(form, e)
        else:
            messages.success(request, f"已新增：{insp.name}")
            return redirect("directory:inspector_detail", insp.pk)
    return render(
        request,
        "form.html",
        {"form": form, "title": "新增执法检查人员", "back": "directory:inspector_list"},
    )


@requires(Action.INSPECTOR_EDIT)
def inspector_edit(request, pk):
    insp = get_object_or_404(selectors.inspectors_for(request.user), pk=pk)
    form = InspectorForm(
        request.POST or None,
        instance=insp,
        department=request.user.department,
        tags=tag_choices(request.user, TagLibrary.INSPECTOR),
        editing=True,
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        insp.refresh_from_db()
        try:
            services.inspector_update(
                actor=request.user,
                inspector=insp,
                specialties=d.pop("specialties"),
                **{k: d[k] for k in form.changed_data if k != "specialties"},
            )
        except DomainError as e:
            _form_errors(form, e)
        else:
            messages.success(request, "已保存")
            return redirect("directory:inspector_detail", pk)
    return render(
        request,
        "form.html",
        {"form": form, "title": f"修改：{insp.name}", "back": "directory:inspector_list"},
    )


@requires(Action.INSPECTOR_EDIT)
def inspector_import(request):
    return _import_page(request, "inspector_import", "导入执法检查人员", "inspector")


@requires(Action.INSPECTOR_EDIT)
def inspector_import_preview(request, pk):
    return _import_preview(request, pk, "inspector_import")


@requires(Action.INSPECTOR_EDIT)
def inspector_import_changes(request, pk):
    return _import_changes(request, pk, "inspector_import")


@requires(Action.DIRECTORY_VIEW)
def inspector_template(request, fmt):
    return _template_download("执法检查人员导入模板", fmt, INSPECTOR_COLUMNS)


# ---- items and tags ----------------------------------------------------------------------


@requires(Action.DIRECTORY_VIEW)
def item_list(request):
    items = selectors.items_for(request.user).annotate(points=Count("checklist"))
    claimed = (
        set(request.user.department.item_claims.values_list("item_id", flat=True))
        if request.user.department_id
        else set()
    )
    page = list_page(request, items.order_by("region_id", "code", "pk"))
    return render(
        request,
        "directory/item_list.html",
        {
            "items": page,
            "page": page,
            "claimed": claimed,
            "can_claim": can(request.user, Action.ITEM_CLAIM),
            "can_manage": can(request.user, Action.ITEM_MANAGE),
        },
    )


@requires(Action.ITEM_MANAGE)
def item_import(request):
    return _import_page(request, "item_import", "导入抽查事项清单", "item")


@requires(Action.ITEM_MANAGE)
def item_import_preview(request, pk):
    return _import_preview(request, pk, "item_import")


@requires(Action.ITEM_MANAGE)
def item_import_changes(request, pk):
    return _import_changes(request, pk, "item_import")


@requires(Action.DIRECTORY_VIEW)
def item_template(request, fmt):
    return _template_download("抽查事项导入模板", fmt, ITEM_COLUMNS)


@requires(Action.DIRECTORY_VIEW)
def item_export(request, fmt):
    qs = selectors.items_for(request.user)
    return _download("抽查事项清单", fmt, [c.header for c in ITEM_COLUMNS], exports.item_rows(qs))


@requires(Action.DIRECTORY_VIEW)
def item_detail(request, pk):
    item = get_object_or_404(selectors.items_for(request.user), pk=pk)
    return render(
        request,
        "directory/item_detail.html",
        {"item": item, "claims": item.claims.select_related("department")},
    )


def _item_action(request, pk, service, done: str):
    item = get_object_or_404(selectors.items_for(request.user), pk=pk)  # scope before anything else
    if request.method != "POST":
        return redirect("directory:item_detail", pk)
    try:
        service(actor=request.user, item=item)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"{done}：{item.name}")
    return redirect("directory:item_list")


@requires(Action.ITEM_MANAGE)
def item_edit(request, pk=None):
    item = get_object_or_404(selectors.items_for(request.user), pk=pk) if pk else None
    specialties = tag_choices(request.user, TagLibrary.INSPECTOR)
    form = ItemForm(request.POST or None, instance=item, specialties=specialties)
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        checklist = d.pop("checklist").splitlines()
        specs = list(d.pop("required_specialties"))
        try:
            if item:
                item.refresh_from_db()
                item = services.item_update(
                    actor=request.user, item=item, checklist=checklist, required_specialties=specs, **d
                )
            else:
                item = services.item_create(
                    actor=request.user, checklist=checklist, required_specialties=specs, **d
                )
        except DomainError as e:
            _form_errors(form, e)
        else:
            messages.success(request, f"已保存：{item.name}")
            return redirect("directory:item_detail", item.pk)
    title = f"修改事项：{item.name}" if item else "新建抽查事项"
    return render(request, "form.html", {"form": form, "title": title, "back": "directory:item_list"})


@requires(Action.ITEM_CLAIM)
def item_claim(request, pk):
    if request.POST.get("undo"):
        return _item_action(request, pk, services.item_unclaim, "已取消认领")
    return _item_action(request, pk, services.item_claim, "已认领")


@requires(Action.ITEM_MANAGE)
def item_publish(request, pk):
    return _item_action(request, pk, services.item_publish, "已发布")


@requires(Action.DIRECTORY_VIEW)
def tag_list(request):
    form = TagForm(request.POST or None)
    if request.method == "POST":
        if not can(request.user, Action.TAG_EDIT):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.tag_create(actor=request.user, **form.cleaned_data)
            except DomainError as e:
                _form_errors(form, e)
            else:
                messages.success(request, "标签已新建")
                return redirect("directory:tag_list")
    tags = (
        selectors.tags_for(request.user)
        .select_related("department")
        .annotate(n_targets=Count("targets", distinct=True), n_inspectors=Count("inspectors", distinct=True))
    )
    return render(
        request,
        "directory/tag_list.html",
        {
            "form": form,
            "tags": (page := list_page(request, tags.order_by("library", "name", "pk"))),
            "page": page,
            "can_edit": can(request.user, Action.TAG_EDIT),
        },
    )
