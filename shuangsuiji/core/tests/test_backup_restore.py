"""The restore drill (issue 20, “Backups that restore”): a world with a published draw, audit
anchors and an inspection photo is backed up with scripts/backup (pg_dump, copied to another
directory with its SHA-256), restored with scripts/restore into a fresh database, and there the
audit log verifies against the published anchors, every table has the same rows, the draw still
verifies from its stored pool and the photo reads back byte for byte (files live in the
database, core/storage.py). PostgreSQL only (marker `postgres`): the PostgreSQL run of
./scripts/test runs it, and CI requires that run."""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from shuangsuiji.core import audit
from shuangsuiji.core import services as core
from shuangsuiji.core.models import AuditAnchor, Role
from shuangsuiji.draw import services as draws
from shuangsuiji.draw.records import public_record
from shuangsuiji.draw.tests.conftest import full_draw, ready  # noqa: F401  (fixture)
from shuangsuiji.draw.verify import verify_record
from shuangsuiji.inspection import services as insp

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[3]
RESTORED = "ssj_store_restore"


def _url(name: str) -> str:
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{name}"


def _drop(name: str) -> None:
    with psycopg.connect(_url("postgres"), autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _counts(url: str, tables: list[str]) -> dict[str, int]:
    with psycopg.connect(url) as c:
        return {t: c.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def _stored_bytes(url: str, name: str) -> bytes:
    with psycopg.connect(url) as c:
        rows = c.execute(
            "SELECT k.data FROM core_storedfilechunk k JOIN core_storedfile f ON f.id = k.file_id "
            "WHERE f.name = %s ORDER BY k.seq",
            [name],
        ).fetchall()
    return b"".join(bytes(r[0]) for r in rows)


def _env(**extra) -> dict:
    return {**os.environ, "PYTHON": sys.executable, **extra}


def _photo() -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (16, 12), (30, 120, 200)).save(buf, "JPEG")
    return buf.getvalue()


@pytest.fixture
def world_to_back_up(ready, client):  # noqa: F811
    """A published draw with its teams, one inspection photo, and the anchors as the public
    portal serves them (saved outside the database, as an outsider would)."""
    w = ready
    w.draw = full_draw(w, w.joint)
    draws.teams_draw(actor=w.a_admin, draw=w.draw)
    sel = w.draw.selections.order_by("order").first()
    member = sel.team.filter(active=True, department=w.dept_a).select_related("inspector").first()
    inspector = member.inspector
    inspector.user = core.user_create(
        actor=None, username="bk_insp", password="Insp#2026pw", role=Role.INSPECTOR, department=w.dept_a
    )
    inspector.save()
    item = next(iter(insp._department_items(sel, w.dept_a)))
    insp.result_save(
        actor=inspector.user, selection=sel, item=item, method="onsite", categories=["none_found"], problem=""
    )
    w.photo = insp.attachment_add(
        actor=inspector.user, selection=sel, upload=SimpleUploadedFile("现场照片.jpg", _photo())
    )
    audit.anchor_publish()
    assert AuditAnchor.objects.exists()
    w.anchors = client.get("/public/audit-anchors.json").content
    return w


def test_a_backup_restores_into_a_fresh_database_with_its_files(world_to_back_up, tmp_path):
    w = world_to_back_up
    source = _url(connection.settings_dict["NAME"])
    with w.photo.file.open("rb") as f:
        photo = f.read()
    record = public_record(w.draw)
    with w.draw.pool_file.open("rb") as f:
        assert all(c.ok for c in verify_record(record, f.read()))
    anchors = tmp_path / "audit-anchors.json"
    anchors.write_bytes(w.anchors)
    tables = sorted(connection.introspection.table_names())
    before = _counts(source, tables)
    assert before["core_storedfile"] >= 2  # the frozen pool and the photo, in the database

    # “off the machine”: another directory (a mounted backup disk or, as host:dir, another host)
    offsite = tmp_path / "offsite"
    out = subprocess.run(
        [str(ROOT / "scripts/backup"), str(offsite), source], capture_output=True, text=True, env=_env()
    )
    assert out.returncode == 0, out.stderr
    (dump,) = offsite.glob("*.dump")
    digest = hashlib.sha256(dump.read_bytes()).hexdigest()
    assert digest in out.stdout and (offsite / f"{dump.name}.sha256").read_text().startswith(digest)

    _drop(RESTORED)
    try:
        restored = _url(RESTORED)
        out = subprocess.run(
            [str(ROOT / "scripts/restore"), str(dump), restored, str(anchors)],
            capture_output=True,
            text=True,
            env=_env(),
            cwd=ROOT,
        )
        assert out.returncode == 0, out.stdout + out.stderr
        assert "操作日志校验通过" in out.stdout and "外部锚点一致" in out.stdout, out.stdout

        # the same rows in every table, files included
        assert _counts(restored, tables) == before
        # the photo byte for byte, and the published draw verifies from the restored pool
        assert _stored_bytes(restored, w.photo.file.name) == photo
        verified = subprocess.run(
            [sys.executable, "manage.py", "verify_draw", w.draw.public_id],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=_env(SHUANGSUIJI_DATABASE_URL=restored),
        )
        assert verified.returncode == 0 and "核验一致" in verified.stdout, verified.stdout + verified.stderr

        # a restore never writes into an existing database
        again = subprocess.run(
            [str(ROOT / "scripts/restore"), str(dump), restored],
            capture_output=True,
            text=True,
            env=_env(),
            cwd=ROOT,
        )
        assert again.returncode != 0 and "已存在" in again.stderr
    finally:
        _drop(RESTORED)


def test_a_damaged_backup_is_refused_before_anything_is_restored(tmp_path):
    dump = tmp_path / "shuangsuiji-x.dump"
    dump.write_bytes(b"PGDMP not really")
    (tmp_path / "shuangsuiji-x.dump.sha256").write_text(f"{'0' * 64}  shuangsuiji-x.dump\n")
    _drop(RESTORED)
    out = subprocess.run(
        [str(ROOT / "scripts/restore"), str(dump), _url(RESTORED)],
        capture_output=True,
        text=True,
        env=_env(),
        cwd=ROOT,
    )
    assert out.returncode != 0 and "SHA-256" in out.stderr
    with psycopg.connect(_url("postgres")) as c:
        assert c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [RESTORED]).fetchone() is None


def _other_host(tmp_path: Path, *, corrupt: bool) -> tuple[dict, Path]:
    """ssh and scp stand-ins on PATH for “another host” (this machine's disk stands for its disk):
    each call is logged; with `corrupt` the copy arrives with one byte changed, as a bad link or
    disk would leave it."""
    bin_dir, log = tmp_path / "bin", tmp_path / "calls.log"
    bin_dir.mkdir()
    (bin_dir / "ssh").write_text(f'#!/bin/bash\necho "ssh $1" >> "{log}"\nshift\nexec bash -c "$*"\n')
    scp = (
        "#!/bin/bash\n"
        f'echo "scp $*" >> "{log}"\n'
        '[ "$1" = -q ] && shift\n'
        'args=("$@"); dest="${args[-1]}"; unset "args[-1]"\n'
        'cp "${args[@]}" "${dest#*:}"\n'
    )
    if corrupt:
        scp += 'for f in "${dest#*:}"/*.dump; do printf X | dd of="$f" bs=1 seek=64 conv=notrunc 2>/dev/null; done\n'
    (bin_dir / "scp").write_text(scp)
    for tool in ("ssh", "scp"):
        (bin_dir / tool).chmod(0o755)
    return _env(PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}"), log


@pytest.mark.parametrize("corrupt", [False, True], ids=["arrives", "arrives-damaged"])
def test_a_backup_to_another_host_is_copied_there_and_checked_there(tmp_path, corrupt):
    env, log = _other_host(tmp_path, corrupt=corrupt)
    remote = tmp_path / "backup-host" / "db"
    out = subprocess.run(
        [str(ROOT / "scripts/backup"), f"backup-host:{remote}", _url(connection.settings_dict["NAME"])],
        capture_output=True,
        text=True,
        env=env,
    )
    calls = log.read_text()
    # the directory made there, both files copied, the SHA-256 checked there
    assert calls.count("ssh backup-host") == 2 and "scp -q" in calls and "backup-host:" in calls
    if corrupt:
        assert out.returncode != 0 and "SHA-256 不符" in out.stderr
        return
    assert out.returncode == 0, out.stderr
    (dump,) = remote.glob("*.dump")
    digest = hashlib.sha256(dump.read_bytes()).hexdigest()
    assert f"backup-host:{remote}/{dump.name}" in out.stdout and digest in out.stdout
    assert (remote / f"{dump.name}.sha256").read_text().startswith(digest)
