"""The public record of a draw: what anyone may see (risk classes stay internal — strata carry
only opaque labels; natural persons' names are masked) and, for the auditor, everything."""

from django.utils import timezone

from shuangsuiji.core.identifiers import mask_name
from shuangsuiji.directory.models import TargetKind

from . import engine, hooks
from .models import DrawStatus, TargetDraw


def selection_public(draw: TargetDraw, today=None) -> bool:
    """The selected list is public from the task's chosen date, and at the latest with the
    first published result."""
    if draw.status not in (DrawStatus.DRAWN, DrawStatus.VOIDED):
        return False
    today = today or timezone.localdate()
    if draw.publish_selection_on and draw.publish_selection_on <= today:
        return True
    return hooks.result_published(draw)  # registered by inspection (its apps.py)


RECORD_FORMAT = "ssj-draw-record-v2"


def public_record(draw: TargetDraw, *, with_selection: bool | None = None, internal: bool = False) -> dict:
    """The record of a draw (ssj-draw-record-v2, docs/draw-spec.md §11). Public: the commitments,
    the terms, the random inputs and, once the list is public, the named list apart — sorted by
    key, with no stratum, position or path — and (ssj-pool-v3) each stratum's drawn leaves with
    their positions and audit paths, which no one can join to a name without the entry's salt.
    A record drawn under an earlier, unsalted pool format is republished without any per-entry
    proof: its leaves and positions would tell which stratum a named firm was drawn from.
    `internal`: the auditor's record, every entry with its stratum, position, key, salt and path,
    and the strata's classes."""
    drawn = draw.status in (DrawStatus.DRAWN, DrawStatus.VOIDED)
    rec = {
        "format": RECORD_FORMAT,
        "spec": draw.spec,
        "draw_id": draw.public_id,
        "task": {"code": draw.task.code, "name": draw.task.name},
        "status": draw.status,
        "status_label": draw.get_status_display(),
        "announced_at": draw.announced_at.isoformat(),
        "draw_at": draw.draw_at.isoformat(),
        "place": draw.place,
        "strata": [
            {"label": s["label"], "size": s["size"], "quota": s["quota"], "root": s["root"]}
            | ({"risk_class": s["risk_class"]} if internal else {})
            for s in draw.strata
        ],
        "exclusions": draw.exclusions,
        "pool_format": draw.pool_format,
        "pool_root": draw.pool_root,
        "terms": draw.terms,
        "terms_hash": draw.terms_hash,
        "secret_commitment": draw.secret_commitment,
        "secret_hex": draw.server_secret() if drawn else "",
        "public_value_source": draw.public_value_source,
        "public_value_at": draw.public_value_at.isoformat() if draw.public_value_at else "",
        "public_value": draw.public_value,
        "witnesses": [
            {
                "label": w.label,
                "description": w.description,
                "commitment": w.commitment,
                "committed_at": w.committed_at.isoformat() if w.committed_at else "",
                "number": w.number if w.revealed_at else "",
                "salt_hex": w.salt_hex if w.revealed_at else "",
            }
            # a witness registered but not (yet) committed has no part in the draw
            for w in draw.witnesses.all()
            if w.committed_at
        ],
        "seed": draw.seed,
        "ended_reason": draw.ended_reason,
        "redraw_of": draw.redraw_of.public_id if draw.redraw_of_id else "",
        "redraw_mode": draw.redraw_mode,
    }
    show = selection_public(draw) if with_selection is None else with_selection
    if drawn and (show or internal):
        selections = list(draw.selections.select_related("target", "carried_from__draw").order_by("order"))
        rec["named"] = sorted(
            (
                {"key": _shown_key(s), "name": _shown_name(s)}
                | ({"carried": True} if s.carried_from_id else {})
                for s in selections
            ),
            key=lambda e: (e["key"].encode(), e["name"]),
        )
        if draw.pool_format in engine.SALTED:
            rec["drawn"] = drawn_leaves(draw, selections)
        if internal:
            rec["selection"] = [
                {
                    "order": s.order,
                    "label": s.label,
                    "position": s.position,
                    "key": s.key,
                    "salt": s.salt,
                    "name": s.target.name,
                    "path": s.path_hex,
                }
                | ({"carried_from": s.carried_from.draw.public_id} if s.carried_from_id else {})
                for s in selections
            ]
    if internal and drawn and any("candidates" in s for s in draw.team_summary.values()):
        rec["teams"] = team_record(draw)
    return rec


def drawn_leaves(draw: TargetDraw, selections) -> list[dict]:
    """Per stratum (label order), the drawn entries in the order drawn: position, leaf and audit
    path — what lets anyone check that each drawn entry is in the committed pool, without a key."""
    by_label: dict[str, list[dict]] = {s["label"]: [] for s in sorted(draw.strata, key=lambda s: s["label"])}
    for s in selections:
        if s.position is None:  # carried from a voided draw: proven in that draw's record
            continue
        by_label[s.label].append(
            {
                "position": s.position,
                "leaf": engine.salted_leaf(draw.public_id, s.salt, s.key).hex(),
                "path": s.path_hex,
            }
        )
    return [{"label": label, "entries": entries} for label, entries in by_label.items()]


def _shown_key(s) -> str:
    """A natural person's key is a keyed digest of the 身份证号; even so only its head is shown."""
    return s.key[:12] + "…" if s.target.kind == TargetKind.PERSON else s.key


def _shown_name(s) -> str:
    return mask_name(s.target.name) if s.target.kind == TargetKind.PERSON else s.target.name


def entry_proof(selection) -> dict:
    """What the selected enterprise (with the code on its own notice) and the auditor can check
    about one entry: its stratum, position, salt, leaf and audit path in the draw's pool."""
    draw = selection.draw
    stratum = next(s for s in draw.strata if s["label"] == selection.label)
    fmt = draw.pool_format
    if fmt in engine.SALTED:
        leaf = engine.salted_leaf(draw.public_id, selection.salt, selection.key)
    else:
        leaf = engine.leaf_hash(selection.label, selection.key, fmt)
    return {
        "draw_id": draw.public_id,
        "pool_format": fmt,
        "label": selection.label,
        "size": stratum["size"],
        "quota": stratum["quota"],
        "root": stratum["root"],
        "position": selection.position,
        "key": selection.key,
        "salt": selection.salt,
        "leaf": leaf.hex(),
        "path": selection.path_hex,
    }


def team_record(draw: TargetDraw) -> list[dict]:
    """For the auditor: per department, the team draw's inputs as recorded when it ran (rules
    version, required specialties, team size, candidates with the required specialties they held,
    conflicts per target) and the teams drawn, target by target in the order drawn — enough to
    re-derive every team (docs/draw-spec.md §7). Replacements after a recusal are not part of it."""
    from .models import TeamMember

    teams: dict[tuple[str, str], list[str]] = {}
    for dept, key, cert in (
        TeamMember.objects.filter(selection__draw=draw, via="draw")
        .order_by("selection__order", "pk")
        .values_list("department__name", "selection__key", "inspector__certificate_no")
    ):
        teams.setdefault((dept, key), []).append(cert)
    keys = list(draw.selections.order_by("order").values_list("key", flat=True))
    return [
        {
            "department": dept,
            "spec": s.get("spec", "ssj-team-v1"),
            "required": s["required"],
            "team_size": s["team_size"],
            "candidates": s["candidates"],
            "barred": s.get("barred", {}),
            "teams": [{"key": k, "team": teams.get((dept, k), [])} for k in keys],
        }
        for dept, s in draw.team_summary.items()
        if "candidates" in s
    ]


def proof_checks(draw: TargetDraw, proof: dict) -> tuple[bool, bool]:
    """(the entry's leaf is at its position under its stratum's root, its position is among those
    the seed draws in its stratum)."""
    path_ok = engine.verify_path(
        bytes.fromhex(proof["leaf"]),
        proof["position"],
        proof["size"],
        proof["path"],
        bytes.fromhex(proof["root"]),
    )
    drawn = bool(draw.seed) and proof["position"] in engine.select_positions(
        bytes.fromhex(draw.seed), proof["label"], proof["size"], proof["quota"]
    )
    return path_ok, drawn
