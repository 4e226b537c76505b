"""/api/v1/directory: the schema, the target list's filters and pages (the same filters as the
page, STYLE.md 8), scope, and creating a target with Chinese refusals that name the field."""

import re

import pytest

from conftest import make_ric, make_uscc
from shuangsuiji.core.models import AuditEntry
from shuangsuiji.directory import services
from shuangsuiji.directory.models import Target, TargetSupervision

TARGETS = "/api/v1/directory/targets"
U1 = make_uscc("91130110MA0A00001")
U2 = make_uscc("92130110MA0A00002")
U3 = make_uscc("91130110MA0A00003")
UB = make_uscc("52130110MA0A00004")
NEW = make_uscc("91130110MA0A00099")
RIC = make_ric("13010219850612123")


class Directory:
    """Four targets of department A (one 非市场主体), one of department B, a shared tag."""


@pytest.fixture
def d(world):
    w = world
    x = Directory()
    x.w = w

    def target(actor, key, name, kind="enterprise", **fields):
        fields.setdefault("region", w.county)
        return services.target_create(
            actor=actor, department=actor.department, kind=kind, name=name, key=key, **fields
        )

    x.t1 = target(
        w.a_admin,
        U1,
        "鹿泉区好味道餐饮有限公司",
        region=w.county.children.get(code="130110100"),
        risk_class="B",
    )
    x.t2 = target(w.a_admin, U2, "鹿泉区张三便利店", kind="individual", risk_class="C")
    x.t3 = target(w.a_admin, U3, "获鹿老字号食品厂", risk_class="C")
    services.target_update(actor=w.a_admin, target=x.t3, status="revoked")
    x.t4 = target(w.a_admin, "XM-001", "道路改造项目", kind="project")
    x.tb = target(w.b_admin, UB, "卫健局监管的诊所", kind="other_market", risk_class="C")
    x.tag = services.tag_create(actor=w.office, library="target", name="餐饮服务")
    services.target_tags_set(actor=w.a_admin, target=x.t1, tags=[x.tag])
    return x


def _keys(resp) -> list[str]:
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["count"] == len(body["items"])  # every listing here fits on one page
    return [t["key"] for t in body["items"]]


# ---- the schema --------------------------------------------------------------------------


@pytest.mark.django_db
def test_openapi_schema_lists_the_endpoints(client):
    resp = client.get("/api/v1/openapi.json")
    assert resp.status_code == 200
    schema = resp.json()
    assert schema["info"]["title"] == "双随机、一公开监管平台 API"
    paths = {path: set(ops) for path, ops in schema["paths"].items()}
    assert {
        TARGETS: {"get", "post"},
        TARGETS + "/{target_id}": {"get"},
        "/api/v1/directory/inspectors": {"get"},
        "/api/v1/directory/items": {"get"},
    }.items() <= paths.items()
    params = {p["name"] for p in schema["paths"][TARGETS]["get"]["parameters"]}
    assert {"q", "region", "kind", "industry", "tag", "risk_class", "status", "page"} <= params
    schemes = schema["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())


@pytest.mark.django_db
def test_api_docs_page_loads_only_the_apps_own_assets(client_for, world):
    # The CSP allows 'self' only and the platform runs on government networks without the
    # internet: Swagger UI must come from the app's static files, not from a CDN.
    resp = client_for(world.a_admin).get("/api/v1/docs")
    assert resp.status_code == 200
    external = re.findall(r'(?:src|href)="(https?://[^"]+)"', resp.content.decode())
    assert external == []


# ---- listing -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query,expected",
    [
        ({}, [U1, U2, U3, "XM-001"]),
        ({"q": U2}, [U2]),
        ({"q": U2.lower()}, [U2]),
        ({"q": "便利"}, [U2]),
        ({"q": "鹿泉区"}, [U1, U2]),
        ({"q": UB}, []),
        ({"region": "130110100"}, [U1]),
        ({"region": "130433"}, []),
        ({"risk_class": "C"}, [U2, U3]),
        ({"risk_class": "C", "status": "active"}, [U2]),
        ({"kind": "individual"}, [U2]),
        ({"kind": "project"}, ["XM-001"]),
        ({"status": "revoked"}, [U3]),
    ],
    ids=[
        "all",
        "q-exact-uscc",
        "q-uscc-lower-case",
        "q-name-substring",
        "q-name-prefix-two",
        "q-uscc-of-dept-b",
        "region-township",
        "region-other-county",
        "risk-class",
        "risk-class-and-status",
        "kind-individual",
        "kind-project",
        "status",
    ],
)
@pytest.mark.django_db
def test_target_list_filters(client_for, d, query, expected):
    assert _keys(client_for(d.w.a_admin).get(TARGETS, query)) == expected


@pytest.mark.django_db
def test_target_list_filters_by_tag(client_for, d):
    assert _keys(client_for(d.w.a_admin).get(TARGETS, {"tag": d.tag.pk})) == [U1]


@pytest.mark.django_db
def test_target_list_pages_by_50(client_for, world):
    made = Target.objects.bulk_create(
        [
            Target(
                kind="enterprise",
                uscc=make_uscc(f"9113011000{i:07d}"),
                key_display=make_uscc(f"9113011000{i:07d}"),
                name=f"批量企业{i:03d}",
                region=world.county,
            )
            for i in range(60)
        ]
    )
    TargetSupervision.objects.bulk_create(
        [TargetSupervision(target=t, department=world.dept_a) for t in made]
    )
    c = client_for(world.a_admin)
    first, second = c.get(TARGETS).json(), c.get(TARGETS, {"page": 2}).json()
    assert (first["count"], len(first["items"]), second["count"], len(second["items"])) == (60, 50, 60, 10)
    ids = [t["id"] for t in first["items"] + second["items"]]
    assert ids == sorted(ids) and len(set(ids)) == 60
    assert c.get(TARGETS, {"page": 2, "q": "批量企业05"}).json()["items"] == []  # 10 matches, one page


@pytest.mark.django_db
def test_scope_b_admin_sees_none_of_department_as_targets(client_for, d):
    c = client_for(d.w.b_admin)
    assert _keys(c.get(TARGETS)) == [UB]
    assert _keys(c.get(TARGETS, {"q": U1})) == []
    assert c.get(f"{TARGETS}/{d.t1.pk}").status_code == 404
    assert c.get(f"{TARGETS}/{d.tb.pk}").json()["key"] == UB


@pytest.mark.django_db
def test_scope_office_sees_the_jurisdiction_and_far_admin_nothing(client_for, d):
    assert sorted(_keys(client_for(d.w.office).get(TARGETS))) == sorted([U1, U2, U3, "XM-001", UB])
    assert _keys(client_for(d.w.far_admin).get(TARGETS)) == []


@pytest.mark.django_db
def test_target_detail_for_an_inspector_of_the_supervising_department(client_for, d):
    body = client_for(d.w.a_inspector).get(f"{TARGETS}/{d.t1.pk}").json()
    assert (body["key"], body["region"], body["risk_class"], body["status"]) == (
        U1,
        "130110100",
        "B",
        "active",
    )


@pytest.mark.django_db
def test_inspector_list_is_scoped_and_masked(client_for, world):
    services.inspector_create(actor=world.a_admin, department=world.dept_a, name="王五", id_number=RIC)
    body = client_for(world.a_admin).get("/api/v1/directory/inspectors").json()
    assert [(i["name"], i["id_masked"], i["department"]) for i in body["items"]] == [
        ("王五", RIC[:4] + "*" * 10 + RIC[-4:], "市场监督管理局")
    ]
    assert RIC not in str(body)
    assert client_for(world.b_admin).get("/api/v1/directory/inspectors").json() == {"items": [], "count": 0}


# ---- creating ----------------------------------------------------------------------------


def _post(client, **fields):
    body = {"kind": "enterprise", "key": NEW, "name": "接口新增企业", "region": "130110"} | fields
    return client.post(TARGETS, body, content_type="application/json")


@pytest.mark.django_db
def test_post_creates_a_target_for_the_actors_department(client_for, world):
    resp = _post(client_for(world.a_admin), key=NEW.lower(), address="获鹿镇2号", risk_class="A")
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert {k: body[k] for k in ("kind", "key", "name", "region", "address", "status", "risk_class")} == {
        "kind": "enterprise",
        "key": NEW,
        "name": "接口新增企业",
        "region": "130110",
        "address": "获鹿镇2号",
        "status": "active",
        "risk_class": "A",
    }
    t = Target.objects.get(pk=body["id"])
    assert list(t.departments.all()) == [world.dept_a]
    entry = AuditEntry.objects.get(action="target.create", object_id=str(t.pk))
    assert entry.actor_id == world.a_admin.pk
    resp = _post(client_for(world.b_admin), key=U2, name="卫健局新增")
    assert resp.status_code == 201
    assert list(Target.objects.get(uscc=U2).departments.all()) == [world.dept_b]


@pytest.mark.django_db
def test_post_with_a_bad_check_character_is_400_naming_the_field(client_for, world):
    bad = NEW[:-1] + ("0" if NEW[-1] != "0" else "1")
    resp = _post(client_for(world.a_admin), key=bad)
    assert resp.status_code == 400
    assert resp.json() == {
        "detail": "统一社会信用代码校验位不符：请对照营业执照核对全部 18 位（常见为中间某位抄错）",
        "field": "key",
    }
    assert not Target.objects.exists()


@pytest.mark.django_db
def test_post_with_an_unknown_region_is_400_naming_the_field(client_for, world):
    resp = _post(client_for(world.a_admin), region="139999")
    assert resp.status_code == 400
    body = resp.json()
    assert body["field"] == "region" and "行政区划代码" in body["detail"] and "139999" in body["detail"]
    assert not Target.objects.exists()


@pytest.mark.django_db
def test_post_with_a_region_outside_the_jurisdiction_or_a_duplicate_is_400(client_for, d):
    c = client_for(d.w.a_admin)
    resp = _post(c, region="130433")
    assert resp.status_code == 400 and resp.json()["field"] == "region"
    resp = _post(c, key=U1)
    assert (
        resp.status_code == 400
        and resp.json()["field"] == "key"
        and "目录中已有此主体" in resp.json()["detail"]
    )
    assert Target.objects.count() == 5


@pytest.mark.django_db
def test_post_with_an_unknown_risk_class_is_400(client_for, world):
    resp = _post(client_for(world.a_admin), risk_class="E")
    assert resp.status_code == 400, resp.content
    assert resp.json()["field"] == "risk_class"
    assert not Target.objects.exists()


@pytest.mark.django_db
def test_post_with_an_unknown_kind_is_refused(client_for, world):
    resp = _post(client_for(world.a_admin), kind="alien")
    assert resp.status_code == 422
    assert not Target.objects.exists()
