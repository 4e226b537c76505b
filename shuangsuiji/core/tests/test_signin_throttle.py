"""Sign-in answers the same for names that exist and names that do not, and is throttled per
client address (core/throttle.py), so one client cannot lock anyone else out (issue 14, 7)."""

import datetime as dt
import ipaddress
import re

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from shuangsuiji.core import services, throttle
from shuangsuiji.core.models import AuditEntry, SignInThrottle, User

URL = reverse("core:login")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def _login(client, username, password, address="10.0.0.1", **meta):
    return client.post(URL, {"username": username, "password": password}, REMOTE_ADDR=address, **meta)


def _page(response, username):
    """The answer with what legitimately differs taken out: the CSRF token and the name typed."""
    body = CSRF.sub("CSRF", response.content.decode())
    return response.status_code, response["Content-Type"], body.replace(username, "NAME")


@pytest.mark.django_db
def test_unknown_name_wrong_password_and_disabled_account_get_the_same_page(world):
    User.objects.filter(pk=world.b_admin.pk).update(is_active=False)
    pages = {
        "known, wrong password": _page(_login(Client(), "a_inspector", "wrong-Pass#1"), "a_inspector"),
        "unknown name": _page(_login(Client(), "no_such_user", "wrong-Pass#1"), "no_such_user"),
        "disabled, right password": _page(_login(Client(), "b_admin", PASSWORD), "b_admin"),
    }
    first = pages["known, wrong password"]
    assert first[0] == 200 and "用户名或密码错误" in first[2]
    for what, page in pages.items():
        assert page == first, what


@pytest.mark.django_db
def test_a_paused_known_name_and_a_paused_unknown_name_get_the_same_page(world, settings):
    settings.LOGIN_MAX_FAILURES = 2
    for name in ("a_inspector", "no_such_user"):
        for _ in range(2):
            _login(Client(), name, "wrong-Pass#1")
    known = _page(_login(Client(), "a_inspector", PASSWORD), "a_inspector")
    unknown = _page(_login(Client(), "no_such_user", PASSWORD), "no_such_user")
    assert "登录失败次数过多" in known[2]
    assert known == unknown


@pytest.mark.django_db
def test_unknown_and_known_names_compute_the_password_hash_the_same_number_of_times(world, monkeypatch):
    calls = []
    real = MD5PasswordHasher.encode
    monkeypatch.setattr(
        MD5PasswordHasher, "encode", lambda self, *a, **k: calls.append(1) or real(self, *a, **k)
    )
    _login(Client(), "a_inspector", "wrong-Pass#1")
    known = len(calls)
    calls.clear()
    _login(Client(), "no_such_user", "wrong-Pass#1")
    assert known == len(calls) == 1


@pytest.mark.django_db
def test_with_argon2_both_run_the_argon2_core_once(world, settings, monkeypatch):
    import argon2._password_hasher
    import argon2.low_level

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    world.a_inspector.set_password(PASSWORD)
    world.a_inspector.save()
    runs = []
    # Django hashes through argon2.low_level and verifies through argon2.PasswordHasher.
    for module in (argon2.low_level, argon2._password_hasher):
        for fn in ("hash_secret", "verify_secret"):
            real = getattr(module, fn)
            monkeypatch.setattr(
                module, fn, lambda *a, _real=real, _fn=fn, **k: runs.append(_fn) or _real(*a, **k)
            )
    _login(Client(), "a_inspector", "wrong-Pass#1")
    known, runs[:] = list(runs), []
    _login(Client(), "no_such_user", "wrong-Pass#1")
    # One Argon2 run each, with the same parameters: verifying the real hash, hashing for no one.
    assert (known, runs) == (["verify_secret"], ["hash_secret"])


@pytest.mark.django_db
def test_an_unknown_name_is_paused_after_five_failures_exactly_like_a_known_one(world):
    answers = {}
    for name in ("a_inspector", "no_such_user"):
        answers[name] = [_page(_login(Client(), name, "wrong-Pass#1"), name) for _ in range(6)]
    assert answers["a_inspector"] == answers["no_such_user"]
    texts = [a[2] for a in answers["no_such_user"]]
    assert all("用户名或密码错误" in t for t in texts[:4])
    assert all("登录失败次数过多" in t for t in texts[4:])
    assert SignInThrottle.objects.get(address="10.0.0.1", username="no_such_user").locked_until
    # The log records both pauses (the unknown name as an attempt on no account).
    assert AuditEntry.objects.filter(action="user.locked", object_id=str(world.a_inspector.pk)).count() == 1
    assert AuditEntry.objects.filter(action="login.locked", detail__username="no_such_user").count() == 1


@pytest.mark.django_db
def test_failures_from_one_address_do_not_stop_the_account_signing_in_from_another(world):
    for _ in range(5):
        _login(Client(), "a_inspector", "wrong-Pass#1", address="10.0.0.1")
    assert (
        "登录失败次数过多" in _login(Client(), "a_inspector", PASSWORD, address="10.0.0.1").content.decode()
    )
    r = _login(Client(), "a_inspector", PASSWORD, address="10.0.0.2")
    assert r.status_code == 302


@pytest.mark.django_db
def test_x_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(world, settings):
    # Spoofing the header from outside does not move the attacker's failures elsewhere...
    for _ in range(5):
        _login(Client(), "a_inspector", "wrong-Pass#1", address="10.0.0.1", HTTP_X_FORWARDED_FOR="10.0.0.2")
    assert SignInThrottle.objects.filter(address="10.0.0.1", username="a_inspector").exists()
    assert not SignInThrottle.objects.filter(address="10.0.0.2").exists()
    # ...nor gets it round its own pause.
    r = _login(Client(), "a_inspector", PASSWORD, address="10.0.0.1", HTTP_X_FORWARDED_FOR="10.0.0.3")
    assert "登录失败次数过多" in r.content.decode()

    # Behind a trusted proxy, the right-most address it did not add itself is the client.
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("192.168.1.0/24")]
    spoofed = "10.0.0.1, 172.16.5.5, 192.168.1.7"  # 10.0.0.1 is what the client claimed
    r = _login(Client(), "a_inspector", PASSWORD, address="192.168.1.2", HTTP_X_FORWARDED_FOR=spoofed)
    assert r.status_code == 302
    assert AuditEntry.objects.filter(action="user.login").latest("seq").detail["address"] == "172.16.5.5"


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("203.0.113.9", "1.2.3.4", "203.0.113.9"),  # not a trusted peer: header ignored
        ("192.168.1.2", "", "192.168.1.2"),  # trusted but no header: the proxy itself
        ("192.168.1.2", "1.2.3.4, 5.6.7.8", "5.6.7.8"),
        ("192.168.1.2", "5.6.7.8, 192.168.1.9", "5.6.7.8"),  # a chain of trusted proxies
        ("192.168.1.2", "junk, 5.6.7.8:4711", "5.6.7.8"),  # a port is dropped, junk on the left ignored
        ("192.168.1.2", "5.6.7.8, junk", "192.168.1.2"),  # junk where the proxy writes: proxy stands
        ("::ffff:203.0.113.9", "", "203.0.113.9"),
        ("2001:db8:1:2:3:4:5:6", "", "2001:db8:1:2::/64"),  # IPv6 counts per /64
    ],
)
def test_client_address(settings, remote, forwarded, expected):
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("192.168.1.0/24")]
    request = RequestFactory().post(URL, REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert throttle.client_address(request) == expected


@pytest.mark.django_db
def test_one_address_guessing_many_names_is_paused_for_all_names(world, settings):
    settings.LOGIN_MAX_FAILURES_PER_ADDRESS = 8
    for i in range(8):
        _login(Client(), f"guess{i}", "wrong-Pass#1", address="10.0.0.1")
    assert AuditEntry.objects.filter(action="login.address_locked", detail__address="10.0.0.1").count() == 1
    r = _login(Client(), "a_inspector", PASSWORD, address="10.0.0.1")
    assert "登录失败次数过多" in r.content.decode()
    assert _login(Client(), "a_inspector", PASSWORD, address="10.0.0.2").status_code == 302


@pytest.mark.django_db
def test_success_clears_the_pair_count_but_not_the_address_count(world):
    for _ in range(3):
        _login(Client(), "a_inspector", "wrong-Pass#1")
    assert _login(Client(), "a_inspector", PASSWORD).status_code == 302
    assert not SignInThrottle.objects.filter(username="a_inspector").exists()
    # Otherwise a client holding one account could reset its count between guesses.
    assert SignInThrottle.objects.get(address="10.0.0.1", username=throttle.ANY_NAME).failures == 3


@pytest.mark.django_db
def test_a_refused_attempt_is_neither_checked_nor_counted(world, monkeypatch):
    for _ in range(5):
        _login(Client(), "a_inspector", "wrong-Pass#1")
    calls = []
    monkeypatch.setattr(MD5PasswordHasher, "encode", lambda self, *a, **k: calls.append(1) or "x")
    before = SignInThrottle.objects.get(address="10.0.0.1", username="a_inspector").locked_until
    _login(Client(), "a_inspector", "wrong-Pass#1")
    assert calls == []
    assert SignInThrottle.objects.get(address="10.0.0.1", username="a_inspector").locked_until == before


@pytest.mark.django_db
def test_failures_older_than_the_window_start_a_new_count(world):
    for _ in range(4):
        _login(Client(), "a_inspector", "wrong-Pass#1")
    SignInThrottle.objects.update(window_start=timezone.now() - dt.timedelta(minutes=16))
    r = _login(Client(), "a_inspector", "wrong-Pass#1")
    assert "用户名或密码错误" in r.content.decode()
    assert SignInThrottle.objects.get(address="10.0.0.1", username="a_inspector").failures == 1


@pytest.mark.django_db
def test_counts_are_shared_by_every_app_node(world):
    # Two nodes are two processes over one database: the count is a row, not process memory.
    for client in (Client(), Client(), Client(), Client(), Client()):
        _login(client, "a_inspector", "wrong-Pass#1")
    assert (
        SignInThrottle.objects.get(address="10.0.0.1", username="a_inspector").locked_until > timezone.now()
    )


@pytest.mark.django_db
def test_sysadmin_unlock_clears_the_name_everywhere(world, client_for):
    for address in ("10.0.0.1", "10.0.0.2"):
        for _ in range(5):
            _login(Client(), "a_inspector", "wrong-Pass#1", address=address)
    assert User.objects.get(pk=world.a_inspector.pk).is_locked
    page = client_for(world.sysadmin).get(reverse("core:org")).content.decode()
    assert "已锁定" in page and 'value="unlock"' in page
    services.user_unlock(actor=world.sysadmin, user=world.a_inspector)
    assert not SignInThrottle.objects.filter(address__in=["10.0.0.1", "10.0.0.2"]).exists()
    assert AuditEntry.objects.filter(action="user.unlock", object_id=str(world.a_inspector.pk)).exists()
    assert _login(Client(), "a_inspector", PASSWORD, address="10.0.0.1").status_code == 302


@pytest.mark.parametrize("value", ["10.0.0.300", "10.0.0.1/8", "proxy.example"])
def test_a_bad_trusted_proxies_setting_fails_loudly(value):
    import os
    import subprocess
    import sys

    code = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; django.setup()"
    r = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "SHUANGSUIJI_TRUSTED_PROXIES": f"127.0.0.1, {value}"},
        capture_output=True,
        text=True,
    )
    assert r.returncode != 0 and "SHUANGSUIJI_TRUSTED_PROXIES" in r.stderr and value in r.stderr


@pytest.mark.django_db
def test_old_counts_are_forgotten_but_a_pause_in_force_is_kept(world):
    old = timezone.now() - dt.timedelta(hours=1)
    SignInThrottle.objects.create(address="10.9.9.9", username="x", window_start=old, failures=3)
    SignInThrottle.objects.create(
        address="10.9.9.8",
        username="y",
        window_start=old,
        locked_until=timezone.now() + dt.timedelta(minutes=5),
    )
    _login(Client(), "a_inspector", "wrong-Pass#1")
    assert not SignInThrottle.objects.filter(address="10.9.9.9").exists()
    assert SignInThrottle.objects.filter(address="10.9.9.8").exists()
