"""The cross-county probe (issue 20, “one instance, many jurisdictions”): test_probe.py's routes
and API operations, with the ids of 鹿泉区 department A's records, asked by the people of another
county of the same city (长安区: its office, a department admin, an inspector) and by the office of
another city (邯郸市), GET and POST. Each is refused and the audit log does not change; the
exemptions are probe_exemptions.py's (the public pages), nothing else.

石家庄市's office (鹿泉区's city) reads its counties (core/scope.py: a city's prefix is four
digits) but changes none of their records: every POST with A's ids is refused and changes
nothing. That is the existing rule (ARCHITECTURE.md: “a city office sees its counties
read-only”); where a county's office acts (approving a plan, confirming a void), the county's own
office acts, not its city."""

from types import SimpleNamespace

import pytest
from django.test import Client

from conftest import PASSWORD, module_standing
from shuangsuiji.core import services as core
from shuangsuiji.core.models import AuditEntry, Region, Role

from .probe_exemptions import exempt
from .test_probe import (
    _api_operations,
    _build,
    _build_world,
    _concrete,
    _names_a_record,
    _page_routes,
    _refused,
)

# 长安区 is a county of 鹿泉区's city; 邯郸市 another city.
COUNTY_PROBERS = ["sib_office", "sib_admin", "sib_inspector", "far_city_office"]


def _county_actors(w) -> None:
    def office(code: str):
        return core.department_create(
            actor=None, name="双随机办公室", region=Region.objects.get(code=code), is_office=True
        )

    def user(username, role, dept):
        return core.user_create(
            actor=None,
            username=username,
            password=PASSWORD,
            role=role,
            department=dept,
            display_name=username,
        )

    sib_market = core.department_create(
        actor=None, name="市场监督管理局", region=Region.objects.get(code="130102")
    )
    w.sib_office = user("sib_office", Role.OFFICE, office("130102"))
    w.sib_admin = user("sib_admin", Role.DEPT_ADMIN, sib_market)
    w.sib_inspector = user("sib_inspector", Role.INSPECTOR, sib_market)
    w.far_city_office = user("far_city_office", Role.OFFICE, office("130400"))
    w.city_office = user("city_office", Role.OFFICE, office("130100"))


@pytest.fixture(scope="module")
def standing(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("probe-county-media")

    def build():
        w = _build_world()
        _county_actors(w)
        return SimpleNamespace(w=w, o=_build(w), media=media)

    yield from module_standing(django_db_blocker, media, build)


def _probes():
    for route in filter(_names_a_record, _page_routes()):
        for method in ("GET", "POST"):
            for actor in COUNTY_PROBERS:
                yield method, route, actor
        yield "POST", route, "city_office"
    for method, path in _api_operations():
        for actor in COUNTY_PROBERS:
            yield method, path, actor
        if method != "GET":
            yield method, path, "city_office"


PROBES = list(_probes())


def _ask(standing, method: str, route: str, actor: str):
    client = Client()
    client.force_login(getattr(standing.w, actor))
    path = _concrete(route, standing.o)
    if path.startswith("/api/"):
        resp = client.generic(method, path, "{}", content_type="application/json")
    else:
        resp = client.get(path) if method == "GET" else client.post(path, {})
    if getattr(resp, "streaming", False):
        b"".join(resp.streaming_content)
    return path, resp


@pytest.mark.parametrize("method,route,actor", PROBES, ids=[" ".join(p) for p in PROBES])
def test_county_probe(standing, db, settings, method, route, actor):
    settings.MEDIA_ROOT = standing.media
    reason = exempt(method, route, actor)
    entries = AuditEntry.objects.count()
    path, resp = _ask(standing, method, route, actor)
    if actor == "city_office":
        # reads its counties: the answer may be the page itself, but nothing changes
        assert resp.status_code < 500 and AuditEntry.objects.count() == entries, (
            f"city_office {method} {path}: {resp.status_code} changed something"
        )
        return
    if reason:
        assert resp.status_code < 500, (resp.status_code, reason)
        return
    assert _refused(actor, route, resp), (
        f"{actor} {method} {path}: {resp.status_code} {resp.get('Location', '')} — not refused"
    )
    assert AuditEntry.objects.count() == entries, "a refused request changed something"


# Pages of A's records that the city office reads (a county's office reads them too).
CITY_READS = [
    "directory/targets/<int:pk>/",
    "planning/plans/<int:pk>/",
    "planning/tasks/<int:pk>/",
    "followup/<int:pk>/",
]


@pytest.mark.parametrize("route", CITY_READS)
def test_the_city_office_reads_its_countys_records(standing, db, settings, route):
    settings.MEDIA_ROOT = standing.media
    _, resp = _ask(standing, "GET", route, "city_office")
    assert resp.status_code == 200, route
    # the same page is not found for the other city's office
    _, resp = _ask(standing, "GET", route, "far_city_office")
    assert resp.status_code == 404, route


def test_the_city_office_changes_none_of_its_countys_records(standing, db):
    """The writes a county's office makes, asked of its city's office with real values: refused
    by the same services (its own level's rows only, core/scope.py `at_own_level`)."""
    from shuangsuiji.core import services as core_services
    from shuangsuiji.core.errors import Refusal
    from shuangsuiji.directory import services as directory

    w, o = standing.w, standing.o
    city = w.city_office
    entries = AuditEntry.objects.count()
    with pytest.raises(Refusal):
        directory.target_update(actor=city, target=o.target, name="改名的企业")
    with pytest.raises(Refusal):
        directory.suggestion_accept(actor=city, suggestion=o.suggestion)
    with pytest.raises(Refusal):
        core_services.role_grant_confirm(actor=city, grant=o.grant)
    assert AuditEntry.objects.count() == entries
    # the county's own office still does each of them
    directory.suggestion_accept(actor=w.office, suggestion=o.suggestion)
    core_services.role_grant_confirm(actor=w.office, grant=o.grant)
    directory.target_update(actor=w.office, target=o.target, name="改名的企业")
    assert AuditEntry.objects.count() > entries
