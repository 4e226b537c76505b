"""The directory services called directly (STYLE.md 2): each validates, changes one thing in one
transaction and writes exactly one audit entry naming the acting user; a refusal is a domain
error with a Chinese message that names the field, and changes nothing at all."""

import datetime as dt
from contextlib import contextmanager

import pytest
from django.db.models import Max
from django.utils import timezone

from conftest import make_ric, make_uscc
from shuangsuiji.core import services as core_services
from shuangsuiji.core.errors import DomainError, Forbidden, NotFound
from shuangsuiji.core.models import AuditEntry, Region
from shuangsuiji.directory import services
from shuangsuiji.directory.models import (
    ChecklistPoint,
    Conflict,
    Inspector,
    Item,
    ItemClaim,
    ItemStatus,
    Tag,
    TagLibrary,
    Target,
    TargetSupervision,
)

U1 = make_uscc("91130110MA0A00001")
U2 = make_uscc("92130110MA0A00002")
RIC1 = make_ric("13010219850612123")
RIC2 = make_ric("13010219900202456")

_STATE = (
    Target,
    TargetSupervision,
    Target.tags.through,
    Inspector,
    Inspector.specialties.through,
    Conflict,
    Tag,
    Item,
    ChecklistPoint,
    ItemClaim,
    AuditEntry,
)


def _state() -> dict:
    return {m._meta.label: list(m.objects.order_by("pk").values()) for m in _STATE}


def refused(exc, service, *, field=None, match=None, **kwargs) -> DomainError:
    """Call `service`, expect `exc`, and check that nothing at all changed."""
    before = _state()
    with pytest.raises(exc, match=match) as caught:
        service(**kwargs)
    if field is not None:
        assert caught.value.field == field, caught.value.message
    assert _state() == before, "a refused service changed the directory or the audit log"
    return caught.value


@contextmanager
def one_entry(actor, action: str):
    """Exactly one audit entry, for `action`, by `actor`, written inside the block."""
    last = AuditEntry.objects.aggregate(m=Max("seq"))["m"] or 0
    box: dict = {}
    yield box
    new = list(AuditEntry.objects.filter(seq__gt=last).order_by("seq"))
    assert [(e.action, e.actor_id, e.actor_label) for e in new] == [(action, actor.pk, str(actor))]
    box["entry"] = new[0]


def _target(w, key=U1, actor=None, **fields):
    actor = actor or w.a_admin
    fields.setdefault("kind", "enterprise")
    fields.setdefault("name", "鹿泉区好味道餐饮有限公司")
    fields.setdefault("region", w.county)
    return services.target_create(actor=actor, department=actor.department, key=key, **fields)


def _inspector(w, ric=RIC1, **fields):
    fields.setdefault("name", "王五")
    return services.inspector_create(actor=w.a_admin, department=w.dept_a, id_number=ric, **fields)


def _published_item(w, code="SCJG-001"):
    item = services.item_create(
        actor=w.office, code=code, name="食品经营许可情况的检查", methods=["onsite"], levels=["county"]
    )
    return services.item_publish(actor=w.office, item=item)


def _other_check_digit(code: str) -> str:
    return code[:-1] + ("0" if code[-1] != "0" else "1")


# ---- target_create -----------------------------------------------------------------------


@pytest.mark.django_db
def test_target_create_market_subject_keyed_by_uscc(world):
    w = world
    with one_entry(w.a_admin, "target.create") as audit:
        t = _target(w, key=f" {U1.lower()} ", risk_class="B", address="获鹿镇1号")
    assert (t.kind, t.uscc, t.key_display, t.nonmarket_key) == ("enterprise", U1, U1, None)
    assert (t.risk_class, t.risk_class_set_on) == ("B", timezone.localdate())
    assert list(t.departments.all()) == [w.dept_a]
    assert audit["entry"].object_id == str(t.pk) and U1 in audit["entry"].summary


@pytest.mark.django_db
def test_target_create_person_keeps_only_a_digest_and_a_masked_number(world):
    w = world
    with one_entry(w.a_admin, "target.create"):
        t = _target(w, key=RIC1, kind="person", name="张三")
    assert t.uscc is None and t.kind == "person"
    assert t.key_display == RIC1[:4] + "*" * 10 + RIC1[-4:]
    assert len(t.nonmarket_key) == 64 and RIC1 not in t.nonmarket_key
    refused(DomainError, _target, field="key", match="目录中已有", w=w, key=RIC1, kind="person", name="张三")
    bad = _other_check_digit(RIC2)
    refused(DomainError, _target, field="key", match="身份证号", w=w, key=bad, kind="person", name="李四")


@pytest.mark.django_db
def test_target_create_project_keyed_by_the_departments_code(world):
    w = world
    with one_entry(w.a_admin, "target.create"):
        t = _target(w, key=" XM-001 ", kind="project", name="道路改造项目")
    assert (t.nonmarket_key, t.key_display, t.uscc) == ("XM-001", "XM-001", None)
    refused(DomainError, _target, field="key", match="编码为必填项", w=w, key="  ", kind="project")
    refused(DomainError, _target, field="key", match="目录中已有", w=w, key="XM-001", kind="project")


@pytest.mark.django_db
def test_target_create_refuses_a_bad_uscc_naming_the_field(world):
    e = refused(DomainError, _target, field="key", w=world, key=_other_check_digit(U1))
    assert "统一社会信用代码校验位不符" in e.message
    refused(DomainError, _target, field="key", match="18 位", w=world, key=U1[:-1])
    refused(DomainError, _target, field="key", match="统一社会信用代码", w=world, key=RIC1)  # a 身份证号


@pytest.mark.django_db
def test_target_create_refuses_a_duplicate_even_from_another_department(world):
    w = world
    _target(w)
    e = refused(DomainError, _target, field="key", w=w, actor=w.b_admin, name="同一企业")
    assert "目录中已有此主体" in e.message and U1 in e.message


@pytest.mark.django_db
def test_target_create_refuses_a_retired_region_of_the_jurisdiction(world):
    retired = Region.objects.create(
        code="130110199", name="旧镇", level="township", parent=world.county, retired_on=dt.date(2020, 1, 1)
    )
    refused(DomainError, _target, field="region", match="现行区划", w=world, region=retired)


@pytest.mark.django_db
def test_target_create_refuses_a_region_outside_the_jurisdiction(world, regions):
    for code in ("130433", "130100", "130102", "130185"):
        refused(DomainError, _target, field="region", w=world, region=regions[code])


@pytest.mark.django_db
def test_target_create_for_another_department_is_forbidden(world):
    w = world
    refused(
        Forbidden,
        services.target_create,
        actor=w.a_admin,
        department=w.dept_b,
        kind="enterprise",
        name="某企业",
        region=w.county,
        key=U1,
    )


@pytest.mark.parametrize("who", ["office", "a_reviewer", "a_inspector", "sysadmin", "auditor"])
@pytest.mark.django_db
def test_target_create_only_by_a_department_admin(world, who):
    user = getattr(world, who)
    refused(
        Forbidden,
        services.target_create,
        actor=user,
        department=user.department,
        kind="enterprise",
        name="某企业",
        region=world.county,
        key=U1,
    )


@pytest.mark.django_db
def test_target_create_refuses_an_unknown_risk_class(world):
    # The class drives the draw's strata (R-TGT-2): only A–D may be stored, as target_update insists.
    refused(DomainError, _target, field="risk_class", w=world, risk_class="E")


@pytest.mark.django_db
def test_target_create_refuses_an_empty_name(world):
    refused(DomainError, _target, field="name", w=world, name="  ")


@pytest.mark.django_db
def test_target_create_refuses_an_unknown_kind(world):
    refused(DomainError, _target, field="kind", w=world, kind="alien", key="X-1")


# ---- target_update -----------------------------------------------------------------------


@pytest.mark.django_db
def test_target_update_risk_class_records_from_and_to(world):
    w = world
    t = _target(w, risk_class="B", risk_class_set_on=dt.date(2025, 12, 31))
    with one_entry(w.a_admin, "target.update") as audit:
        services.target_update(actor=w.a_admin, target=t, risk_class="C")
    t.refresh_from_db()
    assert (t.risk_class, t.risk_class_set_on) == ("C", timezone.localdate())
    assert audit["entry"].detail == {"risk_class": {"from": "B", "to": "C"}}


@pytest.mark.django_db
def test_target_update_status_change_sets_the_change_date(world):
    w = world
    t = _target(w)
    with one_entry(w.a_admin, "target.update") as audit:
        services.target_update(actor=w.a_admin, target=t, status="revoked")
    t.refresh_from_db()
    assert (t.status, t.status_changed_on) == ("revoked", timezone.localdate())
    assert audit["entry"].detail["status"] == {"from": "active", "to": "revoked"}
    with one_entry(w.a_admin, "target.update"):
        services.target_update(
            actor=w.a_admin, target=t, status="cancelled", status_changed_on=dt.date(2026, 2, 1)
        )
    t.refresh_from_db()
    assert (t.status, t.status_changed_on) == ("cancelled", dt.date(2026, 2, 1))


@pytest.mark.django_db
def test_target_update_only_by_the_keeper_or_the_office(world):
    # issue 14, finding 1: supervising a market subject does not make a department its keeper
    w = world
    t = _target(w)
    TargetSupervision.objects.create(target=t, department=w.dept_b)  # B supervises it too
    for user in (w.b_admin, w.far_admin, w.a_inspector, w.a_reviewer, w.sysadmin, w.auditor):
        refused(Forbidden, services.target_update, actor=user, target=t, risk_class="D")
    e = refused(Forbidden, services.target_update, actor=w.b_admin, target=t, status="cancelled")
    assert e.field == "status" and "由市场监督管理局维护" in e.message
    with one_entry(w.a_admin, "target.update"):
        services.target_update(actor=w.a_admin, target=t, risk_class="D")
    with one_entry(w.office, "target.update"):
        services.target_update(actor=w.office, target=t, risk_class="C")
    t.refresh_from_db()
    assert t.risk_class == "C"


@pytest.mark.django_db
def test_target_update_refuses_bad_values_and_other_fields(world):
    w = world
    t = _target(w, risk_class="B")
    update = services.target_update
    refused(DomainError, update, field="risk_class", actor=w.a_admin, target=t, risk_class="E")
    refused(DomainError, update, match="uscc", actor=w.a_admin, target=t, name="新名称", uscc=U2)


@pytest.mark.django_db
def test_target_update_refuses_a_region_outside_the_jurisdiction_or_retired(world, regions):
    # target_create insists on a current region of the jurisdiction; a later edit must too.
    w = world
    t = _target(w)
    update = services.target_update
    refused(DomainError, update, field="region", actor=w.a_admin, target=t, region=regions["130433"])
    refused(DomainError, update, field="region", actor=w.a_admin, target=t, region=regions["130185"])


# ---- inspectors --------------------------------------------------------------------------


@pytest.mark.django_db
def test_inspector_create_keeps_a_masked_number(world):
    w = world
    with one_entry(w.a_admin, "inspector.create") as audit:
        i = _inspector(
            w, business_line=w.line_a1, certificate_no="冀执001", certificate_expiry=dt.date(2028, 12, 31)
        )
    assert (i.department, i.business_line) == (w.dept_a, w.line_a1)
    assert i.id_masked == RIC1[:4] + "*" * 10 + RIC1[-4:]
    assert len(i.id_digest) == 64 and RIC1 not in i.id_digest
    assert audit["entry"].object_id == str(i.pk) and RIC1 not in audit["entry"].summary


@pytest.mark.django_db
def test_inspector_create_refuses_a_duplicate_number_in_any_department(world):
    w = world
    _inspector(w)
    e = refused(
        DomainError,
        services.inspector_create,
        field="id_number",
        actor=w.b_admin,
        department=w.dept_b,
        name="王五",
        id_number=RIC1,
    )
    assert "名录库中已有" in e.message


@pytest.mark.django_db
def test_inspector_create_refuses_bad_input(world):
    w = world
    line_b = core_services.business_line_create(actor=None, department=w.dept_b, name="公共卫生监督股")
    refused(DomainError, _inspector, field="business_line", w=w, business_line=line_b)
    refused(DomainError, _inspector, field="id_number", match="身份证号", w=w, ric=_other_check_digit(RIC1))
    refused(DomainError, _inspector, field="name", w=w, name=" ")
    create = services.inspector_create
    refused(Forbidden, create, actor=w.a_admin, department=w.dept_b, name="王五", id_number=RIC1)
    for user in (w.office, w.a_inspector, w.sysadmin):
        refused(Forbidden, create, actor=user, department=user.department, name="王五", id_number=RIC1)


@pytest.mark.django_db
def test_inspector_create_refuses_specialties_it_may_not_use(world):
    # Specialties come from the inspector tag library, shared or the department's own (R-TAG-1),
    # as target_tags_set insists for targets.
    w = world
    target_tag = Tag.objects.create(library=TagLibrary.TARGET, name="餐饮服务", region=w.county)
    b_tag = Tag.objects.create(
        library=TagLibrary.INSPECTOR, name="公共卫生", region=w.county, department=w.dept_b
    )
    refused(DomainError, _inspector, field="specialties", w=w, specialties=[target_tag])
    refused(DomainError, _inspector, field="specialties", w=w, specialties=[b_tag])


@pytest.mark.django_db
def test_certificate_expiry_decides_drawability(world):
    w = world
    i = _inspector(w, certificate_no="冀执001", certificate_expiry=dt.date(2026, 6, 30))
    assert i.drawable_through(dt.date(2026, 6, 30))
    assert not i.drawable_through(dt.date(2026, 7, 1))
    no_cert = _inspector(w, ric=RIC2, name="赵六", certificate_expiry=dt.date(2030, 1, 1))
    assert not no_cert.drawable_through(dt.date(2026, 1, 1))  # an expiry but no 执法证号
    with one_entry(w.a_admin, "inspector.update"):
        services.inspector_update(actor=w.a_admin, inspector=no_cert, is_expert=True)
    no_cert.refresh_from_db()
    assert no_cert.drawable_through(dt.date(2040, 1, 1))  # experts need no 执法证 (R-INS-1)
    with one_entry(w.a_admin, "inspector.update"):
        services.inspector_update(actor=w.a_admin, inspector=no_cert, on_duty=False)
    no_cert.refresh_from_db()
    assert not no_cert.drawable_through(dt.date(2026, 1, 1))


@pytest.mark.django_db
def test_inspector_update_renews_a_certificate_with_its_audit_detail(world):
    w = world
    i = _inspector(w, certificate_no="冀执001", certificate_expiry=dt.date(2026, 6, 30))
    with one_entry(w.a_admin, "inspector.update") as audit:
        services.inspector_update(actor=w.a_admin, inspector=i, certificate_expiry=dt.date(2029, 6, 30))
    i.refresh_from_db()
    assert i.certificate_expiry == dt.date(2029, 6, 30) and i.drawable_through(dt.date(2027, 1, 1))
    assert audit["entry"].detail == {"certificate_expiry": {"from": "2026-06-30", "to": "2029-06-30"}}


@pytest.mark.django_db
def test_inspector_update_refusals(world):
    w = world
    i = _inspector(w)
    line_b = core_services.business_line_create(actor=None, department=w.dept_b, name="公共卫生监督股")
    update = services.inspector_update
    refused(DomainError, update, field="business_line", actor=w.a_admin, inspector=i, business_line=line_b)
    refused(DomainError, update, match="department", actor=w.a_admin, inspector=i, department=w.dept_b)
    refused(Forbidden, update, actor=w.b_admin, inspector=i, on_duty=False)
    refused(Forbidden, update, actor=w.a_inspector, inspector=i, on_duty=False)


# ---- conflicts ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_conflict_add_once(world):
    w = world
    i, t = _inspector(w), _target(w)
    with one_entry(w.a_admin, "conflict.add"):
        c = services.conflict_add(actor=w.a_admin, inspector=i, target=t, reason="曾在该企业任职")
    assert (c.inspector, c.target, c.reason) == (i, t, "曾在该企业任职")
    add = services.conflict_add
    refused(DomainError, add, match="已存在", actor=w.a_admin, inspector=i, target=t, reason="亲属")
    refused(DomainError, add, field="reason", actor=w.a_admin, inspector=i, target=t, reason=" ")
    for user in (w.b_admin, w.office, w.a_inspector):
        refused(Forbidden, add, actor=user, inspector=i, target=t, reason="亲属")


# ---- tags --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_office_keeps_shared_tags_and_a_department_its_own(world):
    w = world
    with one_entry(w.office, "tag.create"):
        shared = services.tag_create(actor=w.office, library=TagLibrary.TARGET, name=" 餐饮服务 ")
    assert (shared.name, shared.department, shared.region) == ("餐饮服务", None, w.county)
    with one_entry(w.a_admin, "tag.create"):
        own = services.tag_create(
            actor=w.a_admin, library=TagLibrary.TARGET, name="餐饮服务", description="本局"
        )
    assert (own.department, own.region, own.description) == (w.dept_a, w.county, "本局")
    with one_entry(w.b_admin, "tag.create"):
        services.tag_create(actor=w.b_admin, library=TagLibrary.TARGET, name="餐饮服务")
    create = services.tag_create
    refused(
        DomainError, create, field="name", match="已存在", actor=w.office, library="target", name="餐饮服务"
    )
    refused(
        DomainError, create, field="name", match="已存在", actor=w.a_admin, library="target", name="餐饮服务"
    )
    refused(DomainError, create, field="name", actor=w.a_admin, library="target", name=" ")
    refused(DomainError, create, field="library", actor=w.a_admin, library="nope", name="新标签")
    for user in (w.a_inspector, w.a_reviewer, w.sysadmin, w.auditor):
        refused(Forbidden, create, actor=user, library="target", name="新标签")


# ---- items -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_item_create_keeps_the_checklist_in_order(world):
    w = world
    with one_entry(w.office, "item.create"):
        item = services.item_create(
            actor=w.office,
            code="SCJG-001",
            name="食品经营许可情况的检查",
            kind="key",
            methods=["onsite", "document"],
            checklist=["是否取得食品经营许可证", "许可证是否在有效期内"],
        )
    assert (item.region, item.status, item.published_at) == (w.county, ItemStatus.DRAFT, None)
    assert [(p.seq, p.text) for p in item.checklist.all()] == [
        (1, "是否取得食品经营许可证"),
        (2, "许可证是否在有效期内"),
    ]
    create = services.item_create
    refused(DomainError, create, field="code", actor=w.office, code="SCJG-001", name="重复编码")
    refused(DomainError, create, field="name", actor=w.office, code="SCJG-002", name=" ")
    for user in (w.a_admin, w.sysadmin, w.auditor):
        refused(Forbidden, create, actor=user, code="SCJG-003", name="某事项")


@pytest.mark.django_db
def test_item_publish_needs_methods(world):
    w = world
    item = services.item_create(actor=w.office, code="SCJG-001", name="食品经营许可情况的检查")
    refused(DomainError, services.item_publish, field="methods", match="检查方式", actor=w.office, item=item)
    assert Item.objects.get(pk=item.pk).status == ItemStatus.DRAFT
    Item.objects.filter(pk=item.pk).update(methods=["onsite"])
    with one_entry(w.office, "item.publish"):
        services.item_publish(actor=w.office, item=item)
    item.refresh_from_db()
    assert item.status == ItemStatus.PUBLISHED and item.published_at is not None
    refused(DomainError, services.item_publish, match="已发布", actor=w.office, item=item)
    refused(Forbidden, services.item_publish, actor=w.a_admin, item=item)


@pytest.mark.django_db
def test_item_publish_only_in_the_offices_own_list(world):
    w = world
    city_item = Item.objects.create(region_id="130100", code="SJZ-001", name="市级事项", methods=["onsite"])
    refused(Forbidden, services.item_publish, actor=w.office, item=city_item)


@pytest.mark.django_db
def test_item_claim_and_unclaim(world):
    w = world
    draft = services.item_create(actor=w.office, code="SCJG-009", name="食品标签的检查", methods=["onsite"])
    e = refused(DomainError, services.item_claim, actor=w.a_admin, item=draft)
    assert "尚未发布，不能认领" in e.message
    item = _published_item(w)
    with one_entry(w.a_admin, "item.claim"):
        claim = services.item_claim(actor=w.a_admin, item=item)
    assert (claim.department, claim.claimed_by) == (w.dept_a, w.a_admin)
    refused(DomainError, services.item_claim, match="已认领", actor=w.a_admin, item=item)
    with one_entry(w.b_admin, "item.claim"):
        services.item_claim(actor=w.b_admin, item=item)
    for user in (w.office, w.a_inspector, w.a_reviewer, w.sysadmin):
        refused(Forbidden, services.item_claim, actor=user, item=item)
    with one_entry(w.a_admin, "item.unclaim"):
        services.item_unclaim(actor=w.a_admin, item=item)
    assert list(ItemClaim.objects.filter(item=item).values_list("department", flat=True)) == [w.dept_b.pk]
    refused(DomainError, services.item_unclaim, match="未认领", actor=w.a_admin, item=item)
    refused(Forbidden, services.item_unclaim, actor=w.office, item=item)


@pytest.mark.django_db
def test_item_claim_only_from_the_lists_of_ones_own_jurisdiction(world):
    # 馆陶县 works from its own, 邯郸市's and 河北省's lists; 鹿泉区's item is not among them.
    w = world
    item = _published_item(w)
    refused(NotFound, services.item_claim, actor=w.far_admin, item=item)
