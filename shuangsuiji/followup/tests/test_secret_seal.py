"""The return-visit draw's server secret is unreadable in the database until the draw runs
(issue 16), as a target draw's is (draw/tests/test_secret_seal.py)."""

import datetime as dt
import importlib
import json
import re
import secrets
from types import SimpleNamespace

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from conftest import build_world
from shuangsuiji.core.errors import DomainError
from shuangsuiji.draw import engine, seal
from shuangsuiji.draw.tests.test_secret_seal import _row, _Rows
from shuangsuiji.followup import services
from shuangsuiji.followup.models import ReturnVisitDraw

from .conftest import publish
from .test_return_visits import _rerun

migration = importlib.import_module("shuangsuiji.followup.migrations.0002_seal_visit_secret")


@pytest.fixture
def finished(drawn):
    w = drawn
    w.published = [publish(w, sel, problem=False) for sel in w.sels[:4]]
    return w


def _announce(w) -> ReturnVisitDraw:
    return services.visit_draw_announce(
        actor=w.office, year=2026, share="0.5", public_value_source="次日福彩3D开奖号码"
    )


def _raw_row(d) -> str:
    """Every column of the row as the database holds it, joined: what a reader of it would see."""
    with connection.cursor() as cur:
        cur.execute(f"SELECT * FROM {ReturnVisitDraw._meta.db_table} WHERE id = %s", [d.pk])
        return " ".join(str(v) for v in cur.fetchone())


@pytest.mark.django_db
def test_after_announcement_the_row_holds_no_secret_and_the_draw_reveals_the_committed_one(finished, client):
    w = finished
    d = _announce(w)
    row = _raw_row(d)
    secret = d.server_secret()
    assert re.fullmatch(r"[0-9a-f]{64}", secret)
    assert secret not in row and secret.upper() not in row and not d.secret_revealed
    # no 64-hex value in the row but the public commitments (pool, strata roots, secret commitment)
    public = {d.secret_commitment, d.pool_root, *(s["root"] for s in d.strata)}
    assert set(re.findall(r"[0-9a-f]{64}", row)) <= public
    assert engine.server_secret_commitment(d.public_id, secret) == d.secret_commitment
    before = json.loads(client.get(f"/followup/public/visits/{d.public_id}.json").content)
    assert before["secret_hex"] is None and secret not in json.dumps(before)

    d = services.visit_draw_run(actor=w.office, draw=d, public_value="372")
    d = ReturnVisitDraw.objects.get(pk=d.pk)
    assert d.secret_revealed == secret and d.server_secret() == secret
    assert services.visit_draw_verify(d)
    rec = json.loads(client.get(f"/followup/public/visits/{d.public_id}.json").content)
    assert rec["secret_hex"] == secret
    assert _rerun(rec) == [(v.label, v.position, v.key) for v in d.visits.order_by("order")]


@pytest.mark.django_db
def test_a_sealed_secret_opens_only_for_its_draw_and_under_its_key(finished, settings):
    w = finished
    d = _announce(w)
    secret = d.server_secret()
    # copied onto another return-visit draw, it does not open
    other = ReturnVisitDraw(public_id=d.public_id + "X", secret_sealed=d.secret_sealed)
    with pytest.raises(DomainError, match=f"回访抽取 {other.public_id} 的服务器密钥无法解密"):
        other.server_secret()
    # a target draw's sealed secret (bound to the bare public id) never opens as a return visit's
    as_target = ReturnVisitDraw(public_id=d.public_id, secret_sealed=seal.seal(secret, draw_id=d.public_id))
    with pytest.raises(DomainError, match="无法解密"):
        as_target.server_secret()
    # and the other way round
    with pytest.raises(DomainError, match="无法解密"):
        seal.unseal(d.secret_sealed, draw_id=d.public_id)
    # another seal key: the error names the setting to check
    settings.DRAW_SEAL_KEY = "another-seal-key-zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"
    with pytest.raises(DomainError, match="密封密钥（SHUANGSUIJI_DRAW_SEAL_KEY）不符"):
        ReturnVisitDraw.objects.get(pk=d.pk).server_secret()
    with pytest.raises(DomainError, match="服务器密钥"):
        services.visit_draw_run(actor=w.office, draw=d, public_value="372")
    assert not d.visits.exists()


def test_the_migration_functions_seal_plain_secrets_and_restore_them_backward():
    announced, drawn = secrets.token_hex(32), secrets.token_hex(32)
    rows = [
        _row(public_id="HF-1", status="announced", secret_hex=announced),
        _row(public_id="HF-2", status="drawn", secret_hex=drawn),
    ]
    apps = SimpleNamespace(get_model=lambda app, model: _Rows(rows))
    migration.seal_secrets(apps, None)
    assert rows[0].secret_revealed == "" and announced not in rows[0].secret_sealed
    assert ReturnVisitDraw(public_id="HF-1", secret_sealed=rows[0].secret_sealed).server_secret() == announced
    assert rows[1].secret_revealed == drawn  # already public: stays readable

    for r in rows:
        r.secret_hex = ""
    migration.unseal_secrets(apps, None)
    assert [r.secret_hex for r in rows] == [announced, drawn]


@pytest.mark.django_db(transaction=True)
def test_the_migration_runs_both_ways_on_the_real_schema():
    w = build_world()
    announced, drawn = secrets.token_hex(32), secrets.token_hex(32)
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    before, after = ("followup", "0001_initial"), ("followup", "0002_seal_visit_secret")
    try:
        executor.migrate([before])
        executor.loader.build_graph()
        Old = executor.loader.project_state([before]).apps.get_model("followup", "ReturnVisitDraw")
        common = dict(
            region_id=w.county.pk,
            year=2026,
            share="0.5",
            announced_at=timezone.make_aware(dt.datetime(2026, 11, 1, 9)),
            announced_by_id=w.office.pk,
            public_value_source="次日福彩3D开奖号码",
            pool_root="00" * 32,
        )
        for public_id, status, secret in (("HF-T-1", "announced", announced), ("HF-T-2", "drawn", drawn)):
            Old.objects.create(
                public_id=public_id,
                status=status,
                secret_hex=secret,
                secret_commitment=engine.server_secret_commitment(public_id, secret),
                **common,
            )

        executor = MigrationExecutor(connection)
        executor.migrate([after])
        with connection.cursor() as cur:
            cur.execute(f"SELECT * FROM {ReturnVisitDraw._meta.db_table}")
            raw = " ".join(str(v) for row in cur.fetchall() for v in row)
        assert announced not in raw and drawn in raw
        got = {d.public_id: d for d in ReturnVisitDraw.objects.all()}
        assert got["HF-T-1"].server_secret() == announced and not got["HF-T-1"].secret_revealed
        assert got["HF-T-2"].secret_revealed == drawn and got["HF-T-2"].server_secret() == drawn

        executor = MigrationExecutor(connection)
        executor.migrate([before])
        executor.loader.build_graph()
        Old = executor.loader.project_state([before]).apps.get_model("followup", "ReturnVisitDraw")
        assert dict(Old.objects.values_list("public_id", "secret_hex")) == {
            "HF-T-1": announced,
            "HF-T-2": drawn,
        }
    finally:
        MigrationExecutor(connection).migrate(leaves)
