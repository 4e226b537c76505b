"""The audit log nobody can rewrite (issue 15, docs/audit-log.md): keyed entries, anchors published
on the portal and checked from outside the database, truncation found. These run on SQLite and in
the PostgreSQL pass (where tampering needs the superuser: see tampering.py)."""

import datetime as dt
import json
import os
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from shuangsuiji.core import audit
from shuangsuiji.core.models import AuditAnchor, AuditEntry, AuditHead, AuditScheme
from shuangsuiji.core.tests import tampering

pytestmark = pytest.mark.django_db


def _write(n, start=0):
    for i in range(start, start + n):
        with transaction.atomic():
            audit.record(actor=None, action="test.action", summary=f"第 {i} 次", detail={"i": i})


def _anchor_now():
    anchor = audit.anchor_publish()
    assert anchor is not None
    return anchor


def _downloaded(client, tmp_path):
    """The anchors as an outsider keeps them: the portal's JSON, saved to a file."""
    resp = client.get("/public/audit-anchors.json")
    assert resp.status_code == 200 and resp["Content-Type"].startswith("application/json")
    path = tmp_path / "audit-anchors.json"
    path.write_bytes(resp.content)
    return path


# ---- keyed entries --------------------------------------------------------------------------


def test_new_entries_are_keyed_and_older_plain_entries_keep_verifying(monkeypatch):
    monkeypatch.setattr(audit, "CURRENT_SCHEME", AuditScheme.SHA256)  # as written before the change
    _write(2)
    monkeypatch.undo()
    _write(2, start=2)
    assert list(AuditEntry.objects.order_by("seq").values_list("scheme", flat=True)) == [1, 1, 2, 2]
    assert audit.verify() == (4, None, "")
    call_command("audit_verify")


def test_a_v2_hash_needs_the_key(settings):
    _write(3)
    assert audit.verify() == (3, None, "")
    settings.AUDIT_KEY = "another-key-" + "z" * 40
    n, broken, why = audit.verify()
    assert (n, broken.seq) == (0, 1) and "本条记录被改动" in why


def test_recomputing_later_hashes_without_the_key_no_longer_passes():
    _write(5)
    tampering.rewrite(2, "改过的摘要")  # every later hash recomputed with plain SHA-256
    with pytest.raises(CommandError, match=r"第 2 条.*本条记录被改动"):
        call_command("audit_verify")


def test_relabelling_keyed_entries_as_plain_is_refused(monkeypatch):
    monkeypatch.setattr(audit, "CURRENT_SCHEME", AuditScheme.SHA256)
    _write(1)
    monkeypatch.undo()
    _write(3, start=1)
    tampering.execute("UPDATE core_auditentry SET scheme = 1 WHERE seq = 3")
    n, broken, why = audit.verify()
    assert broken.seq == 3 and "哈希方案倒退" in why


# ---- anchors: rewritten history -------------------------------------------------------------


def test_history_rewritten_with_plain_sha256_fails_against_a_published_anchor(client, tmp_path):
    _write(5)
    _anchor_now()
    kept = _downloaded(client, tmp_path)
    call_command("audit_verify", anchors=str(kept))
    # The whole chain relabelled v1 and recomputed with plain SHA-256: consistent in itself...
    tampering.rewrite(2, "改过的摘要", scheme=AuditScheme.SHA256)
    tampering.forget_anchors()
    assert audit.verify() == (5, None, "")
    # ...but not with the anchor kept outside the database.
    with pytest.raises(CommandError, match=r"第 5 条.*外部保存的锚点不符.*被改写"):
        call_command("audit_verify", anchors=str(kept))


def test_history_rewritten_with_the_right_key_after_the_anchor_fails_against_it(client, tmp_path, settings):
    _write(5)
    _anchor_now()
    kept = _downloaded(client, tmp_path)
    _write(2, start=5)
    # Someone with the key and the database: entry 2 changed, every later hash recomputed right.
    tampering.rewrite(2, "改过的摘要", key=settings.AUDIT_KEY)
    n, broken, why = audit.verify()
    assert broken.seq == 5 and "已公布的锚点不符" in why  # the database's own copy still says so
    tampering.forget_anchors()
    assert audit.verify() == (7, None, "")  # with the database's copy gone, only outside copies tell
    with pytest.raises(CommandError, match=r"第 5 条.*被改写"):
        call_command("audit_verify", anchors=str(kept))


def test_entries_after_the_last_anchor_are_not_covered_by_it(client, tmp_path, settings):
    """Why the head is published at least daily: a rewrite after the last anchor, with the key,
    is not caught until the next anchor."""
    _write(3)
    _anchor_now()
    kept = _downloaded(client, tmp_path)
    _write(2, start=3)
    tampering.rewrite(5, "改过的摘要", key=settings.AUDIT_KEY)
    call_command("audit_verify", anchors=str(kept))


# ---- anchors: truncation --------------------------------------------------------------------


def test_a_truncated_chain_with_its_head_rewound_is_reported_as_truncated(client, tmp_path):
    _write(5)
    _anchor_now()
    kept = _downloaded(client, tmp_path)
    tampering.truncate_to(3)
    tampering.forget_anchors()
    assert audit.verify() == (3, None, "")  # the head agrees with what is left
    with pytest.raises(CommandError, match=r"链尾.*只到第 3 条.*已到第 5 条.*截断"):
        call_command("audit_verify", anchors=str(kept))


def test_truncation_is_caught_by_the_databases_own_anchors_too():
    _write(4)
    _anchor_now()
    tampering.truncate_to(2)
    n, broken, why = audit.verify()
    assert (n, broken) == (2, None) and "截断" in why


# ---- publishing -----------------------------------------------------------------------------


def test_the_command_publishes_the_head_once(capsys):
    call_command("audit_anchor")
    assert "无需再公布" in capsys.readouterr().out and not AuditAnchor.objects.exists()
    _write(3)
    call_command("audit_anchor")
    head = AuditHead.objects.get()
    anchor = AuditAnchor.objects.get()
    assert (anchor.seq, anchor.hash) == (3, head.last_hash) == (3, AuditEntry.objects.get(seq=3).hash)
    assert "第 3 条" in capsys.readouterr().out
    call_command("audit_anchor")
    assert AuditAnchor.objects.count() == 1


def test_the_first_entry_of_a_day_publishes_the_head_and_books_the_midnight_anchor(
    monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _write(3)
    assert not AuditAnchor.objects.exists()  # the first entry ever: nothing to anchor yet
    booked = DBTaskResult.objects.filter(task_path__endswith="anchor_publish_task")
    assert booked.count() == 1  # one booking a day, not one per entry
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    assert timezone.localtime(booked.get().run_after) == timezone.make_aware(
        dt.datetime.combine(tomorrow, dt.time.min)
    )

    later = timezone.now() + dt.timedelta(days=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    with django_capture_on_commit_callbacks(execute=True):
        _write(2, start=3)
    anchor = AuditAnchor.objects.get()
    assert (anchor.seq, anchor.hash) == (3, AuditEntry.objects.get(seq=3).hash)  # the head as it stood
    assert booked.count() == 2


def test_the_workers_job_publishes_the_head():
    _write(2)
    audit.anchor_publish_task.call()
    assert AuditAnchor.objects.get().seq == 2


def test_anchors_cannot_be_changed_through_the_model():
    _write(1)
    anchor = _anchor_now()
    anchor.hash = "0" * 64
    with pytest.raises(RuntimeError):
        anchor.save()
    with pytest.raises(RuntimeError):
        anchor.delete()


# ---- the portal and the auditor's page ------------------------------------------------------


def test_the_portal_lists_the_anchors_for_anyone(client):
    _write(2)
    a = _anchor_now()
    page = client.get("/public/audit-anchors/")
    assert page.status_code == 200 and a.hash in page.content.decode()
    data = json.loads(client.get("/public/audit-anchors.json").content)
    assert data == [audit.anchor_as_public(a)] and data[0]["seq"] == 2


def test_the_auditors_page_verifies_against_the_anchors(client_for, world):
    _write(4)
    _anchor_now()
    page = client_for(world.auditor).get("/audit/?verify=1")
    assert "校验通过" in page.content.decode() and "第 2 版：带密钥哈希" in page.content.decode()
    tampering.truncate_to(2)
    page = client_for(world.auditor).get("/audit/?verify=1")
    assert "截断" in page.content.decode()


# ---- the anchors file and the key setting ---------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{}", "应为 JSON 数组"),
        ('[{"seq": 0, "hash": "' + "a" * 64 + '"}]', "正整数"),
        ('[{"seq": 1, "hash": "xyz"}]', "64 位"),
        ("not json", "不是有效的 JSON"),
    ],
)
def test_a_bad_anchors_file_is_refused(tmp_path, content, message):
    path = tmp_path / "a.json"
    path.write_text(content)
    with pytest.raises(CommandError, match=message):
        call_command("audit_verify", anchors=str(path))


def test_a_missing_anchors_file_is_named():
    with pytest.raises(CommandError, match="无法读取锚点文件"):
        call_command("audit_verify", anchors="/nonexistent/anchors.json")


def _settings_error(**env) -> str:
    base = {k: v for k, v in os.environ.items() if not k.startswith("SHUANGSUIJI_")}
    base |= {"SHUANGSUIJI_SECRET_KEY": "s" * 40, "SHUANGSUIJI_DATA_DIR": os.environ["SHUANGSUIJI_DATA_DIR"]}
    base |= {k: v for k, v in env.items() if v is not None}
    proc = subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        env=base,
        capture_output=True,
        text=True,
        check=False,
    )
    return proc.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SHUANGSUIJI_DATABASE_URL": "postgres://u@127.0.0.1:5432/x"}, "未设置 SHUANGSUIJI_AUDIT_KEY"),
        ({"SHUANGSUIJI_AUDIT_KEY": "short"}, "SHUANGSUIJI_AUDIT_KEY 太短"),
        ({"SHUANGSUIJI_AUDIT_KEY": "s" * 40}, "不能与 SHUANGSUIJI_SECRET_KEY 相同"),
    ],
)
def test_the_audit_key_setting_fails_loudly(env, message):
    assert message in _settings_error(**env)


def test_the_audit_key_can_come_from_a_file(tmp_path):
    key = tmp_path / "audit_key"
    key.write_text("k" * 40 + "\n")
    assert (
        _settings_error(SHUANGSUIJI_AUDIT_KEY_FILE=str(key), SHUANGSUIJI_DATABASE_URL="postgres://u@h/x")
        == ""
    )
