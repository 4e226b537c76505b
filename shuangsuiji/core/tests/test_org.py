"""The sysadmin keeps departments, business lines and accounts; nothing else."""

import pytest
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.core.models import AuditEntry, BusinessLine, Department, SignInThrottle, User

URL = reverse("core:org")


@pytest.mark.django_db
def test_sysadmin_creates_department_line_and_account(client_for, world):
    c = client_for(world.sysadmin)
    r = c.post(URL, {"form": "dept", "dept-name": "应急管理局", "dept-region": "130110"})
    assert r.status_code == 302
    dept = Department.objects.get(name="应急管理局")
    r = c.post(URL, {"form": "line", "line-department": dept.pk, "line-name": "安全生产执法大队"})
    assert r.status_code == 302
    line = BusinessLine.objects.get(name="安全生产执法大队")
    r = c.post(
        URL,
        {
            "form": "user",
            "user-username": "yj_admin",
            "user-display_name": "应急管理员",
            "user-department": dept.pk,
            "user-business_line": line.pk,
        },
    )
    # The account has no role and no usable password: the page shows its one-time link once
    # (test_accounts.py follows it).
    assert r.status_code == 200 and "/activate/" in r.content.decode()
    u = User.objects.get(username="yj_admin")
    assert u.department == dept and u.role == "" and not u.has_usable_password()
    assert (
        AuditEntry.objects.filter(
            actor_id=world.sysadmin.pk,
            action__in=["department.create", "business_line.create", "user.create"],
        ).count()
        == 3
    )


@pytest.mark.django_db
def test_second_office_and_taken_username_refused_with_reasons(client_for, world):
    c = client_for(world.sysadmin)
    r = c.post(
        URL, {"form": "dept", "dept-name": "另一个办公室", "dept-region": "130110", "dept-is_office": "on"}
    )
    assert r.status_code == 200 and "已有双随机办公室" in r.content.decode()
    r = c.post(
        URL,
        {
            "form": "user",
            "user-username": "a_admin",
            "user-display_name": "x",
            "user-department": world.dept_a.pk,
        },
    )
    assert r.status_code == 200 and "已被使用" in r.content.decode()
    assert User.objects.filter(username="a_admin").count() == 1


@pytest.mark.django_db
def test_unlock_and_deactivate(client_for, world):
    SignInThrottle.objects.create(
        address="10.0.0.1",
        username="a_admin",
        window_start=timezone.now(),
        locked_until=timezone.now() + timezone.timedelta(minutes=10),
    )
    assert User.objects.get(pk=world.a_admin.pk).is_locked
    c = client_for(world.sysadmin)
    c.post(URL, {"form": "unlock", "user": world.a_admin.pk})
    assert not User.objects.get(pk=world.a_admin.pk).is_locked
    c.post(URL, {"form": "deactivate", "user": world.a_admin.pk})
    assert not User.objects.get(pk=world.a_admin.pk).is_active
    r = c.post(URL, {"form": "deactivate", "user": world.sysadmin.pk})
    assert User.objects.get(pk=world.sysadmin.pk).is_active
    assert r.status_code == 200 and "不能停用自己的账号" in r.content.decode()


@pytest.mark.django_db
def test_accounts_of_another_county_are_out_of_reach(client_for, world):
    r = client_for(world.sysadmin).post(URL, {"form": "deactivate", "user": world.far_admin.pk})
    assert r.status_code == 404
    assert User.objects.get(pk=world.far_admin.pk).is_active


@pytest.mark.django_db
def test_account_list_shows_paused_accounts_without_a_query_per_row(client_for, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from shuangsuiji.core import services

    SignInThrottle.objects.create(
        address="10.0.0.1",
        username="a_admin",
        window_start=timezone.now(),
        locked_until=timezone.now() + timezone.timedelta(minutes=10),
    )
    c = client_for(world.sysadmin)
    with CaptureQueriesContext(connection) as before:
        r = c.get(URL)
    assert r.content.decode().count("已锁定") == 1
    for n in range(5):
        services.user_create(
            actor=None,
            username=f"extra{n}",
            password="Extra#2026pw",
            role="inspector",
            department=world.dept_a,
        )
    with CaptureQueriesContext(connection) as after:
        c.get(URL)
    assert len(after.captured_queries) == len(before.captured_queries)
