"""The January–March pages through HTTP, as the clerks, the public and an enterprise use them."""

import datetime as dt
import gzip
import json
import re
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.draw.models import DrawStatus, RecusalRequest, TargetDraw, TeamMember
from shuangsuiji.planning.models import PlanStatus, Task, YearGoals

from .conftest import full_draw


@pytest.mark.django_db
def test_goals_page_loads_a_preset_and_shows_the_denominator(client_for, ready):
    c = client_for(ready.office)
    r = c.post(reverse("planning:goals"), {"p-preset": "luquan-2026", "p-year": 2026})
    assert r.status_code == 302
    page = c.get(reverse("planning:goals") + "?year=2026").content.decode()
    # 60 enterprises on file at 2025-12-31 (none has a 成立日期 after it); 3% of 60 → 2 households
    assert (
        '<strong id="denominator">60</strong>' in page and '<strong id="target-households">2</strong>' in page
    )
    r = c.post(
        reverse("planning:goals"),
        {
            "year": 2026,
            "coverage": "3",
            "coverage_snapshot": "2025-12-31",
            "joint_task_share": "100",
            "joint_household_share": "95",
            "credit_share": "100",
            "publicity_on_time": "100",
            "followup_rate": "100",
        },
    )
    assert r.status_code == 302
    assert str(YearGoals.objects.get(year=2026).joint_household_share) == "0.9500"


@pytest.mark.django_db
def test_department_plans_through_the_pages_and_the_office_publishes(client_for, ready):
    w = ready
    c = client_for(w.b_admin)
    plan = w.plan_b
    r = c.post(
        reverse("planning:task_create", args=[plan.pk]),
        {
            "name": "公共场所卫生抽查",
            "mode": "ordinary",
            "items": [w.items["B-1"].pk],
            "quota_mode": "ratio",
            "ratio_A": "1",
            "ratio_B": "3",
            "ratio_C": "10",
            "ratio_D": "30",
            "team_size": 2,
            "window_start": "2026-04-01",
            "window_end": "2026-06-30",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    task = Task.objects.get(name="公共场所卫生抽查")
    assert task.ratios == {"A": "0.01", "B": "0.03", "C": "0.1", "D": "0.3"}
    r = c.post(
        reverse("planning:task_create", args=[plan.pk]),
        {
            "name": "坏",
            "mode": "ordinary",
            "items": [w.items["B-1"].pk],
            "quota_mode": "total",
            "team_size": 2,
            "window_start": "2026-04-01",
            "window_end": "2026-06-30",
        },
    )
    assert "按总数抽取时请填写抽取数量" in r.content.decode()
    c.post(reverse("planning:plan_detail", args=[plan.pk]), {"action": "submit"})
    assert (
        client_for(w.b_admin)
        .post(reverse("planning:plan_detail", args=[plan.pk]), {"action": "approve"})
        .status_code
        == 403
    )
    client_for(w.office).post(reverse("planning:plan_detail", args=[plan.pk]), {"action": "approve"})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PUBLISHED
    public = client_for(w.b_inspector).get(reverse("publicity:plan", args=[plan.pk]))
    assert "公共场所卫生抽查" in public.content.decode()


@pytest.mark.django_db
def test_draw_page_runs_the_whole_draw(client_for, ready):
    w = ready
    c = client_for(w.a_admin)
    terms = {
        "draw_at": (w.now - dt.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M"),
        "place": "三楼",
        "public_value_source": "福彩3D开奖号码",
        "public_value_at": (timezone.localtime() + dt.timedelta(minutes=2)).strftime("%Y-%m-%dT%H:%M"),
    }
    url = reverse("draw:announce", args=[w.task_a.pk])
    page = c.post(url, terms | {"step": "confirm"}).content.decode()
    assert "公告抽取（不可撤销）" in page and 'id="pool-preview"' in page
    r = c.post(url, terms | {"step": "announce", "confirmed": "on"})
    draw = TargetDraw.objects.get(task=w.task_a)
    assert r.status_code == 302 and r["Location"].endswith(f"/draw/{draw.public_id}/")
    url = reverse("draw:detail", args=[draw.public_id])
    # each witness gets a link once, and commits and reveals on their own device, signed in as nobody
    links = {}
    for label in ("见证人1", "见证人2"):
        page = c.post(url, {"action": "invite", "label": label, "description": "见证"}).content.decode()
        links[label] = re.search(r"https?://[^/<\s]+(/public/witness/[\w-]+/)", page).group(1)
    phones = {label: Client() for label in links}
    for (label, link), number in zip(links.items(), ("2718", "3141"), strict=True):
        phones[label].post(link, {"action": "commit", "number": number, "number_again": number})
    page = c.get(url).content.decode()
    assert "2718" not in page  # not shown before the reveal
    r = phones["见证人1"].post(links["见证人1"], {"action": "reveal", "number": "9999"})
    assert "与其承诺不符" in r.content.decode()
    for (label, link), number in zip(links.items(), ("2718", "3141"), strict=True):
        assert phones[label].post(link, {"action": "reveal", "number": number}).status_code == 200
    r = c.post(url, {"action": "run", "public_value": "123"}, follow=True)
    assert "公开随机值尚未产生" in r.content.decode()
    later = timezone.now() + dt.timedelta(minutes=4)
    with mock.patch.object(timezone, "now", lambda: later):  # the public value's time has passed
        c.post(url, {"action": "run", "public_value": "123"})
    c.post(url, {"action": "teams"})
    draw.refresh_from_db()
    assert draw.status == DrawStatus.DRAWN and draw.teams_drawn_at
    page = c.get(url).content.decode()
    assert "不一致" not in page and page.count("一致") >= 5
    # Another department's admin cannot run it
    assert client_for(w.b_admin).post(url, {"action": "teams"}).status_code == 404


@pytest.mark.django_db
def test_public_draw_page_verifies_and_never_shows_risk_classes(client, ready):
    draw = full_draw(ready, ready.task_a)
    r = client.get(reverse("publicity:draw", args=[draw.public_id]) + "?verify=1")
    page = r.content.decode()
    assert r.status_code == 200 and "验证通过" in page
    assert "risk_class" not in page and not any(f"{c}类" in page for c in "ABCD")
    rec = json.loads(client.get(reverse("publicity:draw_json", args=[draw.public_id])).content)
    assert "risk_class" not in json.dumps(rec) and rec["seed"] == draw.seed
    assert len(rec["named"]) == draw.selections.count()  # the task publishes its list from 2026-03-01


@pytest.mark.django_db
def test_enterprise_page_proves_its_own_selection(client, ready):
    draw = full_draw(ready, ready.task_a)
    s = draw.selections.first()
    url = reverse("publicity:selection", args=[s.token])
    # what an inspector scanning the QR code (or anyone with the link) sees: no stratum, position or salt
    page = client.get(url).content.decode()
    assert "抽取记录核验一致" in page and s.key in page and "不一致" not in page
    assert s.label not in page and s.salt not in page and "在分层中的位置" not in page
    wrong = client.post(url, {"action": "proof", "proof_code": "AAAAAAAA"}).content.decode()
    assert "企业核验码不正确" in wrong and s.label not in wrong
    # with the code printed on the enterprise's own copy of the notice: its own proof, checked
    page = client.post(url, {"action": "proof", "proof_code": s.proof_code.lower()}).content.decode()
    assert "核验一致" in page and "不一致" not in page
    assert s.label in page and s.salt in page and f"位置 {s.position}" in page
    assert client.get(reverse("publicity:selection", args=["forged-token"])).status_code == 404


@pytest.mark.django_db
def test_auditor_downloads_pool_and_record(client_for, ready):
    draw = full_draw(ready, ready.task_a)
    c = client_for(ready.auditor)
    pool = b"".join(c.get(reverse("draw:audit_download", args=[draw.public_id, "pool"])).streaming_content)
    assert gzip.decompress(pool).startswith(b'{"format": "ssj-pool-v3"')
    rec = json.loads(c.get(reverse("draw:audit_download", args=[draw.public_id, "record"])).content)
    assert {s["risk_class"] for s in rec["strata"]} == {"A", "B", "C", "D", ""}
    assert client_for(ready.a_admin).get(reverse("draw:audit_list")).status_code == 403


@pytest.mark.django_db
def test_recusal_through_the_pages(client_for, ready):
    w = ready
    draw = full_draw(w, w.task_a)
    from shuangsuiji.draw import services

    services.teams_draw(actor=w.a_admin, draw=draw)
    member = TeamMember.objects.filter(selection__draw=draw).first()
    a = client_for(w.a_admin)
    # the draw's page has no recusal forms: one link per target, to a page of its own
    page = a.get(reverse("draw:detail", args=[draw.public_id])).content.decode()
    assert 'name="reason"' not in page.split('id="selections"')[1]
    url = reverse("draw:recusal_new", args=[draw.public_id])
    assert f'href="{url}?s={member.selection_id}#recusal-form"' in page
    page = a.get(url, {"s": member.selection_id}).content.decode()
    assert member.selection.target.name in page and f'value="{member.pk}"' in page
    r = a.post(url, {"member": member.pk, "reason": "曾在该企业任职"})
    assert r.status_code == 302
    req = RecusalRequest.objects.get()
    assert "曾在该企业任职" in a.get(url).content.decode()  # listed on its page
    c = client_for(w.a_reviewer)
    assert "曾在该企业任职" in c.get(reverse("draw:recusals")).content.decode()
    c.post(reverse("draw:recusals"), {"request": req.pk, "decision": "approve", "note": "属实"})
    req.refresh_from_db()
    member.refresh_from_db()
    assert req.status == "approved" and member.replaced_by is not None
