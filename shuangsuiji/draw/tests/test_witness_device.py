"""Witnesses enter their numbers on their own devices (issue 16): the lead registers each witness
and gets a one-time link (only its hash is kept); the witness, signed in as nobody, commits and
reveals on the link's page; the lead's page has no field for a witness's number."""

import datetime as dt
import hashlib
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.core.errors import DomainError, Forbidden, NotFound
from shuangsuiji.core.models import AuditEntry
from shuangsuiji.draw import engine, services, witnesses
from shuangsuiji.draw.models import DrawStatus, Witness
from shuangsuiji.draw.records import public_record
from shuangsuiji.draw.verify import verify_record

from .conftest import announce, run

LINK = re.compile(r"https?://[^/<\s]+(/public/witness/([\w-]+)/)")


def _page(token: str) -> str:
    return reverse("draw_witness:page", args=[token])


def _private(resp) -> bool:
    return resp["Cache-Control"] == "private, no-store" and resp["Referrer-Policy"] == "no-referrer"


def _entries(draw, since: int) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(seq__gt=since, object_id=str(draw.pk)).order_by("seq"))


def _last_seq() -> int:
    return AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


@pytest.mark.django_db
def test_invite_stores_only_the_tokens_hash(ready):
    w = ready
    draw = announce(w, w.task_a)
    witness, token = witnesses.witness_invite(
        actor=w.a_admin, draw=draw, label="见证人1", description="区纪委监委派驻纪检组干部"
    )
    witness.refresh_from_db()
    assert len(token) >= 32
    assert witness.device_token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert witness.invited_at and not witness.committed_at
    assert witness.commitment == witness.salt_hex == witness.number == ""
    stored = " ".join(str(v) for v in Witness.objects.filter(pk=witness.pk).values().get().values())
    assert token not in stored
    assert not any(token in e.summary or token in str(e.detail) for e in AuditEntry.objects.all())
    # the same label twice, or an empty description, is refused
    with pytest.raises(DomainError, match="见证人1 已登记"):
        witnesses.witness_invite(actor=w.a_admin, draw=draw, label="见证人1", description="协会")
    with pytest.raises(DomainError, match="请填写见证人身份"):
        witnesses.witness_invite(actor=w.a_admin, draw=draw, label="见证人2", description=" ")
    # only the lead department registers witnesses
    with pytest.raises(Forbidden):
        witnesses.witness_invite(actor=w.b_admin, draw=draw, label="见证人2", description="协会")
    # an uninvited witness is not part of the public record
    assert public_record(draw)["witnesses"] == []


@pytest.mark.django_db
def test_commit_and_reveal_on_the_witness_page_without_signing_in(ready):
    w = ready
    draw = announce(
        w,
        w.task_a,
        public_value_source="2026-03-10 福彩3D开奖号码",
        public_value_at=timezone.now() + dt.timedelta(hours=2),
    )
    _, one = witnesses.witness_invite(actor=w.a_admin, draw=draw, label="见证人1", description="纪检监察干部")
    _, two = witnesses.witness_invite(actor=w.a_admin, draw=draw, label="见证人2", description="行业协会代表")
    # the witness's own phone: no session, no sign-in; its browser posts with `Origin: null` (the
    # page's Referrer-Policy is no-referrer), and no CSRF token is needed: the link is the credential
    phone = Client(enforce_csrf_checks=True, HTTP_ORIGIN="null")

    r = phone.get(_page(one))
    page = r.content.decode()
    assert r.status_code == 200 and _private(r)
    for shown in (draw.public_id, w.task_a.name, "区市场监管局三楼会议室", "见证人1", "纪检监察干部"):
        assert shown in page
    assert "公开随机值来源" in page and "2026-03-10 福彩3D开奖号码" in page and "公开随机值产生时间" in page
    assert "数字只在本设备输入，平台保存其加盐哈希，揭示前任何人都看不到" in page
    assert 'name="number_again"' in page

    # the two entries must match; nothing is committed until they do
    r = phone.post(_page(one), {"action": "commit", "number": "271828", "number_again": "271829"})
    assert r.status_code == 200 and "两次输入的数字不一致" in r.content.decode()
    assert not Witness.objects.get(label="见证人1", draw=draw).committed_at
    r = phone.post(_page(one), {"action": "commit", "number": "27a", "number_again": "27a"})
    assert "请输入 1–20 位数字" in r.content.decode()

    r = phone.post(_page(one), {"action": "commit", "number": "271828", "number_again": "271828"})
    assert r.status_code == 302 and r["Location"] == _page(one) and _private(r)
    first = Witness.objects.get(label="见证人1", draw=draw)
    assert first.committed_at and first.number == "" and len(first.salt_hex) == 32
    assert first.commitment == engine.witness_commitment(draw.public_id, "见证人1", "271828", first.salt_hex)
    page = phone.get(_page(one)).content.decode()
    assert first.commitment in page and "至少需要 2 名见证人" in page and 'value="reveal"' not in page
    assert "271828" not in Client().get(reverse("publicity:draw", args=[draw.public_id])).content.decode()
    r = phone.post(_page(one), {"action": "commit", "number": "1", "number_again": "1"})
    assert Witness.objects.get(pk=first.pk).commitment == first.commitment  # not twice

    other = Client()
    other.post(_page(two), {"action": "commit", "number": "314159", "number_again": "314159"})
    page = phone.get(_page(one)).content.decode()
    assert 'value="reveal"' in page
    r = phone.post(_page(one), {"action": "reveal", "number": "271829"})
    assert r.status_code == 200 and "见证人1 输入的数字与其承诺不符，请本人重新输入" in r.content.decode()
    r = phone.post(_page(one), {"action": "reveal", "number": "271828"})
    assert r.status_code == 200 and _private(r) and "揭示完成" in r.content.decode()
    first.refresh_from_db()
    assert first.number == "271828" and first.revealed_at and first.device_token_hash == ""
    # the link is spent: a second visit gets the invalid-link page
    r = phone.get(_page(one))
    assert r.status_code == 404 and "该见证人链接无效或已失效" in r.content.decode() and _private(r)

    other.post(_page(two), {"action": "reveal", "number": "314159"})
    draw = run(w, draw)
    assert draw.status == DrawStatus.DRAWN
    checks = verify_record(public_record(draw, with_selection=True))
    assert checks and all(c.ok for c in checks)
    assert [x["number"] for x in public_record(draw)["witnesses"]] == ["271828", "314159"]


@pytest.mark.django_db
def test_the_leads_page_registers_witnesses_and_takes_no_number(client_for, ready):
    w = ready
    draw = announce(w, w.task_a)
    c = client_for(w.a_admin)
    url = reverse("draw:detail", args=[draw.public_id])
    page = c.get(url).content.decode()
    assert 'id="invite-form"' in page and 'value="见证人1"' in page
    assert 'name="number"' not in page and "commit-form" not in page and "reveal-form" not in page

    r = c.post(url, {"action": "invite", "label": "见证人1", "description": "纪检监察干部"})
    page = r.content.decode()
    assert r.status_code == 200 and "<svg" in page and "见证人1本人设备链接" in page
    link, token = LINK.search(page).groups()
    assert link == _page(token) and 'name="number"' not in page
    assert Client().get(link).status_code == 200
    page = c.get(url).content.decode()
    assert token not in page and "已登记未承诺" in page and 'value="见证人2"' in page  # shown once only
    assert "重新生成链接" in page and "移除" in page

    # a new link: the old one stops working
    witness = Witness.objects.get(draw=draw, label="见证人1")
    page = c.post(url, {"action": "reissue", "witness": witness.pk}).content.decode()
    new_link, new_token = LINK.search(page).groups()
    assert new_token != token
    assert Client().get(link).status_code == 404 and Client().get(new_link).status_code == 200

    # once committed, neither a new link nor removal
    Client().post(new_link, {"action": "commit", "number": "42", "number_again": "42"})
    page = c.get(url).content.decode()
    assert "已承诺" in page and "重新生成链接" not in page
    r = c.post(url, {"action": "remove", "witness": witness.pk}, follow=True)
    assert "见证人1 已承诺，不能移除" in r.content.decode()
    assert Witness.objects.filter(pk=witness.pk).exists()

    # another department's admin may not register witnesses on A's draw
    assert (
        client_for(w.b_admin)
        .post(url, {"action": "invite", "label": "见证人2", "description": "x"})
        .status_code
        == 404
    )


@pytest.mark.django_db
def test_unknown_replaced_and_spent_links_are_404(ready):
    w = ready
    draw = announce(w, w.task_a)
    for token in ("forged-token", "x" * 200, "%00"):
        r = Client().get(f"/public/witness/{token}/")
        assert r.status_code in (400, 404)
    r = Client().get(_page("forged-token"))
    assert r.status_code == 404 and "该见证人链接无效或已失效" in r.content.decode() and _private(r)
    r = Client().post(_page("forged-token"), {"action": "commit", "number": "1", "number_again": "1"})
    assert r.status_code == 404
    with pytest.raises(NotFound):
        witnesses.witness_commit(token="forged-token", number="1")
    witness, old = witnesses.witness_invite(actor=w.a_admin, draw=draw, label="见证人1", description="纪检")
    new = witnesses.witness_reissue(actor=w.a_admin, witness=witness)
    with pytest.raises(NotFound):
        witnesses.witness_commit(token=old, number="1")
    assert Client().get(_page(old)).status_code == 404
    witnesses.witness_commit(token=new, number="1")
    with pytest.raises(DomainError, match="已承诺，不能重复承诺"):
        witnesses.witness_commit(token=new, number="2")


@pytest.mark.django_db
def test_commit_refused_once_the_public_value_is_out(ready):
    w = ready
    draw = announce(w, w.task_a, public_value_source="2026-03-10 福彩3D开奖号码")
    _, early = witnesses.witness_invite(actor=w.a_admin, draw=draw, label="见证人1", description="纪检")
    _, late = witnesses.witness_invite(actor=w.a_admin, draw=draw, label="见证人2", description="协会")
    draw.public_value_at = timezone.now() + dt.timedelta(minutes=30)
    draw.save(update_fields=["public_value_at"])
    witnesses.witness_commit(token=early, number="2718")
    draw.public_value_at = timezone.now() - dt.timedelta(minutes=1)
    draw.save(update_fields=["public_value_at"])
    when = f"{timezone.localtime(draw.public_value_at):%Y-%m-%d %H:%M}"
    with pytest.raises(DomainError, match=f"公开随机值已于 {when} 产生，承诺已截止"):
        witnesses.witness_commit(token=late, number="3141")
    r = Client().get(_page(late))
    page = r.content.decode()
    assert r.status_code == 200 and f"公开随机值已于 {when} 产生，承诺已截止" in page
    assert 'value="commit"' not in page
    r = Client().post(_page(late), {"action": "commit", "number": "3141", "number_again": "3141"})
    assert "承诺已截止" in r.content.decode()
    assert not Witness.objects.get(draw=draw, label="见证人2").committed_at
    with pytest.raises(DomainError, match="承诺已截止，不能再登记见证人"):
        witnesses.witness_invite(actor=w.a_admin, draw=draw, label="见证人3", description="x")
    # a draw announced before the field existed (no time set) keeps accepting commitments
    draw.public_value_at = None
    draw.save(update_fields=["public_value_at"])
    witnesses.witness_commit(token=late, number="3141")


@pytest.mark.django_db
def test_reveal_waits_for_every_registered_witness(ready, settings):
    w = ready
    draw = announce(w, w.task_a)
    tokens = {}
    for k in (1, 2, 3):
        _, tokens[k] = witnesses.witness_invite(
            actor=w.a_admin, draw=draw, label=f"见证人{k}", description="见证"
        )
    witnesses.witness_commit(token=tokens[1], number="11")
    witnesses.witness_commit(token=tokens[2], number="22")
    with pytest.raises(DomainError, match="见证人3 已登记但尚未承诺.*移除该见证人，或中止本次抽取"):
        witnesses.witness_reveal(token=tokens[1], number="11")
    page = Client().get(_page(tokens[1])).content.decode()
    assert "见证人3 已登记但尚未承诺" in page and 'value="reveal"' not in page
    with pytest.raises(DomainError, match="见证人3 尚未揭示"):
        run(w, draw)
    third = Witness.objects.get(draw=draw, label="见证人3")
    with pytest.raises(Forbidden):
        witnesses.witness_remove(actor=w.b_admin, witness=third)
    witnesses.witness_remove(actor=w.a_admin, witness=third)
    assert Client().get(_page(tokens[3])).status_code == 404
    witnesses.witness_reveal(token=tokens[1], number="11")
    # once a witness has revealed, nobody new may join or commit
    with pytest.raises(DomainError, match="已有见证人揭示数字"):
        witnesses.witness_invite(actor=w.a_admin, draw=draw, label="见证人3", description="见证")
    witnesses.witness_reveal(token=tokens[2], number="22")
    assert run(w, draw).status == DrawStatus.DRAWN


@pytest.mark.django_db
def test_an_aborted_draw_takes_no_more_commitments(ready):
    w = ready
    draw = announce(w, w.task_a)
    _, token = witnesses.witness_invite(actor=w.a_admin, draw=draw, label="见证人1", description="见证")
    services.draw_abort(actor=w.a_admin, draw=draw, reason="见证人未到场")
    with pytest.raises(DomainError, match="本次抽取已结束"):
        witnesses.witness_commit(token=token, number="1")
    assert "本次抽取已结束" in Client().get(_page(token)).content.decode()


@pytest.mark.django_db
def test_the_audit_log_records_each_step(ready):
    w = ready
    draw = announce(w, w.task_a)
    since = _last_seq()
    one, t1 = witnesses.witness_invite(
        actor=w.a_admin, draw=draw, label="见证人1", description="纪检监察干部"
    )
    t1 = witnesses.witness_reissue(actor=w.a_admin, witness=one)
    _, t2 = witnesses.witness_invite(actor=w.a_admin, draw=draw, label="见证人2", description="协会代表")
    extra, _ = witnesses.witness_invite(actor=w.a_admin, draw=draw, label="见证人3", description="临时")
    witnesses.witness_remove(actor=w.a_admin, witness=extra)
    c1 = witnesses.witness_commit(token=t1, number="2718")
    witnesses.witness_commit(token=t2, number="3141")
    witnesses.witness_reveal(token=t1, number="2718")
    witnesses.witness_reveal(token=t2, number="3141")
    steps = [(e.action, e.actor_id, e.summary) for e in _entries(draw, since)]
    assert [(a, actor) for a, actor, _ in steps] == [
        ("draw.witness_invite", w.a_admin.pk),
        ("draw.witness_reissue", w.a_admin.pk),
        ("draw.witness_invite", w.a_admin.pk),
        ("draw.witness_invite", w.a_admin.pk),
        ("draw.witness_remove", w.a_admin.pk),
        ("draw.witness_commit", None),
        ("draw.witness_commit", None),
        ("draw.witness_reveal", None),
        ("draw.witness_reveal", None),
    ]
    summaries = [s for _, _, s in steps]
    assert summaries[0] == f"{draw.public_id} 登记见证人1（纪检监察干部），生成本人设备链接"
    assert summaries[4] == f"{draw.public_id} 移除未承诺的见证人3（临时）"
    assert summaries[5] == f"{draw.public_id} 见证人1（本人设备）承诺：{c1.commitment[:16]}…"
    assert summaries[7] == f"{draw.public_id} 见证人1（本人设备）揭示：2718"
    assert "2718" not in " ".join(summaries[:7])  # the number is nowhere before its reveal
