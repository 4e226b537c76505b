"""The reference verifier the public draw page serves (static/js/draw-verify.js), run under Node:
the spec's known-answer vectors, records of the spec's draws, real records of the draw services
(ssj-draw-v2 public and auditor's records, a record drawn under ssj-draw-v1 / ssj-pool-v1, a
voided and an aborted draw), tampered records, an enterprise's own proof — through WebCrypto and
through its pure-JS SHA-256 fallback. Its checks must be verify_record's, under the same names, in
the same order, with the same answers. And the records against their JSON Schemas
(static/schema/, docs/draw-spec.md §11).

Node is part of the CI image: a missing `node` fails these tests, it never skips them."""

import copy
import hashlib
import hmac
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest

from shuangsuiji.draw import engine, voids
from shuangsuiji.draw import services as draws
from shuangsuiji.draw.records import entry_proof, public_record
from shuangsuiji.draw.tests.conftest import announce, full_draw, ready, run, v1_draw, witness_round  # noqa: F401
from shuangsuiji.draw.verify import verify_record

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "shuangsuiji" / "static" / "js" / "draw-verify.js"
SPEC = ROOT / "docs" / "draw-spec.md"
SCHEMAS = ROOT / "shuangsuiji" / "static" / "schema"
BACKENDS = ["webcrypto", "pure-js"]
TEXT = SPEC.read_text(encoding="utf-8")
EXAMPLE = json.loads(re.search(r"```json ssj-draw-v2\n(.*?)\n```", TEXT, re.S).group(1))["record"]


def _node() -> str:
    node = shutil.which("node") or "/usr/bin/node"
    if not os.path.exists(node):
        pytest.fail("找不到 node：参考验证程序的测试需要 Node ≥ 20（CI 镜像自带）")
    return node


def _write(tmp_path, name: str, obj: dict) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(obj, ensure_ascii=False), encoding="utf-8")
    return str(path)


def run_js(
    tmp_path, backend: str, *args: str, record: dict | None = None
) -> tuple[int, list[tuple[str, str]]]:
    """Run the script; (exit code, [(一致|不一致, check name)])."""
    if record is not None:
        args = (_write(tmp_path, "record.json", record), *args)
    if backend == "pure-js":
        args = (*args, "--pure-js")
    p = subprocess.run([_node(), str(SCRIPT), *args], capture_output=True, text=True, timeout=120)
    assert p.returncode in (0, 1), p.stderr
    lines = p.stdout.splitlines()
    assert lines[-1] == f"# {backend}", p.stdout  # the back end asked for is the one that ran
    return p.returncode, [tuple(line.split("\t")[:2]) for line in lines[:-1]]


def expected(rec: dict) -> list[tuple[str, str]]:
    return [("一致" if c.ok else "不一致", c.name) for c in verify_record(rec)]


def as_json(rec: dict) -> dict:
    """The record as a client receives it."""
    return json.loads(json.dumps(rec, ensure_ascii=False))


def same_as_python(tmp_path, rec: dict, *, ok: bool = True) -> list[tuple[str, str]]:
    """Both back ends give verify_record's checks; all agree (or, with ok=False, not all)."""
    want = expected(rec)
    for backend in BACKENDS:
        code, checks = run_js(tmp_path, backend, record=rec)
        assert checks == want, (backend, checks, want)
        assert code == (0 if ok else 1)
    assert all(o == "一致" for o, _ in want) == ok, want
    return want


# ---- the records of the spec's draws ----------------------------------------------------------------


def spec_record(fmt: str) -> dict:
    """An auditor-style record of the spec's §9 draw (ssj-draw-v1) under `fmt`, with the engine."""
    v = json.loads(re.search(r"```json\n(.*?)\n```", TEXT, re.S).group(1))
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
            selection.append(
                {
                    "order": order,
                    "label": s["label"],
                    "position": p,
                    "key": spec_s["keys"][p],
                    "path": paths[s["label"]][p],
                }
            )
    return {
        "spec": engine.SPEC_V1,
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


# ---- (a) the spec's known-answer vectors and the primitives -------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_spec_vectors(tmp_path, backend):
    code, checks = run_js(tmp_path, backend, "--vectors", str(SPEC))
    assert code == 0 and checks and all(ok == "一致" for ok, _ in checks), checks
    names = [name for _, name in checks]
    for fmt in (engine.POOL_V1, engine.POOL_V2):  # §9 and §9.1
        assert f"规范向量（{fmt}）：种子" in names and f"规范向量（{fmt}）：分层 S2 的默克尔路径" in names
    assert "规范向量：分层 B 的位置（5/1000000）" in names
    for name in (  # §9.2, §10, §10.1
        "规范向量（ssj-draw-v2）：条款哈希",
        "规范向量（ssj-draw-v2）：种子",
        "规范向量（ssj-draw-v2）：对象池根哈希（ssj-pool-v3）",
        "规范向量：检查组（ssj-team-v1）",
        "规范向量：检查组（ssj-team-v2）",
        "规范向量：回避后的替补（ssj-team-v2）",
        "规范向量：只有一名候选人的组也消耗一个随机块（ssj-team-v2）",
    ):
        assert name in names
    assert any(n.startswith("规范向量（ssj-draw-v2）：示例公开记录逐项核验一致") for n in names)


def test_a_wrong_vector_fails(tmp_path):
    """The vector check is a check: a changed seed in §9.2 fails it."""
    spec = tmp_path / "draw-spec.md"
    text = TEXT.replace(EXAMPLE["seed"], "0" * 64, 1)
    assert text != TEXT
    spec.write_text(text, encoding="utf-8")
    code, checks = run_js(tmp_path, "webcrypto", "--vectors", str(spec))
    assert code == 1 and ("不一致", "规范向量（ssj-draw-v2）：种子") in checks


def _node_eval(script: str, *args: str):
    p = subprocess.run([_node(), "-e", script, *args], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


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
    want = [
        [
            hashlib.sha256(m).hexdigest(),
            hmac.new(b"\x07" * 100, m, hashlib.sha256).hexdigest(),
            hmac.new(m[:32], m, hashlib.sha256).hexdigest(),
        ]
        for m in msgs
    ]
    assert _node_eval(script, json.dumps([m.hex() for m in msgs])) == want


def test_canonical_json_is_pythons():
    """§1.1: the terms' canonical text, JavaScript against engine.canonical_json, over the
    characters that can occur (escapes, controls, DEL, U+2028, CJK, beyond U+FFFF) and key orders
    where UTF-16 and code-point order differ."""
    values = [
        EXAMPLE["terms"],
        {},
        {"b": 1, "a": [3, 2, {"z": None, "y": True, "x": False}], "": -7},
        {"\uff01": 1, "😀": 2, "层9C0D": "0.30", "层1A2B": "0.5", "A": 0},
        {"s": '引号"反斜杠\\/换行\n制表\t退格\b换页\f回车\r\x00\x01\x1f\x7f\u2028\u2029😀（“试机号”）'},
        {"public_value_source": "2026-12-20 福彩3D开奖号码", "min_witnesses": 2, "total": 9007199254740991},
    ]
    script = (
        f"const v = require({json.dumps(str(SCRIPT))});"
        "console.log(JSON.stringify(JSON.parse(process.argv[1]).map(v.canonicalJson)));"
    )
    got = _node_eval(script, json.dumps(values, ensure_ascii=False))
    assert got == [engine.canonical_json(x) for x in values]


# ---- (b) records of the spec's draws -------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda: spec_record(engine.POOL_V2),
        lambda: spec_record(engine.POOL_V1),
        spec_record_v1_unnamed,
        lambda: EXAMPLE,
    ],
    ids=["v1-pool-v2", "v1-pool-v1", "v1-unnamed", "v2-example"],
)
def test_spec_draw_as_a_record(tmp_path, make):
    same_as_python(tmp_path, make())


# ---- (c) real records of the services ----------------------------------------------------------------


def _schema(name: str):
    schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


PUBLIC = "ssj-draw-record-v2"
AUDITOR = "ssj-draw-record-v2-auditor"


@pytest.mark.django_db
def test_real_v2_draw_public_and_auditors_record(tmp_path, ready):  # noqa: F811
    w = ready
    draw = full_draw(w, w.task_a)
    draw = draws.teams_draw(actor=w.a_admin, draw=draw)
    rec = as_json(public_record(draw, with_selection=True))
    assert rec["spec"] == engine.SPEC_V2 and rec["pool_format"] == engine.POOL_V3
    assert rec["named"] and rec["drawn"] and "selection" not in rec and "teams" not in rec
    checks = same_as_python(tmp_path, rec)
    n_strata, n_witnesses = len(rec["strata"]), len(rec["witnesses"])
    # root, 3 terms checks, secret, (number, time) per witness, seed, positions per stratum, leaves, count
    assert len(checks) == 1 + 3 + 1 + 2 * n_witnesses + 1 + n_strata + 1 + 1
    _schema(PUBLIC).validate(rec)

    auditor = as_json(public_record(draw, internal=True))
    assert auditor["selection"] and auditor["teams"]
    checks = same_as_python(tmp_path, auditor)
    names = [n for _, n in checks]
    assert "每个抽中对象都在冻结的对象池中其位置上（默克尔路径）" in names
    assert sum(n.endswith("个对象）") and "按规范 ssj-team-v2" in n for n in names) == len(auditor["teams"])
    _schema(AUDITOR).validate(auditor)
    with pytest.raises(jsonschema.ValidationError):
        _schema(PUBLIC).validate(auditor)  # the auditor's keys are not public

    # a team changed: the department's team check fails, in both back ends
    bad = copy.deepcopy(auditor)
    team = bad["teams"][0]["teams"][0]["team"]
    team[0], team[1] = team[1], team[0]
    want = same_as_python(tmp_path, bad, ok=False)
    assert [n for o, n in want if o == "不一致"] == [
        f"{bad['teams'][0]['department']}：按规范 ssj-team-v2 重算的检查组与记录一致（{len(bad['teams'][0]['teams'])} 个对象）"
    ]

    # before the list is public: no named, no drawn; still valid and verifiable
    early = as_json(public_record(draw, with_selection=False))
    assert "named" not in early and "drawn" not in early
    same_as_python(tmp_path, early)
    _schema(PUBLIC).validate(early)

    # a label beside a name is refused by the public schema
    leaky = copy.deepcopy(rec)
    leaky["named"][0]["label"] = rec["strata"][0]["label"]
    with pytest.raises(jsonschema.ValidationError, match="label"):
        _schema(PUBLIC).validate(leaky)
    for key, value in (("position", 0), ("path", [])):
        leaky = copy.deepcopy(rec)
        leaky["named"][0][key] = value
        with pytest.raises(jsonschema.ValidationError):
            _schema(PUBLIC).validate(leaky)
    with pytest.raises(jsonschema.ValidationError):
        _schema(PUBLIC).validate(rec | {"selection": []})


@pytest.mark.django_db
def test_voided_and_aborted_records(tmp_path, ready):  # noqa: F811
    w = ready
    draw = full_draw(w, w.task_a)
    req = voids.void_request(
        actor=w.a_admin, draw=draw, reason="pool_included", text="对象池未排除已注销的分支机构"
    )
    draw = voids.void_confirm(actor=w.office, request=req).draw
    rec = as_json(public_record(draw, with_selection=True))
    assert rec["status"] == "voided"
    same_as_python(tmp_path, rec)
    _schema(PUBLIC).validate(rec)

    later = draws.draw_abort(actor=w.a_admin, draw=announce(w, w.task_a), reason="见证人未到场")
    rec = as_json(public_record(later))
    assert rec["status"] == "aborted" and not rec["seed"] and not rec["secret_hex"]
    checks = same_as_python(tmp_path, rec)
    assert [n for _, n in checks] == [
        "对象池根哈希 = 各分层（编号、数量、根哈希）的汇总（对象池格式第 3 版）",
        "抽取条款哈希 = 条款的规范化文本的哈希",
        "抽取条款与记录一致（抽取编号、对象池格式、各层抽取数、公开随机值来源）",
        "各层抽取数由条款的规则（只补抽被移除的对象）算出",  # the redraw after a pool-related void
    ]
    _schema(PUBLIC).validate(rec)


@pytest.mark.django_db
def test_a_v1_record_republished(tmp_path, ready, monkeypatch):  # noqa: F811
    """A draw of ssj-draw-v1 over ssj-pool-v1: its public record has named only (no drawn, no
    terms), its auditor's record its selection; both verify in JavaScript as in Python."""
    draw = v1_draw(ready, monkeypatch)
    rec = as_json(public_record(draw, with_selection=True))
    assert rec["spec"] == engine.SPEC_V1 and rec["pool_format"] == engine.POOL_V1
    assert rec["terms"] == {} and rec["terms_hash"] == "" and "drawn" not in rec and rec["named"]
    checks = same_as_python(tmp_path, rec)
    names = [n for _, n in checks]
    assert "种子 = 以服务器密钥计算的带密钥哈希（编号、根哈希、公开随机值、见证人数字）" in names
    assert not any("条款" in n or "公开随机值产生之前" in n for n in names)
    _schema(PUBLIC).validate(rec)
    auditor = as_json(public_record(draw, internal=True))
    same_as_python(tmp_path, auditor)
    _schema(AUDITOR).validate(auditor)
    with pytest.raises(jsonschema.ValidationError):  # no drawn leaves for an unsalted pool
        _schema(PUBLIC).validate(rec | {"drawn": []})


# ---- (d) tampered records: they fail at the named check, in both back ends ----------------------------


def _flip(h: str) -> str:
    """One byte changed: the last hex digit."""
    return h[:-1] + ("0" if h[-1] != "0" else "1")


def _leaf(rec):
    entries = next(d for d in rec["drawn"] if d["entries"])["entries"]
    entries[0]["leaf"] = _flip(entries[0]["leaf"])
    return "每个抽中的叶子都在冻结的对象池中其位置上（默克尔路径）"


def _quota(rec):
    s = max(rec["strata"], key=lambda s: s["quota"])
    s["quota"] -= 1
    return "抽取条款与记录一致（抽取编号、对象池格式、各层抽取数、公开随机值来源）"


def _terms(rec):
    label = next(iter(rec["terms"]["ratios"]))
    rec["terms"]["ratios"][label] = "0.99"
    return "抽取条款哈希 = 条款的规范化文本的哈希"


def _witness(rec):
    rec["witnesses"][0]["number"] = str(int(rec["witnesses"][0]["number"]) + 1)
    return f"{rec['witnesses'][0]['label']} 揭示的数字与其承诺一致"


def _late_witness(rec):
    rec["witnesses"][1]["committed_at"] = rec["public_value_at"]
    return f"{rec['witnesses'][1]['label']} 在公开随机值产生之前承诺"


def _seed(rec):
    rec["seed"] = _flip(rec["seed"])
    return "种子 = 以服务器密钥计算的带密钥哈希（编号、根哈希、条款哈希、公开随机值、见证人数字）"


def _position(rec):
    entries = max(rec["drawn"], key=lambda d: len(d["entries"]))["entries"]
    entries[0], entries[1] = entries[1], entries[0]
    label = max(rec["drawn"], key=lambda d: len(d["entries"]))["label"]
    s = next(s for s in rec["strata"] if s["label"] == label)
    return f"分层 {label}：按种子重算的位置与公布的一致（{s['quota']}/{s['size']}）"


def _named(rec):
    rec["named"].pop()
    return f"公布名单的对象数与各层抽取数之和一致（{len(rec['named'])}）"


def _secret(rec):
    rec["secret_hex"] = "f" + rec["secret_hex"][1:]
    return "服务器密钥与公告时的承诺一致"


TAMPERS = [_leaf, _quota, _terms, _witness, _late_witness, _seed, _position, _named, _secret]


@pytest.mark.parametrize("tamper", TAMPERS)
def test_tampered_example_record(tmp_path, tamper):
    rec = copy.deepcopy(EXAMPLE)
    name = tamper(rec)
    want = same_as_python(tmp_path, rec, ok=False)
    assert ("不一致", name) in want


@pytest.mark.django_db
def test_tampered_real_record(tmp_path, ready):  # noqa: F811
    rec = as_json(public_record(full_draw(ready, ready.task_a), with_selection=True))
    for tamper in (_leaf, _quota, _terms, _witness):
        bad = copy.deepcopy(rec)
        name = tamper(bad)
        want = same_as_python(tmp_path, bad, ok=False)
        assert ("不一致", name) in want, (tamper.__name__, want)


def test_unknown_pool_format(tmp_path):
    rec = EXAMPLE | {"pool_format": "ssj-pool-v9"}
    assert same_as_python(tmp_path, rec, ok=False) == [("不一致", "对象池格式为本规范所定义")]


def test_quota_rules_follow_python(tmp_path):
    """The quota rule check (exact decimals, Hamilton, replace) gives Python's answer for rules
    the record's strata do and do not satisfy."""
    sizes = {s["label"]: s["size"] for s in EXAMPLE["strata"]}
    variants = [
        {"quota_rule": "total", "total": 5},
        {"quota_rule": "total", "total": 4},
        {"quota_rule": "replace", "replace": {label: EXAMPLE["terms"]["quotas"][label] for label in sizes}},
        {"quota_rule": "replace", "replace": {}},
        {"quota_rule": "ratio", "ratios": {label: "0.3000000000000000000000000001" for label in sizes}},
        {"quota_rule": "ratio", "ratios": {label: "1e-1" for label in sizes}},
        {"quota_rule": "ratio", "ratios": {label: "1.5" for label in sizes}},
        {"quota_rule": "ratio", "ratios": {label: "abc" for label in sizes}},
        {"quota_rule": "lottery"},
    ]
    for rule in variants:
        rec = copy.deepcopy(EXAMPLE)
        terms = {k: v for k, v in rec["terms"].items() if k not in ("quota_rule", "ratios")} | rule
        rec["terms"], rec["terms_hash"] = terms, engine.terms_hash(terms)
        want = expected(rec)
        for backend in BACKENDS:
            assert run_js(tmp_path, backend, record=rec)[1] == want, rule


# ---- (e) an enterprise's own proof (--proof) -------------------------------------------------------------


def run_proof(tmp_path, backend: str, proof: dict, record: dict | None = None):
    args = ["--proof", _write(tmp_path, "proof.json", proof)]
    if record is not None:
        args.append(_write(tmp_path, "record.json", record))
    return run_js(tmp_path, backend, *args)


@pytest.mark.django_db
@pytest.mark.parametrize("backend", BACKENDS)
def test_an_enterprises_proof(tmp_path, ready, backend):  # noqa: F811
    draw = full_draw(ready, ready.task_a)
    rec = as_json(public_record(draw, with_selection=True))
    partial = {x["label"] for x in draw.strata if x["quota"] < x["size"]}
    s = draw.selections.filter(label__in=partial).order_by("-order").first()
    proof = as_json(entry_proof(s))
    assert proof["pool_format"] == engine.POOL_V3 and proof["salt"]

    code, checks = run_proof(tmp_path, backend, proof)
    assert code == 0 and checks == [
        ("一致", "叶哈希 = H(0x00 ‖ enc(抽取编号, 盐值, 本单位标识))"),
        ("一致", f"本单位在公告时冻结的对象池中，位置 {proof['position']}"),
    ]
    code, checks = run_proof(tmp_path, backend, proof, rec)
    assert code == 0 and len(checks) == 5 and all(o == "一致" for o, _ in checks), checks
    assert ("一致", f"按种子重算，本分层抽中的位置包含 {proof['position']}") in checks

    # one byte changed in the salt, the leaf, the path, the root: 不一致 at the right check
    cases = {
        "salt": "叶哈希 = H(0x00 ‖ enc(抽取编号, 盐值, 本单位标识))",
        "leaf": f"本单位在公告时冻结的对象池中，位置 {proof['position']}",
        "root": "本单位所在分层（编号、数量、抽取数、根哈希）与抽取记录一致",
    }
    for field, name in cases.items():
        bad = copy.deepcopy(proof)
        bad[field] = _flip(bad[field])
        code, checks = run_proof(tmp_path, backend, bad, rec)
        assert code == 1 and ("不一致", name) in checks, (field, checks)
    bad = copy.deepcopy(proof)
    bad["path"][0] = _flip(bad["path"][0])
    code, checks = run_proof(tmp_path, backend, bad)
    assert code == 1 and checks[1] == ("不一致", f"本单位在公告时冻结的对象池中，位置 {proof['position']}")
    # a position the seed did not draw
    (drawn,) = [d for d in rec["drawn"] if d["label"] == proof["label"]]
    other = next(p for p in range(proof["size"]) if p not in {e["position"] for e in drawn["entries"]})
    code, checks = run_proof(tmp_path, backend, proof | {"position": other}, rec)
    assert code == 1 and ("不一致", f"按种子重算，本分层抽中的位置包含 {other}") in checks
