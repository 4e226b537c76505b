"""The careless case's world (imported by test_careless.py; kept out of conftest.py, which the
watch list's tests share): department A's task drawn and teamed (the draw app's `ready`), its inspections
published so that one inspector (the busiest) found nothing where his colleagues found problems
in the same strata and items: the constructed careless case."""

from collections import Counter

import pytest

from conftest import build_world, module_standing
from shuangsuiji.draw import services as draws
from shuangsuiji.draw.tests.conftest import build_ready, full_draw
from shuangsuiji.followup.tests.conftest import publish


@pytest.fixture(scope="module")
def careless_standing(django_db_setup, django_db_blocker, tmp_path_factory):
    """`careless_year`'s world built once for a module whose tests only read it (or change it in
    their own savepoint: conftest.module_standing)."""
    media = tmp_path_factory.mktemp("careless-media")

    def build():
        w = build_careless_year(build_ready(build_world()))
        w.media = media
        return w

    yield from module_standing(django_db_blocker, media, build)


def build_careless_year(w):
    """Every drawn target of A's task inspected and published; inspections with `w.careless` on
    the team find nothing, the others find a problem (on item A-1) every other time."""
    w.draw = full_draw(w, w.task_a)
    draws.teams_draw(actor=w.a_admin, draw=w.draw)
    sels = list(w.draw.selections.order_by("order"))
    teams = {s.pk: {m.inspector_id for m in s.team.filter(active=True)} for s in sels}
    busiest = Counter(i for team in teams.values() for i in team).most_common()
    w.careless = next(i for i, _ in busiest)
    w.published, others = [], 0
    for sel in sels:
        if w.careless in teams[sel.pk]:
            w.published.append(publish(w, sel, problem=False))
        else:
            w.published.append(publish(w, sel, problem=others % 2 == 0))
            others += 1
    w.teams = teams
    return w
