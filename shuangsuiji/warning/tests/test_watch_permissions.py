"""The watch list's pages × the standing actors (STYLE.md 4): the rows handed to the permission
matrix, checked here against the real pages. Internal: the office reads its county's list and
sets its numbers; a department reads its own targets' list and starts from a row (its admin);
the auditor, the inspectors, the sysadmin and the public have no part in it."""

from django.test import Client

from conftest import ACTORS
from shuangsuiji.core.models import AuditEntry
from shuangsuiji.warning.models import WatchAction, WatchSettings
from shuangsuiji.warning.watch import SETTING_FIELDS

from .watch_fixtures import county, ready, watched  # noqa: F401  (fixtures)

L, OK, MOVED, DENIED, HIDDEN = "login", 200, 302, 403, 404

SETTINGS = {f: getattr(WatchSettings(), f) for f in SETTING_FIELDS}
STARTERS = [L, DENIED, MOVED, DENIED, DENIED, HIDDEN, DENIED, DENIED, DENIED, HIDDEN]
FORMS = [L, DENIED, OK, DENIED, DENIED, HIDDEN, DENIED, DENIED, DENIED, HIDDEN]

# url, method, POST data, answers in ACTORS' order
ROWS = [
    ("/warning/watch/", "GET", None, [L, OK, OK, OK, DENIED, OK, DENIED, DENIED, DENIED, OK]),
    ("/warning/watch/settings/", "GET", None, [L, OK, *[DENIED] * 8]),
    ("/warning/watch/settings/", "POST", SETTINGS, [L, MOVED, *[DENIED] * 8]),
    (
        "/warning/watch/{target}/",
        "GET",
        None,
        [L, OK, OK, OK, DENIED, HIDDEN, DENIED, DENIED, DENIED, HIDDEN],
    ),
    ("/warning/watch/{target}/trigger/", "GET", None, FORMS),
    ("/warning/watch/{target}/trigger/", "POST", {"items": "{item}", "description": "评分高"}, STARTERS),
    ("/warning/watch/{target}/propose/", "GET", None, FORMS),
    ("/warning/watch/{target}/propose/", "POST", {"risk_class": "D", "reason": "多次不配合"}, STARTERS),
]


def test_every_page_for_every_actor(watched):  # noqa: F811  (the imported fixture)
    w = watched
    names = {"target": w.watched.pk, "item": w.items["A-1"].pk}
    wrong = []
    for url, method, data, answers in ROWS:
        for actor, expected in zip(ACTORS, answers, strict=True):
            c = Client()
            if actor != "anonymous":
                c.force_login(getattr(w, actor))
            u = url.format(**names)
            entries = AuditEntry.objects.count()
            if method == "POST":
                r = c.post(u, {k: str(v).format(**names) for k, v in data.items()})
            else:
                r = c.get(u)
            got = r.status_code
            if got == 302 and "/login/" in r["Location"]:
                got = L
            if got != expected:
                wrong.append((actor, method, u, expected, got))
            if expected != MOVED and AuditEntry.objects.count() != entries:
                wrong.append((actor, method, u, "changed nothing", "changed"))
    assert wrong == []
    assert WatchSettings.objects.get().set_by == w.office
    assert sorted(WatchAction.objects.values_list("kind", flat=True)) == ["proposal", "trigger"]
