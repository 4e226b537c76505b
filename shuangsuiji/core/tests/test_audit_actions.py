"""Audit actions have Chinese names (issue 18: the log page never shows “user.login”), and the
auditor's log page is paged with a total and filtered by who, what, which kind of object and when."""

import ast
import datetime as dt
from pathlib import Path
from unittest import mock

from django.db import transaction
from django.utils import timezone

from shuangsuiji.core import audit, registry
from shuangsuiji.core.models import AuditEntry

PACKAGE = Path(__file__).resolve().parents[2]  # shuangsuiji/

# Actions built at run time, with every value they take (reviewed: add a line with the code).
DYNAMIC = {
    "f'draw.{status}'": ["draw.aborted", "draw.voided"],  # draw/services.py _end (DrawStatus)
    # directory/services.py: the preview's confirm, abandon and expiry, per directory import
    **{
        f"f'{{_audit_prefix(job)}}.import_{step}'": [
            f"{kind}.import_{step}" for kind in ("target", "inspector", "item")
        ]
        for step in ("confirm", "abandon", "expire")
    },
}


def _strings(node) -> set[str]:
    return {n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)}


def _recorded_actions() -> tuple[set[str], list[str]]:
    """Every action code the source records: `action=` of any call (audit.record, a job spec),
    the strings assigned to a name `action` (one chosen by an if), and the f-strings, which must be
    listed in DYNAMIC. Returns (codes, f-strings not in DYNAMIC)."""
    codes: set[str] = set()
    unknown: list[str] = []
    for path in PACKAGE.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            values = []
            if isinstance(node, ast.Call):
                values = [k.value for k in node.keywords if k.arg == "action"]
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name) and target.id == "action":
                        values.append(node.value)
                    elif isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                        values += [
                            v
                            for t, v in zip(target.elts, node.value.elts, strict=False)
                            if isinstance(t, ast.Name) and t.id == "action"
                        ]
            for value in values:
                if isinstance(value, ast.JoinedStr):
                    spelled = ast.unparse(value)
                    if spelled in DYNAMIC:
                        codes.update(DYNAMIC[spelled])
                    else:
                        unknown.append(f"{path.relative_to(PACKAGE)}: {spelled}")
                    continue
                codes |= {s for s in _strings(value) if "." in s and " " not in s}
    return codes, unknown


def test_every_recorded_action_has_a_chinese_name():
    codes, unknown = _recorded_actions()
    assert unknown == [], "an action built at run time: list its values in DYNAMIC"
    assert len(codes) > 90  # the scan finds the actions (it would pass on none)
    missing = sorted(c for c in codes if registry.audit_action_label(c) is None)
    assert missing == [], "add these to the AUDIT_ACTIONS of the app that records them (its apps.py)"


def test_labels_are_chinese_and_one_per_action():
    labels = registry.audit_actions()
    assert all(label and not any("a" <= ch.lower() <= "z" for ch in label) for label in labels.values())
    for code, label in labels.items():
        assert len([c for c, lab in labels.items() if lab == label]) == 1, (code, label)


def _entry(actor, action, summary, obj=None, at=None):
    """An entry recorded at `at` (the log is append-only, on PostgreSQL by a trigger: the clock is
    set for the recording instead of the row changed after)."""
    with transaction.atomic(), mock.patch("django.utils.timezone.now", return_value=at or timezone.now()):
        return audit.record(actor=actor, action=action, summary=summary, obj=obj)


def test_the_log_shows_names_and_filters_by_actor_action_object_and_day(client_for, world):
    tz = timezone.get_current_timezone()
    _entry(
        world.a_admin,
        "target.create",
        "新增检查对象：甲",
        obj=world.dept_a,
        at=dt.datetime(2026, 3, 1, 9, tzinfo=tz),
    )
    _entry(world.b_admin, "user.login", "b_admin 登录", at=dt.datetime(2026, 3, 2, 23, 30, tzinfo=tz))
    _entry(None, "calendar.save", "录入 2027 年节假日安排", at=dt.datetime(2026, 3, 3, 0, 10, tzinfo=tz))
    client = client_for(world.auditor)

    page = client.get("/audit/").content.decode()
    table = page[page.index("<tbody>") :]
    assert "<td>新增检查对象</td>" in table and "<td>登录</td>" in table and "user.login" not in table
    assert f"共 {AuditEntry.objects.count()} 条操作记录" in page

    def rows(**query):
        r = client.get("/audit/", query)
        assert r.status_code == 200
        return [e.summary for e in r.context["page"]]

    assert rows(actor="a_admin") == ["新增检查对象：甲"]
    # the world's own accounts were created by the system today; March holds only the entries above
    assert rows(actor="系统", until="2026-03-31") == ["录入 2027 年节假日安排"]
    assert rows(action="user.login") == ["b_admin 登录"]
    assert rows(object_type="core.department", until="2026-03-31") == ["新增检查对象：甲"]
    # days are Beijing days, both ends included: 23:30 on the 2nd is the 2nd, 00:10 on the 3rd the 3rd
    assert rows(since="2026-03-02", until="2026-03-02") == ["b_admin 登录"]
    assert rows(since="2026-03-02", until="2026-03-03") == ["录入 2027 年节假日安排", "b_admin 登录"]


def test_a_filter_value_the_log_does_not_know_is_named(client_for, world):
    client = client_for(world.auditor)
    r = client.get("/audit/", {"actor": "没有这个人"})
    page = r.content.decode()
    assert "操作人：没有登录名或姓名为“没有这个人”的账号" in page
    assert list(r.context["page"]) == []
    r = client.get("/audit/", {"since": "2026-03-05", "until": "2026-03-01"})
    assert "至：结束日期早于开始日期" in r.content.decode()
