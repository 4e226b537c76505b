"""三员分立 and two people for powerful roles (issue 15, finding 1; GB/T 22239-2019 8.1.4.2):
the sysadmin opens accounts without a role or a password, the owner sets the password through a
one-time code, the secadmin asks for roles and a second, distinct person confirms; the audit log
is kept (网络安全法 第二十一条: at least six months)."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from shuangsuiji.core import services
from shuangsuiji.core.errors import DomainError, Forbidden
from shuangsuiji.core.models import (
    AccountActivation,
    AuditEntry,
    GrantStatus,
    Role,
    RoleGrant,
    User,
)

NEW_PASSWORD = "Own#2026secret"


def _sign_in(client, username, password):
    return client.post(reverse("core:login"), {"username": username, "password": password})


def _signed_in(client) -> bool:
    return client.get(reverse("core:tokens")).status_code == 200


@pytest.fixture
def secadmins(world):
    """Two security administrators of the county (the system makes the first ones)."""

    def make(name):
        return services.user_create(
            actor=None, username=name, role=Role.SECADMIN, department=world.office_dept, password=PASSWORD
        )

    return make("sec1"), make("sec2")


def _newcomer(world, username="newcomer", department=None):
    account, _ = services.account_create(
        actor=world.sysadmin, username=username, department=department or world.dept_a, display_name="新人"
    )
    return account


# ---- one-time activation ------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_account_from_the_sysadmin_signs_in_only_after_its_owner_sets_the_password(client, world):
    client.force_login(world.sysadmin)
    r = client.post(
        reverse("core:org"),
        {
            "form": "user",
            "user-username": "zhangsan",
            "user-display_name": "张三",
            "user-department": world.dept_a.pk,
        },
    )
    link = re.search(r'id="activation-url">([^<]+)<', r.content.decode()).group(1)
    path = link.split("testserver", 1)[1]
    client.logout()
    account = User.objects.get(username="zhangsan")
    assert account.role == "" and not account.has_usable_password()
    # Only the hash of the code is kept.
    assert path.split("/")[2] not in AccountActivation.objects.get(user=account).code_hash
    # Before activation nothing opens the account: no password works.
    for guess in ("", PASSWORD, NEW_PASSWORD):
        assert _sign_in(client, "zhangsan", guess).status_code == 200
        assert not _signed_in(client)
    # The owner sets the password; a weak one is refused by the validators.
    assert (
        "至少 3 类" in client.post(path, {"password1": "abcdefgh", "password2": "abcdefgh"}).content.decode()
    )
    r = client.post(path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert r.status_code == 302 and r["Location"] == reverse("core:login")
    assert _sign_in(client, "zhangsan", NEW_PASSWORD).status_code == 302
    assert _signed_in(client)
    # The link worked once.
    client.logout()
    assert "链接无效" in client.get(path).content.decode()
    client.post(path, {"password1": "Other#2026pw", "password2": "Other#2026pw"})
    account.refresh_from_db()
    assert account.check_password(NEW_PASSWORD)
    actions = list(AuditEntry.objects.filter(object_id=str(account.pk)).values_list("action", flat=True))
    assert {"user.create", "account.code_issue", "account.activate"} <= set(actions)


@pytest.mark.django_db
def test_an_administrator_sets_neither_a_role_nor_a_password(world):
    with pytest.raises(DomainError, match="待授权"):
        services.user_create(actor=world.sysadmin, username="x", role=Role.REVIEWER, department=world.dept_a)
    with pytest.raises(DomainError, match="开通码"):
        services.user_create(
            actor=world.sysadmin, username="x", password=NEW_PASSWORD, department=world.dept_a
        )
    assert not User.objects.filter(username="x").exists()


@pytest.mark.django_db
def test_an_expired_or_replaced_code_does_not_work(world):
    account, first = services.account_create(actor=world.sysadmin, username="late", department=world.dept_a)
    second = services.user_password_reset(actor=world.sysadmin, user=account)
    with pytest.raises(DomainError, match="无效或已使用"):
        services.account_activate(code=first, password=NEW_PASSWORD)
    AccountActivation.objects.filter(user=account).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(DomainError, match="已过期"):
        services.account_activate(code=second, password=NEW_PASSWORD)
    assert not User.objects.get(pk=account.pk).has_usable_password()


@pytest.mark.django_db
def test_a_password_reset_stops_the_old_password_at_once(client, world):
    client.force_login(world.sysadmin)
    r = client.post(reverse("core:org"), {"form": "reset", "user": world.a_inspector.pk})
    path = re.search(r'id="activation-url">http://testserver([^<]+)<', r.content.decode()).group(1)
    client.logout()
    assert _sign_in(client, "a_inspector", PASSWORD).status_code == 200  # the old one is gone
    client.post(path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert _sign_in(client, "a_inspector", NEW_PASSWORD).status_code == 302
    assert AuditEntry.objects.filter(action="user.password_reset", actor_id=world.sysadmin.pk).exists()
    with pytest.raises(DomainError, match="不能重置自己的密码"):
        services.user_password_reset(actor=world.sysadmin, user=world.sysadmin)


# ---- two people for powerful roles --------------------------------------------------------------


@pytest.mark.django_db
def test_a_powerful_role_takes_effect_only_when_a_second_person_confirms(world, secadmins):
    sec1, sec2 = secadmins
    account = _newcomer(world)
    grant = services.role_grant_request(actor=sec1, user=account, role=Role.REVIEWER)
    assert grant.status == GrantStatus.PENDING and User.objects.get(pk=account.pk).role == ""
    with pytest.raises(DomainError, match="申请人不能确认"):
        services.role_grant_confirm(actor=sec1, grant=grant)
    for nobody in (world.sysadmin, world.auditor, world.a_admin, world.a_reviewer, world.far_admin):
        with pytest.raises(Forbidden):
            services.role_grant_confirm(actor=nobody, grant=grant)
    assert User.objects.get(pk=account.pk).role == ""
    services.role_grant_confirm(actor=sec2, grant=grant)
    grant.refresh_from_db()
    assert User.objects.get(pk=account.pk).role == Role.REVIEWER
    assert (grant.status, grant.requested_by, grant.decided_by) == (GrantStatus.CONFIRMED, sec1, sec2)
    assert list(
        AuditEntry.objects.filter(object_id=str(grant.pk), object_type="core.rolegrant")
        .order_by("seq")
        .values_list("action", "actor_id")
    ) == [("role_grant.request", sec1.pk), ("role_grant.confirm", sec2.pk)]


@pytest.mark.django_db
def test_no_single_account_grants_itself_or_a_confederate_a_powerful_role(world, secadmins):
    """Every account of the county, acting alone, tries to give itself and a confederate each
    powerful role: asking then confirming its own request. Nothing ever takes effect."""
    sec1, _ = secadmins
    confederate = _newcomer(world, "confederate")
    powerful = [Role.DEPT_ADMIN, Role.REVIEWER, Role.OFFICE, Role.AUDITOR, Role.SECADMIN, Role.SYSADMIN]
    actors = [*User.objects.exclude(pk=confederate.pk)]
    for actor in actors:
        for target in (actor, confederate):
            for role in powerful:
                try:
                    grant = services.role_grant_request(actor=actor, user=target, role=role)
                except (DomainError, Forbidden):
                    continue
                with pytest.raises((DomainError, Forbidden)):
                    services.role_grant_confirm(actor=actor, grant=grant)
                services.role_grant_refuse(actor=actor, grant=grant)  # withdrawn, for the next try
    roles = dict(User.objects.values_list("username", "role"))
    assert roles["confederate"] == ""
    assert all(roles[a.username] == a.role for a in actors)
    assert not RoleGrant.objects.filter(status=GrantStatus.CONFIRMED).exists()
    # And in the database: whoever decides is neither the applicant nor the grantee.
    grant = services.role_grant_request(actor=sec1, user=confederate, role=Role.REVIEWER)
    for decider in (sec1, confederate):
        with pytest.raises(IntegrityError), transaction.atomic():
            RoleGrant.objects.filter(pk=grant.pk).update(decided_by=decider, status=GrantStatus.CONFIRMED)


@pytest.mark.django_db
def test_the_grantee_cannot_confirm_its_own_grant(world, secadmins):
    sec1, _ = secadmins
    # The office clerk could confirm a reviewer for anyone else, but not for itself.
    grant = services.role_grant_request(actor=sec1, user=world.office, role=Role.REVIEWER)
    with pytest.raises(DomainError, match="被授权人不能确认"):
        services.role_grant_confirm(actor=world.office, grant=grant)
    with pytest.raises(Forbidden):
        services.role_grant_refuse(actor=world.office, grant=grant)
    assert User.objects.get(pk=world.office.pk).role == Role.OFFICE


@pytest.mark.django_db
def test_the_office_confirms_department_roles_but_never_an_auditor(world, secadmins):
    sec1, sec2 = secadmins
    admin = _newcomer(world, "new_admin")
    grant = services.role_grant_request(actor=sec1, user=admin, role=Role.DEPT_ADMIN)
    services.role_grant_confirm(actor=world.office, grant=grant)
    assert User.objects.get(pk=admin.pk).role == Role.DEPT_ADMIN
    for role in (Role.AUDITOR, Role.SECADMIN, Role.SYSADMIN):
        account = _newcomer(world, f"new_{role}", department=world.office_dept)
        grant = services.role_grant_request(actor=sec1, user=account, role=role)
        with pytest.raises(Forbidden, match="不能确认"):
            services.role_grant_confirm(actor=world.office, grant=grant)
        assert User.objects.get(pk=account.pk).role == ""
        services.role_grant_confirm(actor=sec2, grant=grant)
        assert User.objects.get(pk=account.pk).role == role


@pytest.mark.django_db
def test_another_jurisdictions_office_or_secadmin_is_no_second_person(world, secadmins):
    sec1, _ = secadmins
    far_office_dept = services.department_create(
        actor=None, name="双随机办公室", region=world.other_county_dept.region, is_office=True
    )
    far_sec = services.user_create(
        actor=None, username="far_sec", role=Role.SECADMIN, department=far_office_dept, password=PASSWORD
    )
    far_office = services.user_create(
        actor=None, username="far_office", role=Role.OFFICE, department=far_office_dept, password=PASSWORD
    )
    grant = services.role_grant_request(actor=sec1, user=_newcomer(world), role=Role.REVIEWER)
    for outsider in (far_sec, far_office):
        with pytest.raises(Forbidden):
            services.role_grant_confirm(actor=outsider, grant=grant)


@pytest.mark.django_db
def test_an_inspector_needs_one_person_and_the_sysadmin_grants_nothing(world, secadmins):
    sec1, _ = secadmins
    account = _newcomer(world)
    with pytest.raises(Forbidden):
        services.role_grant_request(actor=world.sysadmin, user=account, role=Role.INSPECTOR)
    grant = services.role_grant_request(actor=sec1, user=account, role=Role.INSPECTOR)
    assert grant.status == GrantStatus.CONFIRMED and grant.decided_by is None
    assert User.objects.get(pk=account.pk).role == Role.INSPECTOR
    assert AuditEntry.objects.filter(action="role_grant.apply", actor_id=sec1.pk).exists()


@pytest.mark.django_db
def test_one_account_one_role_and_administrators_stay_apart(world, secadmins):
    sec1, _ = secadmins
    with pytest.raises(DomainError, match="不能改授其他角色"):
        services.role_grant_request(actor=sec1, user=world.sysadmin, role=Role.AUDITOR)
    with pytest.raises(DomainError, match="只能授予尚无角色的新账号"):
        services.role_grant_request(actor=sec1, user=world.a_admin, role=Role.SECADMIN)
    with pytest.raises(DomainError, match="不能为自己申请"):
        services.role_grant_request(actor=sec1, user=sec1, role=Role.SYSADMIN)
    services.role_grant_request(actor=sec1, user=world.a_inspector, role=Role.REVIEWER)
    with pytest.raises(DomainError, match="已有待确认"):
        services.role_grant_request(actor=sec1, user=world.a_inspector, role=Role.DEPT_ADMIN)


@pytest.mark.django_db
def test_refusal_and_withdrawal_are_audited(world, secadmins):
    sec1, sec2 = secadmins
    account = _newcomer(world)
    grant = services.role_grant_request(actor=sec1, user=account, role=Role.REVIEWER)
    services.role_grant_refuse(actor=sec2, grant=grant, note="无任命文件")
    grant.refresh_from_db()
    assert (grant.status, grant.decided_by) == (GrantStatus.REFUSED, sec2)
    with pytest.raises(DomainError, match="不能再处理"):
        services.role_grant_confirm(actor=world.office, grant=grant)
    grant = services.role_grant_request(actor=sec1, user=account, role=Role.REVIEWER)
    services.role_grant_refuse(actor=sec1, grant=grant)
    assert RoleGrant.objects.get(pk=grant.pk).status == GrantStatus.WITHDRAWN
    assert User.objects.get(pk=account.pk).role == ""
    assert AuditEntry.objects.filter(action="role_grant.refuse", actor_id=sec2.pk).exists()
    assert AuditEntry.objects.filter(action="role_grant.withdraw", actor_id=sec1.pk).exists()


@pytest.mark.django_db
def test_the_pages_ask_and_confirm(client, world, secadmins):
    sec1, _ = secadmins
    account = _newcomer(world)
    client.force_login(sec1)
    page = client.get(reverse("core:roles")).content.decode()
    assert "提交申请" in page and "newcomer" in page
    r = client.post(
        reverse("core:roles"), {"user": account.pk, "role": Role.DEPT_ADMIN, "note": "鹿任〔2026〕3号"}
    )
    assert r.status_code == 302
    grant = RoleGrant.objects.get(user=account)
    # The applicant sees no confirm button, and its POST is refused with the reason.
    assert (
        reverse("core:role_grant_confirm", args=[grant.pk])
        not in client.get(reverse("core:roles")).content.decode()
    )
    client.post(reverse("core:role_grant_confirm", args=[grant.pk]))
    assert User.objects.get(pk=account.pk).role == ""
    client.force_login(world.office)
    page = client.get(reverse("core:roles")).content.decode()
    assert reverse("core:role_grant_confirm", args=[grant.pk]) in page and "提交申请" not in page
    assert client.post(reverse("core:role_grant_confirm", args=[grant.pk])).status_code == 302
    assert User.objects.get(pk=account.pk).role == Role.DEPT_ADMIN


@pytest.mark.django_db
def test_the_secadmin_reads_no_supervision_data(client, secadmins):
    client.force_login(secadmins[0])
    for url in ("/directory/targets/", "/planning/plans/", "/audit/", "/org/", "/reports/monthly/"):
        assert client.get(url).status_code == 403, url


# ---- retention (网络安全法 第二十一条: 留存相关的网络日志不少于六个月) -------------------------------


def test_no_code_path_deletes_audit_entries():
    """The log is kept (at least 180 days; in fact it is never pruned): no module outside the
    tests deletes, truncates or rewrites entries, and nothing cascades into it."""
    from shuangsuiji.core.models import AuditEntry as Entry

    root = Path(__file__).resolve().parents[2]
    offenders = []
    pattern = re.compile(
        r"(AuditEntry[^\n]*\.(delete|_raw_delete|update)\()|(auditentry[^\n]*(DELETE|TRUNCATE))", re.I
    )
    for path in root.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if pattern.search(line) and "raise" not in line:
                offenders.append(f"{path.relative_to(root)}:{n}: {line.strip()}")
    assert offenders == []
    # No foreign key: deleting a user or any record never takes its entries with it.
    assert not [f for f in Entry._meta.get_fields() if f.is_relation]


@pytest.mark.django_db
def test_an_entry_cannot_be_deleted_or_changed_through_the_model(world):
    entry = AuditEntry.objects.order_by("seq").first()
    with pytest.raises(RuntimeError):
        entry.delete()
    entry.summary = "改写"
    with pytest.raises(RuntimeError):
        entry.save()


@pytest.mark.django_db
def test_the_first_administrators_are_opened_by_the_system(client, world):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("account_open", "first_sec", role="secadmin", department=world.office_dept.pk, stdout=out)
    path = re.search(r"(/activate/\S+/)", out.getvalue()).group(1)
    account = User.objects.get(username="first_sec")
    assert account.role == Role.SECADMIN and not account.has_usable_password()
    client.post(path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert User.objects.get(pk=account.pk).check_password(NEW_PASSWORD)
