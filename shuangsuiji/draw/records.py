"""The public record of a draw: what anyone may see (risk classes stay internal — strata carry
only opaque labels; natural persons' names are masked) and, for the auditor, everything."""

from django.utils import timezone

from shuangsuiji.core.identifiers import mask_name
from shuangsuiji.directory.models import TargetKind

from .models import DrawStatus, TargetDraw


def selection_public(draw: TargetDraw, today=None) -> bool:
    """The selected list is public from the task's chosen date, and at the latest with the
    first published result."""
    if draw.status not in (DrawStatus.DRAWN, DrawStatus.VOIDED):
        return False
    today = today or timezone.localdate()
    if draw.publish_selection_on and draw.publish_selection_on <= today:
        return True
    from shuangsuiji.inspection.models import Inspection, InspectionStatus  # inspection builds on draw

    return Inspection.objects.filter(selection__draw=draw, status=InspectionStatus.PUBLISHED).exists()


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
        "pool_root": draw.pool_root,
        "secret_commitment": draw.secret_commitment,
        "secret_hex": draw.secret_hex if drawn else "",
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
            for w in draw.witnesses.all()
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
    return rec
