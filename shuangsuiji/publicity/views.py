"""一公开: the public portal, no sign-in. It never shows risk classes, 身份证号, natural persons'
names unmasked, or internal comments (R-TGT-2): everything here is built from the public
record functions, never from internal models directly."""

import json

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render

from shuangsuiji.draw import engine
from shuangsuiji.draw.models import Selection
from shuangsuiji.draw.records import public_record, selection_public
from shuangsuiji.draw.selectors import public_draws
from shuangsuiji.draw.verify import verify_record
from shuangsuiji.planning.selectors import published_plans


def index(request):
    plans = published_plans().order_by("-year", "department__name")
    draws = public_draws().order_by("-announced_at")[:50]
    return render(request, "publicity/index.html", {"plans": plans, "draws": draws})


def plan(request, pk):
    p = get_object_or_404(published_plans(), pk=pk)
    return render(request, "publicity/plan.html", {"plan": p, "versions": p.versions.order_by("-number")})


def draw(request, public_id):
    d = get_object_or_404(public_draws(), public_id=public_id)
    rec = public_record(d)
    checks = verify_record(rec) if request.GET.get("verify") else None
    return render(
        request,
        "publicity/draw.html",
        {"draw": d, "rec": rec, "checks": checks, "all_ok": checks is not None and all(c.ok for c in checks)},
    )


def draw_json(request, public_id):
    d = get_object_or_404(public_draws(), public_id=public_id)
    resp = HttpResponse(
        json.dumps(public_record(d), ensure_ascii=False, indent=1),
        content_type="application/json; charset=utf-8",
    )
    resp["Content-Disposition"] = f'inline; filename="{d.public_id}.json"'
    return resp


def selection(request, token):
    """An enterprise's own page (from its notice or QR code): its stratum label, position and
    Merkle path, checked against the committed root: drawn, not picked."""
    s = Selection.objects.select_related("draw__task", "target").filter(token=token).first()
    if s is None:
        raise Http404
    stratum = next(x for x in s.draw.strata if x["label"] == s.label)
    ok = engine.verify_path(
        engine.leaf_hash(s.label, s.key), s.position, stratum["size"], s.path, bytes.fromhex(stratum["root"])
    )
    rec = public_record(s.draw, with_selection=False)
    seed_checks = verify_record(rec)
    positions = (
        engine.select_positions(bytes.fromhex(s.draw.seed), s.label, stratum["size"], stratum["quota"])
        if s.draw.seed
        else []
    )
    return render(
        request,
        "publicity/selection.html",
        {
            "s": s,
            "stratum": stratum,
            "path_ok": ok,
            "seed_ok": all(c.ok for c in seed_checks),
            "position_drawn": s.position in positions,
            "all_ok": ok and all(c.ok for c in seed_checks) and s.position in positions,
            "public_list": selection_public(s.draw),
        },
    )
