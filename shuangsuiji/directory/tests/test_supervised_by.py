"""PostgreSQL's copy of each target's supervising departments on its row (directory migration
0005), which the draw's freeze reads: two transactions changing one target's supervision at the
same time both count."""

import threading
import time

import psycopg
import pytest
from django.db import connection

from conftest import make_uscc
from shuangsuiji.core import services as core
from shuangsuiji.directory.models import Target, TargetSupervision

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _copy(target_id: int) -> list[int]:
    with connection.cursor() as c:
        c.execute("SELECT supervised_by FROM directory_target WHERE id = %s", [target_id])
        return list(c.fetchone()[0])


def _connect() -> psycopg.Connection:
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return psycopg.connect(**params)


def _waiting_on_a_lock(pid: int) -> bool:
    with connection.cursor() as c:
        c.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = c.fetchone()
        return bool(row) and row[0] == "Lock"


@pytest.mark.parametrize("second", ["insert", "delete"])
def test_concurrent_changes_to_one_targets_supervision_both_count(world, second):
    w = world
    dept_c = core.department_create(actor=None, name="应急管理局", region=w.county)
    t = Target.objects.create(
        kind="enterprise", uscc=make_uscc("91130110MA0C00001"), name="一号", region=w.county
    )
    TargetSupervision.objects.create(target=t, department=w.dept_a)
    TargetSupervision.objects.create(target=t, department=dept_c)
    assert _copy(t.pk) == sorted([w.dept_a.pk, dept_c.pk])

    first, other = _connect(), _connect()
    try:
        # the first transaction adds B and keeps the target's row locked (its trigger updated it)
        first.execute(
            "INSERT INTO directory_targetsupervision (target_id, department_id) VALUES (%s, %s)",
            [t.pk, w.dept_b.pk],
        )
        other.autocommit = True
        if second == "insert":  # the other adds D
            dept = core.department_create(actor=None, name="交通运输局", region=w.county).pk
            sql = "INSERT INTO directory_targetsupervision (target_id, department_id) VALUES (%s, %s)"
        else:  # the other takes C away
            dept = dept_c.pk
            sql = "DELETE FROM directory_targetsupervision WHERE target_id = %s AND department_id = %s"
        errors: list[BaseException] = []

        def run_other():
            try:
                other.execute(sql, [t.pk, dept])
            except BaseException as e:  # re-raised below, in the test's thread
                errors.append(e)

        thread = threading.Thread(target=run_other)
        thread.start()
        deadline = time.monotonic() + 10
        while not _waiting_on_a_lock(other.info.backend_pid):  # blocked behind the first
            assert time.monotonic() < deadline, "the second change never waited for the first"
            time.sleep(0.02)
        first.commit()
        thread.join(10)
        assert not thread.is_alive() and not errors, errors
    finally:
        first.close()
        other.close()

    table = sorted(TargetSupervision.objects.filter(target=t).values_list("department_id", flat=True))
    assert _copy(t.pk) == table
    added = {dept} if second == "insert" else set()
    removed = {dept} if second == "delete" else set()
    assert set(table) == ({w.dept_a.pk, w.dept_b.pk, dept_c.pk} | added) - removed
