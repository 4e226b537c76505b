"""The leaf hashes and per-stratum Merkle roots of a pool being frozen, fed its keys in pool order.

`LeafFolder` does it in this process. For a large pool `HelperFolder` does the same in a process
of its own — this module run as a program, fed over a pipe — so that hashing and folding (about
half of the freeze's Python work) run on the second core while this process reads the database's
stream and writes the pool file. Pure Python, no Django: the helper starts in ~70 ms (~50 ms of CPU).

Pipe protocol: frames of a 4-byte big-endian length, then the stratum's label (UTF-8), a NUL, and
that stratum's next keys (UTF-8) joined by newlines; a zero length ends the input, and the helper
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
_PIPE_SIZE = 1 << 20  # Linux's default pipe-max-size
NEWLINE_IN_KEY = "检查对象标识中含有换行符，无法写入对象池：请先在对象库中更正该对象的编码"


class LeafFolder:
    """Per-stratum RFC 6962 trees over leaves H(0x00 ‖ enc(label, key)), in this process."""

    def __init__(self) -> None:
        self._trees: dict[str, tuple[bytes, engine.MerkleBuilder]] = {}

    def add(self, label: str, keys: list[bytes]) -> None:
        """The stratum's next keys, in position order."""
        tree = self._trees.get(label)
        if tree is None:
            tree = self._trees[label] = (engine.leaf_prefix(label), engine.MerkleBuilder())
        prefix, builder = tree
        builder.extend(engine.leaf_hashes(prefix, keys))

    def roots(self) -> dict[str, tuple[int, str]]:
        """{label: (size, root hex)} of every stratum given at least one key."""
        return {label: (b.count, b.root().hex()) for label, (_, b) in self._trees.items()}

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

    def add(self, label: str, keys: list[bytes]) -> None:
        blob = b"\n".join(keys)
        if blob.count(b"\n") != len(keys) - 1:  # a key with a newline would split in two
            raise ValueError(NEWLINE_IN_KEY)
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
        folder.add(label.decode(), blob.split(b"\n"))
    if not head:
        raise SystemExit("对象池哈希子进程：输入未正常结束")
    stdout.write(json.dumps(folder.roots()).encode())
    stdout.flush()


if __name__ == "__main__":
    _serve(sys.stdin.buffer, sys.stdout.buffer)
