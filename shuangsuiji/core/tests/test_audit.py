import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from shuangsuiji.core import audit
from shuangsuiji.core.models import AuditEntry
from shuangsuiji.core.tests.tampering import triggers_off


def _write(n):
    for i in range(n):
        with transaction.atomic():
            audit.record(actor=None, action="test.action", summary=f"第 {i} 次", detail={"i": i})


@pytest.mark.django_db
def test_chain_verifies_and_counts():
    _write(5)
    n, broken, why = audit.verify()
    assert (n, broken, why) == (5, None, "")
    assert list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True)) == [1, 2, 3, 4, 5]
    call_command("audit_verify")


@pytest.mark.django_db
def test_tampered_row_is_named_by_the_command():
    _write(5)
    with triggers_off(), connection.cursor() as c:
        c.execute("UPDATE core_auditentry SET summary = %s WHERE seq = 3", ["改过的摘要"])
    with pytest.raises(CommandError, match=r"第 3 条.*本条记录被改动"):
        call_command("audit_verify")


@pytest.mark.django_db
def test_deleted_row_is_found():
    _write(4)
    with triggers_off(), connection.cursor() as c:
        c.execute("DELETE FROM core_auditentry WHERE seq = 2")
    with pytest.raises(CommandError, match=r"第 3 条.*序号不连续"):
        call_command("audit_verify")


@pytest.mark.django_db
def test_deleted_tail_is_found():
    _write(3)
    with triggers_off(), connection.cursor() as c:
        c.execute("DELETE FROM core_auditentry WHERE seq = 3")
    with pytest.raises(CommandError, match="末尾记录被删除"):
        call_command("audit_verify")


@pytest.mark.django_db
def test_entries_cannot_be_changed_or_deleted_through_the_model():
    _write(1)
    e = AuditEntry.objects.get()
    e.summary = "x"
    with pytest.raises(RuntimeError):
        e.save()
    with pytest.raises(RuntimeError):
        e.delete()


@pytest.mark.django_db(transaction=True)
def test_record_outside_a_transaction_is_a_bug():
    with pytest.raises(RuntimeError):
        audit.record(actor=None, action="x", summary="x")


@pytest.mark.django_db
def test_a_rolled_back_action_leaves_no_entry():
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        audit.record(actor=None, action="x", summary="x")
        1 / 0  # noqa: B018
    assert not AuditEntry.objects.exists()
    assert audit.verify() == (0, None, "")
