"""Stateless app nodes (issue 20): files live in the database (core/storage.py), sessions and
sign-in counts too, and nothing shared rests in a node's cache."""

import hashlib
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import transaction

from shuangsuiji.core import storage
from shuangsuiji.core.models import StoredFile, StoredFileChunk

PACKAGE = Path(__file__).resolve().parents[2]


def test_every_node_reads_the_same_files_sessions_and_counts():
    assert isinstance(default_storage, storage.DatabaseStorage)
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"


def test_nothing_keeps_shared_state_in_the_cache():
    """The cache is each process's own memory: safe only while nothing relies on it (the
    sign-in counts are rows, core/throttle.py)."""
    users = [
        p.relative_to(PACKAGE).as_posix()
        for p in PACKAGE.rglob("*.py")
        if "tests" not in p.parts and re.search(r"django\.core\.cache|cache_page|\bcaches\[", p.read_text())
    ]
    assert users == []


@pytest.mark.django_db
def test_a_large_file_is_kept_in_pieces_and_reads_back_whole(monkeypatch):
    monkeypatch.setattr(storage, "CHUNK_BYTES", 1000)
    data = bytes(range(256)) * 20  # 5,120 bytes: six pieces
    name = default_storage.save("jobs/in/大文件.bin", ContentFile(data))
    stored = StoredFile.objects.get(name=name)
    assert stored.size == len(data)
    assert list(
        StoredFileChunk.objects.filter(file=stored).order_by("seq").values_list("seq", flat=True)
    ) == [
        0,
        1,
        2,
        3,
        4,
        5,
    ]
    with default_storage.open(name) as f:
        assert f.read() == data
    assert default_storage.size(name) == len(data) and default_storage.exists(name)


@pytest.mark.django_db
def test_a_stored_file_opens_again_after_it_was_closed():
    name = default_storage.save("draws/pools/p.gz", ContentFile(b"pool"))
    f = default_storage.open(name)
    f.close()
    with f.open("rb") as again:
        assert again.read() == b"pool"


@pytest.mark.django_db
def test_text_is_stored_as_utf8_and_names_never_collide():
    first = default_storage.save("jobs/preview/变更.csv", ContentFile("名称,住所\n"))
    second = default_storage.save("jobs/preview/变更.csv", ContentFile("另一个"))
    assert first != second
    with default_storage.open(first, "r") as f:
        assert f.read() == "名称,住所\n"
    assert default_storage.listdir("jobs") == (["preview"], [])
    assert sorted(default_storage.listdir("jobs/preview")[1]) == sorted(Path(n).name for n in (first, second))


@pytest.mark.django_db
def test_a_file_saved_in_a_transaction_that_fails_is_not_kept():
    with pytest.raises(RuntimeError), transaction.atomic():
        default_storage.save("inspections/2026/04/照片.jpg", ContentFile(b"jpeg"))
        raise RuntimeError("上传被拒绝")
    assert not StoredFile.objects.exists() and not StoredFileChunk.objects.exists()


@pytest.mark.django_db
def test_delete_missing_and_no_public_address():
    name = default_storage.save("a/b.txt", ContentFile(b"x"))
    default_storage.delete(name)
    assert not default_storage.exists(name)
    with pytest.raises(FileNotFoundError, match="文件不存在"):
        default_storage.open(name)
    with pytest.raises(NotImplementedError):
        default_storage.url(name)


@pytest.mark.django_db
def test_a_reader_that_needs_a_path_gets_a_temporary_copy():
    from shuangsuiji.core.models import Job

    job = Job(params={})
    job.input_file.save("t.csv", ContentFile(b"a,b\n1,2\n"), save=False)
    with storage.local_copy(job.input_file) as path:
        assert path.suffix == ".csv" and path.read_bytes() == b"a,b\n1,2\n"
    assert not path.exists()


@pytest.mark.django_db
def test_files_from_the_old_media_folder_move_into_the_database_once(tmp_path):
    (tmp_path / "inspections/2026/04").mkdir(parents=True)
    photo = tmp_path / "inspections/2026/04/现场.jpg"
    photo.write_bytes(b"\xff\xd8photo")
    (tmp_path / "draws/pools/2026").mkdir(parents=True)
    (tmp_path / "draws/pools/2026/d.pool.gz").write_bytes(b"gz" * 5000)
    call_command("media_to_database", root=str(tmp_path), verbosity=0)
    call_command("media_to_database", root=str(tmp_path), verbosity=0)  # again: nothing twice
    assert StoredFile.objects.count() == 2
    with default_storage.open("inspections/2026/04/现场.jpg") as f:
        assert hashlib.sha256(f.read()).digest() == hashlib.sha256(photo.read_bytes()).digest()
