import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from shuangsuiji.core.errors import DomainError, Forbidden
from shuangsuiji.core.models import AuditEntry
from shuangsuiji.draw import engine
from shuangsuiji.followup import hooks, selectors, services
from shuangsuiji.followup.models import ReturnVisit, ReturnVisitDraw, ReturnVisitFinding

from .conftest import publish

D = dt.date


@pytest.fixture
def finished(drawn):
    """Eight published inspections of department A (two with a problem)."""
    w = drawn
    w.published = [publish(w, sel, problem=n < 2) for n, sel in enumerate(w.sels[:8])]
    return w


def _draw(w, year=2026, share="0.5", value="372", department=None, now=None):
    d = services.visit_draw_announce(
        actor=w.office,
        year=year,
        share=share,
        public_value_source="次日福彩3D开奖号码",
        department=department,
        now=now,
    )
    return services.visit_draw_run(actor=w.office, draw=d, public_value=value, now=now)


def _rerun(rec: dict) -> list[tuple[str, int, str]]:
    """An independent re-run from the public record alone, with the engine's primitives and the
    spec's procedure (§2 pool root, §4 seed, §6 positions)."""
    roots = []
    for s in rec["strata"]:
        keys = rec["pool"][s["label"]]
        assert keys == sorted(keys, key=str.encode) and len(keys) == s["size"]
        root = engine.merkle_root([engine.leaf_hash(s["label"], k) for k in keys])
        assert root.hex() == s["root"]
        roots.append((s["label"], s["size"], root))
    assert engine.pool_root(roots).hex() == rec["pool_root"]
    seed = engine.derive_seed(
        draw_id=rec["public_id"],
        secret_hex=rec["secret_hex"],
        pool_root_hex=rec["pool_root"],
        reveals=[],
        public_value=rec["public_value"],
    )
    assert seed.hex() == rec["seed"]
    assert engine.server_secret_commitment(rec["public_id"], rec["secret_hex"]) == rec["secret_commitment"]
    out = []
    for s in rec["strata"]:
        # a weighted draw publishes each stratum's own share (the flagged inspectors' strata)
        share = Decimal(s.get("share", rec["share"]))
        quota = engine.quotas_by_ratio({s["label"]: s["size"]}, {s["label"]: share})[s["label"]]
        assert quota == s["quota"]
        for p in engine.select_positions(seed, s["label"], s["size"], quota, "ssj-return-visit-v1"):
            out.append((s["label"], p, rec["pool"][s["label"]][p]))
    return out


@pytest.mark.django_db
def test_draw_is_reproducible_from_its_public_record(finished, client):
    w = finished
    announce = services.visit_draw_announce
    with pytest.raises(DomainError, match="公开随机值来源"):
        announce(actor=w.office, year=2026, share="0.5", public_value_source=" ")
    with pytest.raises(DomainError, match="抽取比例"):
        announce(actor=w.office, year=2026, share="1.5", public_value_source="福彩3D")
    with pytest.raises(DomainError, match="没有尚未回访"):
        announce(actor=w.office, year=2025, share="0.5", public_value_source="福彩3D")
    with pytest.raises(Forbidden):
        announce(actor=w.a_admin, year=2026, share="0.5", public_value_source="福彩3D")
    assert not ReturnVisitDraw.objects.exists()
    d = announce(actor=w.office, year=2026, share="0.5", public_value_source="次日福彩3D开奖号码")
    # announced: pool frozen and the secret committed, but not revealed
    before = json.loads(client.get(f"/followup/public/visits/{d.public_id}.json").content)
    assert before["secret_hex"] is None and before["seed"] is None and before["pool_root"] == d.pool_root
    assert before["secret_commitment"] == d.secret_commitment and not d.visits.exists()
    with pytest.raises(DomainError, match="请填写公开随机值"):
        services.visit_draw_run(actor=w.office, draw=d, public_value="")
    with pytest.raises(Forbidden):
        services.visit_draw_run(actor=w.a_admin, draw=d, public_value="372")
    d = services.visit_draw_run(actor=w.office, draw=d, public_value="372")
    with pytest.raises(DomainError, match="不能重复抽取"):
        services.visit_draw_run(actor=w.office, draw=d, public_value="999")
    assert d.visits.count() == 4 and d.strata[0]["size"] == 8 and d.strata[0]["department"] == w.dept_a.name
    assert {v.inspection_id for v in d.visits.all()} <= {i.pk for i in w.published}
    assert services.visit_draw_verify(d)
    rec = json.loads(client.get(f"/followup/public/visits/{d.public_id}.json").content)  # no sign-in
    assert _rerun(rec) == [(v.label, v.position, v.key) for v in d.visits.order_by("order")]
    assert [f"{v.inspection_id:012d}" for v in d.visits.order_by("order")] == [k for _, _, k in _rerun(rec)]
    # a tampered record no longer verifies
    ReturnVisit.objects.filter(pk=d.visits.order_by("order").first().pk).update(position=99)
    assert not services.visit_draw_verify(d)
    # the next draw of the year leaves out what was drawn already
    d2 = _draw(w, share="1", value="555", department=w.dept_a)
    assert d2.strata[0]["size"] == 4 and not set(d2.visits.values_list("inspection", flat=True)) & set(
        d.visits.values_list("inspection", flat=True)
    )
    assert AuditEntry.objects.filter(action="return_visit.draw").count() == 2
    assert AuditEntry.objects.filter(action="return_visit.announce").count() == 2


@pytest.mark.django_db
def test_findings_are_recorded_and_careless_ones_feed_the_assessment(finished):
    w = finished
    d = _draw(w, now=timezone.make_aware(dt.datetime(2026, 10, 30, 9)))
    v1, v2 = d.visits.order_by("order")[:2]
    with pytest.raises(DomainError, match="请选择发现的问题"):
        services.visit_record(actor=w.office, visit=v1, conclusion="poor", note="企业称未见检查人员")
    with pytest.raises(DomainError, match="不能为“检查规范”"):
        services.visit_record(actor=w.office, visit=v1, conclusion="good", note="x", findings=["perfunctory"])
    with pytest.raises(DomainError, match="早于回访抽取"):
        services.visit_record(actor=w.office, visit=v1, conclusion="good", note="x", on=D(2026, 10, 1))
    with pytest.raises(DomainError, match="回访情况"):
        services.visit_record(actor=w.office, visit=v1, conclusion="good")
    with pytest.raises(Forbidden):
        services.visit_record(actor=w.a_admin, visit=v1, conclusion="good", note="x")
    assert not ReturnVisitFinding.objects.exists()
    services.visit_record(
        actor=w.office,
        visit=v1,
        conclusion="poor",
        note="企业称检查人员未到现场，结果为电话询问后录入",
        findings=["perfunctory", "careless_entry"],
        on=D(2026, 11, 2),
    )
    services.visit_record(actor=w.office, visit=v2, conclusion="fair", note="态度生硬", findings=["attitude"])
    found = selectors.careless_findings(w.county, 2026)
    assert sorted(f.category for f in found) == ["careless_entry", "perfunctory"]
    assert all(f.department == w.dept_a for f in found) and found[0].get_absolute_url().endswith(
        f"#visit-{v1.pk}"
    )
    assert selectors.careless_findings(w.county, 2026, department=w.dept_b).count() == 0
    assert selectors.careless_findings(w.county, 2025).count() == 0
    # recorded again: the findings are replaced
    services.visit_record(actor=w.office, visit=v1, conclusion="good", note="复核后确认检查规范")
    assert selectors.careless_findings(w.county, 2026).count() == 0
    assert AuditEntry.objects.filter(action="return_visit.record").count() == 3


@pytest.mark.django_db
def test_a_weighted_draw_samples_the_flagged_inspections_in_opaque_strata_and_reruns(
    finished, client, monkeypatch
):
    """Issue 19: the inspections that the careless-inspection signals flag (here three, given by a
    stand-in provider; warning's own test runs the real one) form a stratum of their own at the
    higher share, labelled 层 and a hash; the public record re-runs with the existing procedure."""
    w = finished
    flagged = {i.pk for i in w.published[:3]}
    monkeypatch.setattr(hooks, "_flagged", [lambda prefix, year: flagged if year == 2026 else set()])
    announce = services.visit_draw_announce
    kw = {"actor": w.office, "year": 2026, "share": "0.2", "public_value_source": "次日福彩3D开奖号码"}
    with pytest.raises(DomainError, match="加权抽取比例应高于抽取比例"):
        announce(**kw, weighted_share="0.2")
    with pytest.raises(DomainError, match="加权抽取比例应大于 0"):
        announce(**kw, weighted_share="1.5")
    monkeypatch.setattr(hooks, "_flagged", [lambda prefix, year: set()])
    with pytest.raises(DomainError, match="没有被标记人员"):
        announce(**kw, weighted_share="1")
    assert not ReturnVisitDraw.objects.exists()
    monkeypatch.setattr(hooks, "_flagged", [lambda prefix, year: flagged])
    d = announce(**kw, weighted_share="1")
    plain, heavy = d.strata  # "D…" sorts before "层…"
    assert plain["label"] == f"D{w.dept_a.pk}" and (plain["size"], plain["quota"], plain["share"]) == (
        5,
        1,
        "0.2",
    )
    assert re.fullmatch("层[0-9A-F]{4}", heavy["label"])
    assert (heavy["size"], heavy["quota"], heavy["share"], heavy["department"]) == (3, 3, "1", w.dept_a.name)
    assert {int(k) for k in d.pool[heavy["label"]]} == flagged
    entry = AuditEntry.objects.get(action="return_visit.announce")
    assert "被标记人员的检查 3 次单独分层，按 100% 加权抽取" in entry.summary
    assert entry.detail["weighted"] == {"share": "1", "strata": [heavy["label"]]}
    d = services.visit_draw_run(actor=w.office, draw=d, public_value="372")
    assert services.visit_draw_verify(d)
    assert flagged <= set(d.visits.values_list("inspection_id", flat=True))
    rec = json.loads(client.get(f"/followup/public/visits/{d.public_id}.json").content)
    assert _rerun(rec) == [(v.label, v.position, v.key) for v in d.visits.order_by("order")]
