"""The follow-up pages × the standing actors (STYLE.md 4): the rows handed to the permission
matrix, checked here against the real pages."""

import datetime as dt

import pytest
from django.test import Client

from conftest import ACTORS
from shuangsuiji.followup import services

from .conftest import publish

L, OK, MOVED, DENIED, HIDDEN = "login", 200, 302, 403, 404

# url, method, POST data, answers in ACTORS' order
ROWS = [
    ("/followup/", "GET", None, [L, OK, OK, OK, OK, OK, OK, DENIED, DENIED, OK]),
    ("/followup/{fu}/", "GET", None, [L, OK, OK, OK, OK, HIDDEN, HIDDEN, DENIED, DENIED, HIDDEN]),
    ("/followup/{fu_b}/", "GET", None, [L, OK, OK, OK, OK, OK, OK, DENIED, DENIED, HIDDEN]),
    (
        "/followup/{fu}/",
        "POST",
        {"action": "dispose"},
        [L, DENIED, MOVED, MOVED, MOVED, HIDDEN, HIDDEN, DENIED, DENIED, HIDDEN],
    ),
    (
        "/followup/{fu_b}/",
        "POST",
        {"action": "accept"},
        [L, DENIED, DENIED, DENIED, DENIED, MOVED, MOVED, DENIED, DENIED, HIDDEN],
    ),
    ("/followup/inbox/", "GET", None, [L, OK, OK, OK, OK, OK, OK, DENIED, DENIED, OK]),
    ("/followup/visits/", "GET", None, [L, OK] + [DENIED] * 8),
    ("/followup/visits/", "POST", {}, [L, OK] + [DENIED] * 8),
    ("/followup/visits/{vd}/", "GET", None, [L, OK] + [DENIED] * 8),
    ("/followup/public/visits/{vd_public}.json", "GET", None, [OK] * 10),
]


@pytest.mark.django_db
def test_every_page_for_every_actor(problem):
    w = problem
    publish(w, w.sels[1], problem=True)
    fu_b = w.ins.followups.model.objects.exclude(pk=w.fu.pk).get()
    services.followup_dispose(
        actor=w.a_admin,
        followup=fu_b,
        kind="transfer",
        measure="属卫生健康职责",
        transfer_to=w.dept_b,
        due_on=dt.date(2026, 6, 30),
        on=dt.date(2026, 5, 6),
    )
    vd = services.visit_draw_announce(actor=w.office, year=2026, share="1", public_value_source="福彩3D")
    vd = services.visit_draw_run(actor=w.office, draw=vd, public_value="372")
    names = {"fu": w.fu.pk, "fu_b": fu_b.pk, "vd": vd.pk, "vd_public": vd.public_id}
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
