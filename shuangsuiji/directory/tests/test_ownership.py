"""Who keeps a target's shared fields (issue 14, finding 1) and what a department learns from its
own imports (finding 7): directory/ownership.py, used by the form, the import and the API."""

import pytest

from conftest import make_ric, make_uscc
from shuangsuiji.core.errors import Forbidden
from shuangsuiji.core.models import AuditEntry, JobStatus
from shuangsuiji.directory import ownership, services
from shuangsuiji.directory.models import (
    ChangeSuggestion,
    DirectoryKeeper,
    SuggestionStatus,
    Target,
    TargetChange,
    TargetSupervision,
)
from shuangsuiji.directory.tests.test_import import HEADER, run

U1 = make_uscc("91130110MA0A00001")
U9 = make_uscc("91130110MA0A00009")
RIC = make_ric("13010219850612123")
PERSON_HEADER = "身份证号*,姓名*,行政区划代码*,地址,标签"


def _a_target(w, **fields):
    fields = {"risk_class": "B", **fields}
    return services.target_create(
        actor=w.a_admin,
        department=w.dept_a,
        kind="enterprise",
        name="鹿泉区好味道餐饮有限公司",
        region=w.county,
        key=U1,
        **fields,
    )


def _update_row(risk="D", status="注销", name=""):
    return f"{HEADER}\n{U1},{name},,,,,,{status},,{risk},,"


@pytest.mark.django_db
def test_a_non_keeper_update_import_changes_no_shared_field_and_suggests(world):
    """The review's probe: another department's update file with the USCC of a target only
    市场监督管理局 supervises, a new risk class and 注销. Before the rule, the file rewrote both."""
    w = world
    t = _a_target(w)
    job = run(w.b_admin, _update_row(), filename="卫健月报.csv", mode="update")
    assert job.status == JobStatus.SUCCEEDED, job.result
    t.refresh_from_db()
    assert (t.risk_class, t.status) == ("B", "active")
    assert not TargetChange.objects.filter(target=t).exists()
    got = {
        (s.field, s.current_value, s.suggested_value, s.department_id, s.proposed_by_id, s.source, s.status)
        for s in ChangeSuggestion.objects.filter(target=t)
    }
    assert got == {
        ("risk_class", "B", "D", w.dept_b.pk, w.b_admin.pk, "导入：卫健月报.csv", SuggestionStatus.PENDING),
        (
            "status",
            "active",
            "cancelled",
            w.dept_b.pk,
            w.b_admin.pk,
            "导入：卫健月报.csv",
            SuggestionStatus.PENDING,
        ),
    }
    assert job.result["suggested"] == 2 and "变更建议 2 条" in job.message
    # each row named as the file names it (第 2 行【登记状态】…)
    assert sorted((x["row"], x["field"]) for x in job.result["warnings"]) == [
        (2, "信用风险分类"),
        (2, "登记状态"),
    ]
    assert all("已作为变更建议提交，未修改名录" in x["reason"] for x in job.result["warnings"])
    entry = AuditEntry.objects.filter(action="target.import").latest("seq")
    assert "变更建议 2 条" in entry.summary and entry.detail["suggested"] == 2
    # and it does not enrol B among the target's supervisors: a file of keys and values is not a
    # request to supervise (issue 17). Adding a department's own supervision is the mode
    # 添加监管关系 of its own (test_import_supervise.py); before, every row an update file named
    # became B's, and with it B's draws.
    assert not TargetSupervision.objects.filter(target=t, department=w.dept_b).exists()
    # the same file again suggests nothing new
    run(w.b_admin, _update_row(), filename="卫健月报.csv", mode="update")
    assert ChangeSuggestion.objects.filter(target=t).count() == 2


@pytest.mark.django_db
def test_the_keeper_updates_by_file_and_each_field_is_recorded(world):
    w = world
    t = _a_target(w)
    job = run(
        w.a_admin, _update_row(name="好味道餐饮（鹿泉）有限公司"), filename="信用分类.csv", mode="update"
    )
    assert job.status == JobStatus.SUCCEEDED and job.result["written"] == 1
    t.refresh_from_db()
    assert (t.name, t.risk_class, t.status) == ("好味道餐饮（鹿泉）有限公司", "D", "cancelled")
    changes = {(c.field, c.before, c.after, c.actor_id, c.source) for c in t.changes.all()}
    today = t.status_changed_on.isoformat()
    assert {
        (
            "name",
            "鹿泉区好味道餐饮有限公司",
            "好味道餐饮（鹿泉）有限公司",
            w.a_admin.pk,
            "导入：信用分类.csv",
        ),
        ("risk_class", "B", "D", w.a_admin.pk, "导入：信用分类.csv"),
        ("status", "active", "cancelled", w.a_admin.pk, "导入：信用分类.csv"),
        ("status_changed_on", "", today, w.a_admin.pk, "导入：信用分类.csv"),
    } <= changes
    assert {c[0] for c in changes} <= set(ownership.SHARED_FIELDS)
    assert not ChangeSuggestion.objects.exists()


@pytest.mark.django_db
def test_the_office_names_another_keeper(world):
    w = world
    t = _a_target(w)
    DirectoryKeeper.objects.create(region=w.county, department=w.dept_b, set_by=w.office)
    assert ownership.target_keeper(t) == w.dept_b
    run(w.a_admin, _update_row(), mode="update")
    t.refresh_from_db()
    assert t.risk_class == "B" and ChangeSuggestion.objects.filter(department=w.dept_a).count() == 2
    run(w.b_admin, _update_row(), mode="update")
    t.refresh_from_db()
    assert (t.risk_class, t.status) == ("D", "cancelled")


@pytest.mark.django_db
def test_a_non_keeper_creating_a_market_subject_only_suggests_its_class(world):
    w = world
    job = run(w.b_admin, f"{HEADER}\n{U9},某诊所有限公司,企业,130110,,,,,,C,,")
    assert job.status == JobStatus.SUCCEEDED, job.result
    t = Target.objects.get(uscc=U9)
    assert t.risk_class == "" and t.risk_class_set_on is None
    s = ChangeSuggestion.objects.get(target=t)
    assert (s.field, s.suggested_value, s.department) == ("risk_class", "C", w.dept_b)
    # the same through the service the form and the API call
    t2 = services.target_create(
        actor=w.b_admin,
        department=w.dept_b,
        kind="enterprise",
        name="另一诊所",
        region=w.county,
        key=make_uscc("91130110MA0A00010"),
        risk_class="D",
    )
    t2.refresh_from_db()
    assert t2.risk_class == "" and t2.suggestions.get().suggested_value == "D"


@pytest.mark.django_db
def test_the_keeper_accepts_or_rejects_a_suggestion(world):
    w = world
    t = _a_target(w)
    run(w.b_admin, _update_row(), filename="卫健.csv", mode="update")
    risk = ChangeSuggestion.objects.get(target=t, field="risk_class")
    status = ChangeSuggestion.objects.get(target=t, field="status")
    with pytest.raises(Forbidden):
        services.suggestion_accept(actor=w.b_admin, suggestion=risk)
    services.suggestion_accept(actor=w.a_admin, suggestion=risk)
    t.refresh_from_db()
    assert t.risk_class == "D"
    assert t.changes.get(field="risk_class").source == "采纳变更建议"
    assert AuditEntry.objects.filter(action="target.suggestion.accept").count() == 1
    services.suggestion_reject(actor=w.office, suggestion=status, reason="登记系统显示仍存续")
    status.refresh_from_db()
    t.refresh_from_db()
    assert (status.status, status.reason, status.decided_by, t.status) == (
        SuggestionStatus.REJECTED,
        "登记系统显示仍存续",
        w.office,
        "active",
    )


@pytest.mark.django_db
def test_a_person_import_never_tells_whether_another_department_holds_that_person(world):
    """Finding 7: the key of a 非市场主体 is unique per keeping department; another department's
    import of the same 身份证号 makes its own record and reads as if the person were unknown."""
    w = world
    row = f"{PERSON_HEADER}\n{RIC},张三,130110,,"
    assert run(w.a_admin, row, template="person").status == JobStatus.SUCCEEDED
    # update: the same answer as for a person nobody holds
    held = run(w.b_admin, row, template="person", mode="update")
    nobody = run(
        w.b_admin,
        f"{PERSON_HEADER}\n{make_ric('13010219900202456')},李四,130110,,",
        **{"template": "person", "mode": "update"},
    )
    assert [e["reason"] for e in held.result["errors"]] == [e["reason"] for e in nobody.result["errors"]]
    # create: B's own record, A's untouched
    job = run(w.b_admin, row, template="person")
    assert job.status == JobStatus.SUCCEEDED, job.result
    people = Target.objects.filter(kind="person").order_by("pk")
    assert [(p.keeper_department_id, list(p.departments.values_list("pk", flat=True))) for p in people] == [
        (w.dept_a.pk, [w.dept_a.pk]),
        (w.dept_b.pk, [w.dept_b.pk]),
    ]
    # within one department the key stays unique
    again = run(w.b_admin, row, template="person")
    assert again.status == JobStatus.FAILED and "目录中已有此主体" in again.result["errors"][0]["reason"]


@pytest.mark.django_db
def test_a_person_added_by_form_is_kept_by_its_department_only(world):
    w = world
    for admin in (w.a_admin, w.b_admin):
        services.target_create(
            actor=admin, department=admin.department, kind="person", name="张三", region=w.county, key=RIC
        )
    people = list(Target.objects.filter(kind="person"))
    assert len(people) == 2
    a_person = next(p for p in people if p.keeper_department == w.dept_a)
    assert ownership.can_edit_shared_fields(w.a_admin, a_person)
    assert not ownership.can_edit_shared_fields(w.b_admin, a_person)


# ---- pages, export and API: the form refuses, the class shows only to its keeper ---------------


@pytest.fixture
def shared(world):
    """U1, kept by A (市场监督管理局) with class D, supervised by B as well."""
    t = _a_target(world, risk_class="D")
    TargetSupervision.objects.create(target=t, department=world.dept_b)
    return t


def _page(client, name, *args, **query):
    from django.urls import reverse

    return client.get(reverse(f"directory:{name}", args=args), query)


@pytest.mark.django_db
def test_the_edit_form_of_a_non_keeper_changes_only_its_tags(world, shared, client_for):
    from django.urls import reverse

    from shuangsuiji.directory.models import Tag, TagLibrary

    w, t = world, shared
    c = client_for(w.b_admin)
    page = _page(c, "target_edit", t.pk).content.decode()
    assert "由市场监督管理局维护，本部门不能修改" in page and 'name="risk_class"' not in page
    tag = Tag.objects.create(library=TagLibrary.TARGET, name="医疗机构", region=w.county, department=w.dept_b)
    resp = c.post(
        reverse("directory:target_edit", args=[t.pk]),
        {"name": "改名", "region": w.county.pk, "status": "cancelled", "risk_class": "A", "tags": [tag.pk]},
    )
    assert resp.status_code == 302
    t.refresh_from_db()
    assert (t.name, t.status, t.risk_class) == ("鹿泉区好味道餐饮有限公司", "active", "D")
    assert list(t.tags.all()) == [tag]
    assert not t.changes.exists()
    # the keeper's form still has every field
    assert 'name="risk_class"' in _page(client_for(w.a_admin), "target_edit", t.pk).content.decode()


@pytest.mark.django_db
def test_the_class_shows_only_to_the_keeper_and_the_office(world, shared, client_for):
    w, t = world, shared
    for user, shown in ((w.a_admin, True), (w.office, True), (w.b_admin, False), (w.b_inspector, False)):
        c = client_for(user)
        detail = _page(c, "target_detail", t.pk).content.decode()
        assert ("D类（高风险）" in detail) is shown, user
        listed = _page(c, "target_list").content.decode()
        assert ("<td>D</td>" in listed) is shown, user
        # the class filter never answers for a department that does not keep the target
        by_class = _page(c, "target_list", risk_class="D").content.decode()
        assert ("鹿泉区好味道餐饮有限公司" in by_class) is shown, user
        export = b"".join(_page(c, "target_export", "csv").streaming_content).decode("utf-8-sig")
        row = next(line for line in export.splitlines() if line.startswith(U1))
        assert (row.split(",")[9] == "D") is shown, (user, row)
        api = c.get("/api/v1/directory/targets").json()["items"]
        assert [x["risk_class"] for x in api if x["key"] == U1] == (["D"] if shown else [None]), user
        one = c.get(f"/api/v1/directory/targets/{t.pk}").json()
        assert one["risk_class"] == ("D" if shown else None)


@pytest.mark.django_db
def test_the_api_schema_keeps_the_class_declared(world):
    from shuangsuiji.api import api

    props = api.get_openapi_schema()["components"]["schemas"]["TargetOut"]["properties"]
    assert "risk_class" in props


@pytest.mark.django_db
def test_an_api_target_of_a_non_keeper_gets_no_class(world, client_for):
    w = world
    c = client_for(w.b_admin)
    body = {"kind": "enterprise", "key": U9, "name": "某诊所有限公司", "region": "130110", "risk_class": "C"}
    resp = c.post("/api/v1/directory/targets", body, content_type="application/json")
    assert resp.status_code == 201, resp.content
    assert resp.json()["risk_class"] is None
    t = Target.objects.get(uscc=U9)
    assert t.risk_class == "" and t.suggestions.get().suggested_value == "C"


@pytest.mark.django_db
def test_the_target_page_shows_its_change_record(world, shared, client_for):
    from django.urls import reverse

    w, t = world, shared
    c = client_for(w.a_admin)
    resp = c.post(
        reverse("directory:target_edit", args=[t.pk]),
        {"name": "好味道餐饮有限公司", "region": w.county.pk, "status": "active", "risk_class": "C"},
    )
    assert resp.status_code == 302
    page = _page(c, "target_detail", t.pk).content.decode()
    assert "变更记录" in page
    for text in (
        "名称",
        "鹿泉区好味道餐饮有限公司",
        "好味道餐饮有限公司",
        "信用风险分类",
        "D类（高风险）",
        "C类（较高风险）",
        "页面",
    ):
        assert text in page, text
    # another department sees the record of the fields it may see, never the class
    other = _page(client_for(w.b_admin), "target_detail", t.pk).content.decode()
    assert "好味道餐饮有限公司" in other and "信用风险分类" not in other and "D类" not in other


@pytest.mark.django_db
def test_the_keeper_decides_suggestions_on_its_page(world, shared, client_for):
    from django.urls import reverse

    w, t = world, shared
    run(w.b_admin, _update_row(risk="A", status=""), filename="卫健.csv", mode="update")
    s = ChangeSuggestion.objects.get(target=t)
    # not the keeper: the suggestion is not there to decide
    b = client_for(w.b_admin)
    assert b.post(reverse("directory:suggestion_accept", args=[s.pk])).status_code == 404
    b_page = _page(b, "suggestion_list").content.decode()
    assert "A类（低风险）" in b_page and "待处理" in b_page  # its own suggestion, without the current class
    assert "D类（高风险）" not in b_page
    a = client_for(w.a_admin)
    page = _page(a, "suggestion_list").content.decode()
    assert "卫生健康局" in page and "D类（高风险）" in page and "A类（低风险）" in page
    assert a.post(reverse("directory:suggestion_reject", args=[s.pk]), {"reason": ""}).status_code == 302
    s.refresh_from_db()
    assert s.status == SuggestionStatus.PENDING  # a rejection needs its reason
    assert a.post(reverse("directory:suggestion_accept", args=[s.pk])).status_code == 302
    t.refresh_from_db()
    s.refresh_from_db()
    assert (t.risk_class, s.status, s.decided_by) == ("A", SuggestionStatus.ACCEPTED, w.a_admin)


@pytest.mark.django_db
def test_only_the_office_names_a_keeper_of_its_own_county(world, client_for):
    from shuangsuiji.core.errors import DomainError

    w = world
    for user in (w.a_admin, w.b_admin, w.sysadmin):
        with pytest.raises(Forbidden):
            services.directory_keeper_set(actor=user, department=w.dept_b)
    with pytest.raises(DomainError):
        services.directory_keeper_set(actor=w.office, department=w.other_county_dept)
    assert ownership.county_keeper(w.county.code) == w.dept_a  # the default: 市场监督管理局
    services.directory_keeper_set(actor=w.office, department=w.dept_b)
    assert ownership.county_keeper(w.county.code) == w.dept_b
    assert ownership.kept_counties(w.dept_b) == [w.county.code] and ownership.kept_counties(w.dept_a) == []
    entry = AuditEntry.objects.filter(action="directory.keeper").get()
    assert "卫生健康局" in entry.summary and "市场监督管理局" in entry.summary
    assert "卫生健康局" in _page(client_for(w.a_admin), "keeper").content.decode()


@pytest.mark.django_db
def test_a_department_keeps_its_own_class_of_what_it_supervises(world, shared, client_for):
    from django.urls import reverse

    w, t = world, shared
    b = client_for(w.b_admin)
    assert "未设置（采用名录维护部门的分类）" in _page(b, "target_detail", t.pk).content.decode()
    assert b.post(reverse("directory:target_own_class", args=[t.pk]), {"risk_class": "A"}).status_code == 302
    sup = TargetSupervision.objects.get(target=t, department=w.dept_b)
    t.refresh_from_db()
    assert (sup.own_risk_class, t.risk_class) == ("A", "D")  # the keeper's class untouched
    assert "A类（低风险）" in _page(b, "target_detail", t.pk).content.decode()
    # no other department sees it
    a_page = _page(client_for(w.a_admin), "target_detail", t.pk).content.decode()
    assert "A类（低风险）" not in a_page
    assert AuditEntry.objects.filter(action="target.own_class", actor_id=w.b_admin.pk).count() == 1
    # only on a target the department supervises
    other = services.target_create(
        actor=w.a_admin, department=w.dept_a, kind="enterprise", name="甲", region=w.county, key=U9
    )
    with pytest.raises(Forbidden):
        services.supervision_class_set(actor=w.b_admin, target=other, risk_class="C")
