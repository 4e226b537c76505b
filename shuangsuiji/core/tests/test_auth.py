"""Sign-in as 等保2.0 第三级 asks: password rules, lockout, idle sign-out, Argon2, headers."""

import datetime as dt

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from config import settings as project_settings
from conftest import PASSWORD
from shuangsuiji.core import services
from shuangsuiji.core.errors import DomainError
from shuangsuiji.core.models import AuditEntry, Role, SignInThrottle, User


def test_production_hasher_is_argon2_and_idle_timeout_is_30_minutes():
    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert project_settings.SESSION_COOKIE_AGE == 30 * 60
    assert project_settings.SESSION_SAVE_EVERY_REQUEST is True


@pytest.mark.parametrize("pw", ["short1A", "alllowercase1", "ALLUPPER123", "NoDigitsHere"])
@pytest.mark.django_db
def test_weak_passwords_refused(pw):
    with pytest.raises(ValidationError):
        validate_password(pw, User(username="x"))


@pytest.mark.django_db
def test_strong_password_accepted():
    validate_password("Lq#2026check", User(username="x"))


@pytest.mark.django_db
def test_user_create_refuses_weak_password_in_chinese(world):
    with pytest.raises(DomainError, match="至少 3 类"):
        services.user_create(
            actor=None,
            username="weak",
            password="abcdefgh",
            role=Role.DEPT_ADMIN,
            department=world.dept_a,
        )
    assert not User.objects.filter(username="weak").exists()


def _login(client, password, username="a_inspector", address="10.0.0.9"):
    # An inspector signs in with the password alone; privileged roles: test_second_factor.py.
    return client.post(
        reverse("core:login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


@pytest.mark.django_db
def test_five_failures_pause_the_name_from_that_address_for_fifteen_minutes(client, world):
    for _ in range(4):
        r = _login(client, "wrong")
        assert "用户名或密码错误" in r.content.decode()
    r = _login(client, "wrong")
    assert "登录失败次数过多" in r.content.decode()
    # Even the right password is refused from that address while paused
    r = _login(client, PASSWORD)
    assert r.status_code == 200 and "登录失败次数过多" in r.content.decode()
    locked = AuditEntry.objects.get(action="user.locked")
    assert locked.object_id == str(world.a_inspector.pk) and locked.detail["address"] == "10.0.0.9"
    row = SignInThrottle.objects.get(address="10.0.0.9", username="a_inspector")
    assert row.locked_until - timezone.now() > dt.timedelta(minutes=14)
    # After 15 minutes the right password works, and the pair's count is gone
    SignInThrottle.objects.filter(pk=row.pk).update(locked_until=timezone.now() - dt.timedelta(seconds=1))
    r = _login(client, PASSWORD)
    assert r.status_code == 302
    assert not SignInThrottle.objects.filter(address="10.0.0.9", username="a_inspector").exists()


@pytest.mark.django_db
def test_successful_login_is_audited_and_headers_are_set(client, world):
    r = _login(client, PASSWORD)
    assert r.status_code == 302
    assert AuditEntry.objects.filter(action="user.login", actor_id=world.a_inspector.pk).exists()
    page = client.get(reverse("core:home"))
    assert page["Content-Security-Policy"].startswith("default-src 'self'")
    assert page["X-Frame-Options"] == "DENY"
    assert page["X-Content-Type-Options"] == "nosniff"
    assert page["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_session_expires_after_idle_time(client, world, settings):
    client.force_login(world.a_admin)
    assert client.get(reverse("core:home")).status_code == 200
    assert client.session.get_expiry_age() == 30 * 60
    # A session not refreshed for longer than the idle limit is gone.
    client.session.set_expiry(-1)
    s = client.session
    s.set_expiry(-1)
    s.save()
    r = client.get(reverse("core:home"))
    assert r.status_code == 302 and reverse("core:login") in r["Location"]
