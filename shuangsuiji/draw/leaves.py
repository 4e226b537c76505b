"""The per-stratum Merkle roots of a pool being frozen, fed its leaves (or keys) in pool order.

`LeafFolder` does it in this process. For a large pool `HelperFolder` does the same in a process
of its own — this module run as a program, fed over a pipe — so that folding the trees (a hash
per leaf) runs on the second core while this process reads the database's stream and writes the
pool file. Pure Python, no Django: the helper starts in ~70 ms (~50 ms of CPU).

Pipe protocol: frames of a 4-byte big-endian length, then the stratum's label (UTF-8), a NUL, and
that stratum's next leaf hashes (32 bytes each); a zero length ends the input, and the helper
answers one JSON object {label: [size, root hex]}.
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


class LeafFolder:
    """Per-stratum RFC 6962 trees over the leaves of a pool format (engine.leaf_hash), in this process."""

    def __init__(self, fmt: str = engine.POOL_V2) -> None:
        self._fmt = fmt
        self._trees: dict[str, engine.MerkleBuilder] = {}

    def _tree(self, label: str) -> engine.MerkleBuilder:
        tree = self._trees.get(label)
        if tree is None:
            tree = self._trees[label] = engine.MerkleBuilder()
        return tree

    def add(self, label: str, keys: list[bytes]) -> None:
        """The stratum's next keys (UTF-8), in position order (an unsalted format: v1, v2)."""
        self._tree(label).extend(engine.leaf_hashes(engine.leaf_prefix(label, self._fmt), keys))

    def add_leaves(self, label: str, leaves: list[bytes]) -> None:
        """The stratum's next leaf hashes, in position order."""
        self._tree(label).extend(leaves)

    def roots(self) -> dict[str, tuple[int, str]]:
        """{label: (size, root hex)} of every stratum given at least one leaf."""
        return {label: (b.count, b.root().hex()) for label, b in self._trees.items()}

    def close(self) -> None:
        """Nothing to release here (HelperFolder stops its process)."""


class HelperFolder:
    """LeafFolder's results, computed by a helper process."""

    def __init__(self) -> None:
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

    def add_leaves(self, label: str, leaves: list[bytes]) -> None:
        blob = b"".join(leaves)
        if len(blob) != _LEAF * len(leaves):
            raise ValueError("leaf hashes are 32 bytes")
        head = label.encode() + b"\0"
        self._proc.stdin.write(_LENGTH.pack(len(head) + len(blob)))
        self._proc.stdin.write(head)
        self._proc.stdin.write(blob)

    def roots(self) -> dict[str, tuple[int, str]]:
        self._proc.stdin.write(_LENGTH.pack(0))
        self._proc.stdin.close()
        answer = self._proc.stdout.read()
        if self._proc.wait() != 0:
            raise RuntimeError(f"对象池哈希子进程异常退出（退出码 {self._proc.returncode}）")
        return {label: (size, root) for label, (size, root) in json.loads(answer).items()}

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


def _serve(stdin, stdout) -> None:
    folder = LeafFolder()
    while (head := stdin.read(4)) and (n := _LENGTH.unpack(head)[0]):
        frame = stdin.read(n)
        if len(frame) != n:
            raise SystemExit("对象池哈希子进程：输入被截断")
        label, _, blob = frame.partition(b"\0")
        folder.add_leaves(label.decode(), [blob[i : i + _LEAF] for i in range(0, len(blob), _LEAF)])
    if not head:
        raise SystemExit("对象池哈希子进程：输入未正常结束")
    stdout.write(json.dumps(folder.roots()).encode())
    stdout.flush()


if __name__ == "__main__":
    _serve(sys.stdin.buffer, sys.stdout.buffer)
