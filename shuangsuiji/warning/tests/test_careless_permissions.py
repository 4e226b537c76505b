"""Role × page for the careless-inspection signals (STYLE.md 4): every standing actor against
every route, one world for the table; the same rows are handed to the project's permission
matrix (core/tests/test_permission_matrix.py)."""

import pytest
from django.test import Client

from conftest import ACTORS
from shuangsuiji.draw.tests.conftest import _inspector

# method, path (placeholders filled below), data, answers in ACTORS order: the office (its
# jurisdiction) and the 主管领导 (his department's people) read; no one else, and nothing is posted
ROWS = [
    ("GET", "/warning/careless/", None, [302, 200, 403, 200, 403, 403, 403, 403, 403, 403]),
    ("GET", "/warning/careless/?year=2026", None, [302, 200, 403, 200, 403, 403, 403, 403, 403, 403]),
    ("POST", "/warning/careless/", {}, [302, 405, 403, 405, 403, 403, 403, 403, 403, 403]),
    (
        "GET",
        "/warning/careless/inspectors/{inspector_a}/",
        None,
        [302, 200, 403, 200, 403, 403, 403, 403, 403, 403],
    ),
    (
        "POST",
        "/warning/careless/inspectors/{inspector_a}/",
        {},
        [302, 405, 403, 405, 403, 403, 403, 403, 403, 403],
    ),
]


@pytest.mark.django_db
def test_careless_permission_matrix(world):
    w = world
    inspector = _inspector(w, w.dept_a, w.a_admin, 1)
    fill = {"inspector_a": inspector.pk}
    wrong = []
    for method, path, data, answers in ROWS:
        url = path.format(**fill)
        for actor, expected in zip(ACTORS, answers, strict=True):
            c = Client()
            if actor != "anonymous":
                c.force_login(getattr(w, actor))
            r = c.post(url, data) if method == "POST" else c.get(url)
            if r.status_code != expected:
                wrong.append(f"{method} {url} {actor}: {r.status_code} ≠ {expected}")
    assert not wrong, "\n".join(wrong)
