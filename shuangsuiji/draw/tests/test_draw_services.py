import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from shuangsuiji.core.errors import DomainError, Forbidden
from shuangsuiji.core.models import AuditEntry
from shuangsuiji.directory import services as directory
from shuangsuiji.draw import services, voids, witnesses
from shuangsuiji.draw.models import DrawStatus, RecusalStatus, Selection, TeamMember, VoidReason
from shuangsuiji.draw.records import public_record
from shuangsuiji.draw.verify import verify_record
from shuangsuiji.planning import services as planning
from shuangsuiji.planning.models import TaskState

from .conftest import announce, full_draw, run, v1_draw, witness_round


@pytest.mark.django_db
def test_announce_freezes_and_commits_a_stratified_pool(ready):
    w = ready
    draw = announce(w, w.task_a)
    w.task_a.refresh_from_db()
    assert w.task_a.state == TaskState.ANNOUNCED
    by_class = {s["risk_class"]: s for s in draw.strata}
    # 60 targets of A: 14 each of A–D, 4 unclassified; quotas by ratio rounded up, unclassified at B's
    assert {c: (s["size"], s["quota"]) for c, s in by_class.items()} == {
        "A": (14, 2),
        "B": (14, 3),
        "C": (14, 7),
        "D": (14, 14),
        "": (4, 1),
    }
    assert all(s["label"].startswith("层") and s["label"] != s["risk_class"] for s in draw.strata)
    assert len(draw.secret_commitment) == 64 and draw.server_secret() not in json.dumps(public_record(draw))
    assert verify_record(public_record(draw))[0].ok
    assert AuditEntry.objects.filter(action="draw.announce", object_id=str(draw.pk)).exists()


@pytest.mark.django_db
def test_full_draw_verifies_and_a_changed_record_does_not(ready):
    w = ready
    draw = full_draw(w, w.task_a)
    assert draw.status == DrawStatus.DRAWN
    assert draw.selections.count() == 27
    rec = public_record(draw, with_selection=True)
    internal = public_record(draw, internal=True)
    for r in (rec, internal):
        checks = verify_record(r)
        assert checks and all(c.ok for c in checks), [c for c in checks if not c.ok]
    assert len(rec["named"]) == 27 and sum(len(d["entries"]) for d in rec["drawn"]) == 27
    # One leaf changed: the Merkle check fails; in the auditor's record, one key changed
    forged = json.loads(json.dumps(rec))
    two = next(d for d in forged["drawn"] if len(d["entries"]) >= 2)["entries"]
    two[0]["leaf"] = two[1]["leaf"]
    assert not all(c.ok for c in verify_record(forged))
    forged = json.loads(json.dumps(internal))
    forged["selection"][0]["key"] = forged["selection"][1]["key"]
    assert not all(c.ok for c in verify_record(forged))
    # A position changed: the recomputation fails
    forged = json.loads(json.dumps(rec))
    d = next(d for d in forged["drawn"] if d["entries"])
    size = next(s["size"] for s in forged["strata"] if s["label"] == d["label"])
    d["entries"][0]["position"] = (d["entries"][0]["position"] + 1) % size
    assert not all(c.ok for c in verify_record(forged))
    # A quota changed: the terms and the named list's count no longer agree
    forged = json.loads(json.dumps(rec))
    forged["strata"][0]["quota"] += 1
    assert {c.name for c in verify_record(forged) if not c.ok} >= {
        "抽取条款与记录一致（抽取编号、对象池格式、各层抽取数、公开随机值来源）",
        "公布名单的对象数与各层抽取数之和一致（27）",
    }
    # The terms changed after the fact: their hash, and the seed they entered, no longer agree
    forged = json.loads(json.dumps(rec))
    forged["terms"]["public_value_source"] = "另一个来源"
    assert not all(c.ok for c in verify_record(forged))
    # A witness number changed: commitment and seed checks fail
    forged = json.loads(json.dumps(rec))
    forged["witnesses"][0]["number"] = "1"
    assert sum(not c.ok for c in verify_record(forged)) >= 2
    call_command("verify_draw", draw.public_id)


@pytest.mark.django_db
def test_a_draw_announced_under_pool_v1_still_draws_and_verifies(ready, monkeypatch, client):
    """Draws announced before ssj-pool-v2 keep v1's leaves (the label in each): drawing one, its
    audit paths, the public record's checks, the auditor's pool re-run and the enterprise's page
    all follow the record's format. (Frozen here by the Python path under v1, as then.)"""
    from django.urls import reverse

    from shuangsuiji.draw import engine

    w = ready
    draw = v1_draw(w, monkeypatch)
    assert draw.pool_format == engine.POOL_V1 and draw.selections.count() == 27
    rec = public_record(draw, internal=True)
    assert rec["pool_format"] == engine.POOL_V1
    with draw.pool_file.open("rb") as f:
        checks = verify_record(rec, f.read())
    assert checks and all(c.ok for c in checks), [c for c in checks if not c.ok]
    assert not all(c.ok for c in verify_record(rec | {"pool_format": engine.POOL_V2}))
    assert all(c.ok for c in verify_record({k: v for k, v in rec.items() if k != "pool_format"}))
    # republished without a stratum, position or path beside any name
    public = public_record(draw, with_selection=True)
    assert "drawn" not in public and "selection" not in public and len(public["named"]) == 27
    assert all(c.ok for c in verify_record(public))
    s = draw.selections.first()
    page = client.post(reverse("publicity:selection", args=[s.token]), {"proof_code": s.proof_code or "x"})
    assert "核验一致" in page.content.decode() or not s.proof_code


@pytest.mark.django_db
def test_verify_command_on_a_published_record_and_the_auditors_pool(ready, tmp_path):
    draw = full_draw(ready, ready.task_a)
    rec_file = tmp_path / "record.json"
    rec_file.write_text(json.dumps(public_record(draw, with_selection=True)), encoding="utf-8")
    pool_file = tmp_path / "pool.gz"
    with draw.pool_file.open("rb") as f:
        pool_file.write_bytes(f.read())
    call_command("verify_draw", record=str(rec_file), pool=str(pool_file))
    rec = json.loads(rec_file.read_text())
    rec["drawn"][0]["entries"][0]["leaf"] = "00" * 32
    rec_file.write_text(json.dumps(rec))
    with pytest.raises(CommandError, match="核验不通过"):
        call_command("verify_draw", record=str(rec_file), pool=str(pool_file))


@pytest.mark.django_db
def test_witness_protocol(ready):
    w = ready
    draw = announce(w, w.task_a)
    _, one = witnesses.witness_invite(actor=w.a_admin, draw=draw, label="见证人1", description="纪检")
    witnesses.witness_commit(token=one, number="42")
    with pytest.raises(DomainError, match="至少需要 2 名"):
        witnesses.witness_reveal(token=one, number="42")
    _, two = witnesses.witness_invite(actor=w.a_admin, draw=draw, label="见证人2", description="协会")
    witnesses.witness_commit(token=two, number="7")
    with pytest.raises(DomainError, match="与其承诺不符"):
        witnesses.witness_reveal(token=one, number="43")
    witnesses.witness_reveal(token=one, number="42")
    with pytest.raises(DomainError, match="不能再增加见证人"):
        witnesses.witness_invite(actor=w.a_admin, draw=draw, label="见证人3", description="x")
    with pytest.raises(DomainError, match="见证人2 尚未揭示"):
        services.draw_run(actor=w.a_admin, draw=draw)
    services.draw_abort(actor=w.a_admin, draw=draw, reason="见证人2 离场，无法揭示")
    w.task_a.refresh_from_db()
    assert w.task_a.state == TaskState.PLANNED
    again = full_draw(w, w.task_a)
    assert again.seq == 2 and again.status == DrawStatus.DRAWN


@pytest.mark.django_db
def test_draw_refused_before_time_twice_and_by_others(ready):
    w = ready
    with pytest.raises(DomainError, match="公开随机值的来源"):
        announce(w, w.task_a, public_value_source=" ")
    with pytest.raises(DomainError, match="须晚于公告时间"):
        announce(w, w.task_a, public_value_at=timezone.now() - dt.timedelta(seconds=1))
    draw = announce(w, w.task_a, draw_at=timezone.now() + dt.timedelta(days=7))
    witness_round(w, draw)
    with pytest.raises(DomainError, match="未到公告的抽取时间"):
        run(w, draw, now=draw.draw_at - dt.timedelta(seconds=1))
    other = announce(w, w.joint)  # its draw time has come, its public value not yet
    witness_round(w, other)
    with pytest.raises(DomainError, match="公开随机值尚未产生"):
        run(w, other, now=other.public_value_at - dt.timedelta(seconds=1))
    with pytest.raises(DomainError, match="请填写公告的公开随机值"):
        run(w, draw, now=draw.draw_at, public_value="")
    run(w, draw, now=draw.draw_at)
    with pytest.raises(DomainError, match="不能重复抽取"):
        run(w, draw, now=draw.draw_at)
    with pytest.raises(Forbidden):
        announce(w, w.joint, actor=w.b_admin)
    with pytest.raises(Forbidden):
        announce(w, w.joint, actor=w.office)


@pytest.mark.django_db
def test_task_outside_the_published_plan_cannot_start(ready):
    w = ready
    planning.plan_adjust_open(actor=w.a_admin, plan=w.plan_a, reason="新增一项专项抽查")
    extra = planning.task_save(
        actor=w.a_admin,
        plan=w.plan_a,
        name="新增专项",
        items=[w.items["A-2"]],
        quota_mode="total",
        total=3,
        window_start=dt.date(2026, 4, 1),
        window_end=dt.date(2026, 4, 30),
    )
    with pytest.raises(DomainError, match="不在已公示的年度计划中"):
        announce(w, extra)
    planning.plan_submit(actor=w.a_admin, plan=w.plan_a)
    version = planning.plan_approve(actor=w.office, plan=w.plan_a)
    assert version.number == 2 and version.reason == "新增一项专项抽查"
    assert [t["name"] for t in version.snapshot["tasks"]][-1] == "新增专项"
    extra.refresh_from_db()
    draw = full_draw(w, extra)
    assert draw.selections.count() == 3 and len(draw.strata) == 1


@pytest.mark.django_db
def test_frequency_cap_excludes_with_reasons(ready):
    w = ready
    first = full_draw(w, w.task_a)
    drawn = set(first.selections.values_list("target_id", flat=True))
    joint = announce(w, w.joint)
    # The joint task shares department A: every target A already drew is excluded, with its reason
    assert joint.exclusions["open_task"] == len({t for t in drawn if t in {x.pk for x in w.targets}})
    with joint.pool_file.open("rb") as f:
        from shuangsuiji.draw.pool import read_pool

        pooled = {pk for _, _, _, pk in read_pool(f.read())}
    assert not pooled & drawn


@pytest.mark.django_db
def test_joint_task_one_draw_each_department_its_own_team(ready):
    w = ready
    draw = full_draw(w, w.joint)
    services.teams_draw(actor=w.a_admin, draw=draw)
    for s in draw.selections.all():
        by_dept = {}
        for m in s.team.filter(active=True):
            by_dept.setdefault(m.department_id, []).append(m)
        assert set(by_dept) == {w.dept_a.pk, w.dept_b.pk}
        assert all(len(v) == 2 for v in by_dept.values())
        # A's item needs 食品安全: someone in A's team holds it
        assert any(m.inspector.specialties.filter(name="食品安全").exists() for m in by_dept[w.dept_a.pk])
        assert w.expiring.pk not in [m.inspector_id for m in by_dept[w.dept_a.pk]]
    summary = draw.__class__.objects.get(pk=draw.pk).team_summary
    skipped = summary[w.dept_a.name]["skipped"]
    assert {"name": w.expiring.name, "reason": skipped[0]["reason"]} in skipped
    assert "早于任务结束日期 2026-05-31" in skipped[0]["reason"]
    # Every A team needs one of the two eligible 食品安全 holders (a hard rule); within each group
    # the work is spread evenly.
    loads = {}
    for m in TeamMember.objects.filter(selection__draw=draw, department=w.dept_a).select_related("inspector"):
        loads[m.inspector] = loads.get(m.inspector, 0) + 1
    food = [n for i, n in loads.items() if i.specialties.filter(name="食品安全").exists()]
    others = [n for i, n in loads.items() if not i.specialties.filter(name="食品安全").exists()]
    assert max(food) - min(food) <= 1 and max(others) - min(others) <= 1


@pytest.mark.django_db
def test_team_draw_fails_whole_when_a_specialty_is_missing(ready):
    w = ready
    for i in w.a_inspectors:
        directory.inspector_update(actor=w.a_admin, inspector=i, specialties=[])
    draw = full_draw(w, w.task_a)
    with pytest.raises(DomainError, match="食品安全"):
        services.teams_draw(actor=w.a_admin, draw=draw)
    assert not TeamMember.objects.exists()


@pytest.mark.django_db
def test_conflicts_are_honoured(ready):
    w = ready
    draw = full_draw(w, w.task_a)
    sel = draw.selections.first()
    barred = [w.a_inspectors[i] for i in (0, 1, 2, 3, 4)]  # leaves one 食品安全 holder (index 5)
    for i in barred:
        directory.conflict_add(actor=w.a_admin, inspector=i, target=sel.target, reason="近亲属")
    services.teams_draw(actor=w.a_admin, draw=draw)
    team = set(sel.team.values_list("inspector_id", flat=True))
    assert not team & {i.pk for i in barred}
    assert w.a_inspectors[5].pk in team  # the only conflict-free specialist left


@pytest.mark.django_db
def test_no_conflict_free_specialist_fails_naming_target_and_specialty(ready):
    w = ready
    draw = full_draw(w, w.task_a)
    sel = draw.selections.first()
    for i in (w.a_inspectors[2], w.a_inspectors[5]):
        directory.conflict_add(actor=w.a_admin, inspector=i, target=sel.target, reason="前雇主")
    with pytest.raises(DomainError, match=f"{sel.target.name}.*食品安全"):
        services.teams_draw(actor=w.a_admin, draw=draw)
    assert not TeamMember.objects.exists()


@pytest.mark.django_db
def test_void_and_redraw_both_kept(ready, client):
    """R-DRAW-6 without a free re-roll: after a pool-related void the redraw keeps every drawn
    entry still valid and draws replacements only for the removed ones, stratum by stratum; its
    record binds the rule and verifies; its public page links the voided draw, shows both outcomes
    and what changed in the pool. A void for another reason redraws in full."""
    from django.urls import reverse

    from shuangsuiji.directory.models import RegistrationStatus

    w = ready
    first = full_draw(w, w.task_a)
    with pytest.raises(DomainError, match="具体说明"):
        voids.void_request(actor=w.a_admin, draw=first, reason="pool_included", text=" ")
    req = voids.void_request(
        actor=w.a_admin, draw=first, reason="pool_included", text="对象池未排除已注销的企业"
    )
    voids.void_confirm(actor=w.office, request=req)
    gone = list(first.selections.select_related("target").order_by("key")[:3])
    for s in gone:
        directory.target_update(actor=w.a_admin, target=s.target, status=RegistrationStatus.CANCELLED)
    second = full_draw(w, w.task_a)
    first.refresh_from_db()
    assert first.status == DrawStatus.VOIDED and second.seq == 2
    assert (
        public_record(first)["ended_reason"] == f"{VoidReason.POOL_INCLUDED.label}：对象池未排除已注销的企业"
    )
    assert second.redraw_of == first and second.redraw_mode == "partial"
    kept = {s.target_id for s in first.selections.all()} - {s.target_id for s in gone}
    rows = list(second.selections.all())
    carried = [s for s in rows if s.carried_from_id]
    assert {s.target_id for s in carried} == kept and all(s.position is None for s in carried)
    assert {s.carried_from.draw_id for s in carried} == {first.pk}
    # the replacements: as many per class as the class lost — as far as its candidates left allow
    # (a class drawn in full has none left) —, none of them a kept or a cancelled one
    lost: dict[str, int] = {}
    class_of = {x["label"]: x["risk_class"] for x in first.strata}
    for s in gone:
        lost[class_of[s.label]] = lost.get(class_of[s.label], 0) + 1
    left = {x["risk_class"]: x["size"] for x in second.strata}
    want = {c: min(n, left.get(c, 0)) for c, n in lost.items() if min(n, left.get(c, 0))}
    assert {x["risk_class"]: x["quota"] for x in second.strata if x["quota"]} == want
    assert second.exclusions["carried"] == 24 and len(rows) == 24 + sum(want.values())
    drawn = [s for s in rows if not s.carried_from_id]
    assert not {s.target_id for s in drawn} & ({s.target_id for s in gone} | kept)
    rec = public_record(second, with_selection=True)
    assert rec["terms"]["quota_rule"] == "replace" and rec["terms"]["redraw_of"] == first.public_id
    assert rec["redraw_of"] == first.public_id and sum(1 for e in rec["named"] if e.get("carried")) == 24
    checks = verify_record(rec)
    assert checks and all(c.ok for c in checks), [c for c in checks if not c.ok]
    page = client.get(reverse("publicity:draw", args=[second.public_id])).content.decode()
    assert first.public_id in page and "沿用" in page and gone[0].target.name in page

    # another reason: the office's confirmation, then a full redraw
    req = voids.void_request(actor=w.a_admin, draw=second, reason="procedure", text="见证人身份不符合规定")
    voids.void_confirm(actor=w.office, request=req)
    third = full_draw(w, w.task_a)
    assert third.redraw_of == second and third.redraw_mode == "full"
    assert (
        third.exclusions["carried"] == 0 and not third.selections.filter(carried_from__isnull=False).exists()
    )
    assert public_record(third)["terms"]["quota_rule"] == "ratio"


@pytest.mark.django_db
def test_a_draw_whose_inspection_began_cannot_be_voided(ready):
    from shuangsuiji.planning import services as planning

    w = ready
    draw = full_draw(w, w.task_a)
    services.teams_draw(actor=w.a_admin, draw=draw)
    planning.task_transition(actor=w.a_admin, task=draw.task, to="in_progress")
    entries = AuditEntry.objects.count()
    with pytest.raises(DomainError, match="不能作废本次抽取；如确需停止，请由牵头部门或双随机办公室作废任务"):
        voids.void_request(actor=w.a_admin, draw=draw, reason="procedure", text="见证人身份不符")
    draw.refresh_from_db()
    assert draw.status == DrawStatus.DRAWN and AuditEntry.objects.count() == entries


@pytest.mark.django_db
def test_recusal_decided_by_the_leader_with_a_deterministic_replacement(ready):
    w = ready
    draw = full_draw(w, w.task_a)
    services.teams_draw(actor=w.a_admin, draw=draw)
    member = TeamMember.objects.filter(selection__draw=draw, department=w.dept_a).first()
    req = services.recusal_request(actor=None, member=member, reason="该检查员曾在本企业任职")
    with pytest.raises(Forbidden):
        services.recusal_decide(actor=w.a_admin, request=req, approve=True)  # not a reviewer
    services.recusal_decide(actor=w.a_reviewer, request=req, approve=True, note="经核实属实")
    req.refresh_from_db()
    member.refresh_from_db()
    assert req.status == RecusalStatus.APPROVED and not member.active
    new = member.replaced_by
    assert new.via == "recusal" and new.inspector_id != member.inspector_id
    assert member.selection.team.filter(active=True, department=w.dept_a).count() == 2
    assert AuditEntry.objects.filter(action="recusal.decide").count() == 1


@pytest.mark.django_db
def test_the_drawer_cannot_decide_recusal(ready):
    from shuangsuiji.core.models import Role
    from shuangsuiji.core.services import user_create

    w = ready
    both = user_create(
        actor=None, username="lead", password="Lead#2026pw", role=Role.REVIEWER, department=w.dept_a
    )
    draw = full_draw(w, w.task_a)
    services.teams_draw(actor=w.a_admin, draw=draw)
    draw.teams_drawn_by = both
    draw.save()
    member = TeamMember.objects.filter(selection__draw=draw).first()
    req = services.recusal_request(actor=None, member=member, reason="x")
    with pytest.raises(Forbidden, match="组织抽取的人员"):
        services.recusal_decide(actor=both, request=req, approve=True)


@pytest.mark.django_db
def test_selection_is_public_only_from_its_date(ready):
    from shuangsuiji.draw.records import selection_public

    w = ready
    draw = full_draw(w, w.joint)
    assert draw.publish_selection_on is None and "named" not in public_record(draw)
    assert not selection_public(draw)
    draw = full_draw(w, w.task_a)
    assert selection_public(draw, today=dt.date(2026, 3, 1)) and not selection_public(
        draw, today=dt.date(2026, 2, 28)
    )
    assert Selection.objects.filter(draw=draw).count() == len(
        public_record(draw, with_selection=True)["named"]
    )
