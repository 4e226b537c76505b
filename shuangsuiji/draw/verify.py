"""Re-running a draw from its public record (docs/draw-spec.md): each check says match or
mismatch. Pure functions over the record (a dict, as published in JSON) and, for an auditor,
the frozen pool file."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from . import engine
from .pool import read_pool_entries


@dataclass
class Check:
    name: str
    ok: bool
    detail: str = ""


def pool_format(rec: dict) -> str:
    """The pool format a record was committed under: records published before formats were
    named are v1."""
    return rec.get("pool_format", engine.POOL_V1)


def _positions(seed: bytes, stratum: dict) -> list[int] | None:
    """The positions the seed draws in a stratum; None when its quota cannot be drawn (a record
    with a quota above its size): every check of them then disagrees."""
    try:
        return engine.select_positions(seed, stratum["label"], stratum["size"], stratum["quota"])
    except engine.DrawError:
        return None


def _path_ok(leaf_hex_or_bytes, position, size, path, root) -> bool:
    """verify_path, with a malformed hash (not 64 hex digits) a mismatch instead of an error."""
    try:
        leaf = leaf_hex_or_bytes if isinstance(leaf_hex_or_bytes, bytes) else bytes.fromhex(leaf_hex_or_bytes)
        return engine.verify_path(leaf, position, size, path, root)
    except (TypeError, ValueError):
        return False


def _leaf(rec: dict, fmt: str, entry: dict) -> bytes:
    """An auditor's entry's leaf under the record's pool format."""
    if fmt in engine.SALTED:
        return engine.salted_leaf(rec["draw_id"], entry["salt"], entry["key"])
    return engine.leaf_hash(entry["label"], entry["key"], fmt)


def check_terms(rec: dict, check) -> None:
    """ssj-draw-v2: the terms' hash; the terms agree with the record (draw, pool format, quotas,
    public value source); the quotas follow from the rule the terms state."""
    terms, strata = rec.get("terms") or {}, rec["strata"]
    check(
        "抽取条款哈希 = 条款的规范化文本的哈希",
        engine.terms_hash(terms) == rec.get("terms_hash"),
        rec.get("terms_hash", ""),
    )
    quotas = {s["label"]: s["quota"] for s in strata}
    check(
        "抽取条款与记录一致（抽取编号、对象池格式、各层抽取数、公开随机值来源）",
        terms.get("draw_id") == rec["draw_id"]
        and terms.get("pool_format") == pool_format(rec)
        and terms.get("quotas") == quotas
        and terms.get("public_value_source") == rec.get("public_value_source")
        and _same_instant(terms.get("public_value_at"), rec.get("public_value_at")),
    )
    sizes = {s["label"]: s["size"] for s in strata}
    rule = terms.get("quota_rule")
    try:
        if rule == "ratio":
            expected = engine.quotas_by_ratio(sizes, {k: Decimal(v) for k, v in terms["ratios"].items()})
        elif rule == "total":
            expected = engine.quotas_by_total(sizes, terms["total"])
        elif rule == "replace":
            expected = {label: terms["replace"].get(label, 0) for label in sizes}
        else:
            expected = None
    except (KeyError, ArithmeticError, engine.DrawError):
        expected = None
    check(f"各层抽取数由条款的规则（{_RULES.get(rule, rule)}）算出", expected == quotas)


_RULES = {"ratio": "按比例", "total": "按总数", "replace": "只补抽被移除的对象"}


def verify_record(rec: dict, pool_file: bytes | None = None) -> list[Check]:
    checks: list[Check] = []

    def check(name, ok, detail=""):
        checks.append(Check(name, bool(ok), detail))

    did = rec["draw_id"]
    strata = rec["strata"]
    fmt = pool_format(rec)
    v2 = rec.get("spec") == engine.SPEC_V2
    if fmt not in engine.POOL_FORMATS:
        check("对象池格式为本规范所定义", False, fmt)
        return checks
    root = engine.pool_root([(s["label"], s["size"], bytes.fromhex(s["root"])) for s in strata], fmt)
    check(
        f"对象池根哈希 = 各分层（编号、数量、根哈希）的汇总（对象池格式第 {fmt.rsplit('-v', 1)[-1]} 版）",
        root.hex() == rec["pool_root"],
        rec["pool_root"],
    )
    if v2:
        check_terms(rec, check)
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
        if v2 and w.get("committed_at"):
            check(
                f"{w['label']} 在公开随机值产生之前承诺",
                _before(w["committed_at"], (rec.get("terms") or {}).get("public_value_at")),
                w["committed_at"],
            )
    if not rec.get("seed"):
        return checks
    seed = engine.derive_seed(
        draw_id=did,
        secret_hex=rec["secret_hex"],
        pool_root_hex=rec["pool_root"],
        reveals=[engine.Reveal(w["label"], w["number"], w["salt_hex"]) for w in rec["witnesses"]],
        public_value=rec.get("public_value", ""),
        terms_hash_hex=rec.get("terms_hash") if v2 else None,
    )
    check(
        "种子 = 以服务器密钥计算的带密钥哈希（编号、根哈希、"
        + ("条款哈希、" if v2 else "")
        + "公开随机值、见证人数字）",
        seed.hex() == rec["seed"],
        rec["seed"],
    )
    positions = {s["label"]: _positions(seed, s) for s in strata}
    roots = {s["label"]: (s["size"], bytes.fromhex(s["root"])) for s in strata}
    if rec.get("drawn") is not None:
        by_label = {d["label"]: d["entries"] for d in rec["drawn"]}
        for s in strata:
            entries = by_label.get(s["label"], [])
            check(
                f"分层 {s['label']}：按种子重算的位置与公布的一致（{s['quota']}/{s['size']}）",
                positions[s["label"]] == [e["position"] for e in entries],
            )
        bad = [
            f"{label}#{e['position']}"
            for label, entries in by_label.items()
            for e in entries
            if label not in roots
            or not _path_ok(e["leaf"], e["position"], roots[label][0], e["path"], roots[label][1])
        ]
        check("每个抽中的叶子都在冻结的对象池中其位置上（默克尔路径）", not bad, "、".join(bad[:5]))
    if rec.get("named") is not None:
        drawn_now = sum(1 for e in rec["named"] if not e.get("carried"))
        check(
            f"公布名单的对象数与各层抽取数之和一致（{drawn_now}）",
            drawn_now == sum(s["quota"] for s in strata),
        )
    if rec.get("selection") is not None:  # the auditor's record
        published: dict[str, list[int]] = {}
        for sel in sorted(rec["selection"], key=lambda x: x["order"]):
            if sel.get("position") is not None:
                published.setdefault(sel["label"], []).append(sel["position"])
        for s in strata:
            check(
                f"分层 {s['label']}：按种子重算的位置与名单一致（{s['quota']}/{s['size']}）",
                positions[s["label"]] == published.get(s["label"], []),
            )
        bad = [
            sel["key"]
            for sel in rec["selection"]
            if sel.get("position") is not None
            and not _path_ok(
                _leaf(rec, fmt, sel),
                sel["position"],
                roots[sel["label"]][0],
                sel["path"],
                roots[sel["label"]][1],
            )
        ]
        check("每个抽中对象都在冻结的对象池中其位置上（默克尔路径）", not bad, "、".join(bad[:5]))
    if pool_file is not None:
        check_pool(pool_file, rec, positions, check)
    for dept in rec.get("teams", []):
        check_teams(seed, dept, check)
    return checks


def _instant(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def _before(a, b) -> bool:
    try:
        return _instant(a) < _instant(b)
    except (TypeError, ValueError):
        return False


def _same_instant(a, b) -> bool:
    try:
        return _instant(a) == _instant(b)
    except (TypeError, ValueError):
        return False


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
    """The auditor's full re-run: the frozen pool file reproduces every root and selection, and
    each stratum is in the order the format defines (v3: its leaves; v1, v2: its keys), strictly."""
    fmt = pool_format(rec)
    salted = fmt in engine.SALTED
    builders = {s["label"]: engine.MerkleBuilder() for s in rec["strata"]}
    at: dict[tuple[str, int], str] = {}
    want = {(label, p) for label, ps in positions.items() for p in ps or ()}
    last: dict[str, bytes] = {}
    expected_position: dict[str, int] = {}
    ordered = numbered = True
    for label, position, key, _pk, salt in read_pool_entries(pool_file):
        if label not in builders:
            check(f"对象池文件中的分层 {label} 在公告中", False)
            return
        leaf = engine.salted_leaf(rec["draw_id"], salt, key) if salted else engine.leaf_hash(label, key, fmt)
        order_key = leaf if salted else key.encode()
        if label in last and last[label] >= order_key:
            ordered = False
        last[label] = order_key
        numbered &= position == expected_position.get(label, 0)
        expected_position[label] = position + 1
        builders[label].add(leaf)
        if (label, position) in want:
            at[(label, position)] = key
    check(f"对象池文件中每层按{'叶哈希' if salted else '标识'}字节序严格递增、无重复", ordered)
    check("对象池文件中每层的位置从 0 起连续编号", numbered)
    for s in rec["strata"]:
        b = builders[s["label"]]
        check(
            f"对象池文件重算分层 {s['label']} 的根哈希与公告一致",
            b.root().hex() == s["root"] and b.count == s["size"],
        )
    if rec.get("selection") is not None:
        published = {
            (x["label"], x["position"]): x["key"] for x in rec["selection"] if x.get("position") is not None
        }
        check("对象池文件中各位置的对象与名单一致", all(published.get(k) == v for k, v in at.items()))
