"""The server secret is unreadable in the database until the draw runs (issue 16)."""

import importlib
import re
import secrets
from types import SimpleNamespace

import pytest
from django.db import connection

from shuangsuiji.core.errors import DomainError
from shuangsuiji.draw import engine, seal, services, voids
from shuangsuiji.draw.models import DrawStatus, TargetDraw
from shuangsuiji.draw.records import public_record
from shuangsuiji.draw.verify import verify_record

from .conftest import announce, full_draw, run, witness_round

migration = importlib.import_module("shuangsuiji.draw.migrations.0006_seal_server_secret")


def _raw_row(draw) -> str:
    """Every column of the row as the database holds it, joined: what a reader of it would see."""
    with connection.cursor() as cur:
        cur.execute(f"SELECT * FROM {TargetDraw._meta.db_table} WHERE id = %s", [draw.pk])
        return " ".join(str(v) for v in cur.fetchone())


@pytest.mark.django_db
def test_after_announcement_the_row_holds_no_secret_and_the_run_reveals_the_committed_one(ready):
    w = ready
    draw = announce(w, w.task_a)
    row = _raw_row(draw)
    secret = draw.server_secret()
    assert secret not in row and secret.upper() not in row
    # no 64-hex value in the row but the public commitments (pool, strata roots, secret commitment)
    public = {draw.secret_commitment, draw.pool_root, draw.terms_hash, *(s["root"] for s in draw.strata)}
    assert set(re.findall(r"[0-9a-f]{64}", row)) <= public
    assert public_record(draw)["secret_hex"] == ""

    witness_round(w, draw)
    draw = run(w, draw)
    rec = public_record(TargetDraw.objects.get(pk=draw.pk))
    assert rec["secret_hex"] == secret
    assert engine.server_secret_commitment(rec["draw_id"], rec["secret_hex"]) == rec["secret_commitment"]
    assert all(c.ok for c in verify_record(rec))


@pytest.mark.django_db
def test_a_voided_draw_keeps_its_secret_public(ready):
    w = ready
    drawn = full_draw(w, w.task_a)
    secret = drawn.server_secret()
    voids.void_confirm(
        actor=w.office,
        request=voids.void_request(
            actor=w.a_admin, draw=drawn, reason="procedure", text="抽取地点与公告不符"
        ),
    )
    voided = TargetDraw.objects.get(pk=drawn.pk)
    assert voided.status == DrawStatus.VOIDED and public_record(voided)["secret_hex"] == secret


@pytest.mark.django_db
def test_an_aborted_draw_keeps_its_secret_sealed(ready):
    w = ready
    aborted = announce(w, w.task_a)
    services.draw_abort(actor=w.a_admin, draw=aborted, reason="见证人未到场")
    aborted = TargetDraw.objects.get(pk=aborted.pk)
    assert public_record(aborted)["secret_hex"] == "" and aborted.server_secret() not in _raw_row(aborted)


def test_a_sealed_secret_opens_only_for_its_draw_and_under_its_key(settings):
    secret = secrets.token_hex(32)
    token = seal.seal(secret, draw_id="SSJ-2026-0001-1")
    assert secret not in token and seal.unseal(token, draw_id="SSJ-2026-0001-1") == secret
    with pytest.raises(DomainError, match="无法解密"):
        seal.unseal(token, draw_id="SSJ-2026-0002-1")
    settings.DRAW_SEAL_KEY = "another-seal-key-zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"
    with pytest.raises(DomainError, match="SHUANGSUIJI_DRAW_SEAL_KEY"):
        seal.unseal(token, draw_id="SSJ-2026-0001-1")
    with pytest.raises(DomainError, match="格式无法识别"):
        seal.unseal(secret, draw_id="SSJ-2026-0001-1")


class _Rows:
    """Stands in for the historical model: the migration functions only iterate and save."""

    def __init__(self, rows):
        self.objects = self
        self.rows = rows

    def only(self, *fields):
        return self

    def iterator(self):
        return iter(self.rows)


def _row(**kw):
    return SimpleNamespace(save=lambda update_fields: None, **kw)


def test_the_migration_seals_plain_secrets_and_restores_them_backward():
    announced, drawn = secrets.token_hex(32), secrets.token_hex(32)
    rows = [
        _row(public_id="T-1", status="announced", secret_hex=announced),
        _row(public_id="T-2", status="drawn", secret_hex=drawn),
    ]
    apps = SimpleNamespace(get_model=lambda app, model: _Rows(rows))
    migration.seal_secrets(apps, None)
    assert rows[0].secret_revealed == "" and announced not in rows[0].secret_sealed
    assert seal.unseal(rows[0].secret_sealed, draw_id="T-1") == announced
    assert rows[1].secret_revealed == drawn  # already public: stays readable

    for r in rows:
        r.secret_hex = ""
    migration.unseal_secrets(apps, None)
    assert [r.secret_hex for r in rows] == [announced, drawn]
