"""PostgreSQL: the log table refuses UPDATE, DELETE and TRUNCATE (the trigger of migration
0004_audit_anchors, for every role, the owner too), and the application's role, granted as
docs/audit-log.md says, cannot change it at all while it keeps the head pointer updatable."""

import uuid

import psycopg
import pytest
from django.db import DatabaseError, connection, transaction

from shuangsuiji.core import audit

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _write(n):
    for i in range(n):
        with transaction.atomic():
            audit.record(actor=None, action="test.action", summary=f"第 {i} 次")


REFUSED = [
    "UPDATE core_auditentry SET summary = 'x' WHERE seq = 1",
    "DELETE FROM core_auditentry WHERE seq = 2",
    "UPDATE core_auditanchor SET hash = repeat('0', 64)",
    "DELETE FROM core_auditanchor",
]


@pytest.mark.parametrize("sql", REFUSED)
def test_the_trigger_refuses_changes_even_for_a_superuser(sql):
    _write(2)
    audit.anchor_publish()
    # the test database's superuser
    with (
        connection.cursor() as c,
        pytest.raises(DatabaseError, match="操作日志只能追加"),
        transaction.atomic(),
    ):
        c.execute(sql)
    assert audit.verify() == (2, None, "")


@pytest.mark.parametrize("sql", [*REFUSED, "TRUNCATE core_auditentry", "TRUNCATE core_auditanchor"])
def test_the_trigger_refuses_changes_and_truncate_to_the_owner(sql):
    """The migrating role as docs/audit-log.md makes it: owner of the tables, not a superuser.
    Made inside the test's transaction, so it never outlives the test."""
    _write(2)
    audit.anchor_publish()
    owner = f"shuangsuiji_owner_test_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as c:
        c.execute(f"CREATE ROLE {owner} NOSUPERUSER")
        c.execute(f"ALTER TABLE core_auditentry OWNER TO {owner}")
        c.execute(f"ALTER TABLE core_auditanchor OWNER TO {owner}")
        c.execute(f"SET ROLE {owner}")
        try:
            with pytest.raises(DatabaseError, match="操作日志只能追加"), transaction.atomic():
                c.execute(sql)
        finally:
            c.execute("RESET ROLE")
    assert audit.verify() == (2, None, "")


def _dsn(user: str) -> str:
    s = connection.settings_dict
    return f"host={s['HOST'] or '127.0.0.1'} port={s['PORT'] or 5432} dbname={s['NAME']} user={user}"


# The application role's grants, as docs/audit-log.md gives them (with the role's name).
APP_GRANTS = """
GRANT CONNECT ON DATABASE {db} TO {role};
GRANT USAGE ON SCHEMA public TO {role};
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role};
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role};
REVOKE UPDATE, DELETE, TRUNCATE ON core_auditentry, core_auditanchor FROM {role};
"""


@pytest.fixture
def app_role():
    """A role like shuangsuiji_app (a unique name: roles belong to the whole cluster), made and
    dropped over its own autocommit connection so that it exists for a second connection."""
    role = f"shuangsuiji_app_test_{uuid.uuid4().hex[:8]}"
    db = connection.settings_dict["NAME"]
    with psycopg.connect(_dsn(connection.settings_dict["USER"] or "postgres"), autocommit=True) as admin:
        admin.execute(f"CREATE ROLE {role} LOGIN")
        for stmt in filter(str.strip, APP_GRANTS.format(db=f'"{db}"', role=role).split(";")):
            admin.execute(stmt)
        try:
            yield role
        finally:
            admin.execute(f"DROP OWNED BY {role}")
            admin.execute(f"DROP ROLE {role}")


def test_the_application_role_cannot_update_or_delete_the_log(app_role):
    with psycopg.connect(_dsn(app_role)) as app:
        for sql in (
            "UPDATE core_auditentry SET summary = 'x'",
            "DELETE FROM core_auditentry",
            "TRUNCATE core_auditentry",
            "UPDATE core_auditanchor SET hash = 'x'",
            "DELETE FROM core_auditanchor",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"):
                app.execute(sql)
            app.rollback()
        # What the application does need: read and append the log, move the head pointer.
        app.execute("SELECT count(*) FROM core_auditentry")
        app.execute("SELECT count(*) FROM core_auditanchor")
        app.execute(
            "INSERT INTO core_auditentry (seq, at, actor_label, action, object_type, object_id, summary,"
            " detail, prev_hash, hash, scheme) VALUES (999999, now(), '系统', 'x', '', '', 'x', '{}',"
            " repeat('0', 64), repeat('0', 64), 2)"
        )
        app.execute("UPDATE core_audithead SET last_seq = last_seq")
        app.rollback()  # nothing of this stays in the test database


def test_the_application_role_does_not_own_the_log(app_role):
    with connection.cursor() as c:
        c.execute("SELECT tableowner FROM pg_tables WHERE tablename = 'core_auditentry'")
        (owner,) = c.fetchone()
    assert owner != app_role
