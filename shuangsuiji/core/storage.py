"""Files in the database (STORAGES["default"]): attachments, frozen pools, import uploads and
spools, error lists, previews and every other file the app keeps.

Why PostgreSQL and not S3-compatible storage: one database is one consistent backup (a pg_dump
holds the rows and the files they name at the same moment, with no second system to snapshot in
step), a government intranet needs no second service to run and secure, and every app node
already reaches the database. A file saved inside a transaction that rolls back is not kept
either, so a refused upload leaves nothing half-saved. Files are kept in pieces of CHUNK_BYTES
(StoredFileChunk): a 512 MB import is written and read piece by piece, never whole in memory.
"""

import contextlib
import io
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from django.core.files import File
from django.core.files.storage import Storage
from django.db import IntegrityError, transaction
from django.utils.deconstruct import deconstructible

CHUNK_BYTES = 1024 * 1024
# an opened file stays in memory up to this size, beyond it in a temporary file on local disk
_SPOOL_IN_MEMORY = 8 * CHUNK_BYTES


def _pieces(content) -> Iterator[bytes]:
    """The content's bytes in pieces of CHUNK_BYTES (a text-mode file's chunks are str)."""
    buf = bytearray()
    for chunk in content.chunks(CHUNK_BYTES):
        buf += chunk.encode("utf-8") if isinstance(chunk, str) else chunk
        while len(buf) >= CHUNK_BYTES:
            yield bytes(buf[:CHUNK_BYTES])
            del buf[:CHUNK_BYTES]
    if buf:
        yield bytes(buf)


@deconstructible
class DatabaseStorage(Storage):
    """A Django storage whose files are rows (core.StoredFile and its chunks)."""

    def _model(self):
        from .models import StoredFile

        return StoredFile

    def _save(self, name: str, content) -> str:
        from .models import StoredFileChunk

        StoredFile = self._model()
        while True:
            try:
                # one savepoint: a file is kept whole or not at all
                with transaction.atomic():
                    stored = StoredFile.objects.create(name=name)
                    size = 0
                    for seq, piece in enumerate(_pieces(content)):
                        StoredFileChunk.objects.create(file=stored, seq=seq, data=piece)
                        size += len(piece)
                    StoredFile.objects.filter(pk=stored.pk).update(size=size)
                return name
            except IntegrityError:
                if not self.exists(name):
                    raise
                # another process took the name between exists() and the insert
                name = self.get_available_name(name)

    def _open(self, name: str, mode: str = "rb") -> File:
        if any(c in mode for c in "wax+"):
            raise ValueError("数据库中的文件只能读取；写入请用 save()")
        return _Opened(self, name, mode)

    def _read(self, name: str, mode: str):
        """The file's content in a spool (memory, then local disk), at its start."""
        from .models import StoredFileChunk

        stored = self._model().objects.filter(name=name).values_list("pk", flat=True).first()
        if stored is None:
            raise FileNotFoundError(f"文件不存在：{name}")
        spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)  # noqa: SIM115
        pieces = StoredFileChunk.objects.filter(file_id=stored).order_by("seq").values_list("data", flat=True)
        for piece in pieces.iterator(chunk_size=4):
            spool.write(piece)
        spool.seek(0)
        return spool if "b" in mode else io.TextIOWrapper(spool, encoding="utf-8", newline="")

    def delete(self, name: str) -> None:
        if name:
            self._model().objects.filter(name=name).delete()

    def exists(self, name: str) -> bool:
        return self._model().objects.filter(name=name).exists()

    def size(self, name: str) -> int:
        size = self._model().objects.filter(name=name).values_list("size", flat=True).first()
        if size is None:
            raise FileNotFoundError(f"文件不存在：{name}")
        return size

    def listdir(self, path: str) -> tuple[list[str], list[str]]:
        prefix = f"{path.strip('/')}/" if path.strip("/") else ""
        dirs, files = set(), []
        for name in self._model().objects.filter(name__startswith=prefix).values_list("name", flat=True):
            rest = name[len(prefix) :]
            if "/" in rest:
                dirs.add(rest.split("/", 1)[0])
            else:
                files.append(rest)
        return sorted(dirs), sorted(files)

    def url(self, name: str) -> str:
        # no file has a public address: each is served by the view that checks who may read it
        raise NotImplementedError("数据库中的文件没有直接下载地址，须经有权限检查的页面下载")

    def get_created_time(self, name: str):
        created = self._model().objects.filter(name=name).values_list("created", flat=True).first()
        if created is None:
            raise FileNotFoundError(f"文件不存在：{name}")
        return created

    get_modified_time = get_created_time
    get_accessed_time = get_created_time


class _Opened(File):
    """An opened stored file; opened again after it was closed (a FieldFile keeps it and reopens
    it on its next open()), it reads the stored content again."""

    def __init__(self, storage: DatabaseStorage, name: str, mode: str):
        self._storage = storage
        super().__init__(storage._read(name, mode), name=name)
        self.mode = mode

    def open(self, mode=None):
        if not self.closed:
            self.seek(0)
        else:
            self.file = self._storage._read(self.name, mode or self.mode)
        return self


@contextlib.contextmanager
def local_copy(field_file) -> Iterator[Path]:
    """A stored file as a path on this node's disk, for readers that need one (openpyxl, the
    CSV sniffer): a temporary copy, removed afterwards. A file system storage's own path is
    used as it is."""
    try:
        own = Path(field_file.path)
    except NotImplementedError:  # the database storage has no path: copy the file out below
        own = None
    if own is not None:
        yield own
        return
    suffix = Path(field_file.name).suffix
    with tempfile.TemporaryDirectory(prefix="ssj-") as tmp:
        path = Path(tmp) / f"input{suffix}"
        with field_file.open("rb") as src, path.open("wb") as dst:
            shutil.copyfileobj(src, dst, CHUNK_BYTES)
        yield path


def move_media_to_database(root: Path, storage=None) -> tuple[int, int]:
    """Store every file under `root` (the old MEDIA_ROOT) under its relative name, unless a file
    of that name is already stored. Returns (stored, already stored). Run again, it stores
    nothing twice."""
    if storage is None:
        from django.core.files.storage import default_storage as storage
    stored = skipped = 0
    for path in sorted(p for p in Path(root).rglob("*") if p.is_file()):
        name = path.relative_to(root).as_posix()
        if storage.exists(name):
            skipped += 1
            continue
        with path.open("rb") as f:
            kept = storage.save(name, File(f, name=path.name))
        if kept != name:  # a storage never renames a free name; say so loudly if it did
            raise RuntimeError(f"文件 {name} 被存为 {kept}")
        stored += 1
    return stored, skipped
