"""The leaf folding of a freeze: in this process and in the helper process, the same roots as the
spec's Merkle tree; a key that would split the helper's frame is refused, not folded wrong."""

import random

import pytest

from shuangsuiji.draw import engine, leaves

from .test_spec_vectors import mth


def _runs(seed: int):
    """Keys of three strata in pool order, in runs of uneven length (as chunks of a stream
    arrive), one stratum coming back after another as the last fetch of a chunk can."""
    rnd = random.Random(seed)
    runs = []
    for label in ("层甲", "层乙", "层丙", "层甲"):
        for _ in range(rnd.randint(1, 4)):
            runs.append(
                (label, [f"9113011{rnd.randrange(10**11):011d}".encode() for _ in range(rnd.randint(1, 700))])
            )
    runs.append(("层乙", [b"project:XM-001", "其他:编码".encode()]))
    return runs


def _expected(runs):
    keys: dict[str, list[bytes]] = {}
    for label, ks in runs:
        keys.setdefault(label, []).extend(ks)
    return {
        label: (len(ks), mth([engine.leaf_hash(label, k.decode()) for k in ks]).hex())
        for label, ks in keys.items()
    }


@pytest.mark.parametrize("folder_class", [leaves.LeafFolder, leaves.HelperFolder])
def test_both_folders_give_the_spec_roots(folder_class):
    runs = _runs(7)
    folder = folder_class()
    try:
        for label, ks in runs:
            folder.add(label, ks)
        assert folder.roots() == _expected(runs)
    finally:
        folder.close()


def test_the_helper_refuses_a_key_with_a_newline():
    folder = leaves.HelperFolder()
    try:
        with pytest.raises(ValueError, match="换行符"):
            folder.add("层甲", [b"project:A", b"project:B\nC"])
    finally:
        folder.close()


def test_a_helper_that_died_is_an_error_not_an_empty_pool():
    folder = leaves.HelperFolder()
    try:
        folder.add("层甲", [b"91130110MA0B00001X"])
        folder._proc.kill()
        folder._proc.wait()
        with pytest.raises((RuntimeError, BrokenPipeError)):
            folder.add("层甲", [b"91130110MA0B00002X"] * 200_000)  # more than the pipe holds
            folder.roots()
    finally:
        folder.close()
