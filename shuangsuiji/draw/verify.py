"""Re-running a draw from its public record (docs/draw-spec.md): each check says match or
mismatch. Pure functions over the record (a dict, as published in JSON) and, for an auditor,
the frozen pool file."""

from dataclasses import dataclass

from . import engine
from .pool import read_pool


@dataclass
class Check:
    name: str
    ok: bool
    detail: str = ""


def pool_format(rec: dict) -> str:
    """The pool format a record was committed under: records published before formats were
    named are v1."""
    return rec.get("pool_format", engine.POOL_V1)


def verify_record(rec: dict, pool_file: bytes | None = None) -> list[Check]:
    checks: list[Check] = []

    def check(name, ok, detail=""):
        checks.append(Check(name, bool(ok), detail))

    did = rec["draw_id"]
    strata = rec["strata"]
    fmt = pool_format(rec)
    if fmt not in engine.POOL_FORMATS:
        check("对象池格式为本规范所定义", False, fmt)
        return checks
    root = engine.pool_root([(s["label"], s["size"], bytes.fromhex(s["root"])) for s in strata], fmt)
    check(
        f"对象池根哈希 = 各分层（编号、数量、根哈希）的汇总（{fmt}）",
        root.hex() == rec["pool_root"],
        rec["pool_root"],
    )
    if rec.get("secret_hex"):
        check(
            "服务器密钥与公告时的承诺一致",
            engine.server_secret_commitment(did, rec["secret_hex"]) == rec["secret_commitment"],
            rec["secret_commitment"],
        )
    for w in rec["witnesses"]:
        if w.get("number"):
            ok = engine.witness_commitment(did, w["label"], w["number"], w["salt_hex"]) == w["commitment"]
            check(f"{w['label']} 揭示的数字与其承诺一致", ok, w["commitment"])
    if not rec.get("seed"):
        return checks
    seed = engine.derive_seed(
        draw_id=did,
        secret_hex=rec["secret_hex"],
        pool_root_hex=rec["pool_root"],
        reveals=[engine.Reveal(w["label"], w["number"], w["salt_hex"]) for w in rec["witnesses"]],
        public_value=rec.get("public_value", ""),
    )
    check(
        "种子 = HMAC(服务器密钥, 编号、根哈希、公开随机值、见证人数字)",
        seed.hex() == rec["seed"],
        rec["seed"],
    )
    positions = {s["label"]: engine.select_positions(seed, s["label"], s["size"], s["quota"]) for s in strata}
    if rec.get("selection") is not None:
        published: dict[str, list[int]] = {}
        for sel in sorted(rec["selection"], key=lambda x: x["order"]):
            published.setdefault(sel["label"], []).append(sel["position"])
        for s in strata:
            check(
                f"分层 {s['label']}：按种子重算的位置与公布的一致（{s['quota']}/{s['size']}）",
                positions[s["label"]] == published.get(s["label"], []),
            )
        roots = {s["label"]: (s["size"], bytes.fromhex(s["root"])) for s in strata}
        bad = [
            sel["key"]
            for sel in rec["selection"]
            if not engine.verify_path(
                engine.leaf_hash(sel["label"], sel["key"], fmt),
                sel["position"],
                roots[sel["label"]][0],
                sel["path"],
                roots[sel["label"]][1],
            )
        ]
        check("每个抽中对象都在冻结的对象池中其公布的位置上（默克尔路径）", not bad, "、".join(bad[:5]))
    if pool_file is not None:
        check_pool(pool_file, rec, positions, check)
    for dept in rec.get("teams", []):
        check_teams(seed, dept, check)
    return checks


def check_teams(seed: bytes, dept: dict, check) -> None:
    """The auditor's re-run of one department's team draw from its recorded inputs, under the
    rules version the record names (v1 or v2)."""
    try:
        drawer = engine.team_drawer(
            dept["spec"],
            seed,
            dept["department"],
            [engine.Candidate(c["key"], frozenset(c["specialties"])) for c in dept["candidates"]],
            dept["required"],
            dept["team_size"],
        )
        bad = [
            t["key"]
            for t in dept["teams"]
            if [m.key for m in drawer.draw(t["key"], dept["barred"].get(t["key"], []))] != t["team"]
        ]
    except engine.DrawError as e:
        bad = [str(e)]
    check(
        f"{dept['department']}：按规范 {dept['spec']} 重算的检查组与记录一致（{len(dept['teams'])} 个对象）",
        not bad,
        "、".join(bad[:5]),
    )


def check_pool(pool_file: bytes, rec: dict, positions: dict, check) -> None:
    """The auditor's full re-run: the frozen pool file reproduces every root and selection."""
    fmt = pool_format(rec)
    builders = {s["label"]: engine.MerkleBuilder() for s in rec["strata"]}
    at: dict[tuple[str, int], str] = {}
    want = {(label, p) for label, ps in positions.items() for p in ps}
    last: dict[str, bytes] = {}
    ordered = True
    for label, position, key, _pk in read_pool(pool_file):
        kb = key.encode()
        if label in last and last[label] >= kb:
            ordered = False
        last[label] = kb
        builders[label].add(engine.leaf_hash(label, key, fmt))
        if (label, position) in want:
            at[(label, position)] = key
    check("对象池文件中每层按标识字节序严格递增、无重复", ordered)
    for s in rec["strata"]:
        b = builders[s["label"]]
        check(
            f"对象池文件重算分层 {s['label']} 的根哈希与公告一致",
            b.root().hex() == s["root"] and b.count == s["size"],
        )
    if rec.get("selection") is not None:
        published = {(x["label"], x["position"]): x["key"] for x in rec["selection"]}
        check("对象池文件中各位置的对象与公布名单一致", all(published.get(k) == v for k, v in at.items()))
