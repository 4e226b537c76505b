"""The per-stratum Merkle roots of a pool, fed its leaves (or keys) in pool order, and the audit
paths of positions named in advance: a freeze folds its new pool, a draw re-folds the frozen one
and takes the paths of the positions it drew.

`LeafFolder` does it in this process. For a large pool `HelperFolder` does the same in a process
of its own — this module run as a program, fed over a pipe — so that folding the trees (a hash
per leaf) runs on the second core while this process reads the database's stream (a freeze) or
the pool file (a draw) and hashes the leaves. Pure Python, no Django: the helper starts in ~70 ms
(~50 ms of CPU).

Pipe protocol: frames of a 4-byte big-endian length and a body. The first body is a JSON object
{label: [size, [position, …]]} of the wanted audit paths ({} when none). Each next body is a
stratum's label (UTF-8), a NUL, and that stratum's next leaf hashes (32 bytes each); a zero length
ends the input. The helper answers a frame with the JSON object {label: [size, root hex]}, then,
for each wanted label in sorted order and each of its positions in ascending order, a frame with
that position's audit path (its hashes concatenated bottom-up).
"""

import contextlib
import fcntl
import json
import os
import struct
import subprocess
import sys
from pathlib import Path

from . import engine

_LENGTH = struct.Struct(">I")
_LEAF = 32
_PIPE_SIZE = 1 << 20  # Linux's default pipe-max-size


Wanted = dict[str, tuple[int, list[int]]]  # {label: (stratum size, positions whose paths are wanted)}


class LeafFolder:
    """Per-stratum RFC 6962 trees over the leaves of a pool format (engine.leaf_hash), in this
    process; with `want`, the audit paths of those positions too."""

    def __init__(self, fmt: str = engine.POOL_V2, want: Wanted | None = None) -> None:
        self._fmt = fmt
        self._want = want or {}
        self._trees: dict[str, engine.MerkleBuilder] = {}

    def _tree(self, label: str) -> engine.MerkleBuilder:
        tree = self._trees.get(label)
        if tree is None:
            size, positions = self._want.get(label, (None, ()))
            tree = self._trees[label] = engine.MerkleBuilder(size, positions)
        return tree

    def add(self, label: str, keys: list[bytes]) -> None:
        """The stratum's next keys (UTF-8), in position order (an unsalted format: v1, v2)."""
        self._tree(label).extend(engine.leaf_hashes(engine.leaf_prefix(label, self._fmt), keys))

    def add_leaves(self, label: str, leaves: list[bytes]) -> None:
        """The stratum's next leaf hashes, in position order."""
        self._tree(label).extend(leaves)

    def add_joined(self, label: str, blob: bytes) -> None:
        """The stratum's next leaf hashes, concatenated."""
        self.add_leaves(label, _split(blob))

    def roots(self) -> dict[str, tuple[int, str]]:
        """{label: (size, root hex)} of every stratum given at least one leaf. A stratum with
        wanted paths must have been given exactly its size (engine.MerkleBuilder.root)."""
        return {label: (b.count, b.root().hex()) for label, b in self._trees.items()}

    def paths(self) -> dict[str, dict[int, bytes]]:
        """After roots(): {label: {position: audit path}} of the wanted positions, each path its
        hashes concatenated bottom-up."""
        out: dict[str, dict[int, bytes]] = {}
        for label, position in _wanted_order(self._want):
            out.setdefault(label, {})[position] = bytes(self._trees[label].take_path(position))
        return out

    def close(self) -> None:
        """Nothing to release here (HelperFolder stops its process)."""


class HelperFolder:
    """LeafFolder's results, computed by a helper process."""

    def __init__(self, want: Wanted | None = None) -> None:
        self._want = want or {}
        project = str(Path(__file__).resolve().parents[2])
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [project, os.environ.get("PYTHONPATH")])),
        }
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "shuangsuiji.draw.leaves"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
        # room for a few frames (Linux): this process runs ahead instead of waiting on each one;
        # elsewhere, or above the system's limit, the default size stays
        with contextlib.suppress(AttributeError, OSError):
            fcntl.fcntl(self._proc.stdin.fileno(), fcntl.F_SETPIPE_SZ, _PIPE_SIZE)
        self._frame(
            json.dumps({label: [size, list(ps)] for label, (size, ps) in self._want.items()}).encode()
        )

    def _frame(self, *parts: bytes) -> None:
        self._proc.stdin.write(_LENGTH.pack(sum(map(len, parts))))
        for part in parts:
            self._proc.stdin.write(part)

    def add_leaves(self, label: str, leaves: list[bytes]) -> None:
        blob = b"".join(leaves)
        if len(blob) != _LEAF * len(leaves):
            raise ValueError("leaf hashes are 32 bytes")
        self.add_joined(label, blob)

    def add_joined(self, label: str, blob: bytes) -> None:
        if len(blob) % _LEAF:
            raise ValueError("leaf hashes are 32 bytes")
        self._frame(label.encode() + b"\0", blob)

    def roots(self) -> dict[str, tuple[int, str]]:
        self._proc.stdin.write(_LENGTH.pack(0))
        self._proc.stdin.close()
        answer = self._proc.stdout.read()
        if self._proc.wait() != 0:
            raise RuntimeError(f"对象池哈希子进程异常退出（退出码 {self._proc.returncode}）")
        frames = _frames(answer)
        roots = json.loads(next(frames))
        self._paths: dict[str, dict[int, bytes]] = {}
        for label, position in _wanted_order(self._want):
            self._paths.setdefault(label, {})[position] = next(frames)
        return {label: (size, root) for label, (size, root) in roots.items()}

    def paths(self) -> dict[str, dict[int, bytes]]:
        return self._paths

    def close(self) -> None:
        """Stop the helper if it still runs (an error on the way)."""
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()
        for pipe in (self._proc.stdin, self._proc.stdout):
            if pipe and not pipe.closed:
                try:
                    pipe.close()
                except BrokenPipeError:  # the helper is gone: nothing left to flush to it
                    continue


def _wanted_order(want: Wanted):
    """(label, position) of every wanted path, in the order the helper answers them: labels
    sorted, each label's positions ascending, once each."""
    for label, (_, positions) in sorted(want.items()):
        for position in sorted(set(positions)):
            yield label, position


def _split(blob: bytes) -> list[bytes]:
    """Concatenated leaf hashes, one by one."""
    if len(blob) % _LEAF:
        raise ValueError("leaf hashes are 32 bytes")
    return [blob[i : i + _LEAF] for i in range(0, len(blob), _LEAF)]


def _frames(data: bytes):
    """The bodies of the length-prefixed frames in `data`."""
    at = 0
    while at < len(data):
        (n,) = _LENGTH.unpack_from(data, at)
        yield data[at + 4 : at + 4 + n]
        at += 4 + n


def _read_frame(stdin) -> bytes | None:
    """The next frame's body; None at the end of the input (a zero length)."""
    head = stdin.read(4)
    if len(head) != 4:
        raise SystemExit("对象池哈希子进程：输入未正常结束")
    n = _LENGTH.unpack(head)[0]
    if not n:
        return None
    frame = stdin.read(n)
    if len(frame) != n:
        raise SystemExit("对象池哈希子进程：输入被截断")
    return frame


def _serve(stdin, stdout) -> None:
    want = _read_frame(stdin)
    if want is None:
        raise SystemExit("对象池哈希子进程：缺少首帧")
    folder = LeafFolder(want={label: (size, ps) for label, (size, ps) in json.loads(want).items()})
    while (frame := _read_frame(stdin)) is not None:
        label, _, blob = frame.partition(b"\0")
        folder.add_joined(label.decode(), blob)
    out = [json.dumps(folder.roots()).encode()]
    out += [path for paths in folder.paths().values() for path in paths.values()]
    stdout.write(b"".join(_LENGTH.pack(len(body)) + body for body in out))
    stdout.flush()


if __name__ == "__main__":
    _serve(sys.stdin.buffer, sys.stdout.buffer)
