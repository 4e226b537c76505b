"""一公开 of inspection results: the public search (by 统一社会信用代码 or name) and the hand-over
files for the systems above us (国家企业信用信息公示系统 and the like).

Everything here reads `PublishedResult`, the denormalized public row that `review_approve` writes
per published inspection and item (persons' names already masked), and the public draw record
(`draw.records.public_record`). It never touches internal records, so it cannot show a risk class,
a 身份证号, an internal comment or who inspected. The formats are documented in docs/handover.md;
a change here is a change there."""

import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from urllib.parse import quote

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from shuangsuiji.core import audit
from shuangsuiji.core.ops.caching import public_page
from shuangsuiji.core.paging import COUNT_CAP
from shuangsuiji.directory.selectors import name_contains
from shuangsuiji.directory.tabular import csv_line
from shuangsuiji.draw.models import TargetDraw
from shuangsuiji.draw.records import public_record
from shuangsuiji.draw.selectors import public_draws
from shuangsuiji.inspection.models import PublishedResult

PER_PAGE = 20
CHUNK = 2000  # rows per database round trip while streaming an export
Q_MAX = 100
USCC_SHAPE = re.compile(r"^[0-9A-Z]{18}$")

RESULTS_FORMAT = "ssj-public-results-v2"  # v2: kind and trigger_category (issue 19, docs/handover.md §8)
DRAWS_FORMAT = "ssj-public-draws-v2"  # v2: its records are ssj-draw-record-v2 (docs/handover.md §7)

# The hand-over columns, in file order: (JSON key, CSV header). docs/handover.md lists the same,
# and a test holds the two together.
RESULT_FIELDS = [
    ("uscc", "统一社会信用代码"),
    ("name", "名称"),
    ("task_code", "任务编号"),
    ("task_name", "任务名称"),
    ("department", "检查部门"),
    ("item", "检查事项"),
    ("outcome", "检查结果"),
    ("found_problem", "发现问题"),
    ("finished_on", "检查日期"),
    ("published_at", "公示时间"),
    ("version", "版本"),
    ("inspection_id", "检查记录号"),
    ("kind", "检查类型"),
    ("trigger_category", "触发类别"),
]
CSV_HEADER = [h for _, h in RESULT_FIELDS]
EXPORT_ORDER = ("published_at", "inspection_id", "id")


# ---- the search -------------------------------------------------------------------------------


def search_results(q: str, *, broad: bool = False) -> QuerySet[PublishedResult]:
    """Published result rows for a query: an 18-character code is an exact 统一社会信用代码 match;
    anything else (an 18-character Chinese name too) is a name substring, which PostgreSQL answers
    from the bigram (2 characters) or pg_trgm index on the name. An empty query finds nothing.

    `broad`: the word is known to match more than COUNT_CAP rows, so the rows come by walking
    the index in the search's order (migration inspection 0004) and stop at the page; the
    name index would fetch and sort every match first, and re-testing a name's bigrams row by
    row costs more than the LIKE."""
    q = (q or "").strip()[:Q_MAX]
    qs = PublishedResult.objects.all()
    if not q:
        return qs.none()
    if len(q) == 18 and USCC_SHAPE.match(q.upper()):
        return qs.filter(uscc=q.upper()).order_by("-published_at", "inspection_id", "id")
    match = Q(name__contains=q) if broad else name_contains(q, PublishedResult._meta.db_table)
    return qs.filter(match).order_by("name", "uscc", "-published_at", "inspection_id", "id")


@dataclass
class InspectionGroup:
    """One department's published inspection of one enterprise: its rows, one per item."""

    inspection_id: int
    task_code: str
    task_name: str
    department: str
    finished_on: dt.date
    published_at: dt.datetime
    version: int
    kind_label: str = ""  # 双随机抽查, or 触发式检查 with its category (issue 19)
    items: list[PublishedResult] = field(default_factory=list)

    @property
    def found_problem(self) -> bool:
        return any(r.found_problem for r in self.items)

    @property
    def corrected(self) -> bool:
        return self.version > 1


@dataclass
class EnterpriseGroup:
    uscc: str
    name: str
    inspections: list[InspectionGroup] = field(default_factory=list)


def _inspections(rows: QuerySet[PublishedResult]) -> QuerySet:
    """One entry per inspection, in the search's order. Every row of one inspection carries the
    same name, code and publication time (they are written together), so DISTINCT over these
    fields is one per inspection."""
    ordering = [o for o in rows.query.order_by if o.lstrip("-") != "id"]
    return rows.order_by(*ordering).values_list("inspection_id", "uscc", "name", "published_at").distinct()


def group_results(rows: Iterable[PublishedResult], inspection_ids: list[int]) -> list[EnterpriseGroup]:
    """Rows grouped per enterprise and inspection, inspections in `inspection_ids`' order. Rows
    without a code (natural persons and other 非市场主体, whose names are masked) are never
    merged by name: each inspection of them stands alone."""
    by_inspection: dict[int, InspectionGroup] = {}
    meta: dict[int, tuple[str, str]] = {}
    for r in rows:
        g = by_inspection.get(r.inspection_id)
        if g is None:
            g = by_inspection[r.inspection_id] = InspectionGroup(
                inspection_id=r.inspection_id,
                task_code=r.task_code,
                task_name=r.task_name,
                department=r.department,
                finished_on=r.finished_on,
                published_at=r.published_at,
                version=r.version,
                kind_label=r.kind_label,
            )
            meta[r.inspection_id] = (r.uscc, r.name)
        g.items.append(r)
    groups: list[EnterpriseGroup] = []
    for pk in inspection_ids:
        if pk not in by_inspection:
            continue
        uscc, name = meta[pk]
        last = groups[-1] if groups else None
        if last is None or not uscc or (last.uscc, last.name) != (uscc, name):
            last = EnterpriseGroup(uscc=uscc, name=name)
            groups.append(last)
        last.inspections.append(by_inspection[pk])
    return groups


@dataclass
class OpenPage:
    """A page of a list too long to count (more than COUNT_CAP rows): previous and next only,
    up to the page that holds the COUNT_CAP-th inspection."""

    number: int
    object_list: list
    has_next: bool

    @classmethod
    def get(cls, inspections: QuerySet, page_number) -> "OpenPage":
        try:
            number = min(max(int(page_number), 1), max(COUNT_CAP // PER_PAGE, 1))
        except (TypeError, ValueError):
            number = 1
        start = (number - 1) * PER_PAGE
        found = list(inspections[start : start + PER_PAGE + 1])  # one more says there is a next page
        return cls(number, found[:PER_PAGE], len(found) > PER_PAGE)

    def has_previous(self) -> bool:
        return self.number > 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1


@dataclass
class SearchPage:
    q: str
    page: Page | OpenPage | None
    groups: list[EnterpriseGroup]
    rows: int  # item rows matching the query, on every page (COUNT_CAP + 1 means “more than”)
    inspections: int | None = None  # None when there are too many rows to count them

    @property
    def capped(self) -> bool:
        return self.rows > COUNT_CAP

    @property
    def cap(self) -> int:
        return COUNT_CAP


def search_page(q: str, page_number) -> SearchPage:
    """A page of 20 inspections for the query, grouped for display. The rows are counted up to
    COUNT_CAP + 1: a word in a third of all names would otherwise sort and count 10⁵ rows for
    every visitor; beyond the cap the page says “超过” and pages by previous/next."""
    q = (q or "").strip()[:Q_MAX]
    if not q:
        return SearchPage(q, None, [], 0)
    rows = search_results(q)
    n = rows[: COUNT_CAP + 1].count()
    if n > COUNT_CAP:
        page = OpenPage.get(_inspections(search_results(q, broad=True)), page_number)
        inspections = None
    else:
        page = Paginator(_inspections(rows), PER_PAGE).get_page(page_number)
        inspections = page.paginator.count
    ids = [pk for pk, *_ in page.object_list]
    page_rows = PublishedResult.objects.filter(inspection_id__in=ids).order_by("inspection_id", "id")
    return SearchPage(q, page, group_results(page_rows, ids), n, inspections)


@public_page(last_modified=audit.last_change_at)  # a result is published with its audit entry
def search(request):
    """检查结果公示查询 (public, no sign-in)."""
    sp = search_page(request.GET.get("q", ""), request.GET.get("page"))
    return render(request, "publicity/results.html", {"sp": sp, "page": sp.page})


# ---- the hand-over exports --------------------------------------------------------------------


class BadSince(ValueError):
    """A ?since= value that is not a date (answered with 400 and a Chinese message)."""


def parse_since(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise BadSince(f"since 参数应为 YYYY-MM-DD 格式的日期，收到“{value[:40]}”") from None


def since_start(since: dt.date) -> dt.datetime:
    """0:00 of that day in the platform's time zone (Asia/Shanghai)."""
    return timezone.make_aware(dt.datetime.combine(since, dt.time.min))


def published_results(since: dt.date | None = None) -> QuerySet[PublishedResult]:
    """Every published result row, oldest publication first (the hand-over order)."""
    qs = PublishedResult.objects.all()
    if since:
        qs = qs.filter(published_at__gte=since_start(since))
    return qs.order_by(*EXPORT_ORDER)


def changed_draws(since: dt.date | None = None) -> QuerySet[TargetDraw]:
    """Public draws, oldest announcement first; with `since`, those whose public record changed
    on or after that day: announced, drawn or ended then, or whose selected list became public
    then."""
    qs = public_draws().prefetch_related("witnesses")
    if since:
        start = since_start(since)
        qs = qs.filter(
            Q(announced_at__gte=start)
            | Q(drawn_at__gte=start)
            | Q(ended_at__gte=start)
            | Q(publish_selection_on__gte=since, publish_selection_on__lte=timezone.localdate())
        )
    return qs.order_by("announced_at", "id")


def _iso(t: dt.datetime) -> str:
    return timezone.localtime(t).isoformat()


def result_record(r: PublishedResult) -> dict:
    """One row as the JSON files and the API give it."""
    return {
        "uscc": r.uscc,
        "name": r.name,
        "task_code": r.task_code,
        "task_name": r.task_name,
        "department": r.department,
        "item": r.item,
        "outcome": r.outcome,
        "found_problem": r.found_problem,
        "finished_on": r.finished_on.isoformat(),
        "published_at": _iso(r.published_at),
        "version": r.version,
        "inspection_id": r.inspection_id,
        "kind": r.task_kind,
        "trigger_category": r.trigger_category,
    }


def result_csv_row(r: PublishedResult) -> list:
    d = result_record(r)
    d["found_problem"] = "是" if r.found_problem else "否"
    d["kind"] = r.get_task_kind_display()
    d["trigger_category"] = r.get_trigger_category_display()
    return [d[k] for k, _ in RESULT_FIELDS]


def _csv_stream(rows: Iterator[PublishedResult]) -> Iterator[str]:
    yield "\ufeff" + csv_line(CSV_HEADER)  # the BOM lets Excel read UTF-8
    for r in rows:
        yield csv_line(result_csv_row(r))


def _json_stream(fmt: str, key: str, since: dt.date | None, records: Iterator[dict]) -> Iterator[str]:
    head = {"format": fmt, "generated_at": _iso(timezone.now()), "since": since and since.isoformat()}
    yield json.dumps(head, ensure_ascii=False)[:-1] + f', "{key}": ['
    first = True
    for rec in records:
        yield ("\n" if first else ",\n") + json.dumps(rec, ensure_ascii=False)
        first = False
    yield "\n]}\n"


def _download(stream, content_type: str, stem: str, ext: str, since: dt.date | None):
    resp = StreamingHttpResponse(stream, content_type=content_type)
    stamp = timezone.localdate().strftime("%Y%m%d")
    name = f"{stem}-{stamp}{'-since-' + since.strftime('%Y%m%d') if since else ''}.{ext}"
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    resp["Cache-Control"] = "no-cache"
    return resp


def _since_or_400(request):
    try:
        return parse_since(request.GET.get("since")), None
    except BadSince as e:
        return None, HttpResponse(str(e), status=400, content_type="text/plain; charset=utf-8")


def export_results_csv(request):
    since, bad = _since_or_400(request)
    if bad:
        return bad
    rows = published_results(since).iterator(chunk_size=CHUNK)
    return _download(_csv_stream(rows), "text/csv; charset=utf-8", "检查结果公示", "csv", since)


def export_results_json(request):
    since, bad = _since_or_400(request)
    if bad:
        return bad
    records = (result_record(r) for r in published_results(since).iterator(chunk_size=CHUNK))
    stream = _json_stream(RESULTS_FORMAT, "results", since, records)
    return _download(stream, "application/json; charset=utf-8", "检查结果公示", "json", since)


def export_draws_json(request):
    since, bad = _since_or_400(request)
    if bad:
        return bad
    records = (public_record(d) for d in changed_draws(since).iterator(chunk_size=100))
    stream = _json_stream(DRAWS_FORMAT, "draws", since, records)
    return _download(stream, "application/json; charset=utf-8", "随机抽取记录", "json", since)
