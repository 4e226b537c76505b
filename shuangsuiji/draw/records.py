"""The public record of a draw: what anyone may see (risk classes stay internal — strata carry
only opaque labels; natural persons' names are masked) and, for the auditor, everything."""

from django.utils import timezone

from shuangsuiji.core.identifiers import mask_name
from shuangsuiji.directory.models import TargetKind

from . import hooks
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


def public_record(draw: TargetDraw, *, with_selection: bool | None = None, internal: bool = False) -> dict:
    drawn = draw.status in (DrawStatus.DRAWN, DrawStatus.VOIDED)
    rec = {
        "format": "ssj-draw-record-v1",
        "spec": "docs/draw-spec.md",
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
        "secret_commitment": draw.secret_commitment,
        "secret_hex": draw.server_secret() if drawn else "",
        "public_value_source": draw.public_value_source,
        "public_value": draw.public_value,
        "witnesses": [
            {
                "label": w.label,
                "description": w.description,
                "commitment": w.commitment,
                "number": w.number if w.revealed_at else "",
                "salt_hex": w.salt_hex if w.revealed_at else "",
            }
            # a witness registered but not (yet) committed has no part in the draw
            for w in draw.witnesses.all()
            if w.committed_at
        ],
        "seed": draw.seed,
        "ended_reason": draw.ended_reason,
    }
    show = selection_public(draw) if with_selection is None else with_selection
    if drawn and (show or internal):
        rec["selection"] = [
            {
                "order": s.order,
                "label": s.label,
                "position": s.position,
                "key": s.key,
                "name": mask_name(s.target.name) if s.target.kind == TargetKind.PERSON else s.target.name,
                "path": s.path,
            }
            for s in draw.selections.select_related("target").order_by("order")
        ]
    if internal and drawn and any("candidates" in s for s in draw.team_summary.values()):
        rec["teams"] = team_record(draw)
    return rec


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
