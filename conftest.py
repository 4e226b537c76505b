"""Shared fixtures: a small jurisdiction with standing actors (STYLE.md 4, 10):
- `office`: the county 双随机办公室 clerk;
- `a_admin`, `a_reviewer`, `a_inspector`: 市场监管局 (department A, with business lines);
- `b_admin`, `b_inspector`: 卫生健康局 (department B);
- `sysadmin`, `auditor`; anonymous is the plain client."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from shuangsuiji.core import services as core
from shuangsuiji.core.models import Region, Role

PASSWORD = "Test@2026pw"

REGIONS = [
    ("130000", "河北省", None),
    ("130100", "石家庄市", None),
    ("130102", "长安区", None),
    ("130110", "鹿泉区", None),
    ("130185", "鹿泉市", dt.date(2014, 12, 31)),
    ("130110100", "获鹿镇", None),
    ("130110101", "铜冶镇", None),
    ("130400", "邯郸市", None),
    ("130433", "馆陶县", None),
]


@pytest.fixture(autouse=True)
def _fast_hashing(settings, tmp_path):
    # Argon2 is the production hasher (asserted in test_auth); tests hash with MD5 for speed.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    # The manifest storage needs collectstatic; tests serve the source files as they are.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def regions(db):
    core.regions_load(REGIONS, source="tests")
    return {code: Region.objects.get(code=code) for code, _, _ in REGIONS}


@pytest.fixture
def industries(db):
    call_command("load_industries", verbosity=0)


class World:
    """The standing actors and their departments."""


def pytest_collection_modifyitems(config, items):
    """A test of a PostgreSQL-only path (marker `postgres`) belongs to the PostgreSQL run that
    ./scripts/test always makes (CI requires it): on SQLite it is deselected, never skipped."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    kept = [i for i in items if i.get_closest_marker("postgres") is None]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept


# The standing actors of every permission table, in the tables' column order.
ACTORS = [
    "anonymous",
    "office",
    "a_admin",
    "a_reviewer",
    "a_inspector",
    "b_admin",
    "b_inspector",
    "sysadmin",
    "auditor",
    "far_admin",
]


def build_world() -> World:
    """The standing actors and their departments (also built once per module by the permission
    matrix, which cannot afford a fresh world per row)."""
    core.regions_load(REGIONS, source="tests")
    regions = {code: Region.objects.get(code=code) for code, _, _ in REGIONS}
    call_command("load_industries", verbosity=0)
    w = World()
    county = regions["130110"]
    w.county = county
    w.office_dept = core.department_create(actor=None, name="双随机办公室", region=county, is_office=True)
    w.dept_a = core.department_create(actor=None, name="市场监督管理局", region=county)
    w.dept_b = core.department_create(actor=None, name="卫生健康局", region=county)
    w.other_county_dept = core.department_create(actor=None, name="市场监督管理局", region=regions["130433"])
    w.line_a1 = core.business_line_create(actor=None, department=w.dept_a, name="食品经营监管股")
    w.line_a2 = core.business_line_create(actor=None, department=w.dept_a, name="信用监管股")

    def user(username, role, dept, line=None):
        return core.user_create(
            actor=None,
            username=username,
            password=PASSWORD,
            role=role,
            department=dept,
            display_name=username,
            business_line=line,
        )

    w.office = user("office", Role.OFFICE, w.office_dept)
    w.sysadmin = user("sysadmin", Role.SYSADMIN, w.office_dept)
    w.auditor = user("auditor", Role.AUDITOR, w.office_dept)
    w.a_admin = user("a_admin", Role.DEPT_ADMIN, w.dept_a)
    w.a_reviewer = user("a_reviewer", Role.REVIEWER, w.dept_a)
    w.a_inspector = user("a_inspector", Role.INSPECTOR, w.dept_a, w.line_a1)
    w.b_admin = user("b_admin", Role.DEPT_ADMIN, w.dept_b)
    w.b_inspector = user("b_inspector", Role.INSPECTOR, w.dept_b)
    w.far_admin = user("far_admin", Role.DEPT_ADMIN, w.other_county_dept)
    return w


@pytest.fixture
def world(db):
    return build_world()


def module_standing(django_db_blocker, media, build):
    """For a module-scoped fixture (`yield from module_standing(...)`): what `build()` makes, once
    for the module, in a transaction rolled back at the module's end; each test runs in a
    savepoint inside it (pytest-django's `db`), so whatever a test changes is undone before the
    next one. Files (a frozen draw pool) go to `media`, which every test of the module reads."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with override_settings(
                PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"], MEDIA_ROOT=media
            ):
                built = build()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


def make_uscc(body17: str) -> str:
    """A valid USCC from its first 17 characters (tests build their own codes)."""
    from stdnum.cn import uscc

    return body17 + uscc.calc_check_digit(body17)


def make_ric(body17: str) -> str:
    from stdnum.cn import ric

    return body17 + ric.calc_check_digit(body17 + "0")


@pytest.fixture
def client_for(client):
    """client_for(user): a test client signed in as `user`."""

    def _for(user):
        client.force_login(user)
        return client

    return _for
