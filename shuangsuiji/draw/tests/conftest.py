import datetime as dt

import pytest
from django.utils import timezone

from conftest import make_ric, make_uscc
from shuangsuiji.directory import services as directory
from shuangsuiji.directory.models import Item, ItemStatus, Tag, TagLibrary, Target, TargetSupervision
from shuangsuiji.planning import services as planning

D = dt.date


LATER = D(2027, 12, 31)


def _inspector(world, dept, admin, n, *, expiry=LATER, specialties=(), line=None, **kw):
    return directory.inspector_create(
        actor=admin,
        department=dept,
        name=f"{dept.name[:2]}检查员{n}",
        id_number=make_ric(f"1301021985{n % 9 + 1:02d}{10 + n % 18:02d}{n:03d}"),
        certificate_no=f"冀{dept.pk:02d}{n:04d}",
        certificate_expiry=expiry,
        specialties=list(specialties),
        business_line=line,
        **kw,
    )


@pytest.fixture
def ready(world):
    return build_ready(world)


def build_ready(w):
    """`ready`'s world, built on `w` (conftest.build_world's): Department A (市场监管) and B
    (卫生健康) with claimed items, 60 targets of all four classes, inspectors with specialties,
    and each department's published 2026 plan."""
    food = Tag.objects.create(library=TagLibrary.INSPECTOR, name="食品安全", region=w.county)
    items = {}
    for code, name, _dept, admin, spec in (
        ("A-1", "食品经营检查", w.dept_a, w.a_admin, food),
        ("A-2", "企业公示信息检查", w.dept_a, w.a_admin, None),
        ("B-1", "公共场所卫生检查", w.dept_b, w.b_admin, None),
    ):
        item = Item.objects.create(
            region=w.county, code=code, name=name, methods=["onsite"], status=ItemStatus.PUBLISHED
        )
        if spec:
            item.required_specialties.add(spec)
        directory.item_claim(actor=admin, item=item)
        items[code] = item
    w.items = items
    targets = []
    for i in range(60):
        t = Target.objects.create(
            kind="enterprise",
            uscc=make_uscc(f"91130110MA0B{i:05d}"),
            name=f"测试企业{i:02d}有限公司",
            region=w.county,
            industry_code="6210",
            risk_class="ABCD"[i % 4] if i < 56 else "",
        )
        TargetSupervision.objects.create(target=t, department=w.dept_a)
        if i % 2 == 0:
            TargetSupervision.objects.create(target=t, department=w.dept_b)
        targets.append(t)
    w.targets = targets
    w.a_inspectors = [
        _inspector(
            w,
            w.dept_a,
            w.a_admin,
            n,
            specialties=[food] if n % 3 == 0 else [],
            line=w.line_a1 if n % 2 else w.line_a2,
        )
        for n in range(1, 9)
    ]
    w.expiring = _inspector(w, w.dept_a, w.a_admin, 9, expiry=D(2026, 4, 10), specialties=[food])
    w.b_inspectors = [_inspector(w, w.dept_b, w.b_admin, n) for n in range(11, 16)]
    w.plan_a = planning.plan_create(actor=w.a_admin, year=2026)
    w.plan_b = planning.plan_create(actor=w.b_admin, year=2026)
    w.task_a = planning.task_save(
        actor=w.a_admin,
        plan=w.plan_a,
        name="2026年食品经营双随机抽查",
        items=[items["A-1"], items["A-2"]],
        ratios={"A": "0.1", "B": "0.2", "C": "0.5", "D": "1"},
        window_start=D(2026, 3, 1),
        window_end=D(2026, 6, 30),
        publish_selection_on=D(2026, 3, 1),
    )
    w.joint = planning.task_save(
        actor=w.a_admin,
        plan=w.plan_a,
        name="餐饮行业一业一查",
        mode="joint",
        departments=[w.dept_a, w.dept_b],
        items=[items["A-1"], items["B-1"]],
        ratios={"A": "0.1", "B": "0.1", "C": "0.2", "D": "0.5"},
        window_start=D(2026, 3, 15),
        window_end=D(2026, 5, 31),
    )
    planning.plan_submit(actor=w.a_admin, plan=w.plan_a)
    planning.plan_approve(actor=w.office, plan=w.plan_a)
    w.task_a.refresh_from_db()
    w.joint.refresh_from_db()
    w.now = timezone.now()
    return w


PUBLIC_VALUE = "12345"


def announce(w, task, **kw):
    """Announced now, with a public value that becomes known an hour from now (the witnesses
    commit before it); `run` draws as of then."""
    from shuangsuiji.draw import services

    kw.setdefault("public_value_source", "测试用公开随机值（福彩3D开奖号码）")
    kw.setdefault("public_value_at", timezone.now() + dt.timedelta(hours=1))
    kw.setdefault("draw_at", w.now)
    kw.setdefault("place", "区市场监管局三楼会议室")
    return services.draw_announce(actor=kw.pop("actor", w.a_admin), task=task, **kw)


def run(w, draw, **kw):
    """draw_run as of just after the announced public value became known, with that value."""
    from shuangsuiji.draw import services

    kw.setdefault("now", draw.public_value_at + dt.timedelta(minutes=1))
    kw.setdefault("public_value", PUBLIC_VALUE)
    return services.draw_run(actor=kw.pop("actor", w.a_admin), draw=draw, **kw)


def witness_round(w, draw, numbers=("271828", "314159")):
    """The lead registers each witness (a one-time link each); each commits on their own device,
    then, all committed, each reveals there."""
    from shuangsuiji.draw import witnesses

    tokens = []
    for i, n in enumerate(numbers, 1):
        _, token = witnesses.witness_invite(
            actor=w.a_admin,
            draw=draw,
            label=f"见证人{i}",
            description=["纪检监察干部", "行业协会代表"][i - 1],
        )
        witnesses.witness_commit(token=token, number=n)
        tokens.append(token)
    for token, n in zip(tokens, numbers, strict=True):
        witnesses.witness_reveal(token=token, number=n)


def full_draw(w, task, **kw):

    draw = announce(w, task, **kw)
    witness_round(w, draw)
    return run(w, draw)


def freeze_v1(task, labels):
    """A pool frozen as before December 2026 (ssj-pool-v1): each stratum in key order, each leaf
    H(0x00 ‖ enc(label, key)), no salts."""
    import gzip
    import io
    import json

    from shuangsuiji.draw import engine, pool

    keys: dict[str, list[tuple[str, int]]] = {}
    exclusions = dict.fromkeys(pool.EXCLUSION_REASONS, 0)
    lines = [json.dumps({"format": engine.POOL_V1, "task": task.code}, ensure_ascii=False) + "\n"]
    for pk, key, stratum, reason in pool.annotated(task).values_list("pk", "key", "stratum", "reason"):
        if reason:
            exclusions[reason] += 1
            lines.append(f"X\t{reason}\t{key}\t{pk}\n")
        else:
            keys.setdefault(labels[stratum], []).append((key, pk))
    strata = []
    for stratum, label in labels.items():
        if label in keys:
            lines += [f"{label}\t{i}\t{k}\t{pk}\n" for i, (k, pk) in enumerate(keys[label])]
            root = engine.merkle_root([engine.leaf_hash(label, k, engine.POOL_V1) for k, _ in keys[label]])
            strata.append(
                {"label": label, "risk_class": stratum, "size": len(keys[label]), "root": root.hex()}
            )
    strata.sort(key=lambda s: s["label"])
    root = engine.pool_root(
        [(s["label"], s["size"], bytes.fromhex(s["root"])) for s in strata], engine.POOL_V1
    )
    data = io.BytesIO(gzip.compress("".join(lines).encode()))
    return pool.Frozen(strata, root.hex(), exclusions, data, engine.POOL_V1)


def v1_draw(w, monkeypatch):
    """A draw announced as before December 2026: ssj-draw-v1, no terms, an ssj-pool-v1 pool;
    witnessed and drawn."""
    from shuangsuiji.draw import engine, pool
    from shuangsuiji.draw.models import TargetDraw

    monkeypatch.setattr(pool, "freeze", lambda task, labels, draw_id, exclude=(): freeze_v1(task, labels))
    draw = announce(w, w.task_a)
    TargetDraw.objects.filter(pk=draw.pk).update(spec=engine.SPEC_V1, terms={}, terms_hash="")
    draw.refresh_from_db()
    witness_round(w, draw)
    return run(w, draw)
