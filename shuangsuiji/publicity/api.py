"""/api/v1/public: the hand-over data (docs/handover.md) for systems that page through an API
rather than download a file. Public like the portal: no sign-in (auth=None overrides the API's
token/session authentication)."""

import datetime as dt

from ninja import Query, Router, Schema
from ninja.pagination import paginate

from shuangsuiji.core.paging import ApiPages
from shuangsuiji.core.params import ApiDate
from shuangsuiji.draw.records import public_record

from . import results

router = Router(auth=None, tags=["一公开（无需登录）"])


class ResultFilter(Schema):
    since: ApiDate | None = None
    q: str = ""


class DrawFilter(Schema):
    since: ApiDate | None = None


class PublishedResultOut(Schema):
    uscc: str
    name: str
    task_code: str
    task_name: str
    department: str
    item: str
    outcome: str
    found_problem: bool
    finished_on: dt.date
    published_at: str
    version: int
    inspection_id: int
    kind: str
    trigger_category: str


class TaskRef(Schema):
    code: str
    name: str


class StratumOut(Schema):
    label: str
    size: int
    quota: int
    root: str


class WitnessOut(Schema):
    label: str
    description: str
    commitment: str
    committed_at: str
    number: str
    salt_hex: str


class NamedOut(Schema):
    """One drawn target as the public sees it: no stratum, position or path beside its name."""

    key: str
    name: str
    carried: bool | None = None


class DrawnLeafOut(Schema):
    position: int
    leaf: str
    path: list[str]


class DrawnStratumOut(Schema):
    label: str
    entries: list[DrawnLeafOut]


class DrawRecordOut(Schema):
    format: str
    spec: str
    draw_id: str
    task: TaskRef
    status: str
    status_label: str
    announced_at: str
    draw_at: str
    place: str
    strata: list[StratumOut]
    exclusions: dict[str, int]
    pool_format: str
    pool_root: str
    terms: dict
    terms_hash: str
    secret_commitment: str
    secret_hex: str
    public_value_source: str
    public_value_at: str
    public_value: str
    witnesses: list[WitnessOut]
    seed: str
    ended_reason: str
    redraw_of: str
    redraw_mode: str
    named: list[NamedOut] | None = None
    drawn: list[DrawnStratumOut] | None = None


class _Records:
    """A queryset of draws that pages like one but yields public records: the paginator counts
    and slices it; only the page's draws are turned into records."""

    def __init__(self, qs):
        self.qs = qs

    def all(self):
        return self

    def count(self) -> int:
        return self.qs.count()

    def __getitem__(self, s: slice) -> list[dict]:
        return [public_record(d) for d in self.qs[s]]


class _Rows(_Records):
    def __getitem__(self, s: slice) -> list[dict]:
        return [results.result_record(r) for r in self.qs[s]]


@router.get(
    "/results",
    response=list[PublishedResultOut],
    summary="公示的检查结果（按公示时间升序；since=YYYY-MM-DD 只取该日起公示的；q 同公开查询）",
)
@paginate(ApiPages, page_size=100)
def result_list(request, filters: Query[ResultFilter]):
    qs = results.published_results(filters.since)
    if filters.q.strip():
        qs = qs.filter(pk__in=results.search_results(filters.q).values("pk"))
    return _Rows(qs)


@router.get(
    "/draws",
    response=list[DrawRecordOut],
    exclude_none=True,
    summary="随机抽取公示记录（按公告时间升序；since=YYYY-MM-DD 只取该日起有变化的）",
)
@paginate(ApiPages, page_size=20)
def draw_list(request, filters: Query[DrawFilter]):
    return _Records(results.changed_draws(filters.since))
