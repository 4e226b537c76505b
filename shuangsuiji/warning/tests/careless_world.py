"""Fixtures (imported by the test_careless* modules; kept out of conftest.py, which the watch
list's tests share): department A's task drawn and teamed (the draw app's `ready`), its inspections
published so that one inspector (the busiest) found nothing where his colleagues found problems
in the same strata and items: the constructed careless case."""

from collections import Counter

import pytest

from shuangsuiji.draw import services as draws
from shuangsuiji.draw.tests.conftest import full_draw, ready  # noqa: F401  (fixture)
from shuangsuiji.followup.tests.conftest import publish


@pytest.fixture
def careless_year(ready):  # noqa: F811  (the imported fixture)
    """Every drawn target of A's task inspected and published; inspections with `w.careless` on
    the team find nothing, the others find a problem (on item A-1) every other time."""
    w = ready
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
