"""The trigger pages walked as a department clerk and its head would (issue 19): record a complaint
from the form (targets by 统一社会信用代码), ask for a triggered task, approve it; the office reads
it without the complainant; a bad line is refused naming it, nothing saved."""

from django.urls import reverse

from conftest import make_uscc
from shuangsuiji.triggers.models import Trigger

from .conftest import WINDOW


def _form(w, **kw):
    return {
        "category": "complaint",
        "source": "12345政务服务便民热线",
        "received_on": "2026-11-20",
        "targets_text": f"{w.targets[1].uscc}\n\n{w.targets[2].uscc.lower()}\n",
        "items": [w.items["A-1"].pk],
        "description": "消费者反映后厨卫生差",
        "complainant": "李女士 13900000000",
        **kw,
    }


def test_from_the_form_to_an_approved_task(county, client_for):
    w = county
    c = client_for(w.a_admin)
    r = c.post(reverse("triggers:new"), _form(w))
    t = Trigger.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("triggers:detail", args=[t.pk])
    assert sorted(t.targets.values_list("pk", flat=True)) == [w.targets[1].pk, w.targets[2].pk]
    r = c.post(
        reverse("triggers:request", args=[t.pk]),
        {"window_start": WINDOW[0], "window_end": WINDOW[1], "team_size": 2, "reason": "线索具体"},
    )
    req = t.requests.get()
    c = client_for(w.a_reviewer)
    page = c.get(reverse("triggers:list")).content.decode()
    assert "待审批的触发式检查" in page and req.task.code in page
    c.post(reverse("triggers:decide", args=[req.pk]), {"decision": "approve", "note": "同意"})
    req.refresh_from_db()
    assert req.status == "approved" and req.task.draws.get().selections.count() == 2
    detail = c.get(reverse("triggers:detail", args=[t.pk])).content.decode()
    assert "李女士" in detail and "检查对象与检查组" in detail
    office = client_for(w.office).get(reverse("triggers:detail", args=[t.pk])).content.decode()
    assert "后厨卫生差" in office and "李女士" not in office  # the complainant stays in the department


def test_a_line_not_in_the_directory_is_named_and_nothing_is_saved(county, client_for):
    w = county
    c = client_for(w.a_admin)
    absent = make_uscc("91130110MA0A9Y8W7")  # a valid code that no target of the directory has
    r = c.post(reverse("triggers:new"), _form(w, targets_text=f"{w.targets[1].uscc}\n{absent}"))
    assert r.status_code == 200
    assert f"第 2 行“{absent}”" in r.content.decode()
    assert not Trigger.objects.exists()
