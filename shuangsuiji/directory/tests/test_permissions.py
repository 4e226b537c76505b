"""The directory's 变更建议 pages × the standing actors (STYLE.md 4): the rows handed to the
permission matrix, checked here against the real pages. The suggestion is B's, on a target A
(市场监督管理局, the county's default keeper) keeps. The inspector and item import previews
(issue 17): {ij} is A's inspector import waiting at its preview, {mj} the office's item import."""

import pytest
from django.test import Client

from conftest import ACTORS, make_uscc
from shuangsuiji.core.models import Job, JobStatus
from shuangsuiji.directory import services
from shuangsuiji.directory.models import ChangeSuggestion, SuggestionStatus, TargetSupervision

L, OK, MOVED, DENIED, HIDDEN = "login", 200, 302, 403, 404

# url, method, POST data, answers in ACTORS' order
ROWS = [
    (
        "/directory/targets/{t}/own-class/",
        "POST",
        {"risk_class": "C"},
        [L, DENIED, MOVED, DENIED, DENIED, MOVED, DENIED, DENIED, DENIED, HIDDEN],
    ),
    ("/directory/keeper/", "GET", None, [L, OK, OK, OK, OK, OK, OK, DENIED, DENIED, OK]),
    ("/directory/keeper/", "POST", {"department": "{dept_a}"}, [L, MOVED] + [DENIED] * 8),
    ("/directory/suggestions/", "GET", None, [L, OK, OK, OK, OK, OK, OK, DENIED, DENIED, OK]),
    (
        "/directory/suggestions/{s}/accept/",
        "POST",
        {},
        [L, MOVED, MOVED, DENIED, DENIED, HIDDEN, DENIED, DENIED, DENIED, HIDDEN],
    ),
    (
        "/directory/suggestions/{s}/reject/",
        "POST",
        {"reason": "与登记信息不符"},
        [L, MOVED, MOVED, DENIED, DENIED, HIDDEN, DENIED, DENIED, DENIED, HIDDEN],
    ),
    # an import's preview: its department's own, for the role that may import that directory
    (
        "/directory/inspectors/import/{ij}/",
        "GET",
        None,
        [L, DENIED, OK, DENIED, DENIED, HIDDEN, DENIED, DENIED, DENIED, HIDDEN],
    ),
    (
        "/directory/inspectors/import/{ij}/",
        "POST",
        {"decision": "abandon"},
        [L, DENIED, MOVED, DENIED, DENIED, HIDDEN, DENIED, DENIED, DENIED, HIDDEN],
    ),
    (
        "/directory/inspectors/import/{ij}/changes.xlsx",
        "GET",
        None,
        [L, DENIED, OK, DENIED, DENIED, HIDDEN, DENIED, DENIED, DENIED, HIDDEN],
    ),
    ("/directory/items/import/{mj}/", "GET", None, [L, OK] + [DENIED] * 8),
    ("/directory/items/import/{mj}/", "POST", {"decision": "abandon"}, [L, MOVED] + [DENIED] * 8),
    ("/directory/items/import/{mj}/changes.xlsx", "GET", None, [L, OK] + [DENIED] * 8),
]


def _waiting_import(kind: str, user) -> Job:
    """An import of `kind` by `user` waiting at its preview (one changed field listed)."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    changes = default_storage.save(
        "jobs/preview/perm.csv", ContentFile("2,HB-1,甲,事项名称,甲,乙,\n".encode())
    )
    return Job.objects.create(
        kind=kind,
        title="导入",
        department=user.department,
        created_by=user,
        status=JobStatus.SUCCEEDED,
        params={"mode": "update", "filename": "t.csv", "stage": "preview", "fingerprint": ""},
        result={
            "stage": "preview",
            "preview": {
                "added": 0,
                "changed": 1,
                "unchanged": 0,
                "changes": 1,
                "lines": [],
                "sample": [],
                "changes_file": changes,
                "fingerprint": "x",
            },
        },
    )


@pytest.mark.django_db
def test_every_page_for_every_actor(world):
    w = world
    t = services.target_create(
        actor=w.a_admin,
        department=w.dept_a,
        kind="enterprise",
        name="鹿泉区好味道餐饮有限公司",
        region=w.county,
        key=make_uscc("91130110MA0A00001"),
        risk_class="B",
    )
    TargetSupervision.objects.create(target=t, department=w.dept_b)
    wrong = []
    for url, method, data, answers in ROWS:
        for actor, expected in zip(ACTORS, answers, strict=True):
            # a fresh pending suggestion for each request: a decided one cannot be decided again
            s = ChangeSuggestion.objects.create(
                target=t,
                field="risk_class",
                current_value="B",
                suggested_value="C",
                department=w.dept_b,
                proposed_by=w.b_admin,
                created_at=t.created_at,
            )
            c = Client()
            if actor != "anonymous":
                c.force_login(getattr(w, actor))
            # and fresh imports at their previews: a decided one cannot be decided again
            ij, mj = _waiting_import("inspector_import", w.a_admin), _waiting_import("item_import", w.office)
            names = {"s": s.pk, "dept_a": w.dept_a.pk, "t": t.pk, "ij": ij.pk, "mj": mj.pk}
            u = url.format(**names)
            body = {k: v.format(**names) for k, v in (data or {}).items()}
            r = c.post(u, body) if method == "POST" else c.get(u)
            got = r.status_code
            if got == 302 and "/login/" in r["Location"]:
                got = L
            if got != expected:
                wrong.append((actor, method, u, expected, got))
            s.refresh_from_db()
            decided = s.status != SuggestionStatus.PENDING
            if "/suggestions/" in url and method == "POST" and decided != (expected == MOVED):
                wrong.append((actor, method, u, "decided" if expected == MOVED else "untouched", s.status))
            job = Job.objects.get(pk=ij.pk if "/inspectors/" in url else mj.pk)
            if (
                "/import/" in url
                and method == "POST"
                and (job.result["stage"] == "abandoned") != (expected == MOVED)
            ):
                wrong.append(
                    (actor, method, u, "abandoned" if expected == MOVED else "untouched", job.result["stage"])
                )
    assert wrong == []
