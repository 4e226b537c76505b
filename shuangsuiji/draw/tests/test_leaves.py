"""The leaf folding of a freeze: in this process and in the helper process, the same roots as the
spec's Merkle tree, from keys or from the leaves the directory keeps; a frame that is not whole
leaves is refused, not folded wrong."""

import random

import pytest

from shuangsuiji.draw import engine, leaves

from .test_spec_vectors import mth, path


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


def _expected(runs, fmt):
    keys: dict[str, list[bytes]] = {}
    for label, ks in runs:
        keys.setdefault(label, []).extend(ks)
    return {
        label: (len(ks), mth([engine.leaf_hash(label, k.decode(), fmt) for k in ks]).hex())
        for label, ks in keys.items()
    }


@pytest.mark.parametrize("fmt", [engine.POOL_V1, engine.POOL_V2])
def test_the_folder_gives_the_spec_roots_from_keys(fmt):
    runs = _runs(7)
    folder = leaves.LeafFolder(fmt)
    for label, ks in runs:
        folder.add(label, ks)
    assert folder.roots() == _expected(runs, fmt)


@pytest.mark.parametrize("joined", [False, True], ids=["a-list", "joined"])
@pytest.mark.parametrize("folder_class", [leaves.LeafFolder, leaves.HelperFolder])
def test_both_folders_give_the_spec_roots_from_v2_leaves(folder_class, joined):
    """Leaves given as a list or concatenated (the freeze's stream); a partial leaf is refused."""
    runs = _runs(11)
    folder = folder_class()
    try:
        for label, ks in runs:
            hashed = [engine.leaf_hash(label, k.decode(), engine.POOL_V2) for k in ks]
            folder.add_joined(label, b"".join(hashed)) if joined else folder.add_leaves(label, hashed)
        with pytest.raises(ValueError, match="32 bytes"):
            folder.add_joined("层甲", b"\x01" * 63)
        assert folder.roots() == _expected(runs, engine.POOL_V2)
    finally:
        folder.close()


@pytest.mark.parametrize("folder_class", [leaves.LeafFolder, leaves.HelperFolder])
def test_both_folders_give_the_spec_audit_paths_of_the_wanted_positions(folder_class):
    runs = _runs(13)
    keys: dict[str, list[bytes]] = {}
    for label, ks in runs:
        keys.setdefault(label, []).extend(ks)
    hashed = {
        label: [engine.leaf_hash(label, k.decode(), engine.POOL_V2) for k in ks] for label, ks in keys.items()
    }
    want = {
        label: (len(ks), sorted({0, len(ks) - 1, len(ks) // 2, len(ks) // 3})) for label, ks in keys.items()
    }
    want["层甲"] = (want["层甲"][0], [])  # a stratum with nothing drawn from it
    folder = folder_class(want=want)
    try:
        for label, ks in runs:
            folder.add_leaves(label, [engine.leaf_hash(label, k.decode(), engine.POOL_V2) for k in ks])
        assert folder.roots() == _expected(runs, engine.POOL_V2)
        assert folder.paths() == {
            label: {p: b"".join(path(p, hashed[label])) for p in positions}
            for label, (_, positions) in sorted(want.items())
            if positions
        }
    finally:
        folder.close()


def test_the_helper_refuses_what_is_not_whole_leaves():
    folder = leaves.HelperFolder()
    try:
        with pytest.raises(ValueError, match="32 bytes"):
            folder.add_leaves("层甲", [b"\x01" * 32, b"\x02" * 31])
    finally:
        folder.close()


def test_a_helper_that_died_is_an_error_not_an_empty_pool():
    folder = leaves.HelperFolder()
    try:
        folder.add_leaves("层甲", [b"\x01" * 32])
        folder._proc.kill()
        folder._proc.wait()
        with pytest.raises((RuntimeError, BrokenPipeError)):
            folder.add_leaves("层甲", [b"\x02" * 32] * 200_000)  # more than the pipe holds
            folder.roots()
    finally:
        folder.close()
