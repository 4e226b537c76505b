"""The trigger pages × the standing actors (STYLE.md 4): the rows handed to the permission matrix,
checked here against the real pages. A department records and acts on its own triggers, its
head decides; the office reads the county's; nobody else sees them."""

from django.test import Client

from conftest import ACTORS

from .conftest import WINDOW, record, request

L, OK, MOVED, DENIED, HIDDEN = "login", 200, 302, 403, 404

# url, method, POST data, answers in ACTORS' order
ROWS = [
    ("/triggers/", "GET", None, [L, OK, OK, OK, DENIED, OK, DENIED, DENIED, DENIED, OK]),
    ("/triggers/new/", "GET", None, [L, DENIED, OK, DENIED, DENIED, OK, DENIED, DENIED, DENIED, OK]),
    ("/triggers/new/", "POST", {}, [L, DENIED, OK, DENIED, DENIED, OK, DENIED, DENIED, DENIED, OK]),
    ("/triggers/{trigger}/", "GET", None, [L, OK, OK, OK, DENIED, HIDDEN, DENIED, DENIED, DENIED, HIDDEN]),
    (
        "/triggers/{trigger}/request/",
        "POST",
        {
            "window_start": WINDOW[0].isoformat(),
            "window_end": WINDOW[1].isoformat(),
            "team_size": 2,
            "reason": "线索具体",
        },
        [L, DENIED, MOVED, DENIED, DENIED, HIDDEN, DENIED, DENIED, DENIED, HIDDEN],
    ),
    (
        "/triggers/{trigger}/merge/",
        "POST",
        {},
        [L, DENIED, MOVED, DENIED, DENIED, HIDDEN, DENIED, DENIED, DENIED, HIDDEN],
    ),
    (
        "/triggers/requests/{req}/decide/",
        "POST",
        {"decision": "refuse", "note": "线索不具体"},
        [L, DENIED, DENIED, MOVED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED],
    ),
]


def test_every_page_for_every_actor(county):
    w = county
    trigger = record(w, [w.targets[1]])
    req = request(w, record(w, [w.targets[2]], category="deployment", source="市局部署"))
    names = {"trigger": trigger.pk, "req": req.pk}
    wrong = []
    for url, method, data, answers in ROWS:
        for actor, expected in zip(ACTORS, answers, strict=True):
            c = Client()
            if actor != "anonymous":
                c.force_login(getattr(w, actor))
            u = url.format(**names)
            r = c.post(u, data) if method == "POST" else c.get(u)
            got = r.status_code
            if got == 302 and "/login/" in r["Location"]:
                got = L
            if got != expected:
                wrong.append((actor, method, u, expected, got))
    assert wrong == []
    trigger.refresh_from_db()
    req.refresh_from_db()
    assert trigger.status == "requested" and req.status == "refused"  # a_admin asked, a_reviewer refused
