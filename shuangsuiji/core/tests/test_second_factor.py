"""Privileged roles sign in with a second factor (GB/T 22239-2019 8.1.4.1 d; issue 15): a TOTP
code after the password, enrolled through an inline QR code, each code accepted once."""

import time

import pyotp
import pytest
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD
from shuangsuiji.core import second_factor, services
from shuangsuiji.core.models import AuditEntry, Role, SecondFactor, User

SECRET = pyotp.random_base32()
CODE_STEP = reverse("core:second_factor")
ENROL = reverse("core:second_factor_enrol")


def _password(client, username, password=PASSWORD, address="10.0.0.7"):
    return client.post(
        reverse("core:login") + "?next=/org/",
        {"username": username, "password": password, "next": "/org/"},
        REMOTE_ADDR=address,
    )


def _code(secret=SECRET, offset=0):
    totp = pyotp.TOTP(secret)
    return totp.generate_otp(totp.timecode(time.time()) + offset)


@pytest.fixture
def enrolled(world):
    services.second_factor_set(user=world.sysadmin, secret=SECRET)
    return world.sysadmin


@pytest.mark.django_db
def test_a_privileged_role_is_refused_until_it_gives_its_code(enrolled):
    c = Client()
    r = _password(c, "sysadmin")
    assert r.status_code == 302 and r["Location"] == CODE_STEP
    # The password alone signs nothing in: every page still asks for sign-in.
    r = c.get("/org/")
    assert r.status_code == 302 and r["Location"].startswith(reverse("core:login"))
    assert c.get("/api/v1/directory/targets").status_code == 401
    assert not AuditEntry.objects.filter(action="user.login").exists()
    r = c.post(CODE_STEP, {"code": "000000" if _code() != "000000" else "111111"}, REMOTE_ADDR="10.0.0.7")
    assert r.status_code == 200 and "动态口令不正确" in r.content.decode()
    r = c.post(CODE_STEP, {"code": _code()}, REMOTE_ADDR="10.0.0.7")
    assert r.status_code == 302 and r["Location"] == "/org/"
    assert c.get("/org/").status_code == 200
    assert AuditEntry.objects.filter(action="user.login", actor_id=enrolled.pk).exists()


@pytest.mark.django_db
def test_a_code_works_once(enrolled):
    first = Client()
    _password(first, "sysadmin")
    code = _code()
    assert first.post(CODE_STEP, {"code": code}).status_code == 302
    # The same code, replayed by someone who saw it, in another sign-in: refused.
    second = Client()
    _password(second, "sysadmin")
    r = second.post(CODE_STEP, {"code": code})
    assert r.status_code == 200 and "已使用过" in r.content.decode()
    assert second.get("/org/").status_code == 302


@pytest.mark.django_db
def test_wrong_codes_count_as_failed_sign_ins(enrolled, settings):
    c = Client()
    _password(c, "sysadmin")
    wrong = next(f"{n:06d}" for n in range(10) if f"{n:06d}" not in {_code(offset=d) for d in (-1, 0, 1)})
    for _ in range(settings.LOGIN_MAX_FAILURES):
        r = c.post(CODE_STEP, {"code": wrong})
    assert "登录失败次数过多" in r.content.decode()
    # Now even the right code is refused from this address.
    r = c.post(CODE_STEP, {"code": _code()})
    assert "登录失败次数过多" in r.content.decode() and c.get("/org/").status_code == 302


@pytest.mark.django_db
def test_an_account_without_a_factor_enrols_before_anything_else(world):
    c = Client()
    r = _password(c, "auditor")
    r = c.get(r["Location"])
    assert r.status_code == 302 and r["Location"] == ENROL
    page = c.get(ENROL).content.decode()
    # The QR code is drawn inline (no outside service), with the secret for manual entry.
    assert "<svg" in page and "http" not in page.split("<svg", 1)[1].split("</svg>")[0].replace(
        "http://www.w3.org", ""
    )
    factor = SecondFactor.objects.get(user=world.auditor)
    assert factor.confirmed_at is None and factor.secret[:4] + " " + factor.secret[4:8] in page
    assert c.get("/audit/").status_code == 302  # nothing opens before enrolment
    r = c.post(ENROL, {"code": "12345"})
    assert r.status_code == 200
    r = c.post(ENROL, {"code": _code(factor.secret)})
    assert r.status_code == 302 and r["Location"] == "/org/"
    assert c.get("/audit/").status_code == 200
    assert SecondFactor.objects.get(user=world.auditor).confirmed_at is not None
    assert AuditEntry.objects.filter(action="second_factor.enrol", actor_id=world.auditor.pk).exists()
    # Enrolled: the next sign-in asks for the code.
    c = Client()
    assert _password(c, "auditor")["Location"] == CODE_STEP


@pytest.mark.django_db
def test_an_inspector_signs_in_with_the_password_alone(world):
    c = Client()
    r = _password(c, "a_inspector")
    assert r.status_code == 302 and r["Location"] == "/org/"
    assert second_factor.FACTOR_KEY not in c.session


@pytest.mark.django_db
def test_a_role_granted_during_a_session_asks_for_the_factor(world):
    """A session signed in with the password alone (an inspector's) that becomes privileged is
    sent to the code step by the middleware, on pages and the API."""
    c = Client()
    _password(c, "a_inspector")
    User.objects.filter(pk=world.a_inspector.pk).update(role=Role.REVIEWER)
    r = c.get("/inspection/review/")
    assert r.status_code == 302 and r["Location"] == CODE_STEP
    assert c.get("/api/v1/directory/targets").status_code == 401
    assert c.get(CODE_STEP)["Location"] == ENROL
    factor = services.second_factor_begin(user=world.a_inspector)
    assert c.post(ENROL, {"code": _code(factor.secret)}).status_code == 302
    assert c.get("/inspection/review/").status_code == 200


@pytest.mark.django_db
def test_a_token_made_from_a_full_session_works_without_one(world):
    _, secret = services.api_token_create(actor=world.a_admin, name="脚本")
    r = Client().get("/api/v1/directory/targets", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert r.status_code == 200
    # A half-signed session does not stand in for a refused token.
    services.second_factor_set(user=world.a_admin, secret=SECRET)
    c = Client()
    _password(c, "a_admin")
    assert c.get("/api/v1/directory/targets", HTTP_AUTHORIZATION="Bearer ssj_wrong").status_code == 401


@pytest.mark.django_db
def test_the_code_step_expires(enrolled, monkeypatch):
    c = Client()
    _password(c, "sysadmin")
    later = time.time() + 301
    monkeypatch.setattr("shuangsuiji.core.views.time.time", lambda: later)
    r = c.post(CODE_STEP, {"code": _code()})
    assert r.status_code == 302 and r["Location"] == reverse("core:login")


@pytest.mark.django_db
def test_the_secadmin_resets_a_lost_factor(world, enrolled):
    sec = services.user_create(
        actor=None, username="sec", role=Role.SECADMIN, department=world.office_dept, password=PASSWORD
    )
    services.second_factor_reset(actor=sec, user=enrolled)
    assert not SecondFactor.objects.filter(user=enrolled).exists()
    c = Client()
    assert _password(c, "sysadmin")["Location"] == CODE_STEP
    assert c.get(CODE_STEP)["Location"] == ENROL


def test_only_a_bare_request_is_taken_for_a_programmatic_sign_in():
    """force_login hands login() a bare HttpRequest; a request from the network never is one."""
    from django.core.handlers.wsgi import WSGIRequest
    from django.http import HttpRequest
    from django.test import RequestFactory

    class Session(dict):
        """A stand-in for request.session: login() only stores keys in it."""

    real = RequestFactory().get("/")
    assert isinstance(real, WSGIRequest)
    real.session = Session()
    second_factor.mark_programmatic_sign_in(None, request=real, user=None)
    assert second_factor.FACTOR_KEY not in real.session
    bare = HttpRequest()
    bare.session = Session()
    second_factor.mark_programmatic_sign_in(None, request=bare, user=None)
    assert bare.session[second_factor.FACTOR_KEY] is True
