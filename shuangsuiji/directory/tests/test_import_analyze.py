"""A large target import refreshes PostgreSQL's statistics once it has committed, so the draw's
freeze right after it is planned with them (issue 16)."""

import pytest
from django.db import connection

from conftest import make_uscc
from shuangsuiji.core.models import JobStatus
from shuangsuiji.directory import jobs

from .test_import import HEADER, run


def test_when_an_import_is_large_enough_to_analyze(monkeypatch):
    monkeypatch.setattr(jobs, "ANALYZE_MIN_ROWS", 10_000)
    monkeypatch.setattr(jobs, "ANALYZE_MIN_SHARE", 0.10)
    assert jobs.analyze_due(10_000, 5_000_000) and not jobs.analyze_due(9_999, 5_000_000)
    assert jobs.analyze_due(101, 1_000) and not jobs.analyze_due(100, 1_000)  # beyond 10 % of the table
    assert jobs.analyze_due(1, -1)  # never analyzed
    assert not jobs.analyze_due(0, -1)


def _csv(first: int, n: int) -> str:
    rows = [
        f"{make_uscc(f'91130110MA0D{i:05d}')},测试企业{i}有限公司,企业,130110,,,,,,B,,"
        for i in range(first, first + n)
    ]
    return "\n".join([HEADER, *rows])


def _last_analyze(table: str):
    with connection.cursor() as c:
        c.execute("SELECT pg_stat_clear_snapshot()")
        c.execute("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = %s", [table])
        return c.fetchone()[0]


def _reltuples() -> float:
    with connection.cursor() as c:
        c.execute("SELECT reltuples FROM pg_class WHERE oid = 'directory_target'::regclass")
        return c.fetchone()[0]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_large_import_analyzes_the_directory_after_it_commits(world, monkeypatch):
    monkeypatch.setattr(jobs, "ANALYZE_MIN_ROWS", 20)
    monkeypatch.setattr(jobs, "ANALYZE_MIN_SHARE", 0.10)
    before = {t: _last_analyze(t) for t in ("directory_target", "directory_targetsupervision")}

    job = run(world.a_admin, _csv(0, 30))  # above the threshold
    assert job.status == JobStatus.SUCCEEDED and job.result["written"] == 30, job.result
    for table, then in before.items():
        now = _last_analyze(table)
        assert now is not None and (then is None or now > then), table
    assert _reltuples() == 30  # the statistics now count the imported rows
    analyzed = _last_analyze("directory_target")

    job = run(world.a_admin, _csv(100, 3))  # 3 rows: under 20, and not over 10 % of 30
    assert job.status == JobStatus.SUCCEEDED and job.result["written"] == 3, job.result
    assert _last_analyze("directory_target") == analyzed and _reltuples() == 30

    job = run(world.a_admin, _csv(200, 4))  # 4 rows: over 10 % of the 30 the statistics know
    assert job.status == JobStatus.SUCCEEDED and job.result["written"] == 4, job.result
    assert _last_analyze("directory_target") > analyzed and _reltuples() == 37


@pytest.mark.django_db
def test_inside_a_transaction_or_on_sqlite_nothing_is_analyzed(world, monkeypatch):
    """An import inside an enclosing transaction (as here, the test's) leaves ANALYZE to that
    transaction's commit; SQLite has nothing to do."""
    monkeypatch.setattr(jobs, "ANALYZE_MIN_ROWS", 1)
    calls = []
    monkeypatch.setattr(jobs, "analyze_after_import", lambda written: calls.append(written))
    job = run(world.a_admin, _csv(0, 2))
    assert job.status == JobStatus.SUCCEEDED and calls == []
    monkeypatch.undo()
    if connection.vendor == "sqlite":
        assert jobs.analyze_after_import(10**6) is False
