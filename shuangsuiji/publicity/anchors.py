"""一公开: the audit log's anchors (docs/audit-log.md). The chain's head is published here at least
daily, so anyone (a journalist, an enterprise, the 审计 office of another level) can keep a copy;
`manage.py audit_verify --anchors FILE` then proves the log was neither rewritten nor truncated
after each anchor, whoever holds the database (GB/T 22239-2019 8.1.4.3 c)."""

import json

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from shuangsuiji.core import audit
from shuangsuiji.core.ops.caching import public_page


@public_page(last_modified=audit.last_anchor_at)
def audit_anchors(request):
    page = Paginator(audit.anchors_published(), 100).get_page(request.GET.get("page"))
    return render(request, "publicity/audit_anchors.html", {"page": page})


@public_page(last_modified=audit.last_anchor_at)
def audit_anchors_json(request):
    """The stable download: every anchor, oldest first, in the format `audit_verify --anchors`
    reads."""
    anchors = [audit.anchor_as_public(a) for a in audit.anchors_published().order_by("seq").iterator()]
    resp = HttpResponse(
        json.dumps(anchors, ensure_ascii=False, indent=1), content_type="application/json; charset=utf-8"
    )
    resp["Content-Disposition"] = 'inline; filename="audit-anchors.json"'
    return resp
