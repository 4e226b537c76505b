"""The reference verifier the public draw page serves (static/js/draw-verify.js), run under Node:
the spec's known-answer vectors, real records of the draw services (both pool formats, a voided
and an aborted draw), and tampered records — through WebCrypto and through its pure-JS SHA-256
fallback. Its checks must be verify_record's, under the same names, with the same answers.

Node is part of the CI image: a missing `node` fails these tests, it never skips them."""

import copy
import hashlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from shuangsuiji.draw import engine, voids, witnesses
from shuangsuiji.draw import services as draws
from shuangsuiji.draw.records import public_record
from shuangsuiji.draw.tests.conftest import announce, full_draw, ready  # noqa: F401  (fixture)
from shuangsuiji.draw.verify import verify_record

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "shuangsuiji" / "static" / "js" / "draw-verify.js"
SPEC = ROOT / "docs" / "draw-spec.md"
BACKENDS = ["webcrypto", "pure-js"]


def _node() -> str:
    node = shutil.which("node") or "/usr/bin/node"
    if not os.path.exists(node):
        pytest.fail("找不到 node：参考验证程序的测试需要 Node ≥ 20（CI 镜像自带）")
    return node


def run(tmp_path, backend: str, *args: str, record: dict | None = None) -> tuple[int, list[tuple[str, str]]]:
    """Run the script; (exit code, [(一致|不一致, check name)])."""
    if record is not None:
        path = tmp_path / "record.json"
        path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        args = (str(path), *args)
    if backend == "pure-js":
        args = (*args, "--pure-js")
    p = subprocess.run([_node(), str(SCRIPT), *args], capture_output=True, text=True, timeout=60)
    assert p.returncode in (0, 1), p.stderr
    lines = p.stdout.splitlines()
    assert lines[-1] == f"# {backend}", p.stdout  # the back end asked for is the one that ran
    return p.returncode, [tuple(line.split("\t")[:2]) for line in lines[:-1]]


def expected(rec: dict) -> list[tuple[str, str]]:
    return [("一致" if c.ok else "不一致", c.name) for c in verify_record(rec)]


def spec_record(fmt: str) -> dict:
    """A complete public record of the spec's §9 draw under `fmt`, built with the engine."""
    text = SPEC.read_text(encoding="utf-8")
    v = json.loads(re.search(r"```json\n(.*?)\n```", text, re.S).group(1))
    strata, paths = [], {}
    for s in v["strata"]:
        b = engine.MerkleBuilder(len(s["keys"]), want=range(len(s["keys"])))
        for key in s["keys"]:
            b.add(engine.leaf_hash(s["label"], key, fmt))
        root = b.root()
        paths[s["label"]] = b.paths()
        strata.append(
            {
                "label": s["label"],
                "size": len(s["keys"]),
                "quota": v["quotas"][s["label"]],
                "root": root.hex(),
            }
        )
    pool_root = engine.pool_root(
        [(s["label"], s["size"], bytes.fromhex(s["root"])) for s in strata], fmt
    ).hex()
    reveals = [engine.Reveal(r["label"], r["number"], r["salt_hex"]) for r in v["reveals"]]
    seed = engine.derive_seed(
        draw_id=v["draw_id"],
        secret_hex=v["secret_hex"],
        pool_root_hex=pool_root,
        reveals=reveals,
        public_value=v["public_value"],
    )
    selection, order = [], 0
    for s, spec_s in zip(strata, v["strata"], strict=True):
        for p in engine.select_positions(seed, s["label"], s["size"], s["quota"]):
            order += 1
            key = spec_s["keys"][p]
            selection.append(
                {"order": order, "label": s["label"], "position": p, "key": key, "path": paths[s["label"]][p]}
            )
    return {
        "draw_id": v["draw_id"],
        "status": "drawn",
        "strata": strata,
        "pool_format": fmt,
        "pool_root": pool_root,
        "secret_commitment": engine.server_secret_commitment(v["draw_id"], v["secret_hex"]),
        "secret_hex": v["secret_hex"],
        "public_value": v["public_value"],
        "witnesses": [
            {
                "label": r.label,
                "commitment": engine.witness_commitment(v["draw_id"], r.label, r.number, r.salt_hex),
                "number": r.number,
                "salt_hex": r.salt_hex,
            }
            for r in reveals
        ],
        "seed": seed.hex(),
        "selection": selection,
    }


def spec_record_v1_unnamed() -> dict:
    """A record published before formats were named: no pool_format field, so ssj-pool-v1."""
    rec = spec_record(engine.POOL_V1)
    del rec["pool_format"]
    return rec


# ---- (a) the spec's known-answer vectors ----------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_spec_vectors(tmp_path, backend):
    code, checks = run(tmp_path, backend, "--vectors", str(SPEC))
    assert code == 0 and checks and all(ok == "一致" for ok, _ in checks), checks
    names = [name for _, name in checks]
    for fmt in (engine.POOL_V1, engine.POOL_V2):  # both pool formats (§9 and §9.1)
        assert f"规范向量（{fmt}）：种子" in names and f"规范向量（{fmt}）：分层 S2 的默克尔路径" in names
    assert "规范向量：分层 B 的位置（5/1000000）" in names


def test_pure_js_sha256_and_hmac_agree_with_hashlib():
    """The fallback against Python's hashlib/hmac across the padding boundaries and a long key."""
    msgs = [b"", b"abc", *(bytes(range(256))[:n] for n in (55, 56, 63, 64, 65, 119, 120, 200))]
    script = (
        f"const v = require({json.dumps(str(SCRIPT))});"
        "const msgs = JSON.parse(process.argv[1]).map(h => Uint8Array.from(Buffer.from(h, 'hex')));"
        "const key = Uint8Array.from(Buffer.alloc(100, 7));"
        "const hx = b => Buffer.from(b).toString('hex');"
        "console.log(JSON.stringify(msgs.map(m => [hx(v.sha256Pure(m)), hx(v.hmacPure(key, m)),"
        " hx(v.hmacPure(m.slice(0, 32), m))])));"
    )
    p = subprocess.run(
        [_node(), "-e", script, json.dumps([m.hex() for m in msgs])],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert p.returncode == 0, p.stderr
    import hmac

    want = [
        [
            hashlib.sha256(m).hexdigest(),
            hmac.new(b"\x07" * 100, m, hashlib.sha256).hexdigest(),
            hmac.new(m[:32], m, hashlib.sha256).hexdigest(),
        ]
        for m in msgs
    ]
    assert json.loads(p.stdout) == want


# ---- (b) records: the spec's draw built as records, and real draws of the services -----------------


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    "make", [lambda: spec_record(engine.POOL_V2), lambda: spec_record(engine.POOL_V1), spec_record_v1_unnamed]
)
def test_spec_draw_as_a_record(tmp_path, backend, make):
    rec = make()
    code, checks = run(tmp_path, backend, record=rec)
    assert checks == expected(rec) and code == 0
    assert all(ok == "一致" for ok, _ in checks)


@pytest.mark.django_db
@pytest.mark.parametrize("backend", BACKENDS)
def test_real_draws_verify(tmp_path, ready, backend):  # noqa: F811
    w = ready
    draw = full_draw(w, w.task_a)
    rec = json.loads(json.dumps(public_record(draw), ensure_ascii=False))
    assert rec["pool_format"] == engine.POOL_V2 and rec["selection"]
    code, checks = run(tmp_path, backend, record=rec)
    assert checks == expected(rec), checks
    assert code == 0 and all(ok == "一致" for ok, _ in checks)
    assert (
        len(checks) == 1 + 1 + 2 + 1 + len(rec["strata"]) + 1
    )  # root, secret, witnesses, seed, strata, paths

    # voided: its record keeps the selection, and still verifies
    req = voids.void_request(
        actor=w.a_admin, draw=draw, reason="pool_included", text="对象池未排除已注销的分支机构"
    )
    draw = voids.void_confirm(actor=w.office, request=req).draw
    rec = json.loads(json.dumps(public_record(draw), ensure_ascii=False))
    code, checks = run(tmp_path, backend, record=rec)
    assert rec["status"] == "voided" and checks == expected(rec) and code == 0

    # a new announcement, aborted before any reveal: commitments only, nothing to recompute
    later = announce(w, w.task_a)
    _, token = witnesses.witness_invite(
        actor=w.a_admin, draw=later, label="见证人1", description="纪检监察干部"
    )
    witnesses.witness_commit(token=token, number="1")
    later = draws.draw_abort(actor=w.a_admin, draw=later, reason="见证人1 未揭示")
    rec = json.loads(json.dumps(public_record(later), ensure_ascii=False))
    code, checks = run(tmp_path, backend, record=rec)
    assert rec["status"] == "aborted" and not rec["seed"]
    assert (
        checks
        == expected(rec)
        == [("一致", "对象池根哈希 = 各分层（编号、数量、根哈希）的汇总（ssj-pool-v2）")]
    )
    assert code == 0


# ---- (c) tampered records -------------------------------------------------------------------------


def _seed(rec):
    rec["seed"] = rec["seed"][:-1] + ("0" if rec["seed"][-1] != "0" else "1")
    return "种子 = HMAC(服务器密钥, 编号、根哈希、公开随机值、见证人数字)"


def _witness(rec):
    rec["witnesses"][0]["number"] += "1"
    return f"{rec['witnesses'][0]['label']} 揭示的数字与其承诺一致"


def _largest(rec):
    return max(rec["strata"], key=lambda s: s["quota"])


def _swap(rec):
    s = _largest(rec)
    a, b = [x for x in rec["selection"] if x["label"] == s["label"]][:2]
    a["position"], b["position"] = b["position"], a["position"]
    return f"分层 {s['label']}：按种子重算的位置与公布的一致（{s['quota']}/{s['size']}）"


def _quota(rec):
    s = _largest(rec)
    s["quota"] -= 1
    return f"分层 {s['label']}：按种子重算的位置与公布的一致（{s['quota']}/{s['size']}）"


def _root(rec):
    rec["strata"][0]["root"] = "00" + rec["strata"][0]["root"][2:]
    return "对象池根哈希 = 各分层（编号、数量、根哈希）的汇总（ssj-pool-v2）"


def _secret(rec):
    rec["secret_hex"] = "f" + rec["secret_hex"][1:]
    return "服务器密钥与公告时的承诺一致"


def _key(rec):
    rec["selection"][0]["key"] = rec["selection"][1]["key"]
    return "每个抽中对象都在冻结的对象池中其公布的位置上（默克尔路径）"


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("tamper", [_seed, _witness, _swap, _quota, _root, _secret, _key])
def test_tampered_records_fail_at_the_named_check(tmp_path, backend, tamper):
    rec = spec_record(engine.POOL_V2)
    rec = copy.deepcopy(rec)
    name = tamper(rec)
    code, checks = run(tmp_path, backend, record=rec)
    assert code == 1
    assert ("不一致", name) in checks, checks
    assert checks == expected(rec)  # the same verdicts as the server's verify_record


@pytest.mark.django_db
@pytest.mark.parametrize("backend", BACKENDS)
def test_tampered_real_record(tmp_path, ready, backend):  # noqa: F811
    rec = json.loads(json.dumps(public_record(full_draw(ready, ready.task_a)), ensure_ascii=False))
    for tamper in (_seed, _witness, _swap, _quota):
        bad = copy.deepcopy(rec)
        name = tamper(bad)
        code, checks = run(tmp_path, backend, record=bad)
        assert code == 1 and ("不一致", name) in checks and checks == expected(bad), checks


def test_unknown_pool_format(tmp_path):
    rec = spec_record(engine.POOL_V2) | {"pool_format": "ssj-pool-v9"}
    code, checks = run(tmp_path, "webcrypto", record=rec)
    assert code == 1 and checks == expected(rec) == [("不一致", "对象池格式为本规范所定义")]
