"""The cross-department probe (issue 14): every route of the URL resolver and every operation of
the OpenAPI schema, with the ids of department A's records, requested by each actor who has no
part in them (anonymous, another department of the county, a department of another county, the
sysadmin and the auditor), GET and POST. Each must be refused — the sign-in page or 401 for
anonymous, 403/404/405 for the rest — with the audit log unchanged, unless probe_exemptions.py
says otherwise and why.

Nothing here lists the routes: they come from the resolver and the schema, so a new route is
probed the day it is added. A route's ids are chosen by the longest static prefix in
`OBJECT_BY_PREFIX` (a new page under /directory/targets/<pk>/ is probed with A's target without
anyone adding it); a route that no prefix covers fails `test_every_route_has_probe_objects`."""

import datetime as dt
import re
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from conftest import module_standing
from shuangsuiji.api import api
from shuangsuiji.core.models import AuditEntry
from shuangsuiji.core.tests.test_permission_matrix import _build_objects, _build_world, _witnessed_draw
from shuangsuiji.directory.models import ChangeSuggestion, Inspector
from shuangsuiji.followup import services as followup
from shuangsuiji.followup.models import FollowUp
from shuangsuiji.inspection import services as inspection
from shuangsuiji.planning import services as planning
from shuangsuiji.planning.models import QuotaMode
from shuangsuiji.reports import services as reports
from shuangsuiji.triggers import services as triggers

from .probe_exemptions import exempt

# Who has no part in department A's records. b_* are the county's other department, far_admin a
# department of another county; the sysadmin and the auditor read no supervision data.
PROBERS = ["anonymous", "b_admin", "b_inspector", "far_admin", "sysadmin", "auditor"]
REFUSALS = {403, 404, 405}

# The static start of a route → for each of its parameters, the object of department A (or its
# value) to put there. The longest matching prefix wins.
OBJECT_BY_PREFIX: dict[str, dict[str, str]] = {
    "jobs/": {"pk": "job.pk"},
    "activate/": {"code": "=not-a-code"},
    "roles/": {"pk": "grant.pk"},
    "roles/accounts/": {"pk": "account.pk"},
    "directory/targets/": {"pk": "target.pk", "template": "=market", "fmt": "=csv"},
    "directory/inspectors/": {"pk": "inspector.pk", "fmt": "=csv"},
    "directory/items/": {"pk": "item.pk", "fmt": "=csv"},
    "directory/suggestions/": {"pk": "suggestion.pk"},
    "planning/plans/": {"pk": "plan.pk", "plan_pk": "plan.pk"},
    "planning/tasks/": {"pk": "closed.pk"},
    "planning/workplan/": {"pk": "milestone.pk"},
    "draw/tasks/": {"task_pk": "task.pk"},
    "draw/audit/": {"public_id": "closed_draw.public_id", "what": "=pool"},
    "draw/": {"public_id": "closed_draw.public_id"},
    "inspection/s/": {"pk": "closed_sel.pk"},
    "inspection/record/": {"pk": "closed_ins.pk"},
    "inspection/checkin/": {"token": "closed_sel.token"},
    "public/plans/": {"pk": "plan.pk"},
    "public/draws/": {"public_id": "closed_draw.public_id"},
    "public/selection/": {"token": "closed_sel.token"},
    "public/witness/": {"token": "witness_token"},
    "followup/visits/": {"pk": "visit.pk"},
    "followup/public/visits/": {"public_id": "visit.public_id"},
    "followup/": {"pk": "entry.pk"},
    "triggers/": {"pk": "trigger.pk"},
    "triggers/requests/": {"pk": "trigger_request.pk"},
    "warning/watch/": {"pk": "target.pk"},
    "reports/dashboard/": {"key": "=coverage"},
    "reports/assessment/": {"department": "dept_a.pk", "key": "=unpublished"},
    "reports/submissions/monthly/": {"pk": "monthly.pk"},
    "reports/quarterly/": {"pk": "quarterly.pk"},
    "api/v1/directory/targets/": {"target_id": "target.pk"},
    "warning/careless/inspectors/": {"pk": "inspector.pk"},
}


def _walk(resolver, prefix=""):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


def _page_routes() -> list[str]:
    """Every page route with a parameter (the lists are the permission matrix's)."""
    return sorted(r for r in _walk(get_resolver()) if "<" in r and not r.startswith("api/"))


def _api_operations() -> list[tuple[str, str]]:
    """(method, path) of every API operation with a path parameter, e.g. /api/v1/x/{target_id}."""
    schema = api.get_openapi_schema()
    return sorted(
        (method.upper(), path) for path, ops in schema["paths"].items() for method in ops if "{" in path
    )


def _params(route: str) -> list[str]:
    return [a or b for a, b in re.findall(r"<(?:\w+:)?(\w+)>|\{(\w+)\}", route)]


def _names_a_record(route: str) -> bool:
    """Whether a parameter names one of A's records (a template's format or a KPI's key do not:
    such a page is a list, and lists are the permission matrix's)."""
    spec = _objects_for(route) or {}
    return any(not spec.get(p, "=").startswith("=") for p in _params(route))


def _objects_for(route: str) -> dict[str, str] | None:
    path = route.lstrip("/")
    best = max((p for p in OBJECT_BY_PREFIX if path.startswith(p)), key=len, default=None)
    return OBJECT_BY_PREFIX[best] if best else None


def _value(spec: str, o) -> str:
    if spec.startswith("="):
        return spec[1:]
    value = o
    for part in spec.split("."):
        value = getattr(value, part)
    return str(value)


def _concrete(route: str, o, spec: dict[str, str] | None = None) -> str:
    spec = spec or _objects_for(route)
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: _value(spec[m.group(1)], o), route)
    path = re.sub(r"\{(\w+)\}", lambda m: _value(spec[m.group(1)], o), path)
    return path if path.startswith("/") else "/" + path


# ---- department A's records that nobody else takes part in ------------------------------------


def _a_only_published(w, o, year: int, *, problem: bool):
    """A's task of `year` over the one target, drawn, inspected (with a problem or not) and
    published: returns (task, draw, selection, inspection)."""
    plan = planning.plan_create(actor=w.a_admin, year=year)
    task = planning.task_save(
        actor=w.a_admin,
        plan=plan,
        name=f"{year}年餐饮服务食品安全抽查",
        items=[o.planned_item],
        quota_mode=QuotaMode.TOTAL,
        total=1,
        window_start=dt.date(year, 4, 1),
        window_end=dt.date(year, 6, 30),
        publish_selection_on=dt.date(year, 4, 1),
    )
    planning.plan_submit(actor=w.a_admin, plan=plan)
    planning.plan_approve(actor=w.office, plan=plan)
    task.refresh_from_db()
    draw = _witnessed_draw(w, task)
    sel = draw.selections.get()
    m = sel.team.filter(active=True).order_by("pk").first()
    linked = list(Inspector.objects.filter(user=w.a_inspector).values_list("pk", flat=True))
    Inspector.objects.filter(pk__in=linked).update(user=None)
    Inspector.objects.filter(pk=m.inspector_id).update(user=w.a_inspector)
    w.a_inspector._state.fields_cache.pop("inspector", None)
    inspection.result_save(
        actor=w.a_inspector,
        selection=sel,
        item=o.planned_item,
        method="onsite",
        categories=["not_disclosed"] if problem else ["none_found"],
        problem="未按规定公示年度报告" if problem else "",
    )
    inspection.inspection_finish(actor=w.a_inspector, selection=sel, finished_on=dt.date(year, 4, 15))
    ins = inspection.inspection_submit(actor=w.a_inspector, selection=sel)
    ins = inspection.review_approve(actor=w.a_reviewer, inspection=ins)
    Inspector.objects.filter(pk=m.inspector_id).update(user=None)
    Inspector.objects.filter(pk__in=linked).update(user=w.a_inspector)
    w.a_inspector._state.fields_cache.pop("inspector", None)
    task.refresh_from_db()
    return task, draw, sel, ins


def _build(w):
    o = _build_objects(w)
    o.dept_a = w.dept_a
    _, o.closed_draw, o.closed_sel, o.closed_ins = _a_only_published(w, o, 2024, problem=True)
    o.entry = FollowUp.objects.get(inspection=o.closed_ins)
    o.visit = followup.visit_draw_announce(
        actor=w.office, year=2024, share=1, public_value_source="2024年12月31日中国福利彩票双色球开奖号码"
    )
    # a 变更建议 on A's target, for A (its keeper) to decide: B proposed it and still may not decide it
    o.suggestion = ChangeSuggestion.objects.create(
        target=o.target,
        field="risk_class",
        current_value="B",
        suggested_value="D",
        department=w.dept_b,
        proposed_by=w.b_admin,
        created_at=o.target.created_at,
    )
    # a complaint A recorded about its target, and a triggered task A asked for (pending)
    o.trigger = triggers.trigger_record(
        actor=w.a_admin,
        category="complaint",
        source="12345政务服务便民热线",
        received_on=dt.date(2026, 11, 20),
        targets=[o.target],
        items=[o.planned_item],
        description="消费者投诉",
    )
    o.trigger_request = triggers.task_request(
        actor=w.a_admin,
        trigger=triggers.trigger_record(
            actor=w.a_admin,
            category="deployment",
            source="市局部署",
            received_on=dt.date(2026, 11, 20),
            targets=[o.target],
            items=[o.planned_item],
            description="专项部署",
        ),
        window_start=dt.date(2026, 12, 1),
        window_end=dt.date(2026, 12, 31),
        reason="按部署开展",
    )
    o.monthly = reports.monthly_submit(actor=w.a_admin, department=w.dept_a, year=2026, month=1)
    o.quarterly = reports.quarterly_submit(
        actor=w.a_admin, department=w.dept_a, year=2026, quarter=1, text="一季度进展"
    )
    return o


@pytest.fixture(scope="module")
def standing(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once in a transaction around the module, rolled back at its end (as the matrix)."""
    media = tmp_path_factory.mktemp("probe-media")

    def build():
        w = _build_world()
        return SimpleNamespace(w=w, o=_build(w), media=media)

    yield from module_standing(django_db_blocker, media, build)


def test_every_route_has_probe_objects():
    """A route no prefix covers would go unprobed: name its objects in OBJECT_BY_PREFIX."""
    missing = []
    for route in _page_routes() + [path for _, path in _api_operations()]:
        spec = _objects_for(route)
        if spec is None or any(p not in spec for p in _params(route)):
            missing.append(route)
    assert missing == []


def _probes():
    for route in filter(_names_a_record, _page_routes()):
        for method in ("GET", "POST"):
            for actor in PROBERS:
                yield method, route, actor, None
    for method, path in _api_operations():
        for actor in PROBERS:
            yield method, path, actor, None
    # A joint task's partner takes part in the task, not in A's part of it: A's inspection
    # record stays A's until it is published (finding 3).
    for route in filter(_names_a_record, _page_routes()):
        if route.startswith("inspection/record/"):
            for method in ("GET", "POST"):
                for actor in ("b_admin", "b_inspector"):
                    yield method, route, actor, {"pk": "ins.pk"}


PROBES = list(_probes())


def _refused(actor: str, route: str, resp) -> bool:
    if actor == "anonymous":
        if route.startswith("/api/"):
            return resp.status_code == 401
        return resp.status_code == 302 and urlsplit(resp["Location"]).path == reverse("core:login")
    return resp.status_code in REFUSALS


def _probe_id(probe) -> str:
    method, route, actor, partner = probe
    return f"{method} {route} {actor}" + (" (joint partner)" if partner else "")


@pytest.mark.parametrize("method,route,actor,partner", PROBES, ids=[_probe_id(p) for p in PROBES])
def test_probe(standing, db, settings, method, route, actor, partner):
    settings.MEDIA_ROOT = standing.media
    reason = exempt(method, route, actor)
    client = Client()
    if actor != "anonymous":
        client.force_login(getattr(standing.w, actor))
    path = _concrete(route, standing.o, partner)
    entries = AuditEntry.objects.count()
    if path.startswith("/api/"):
        resp = client.generic(method, path, "{}", content_type="application/json")
    else:
        resp = client.get(path) if method == "GET" else client.post(path, {})
    if getattr(resp, "streaming", False):
        b"".join(resp.streaming_content)
    if reason:
        assert resp.status_code < 500, (resp.status_code, reason)
        return
    assert _refused(actor, route, resp), (
        f"{actor} {method} {path}: {resp.status_code} {resp.get('Location', '')} — "
        "not refused; if this is by design, add it with the reason to probe_exemptions.py"
    )
    assert AuditEntry.objects.count() == entries, "a refused request changed something"
