"""The rule register (core/rules.py, issue 21) cannot drift: it holds every rule id of the
project's rulebook, each rule names tests and every named test exists, docs/rules.md is what the
register generates, and what the page shows of it is Chinese.

Test node ids are collected by reading the test modules with `ast` (no pytest run, no import):
a module's top-level `test_*` functions and the `test_*` methods of its `Test*` classes."""

import ast
import re
from functools import cache
from pathlib import Path

from shuangsuiji.core import rules

REPO = Path(__file__).resolve().parents[3]

# The rulebook's ids (design/RULEBOOK.md, transcribed: nothing at test time reads it), and the
# identifiers' rules the project names itself.
RULEBOOK_IDS = {
    "R-ITEM-1",
    "R-ITEM-2",
    "R-TGT-1",
    "R-TGT-2",
    "R-INS-1",
    "R-TAG-1",
    "R-PLAN-1",
    "R-PLAN-2",
    "R-PLAN-3",
    "R-DRAW-1",
    "R-DRAW-2",
    "R-DRAW-3",
    "R-DRAW-4",
    "R-DRAW-5",
    "R-DRAW-6",
    "R-INSP-1",
    "R-INSP-2",
    "R-INSP-3",
    "R-INSP-4",
    "R-FUP-1",
    "R-FUP-2",
    "R-RPT-1",
    "R-RPT-2",
    "R-ADM-1",
    "R-ADM-2",
    "R-ADM-3",
    "R-ADM-4",
    "R-ADM-5",
}
PROJECT_IDS = {"R-ID-1", "R-ID-2", "R-ID-3", "R-ID-4"}


@cache
def _tests_in(path: str) -> frozenset[str]:
    """The node ids (after the path) of the tests a module defines: `test_x` and `TestY::test_x`."""
    file = REPO / path
    if not file.is_file():
        return frozenset()
    tree = ast.parse(file.read_text(encoding="utf-8"), filename=str(file))
    found = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test_"):
            found.add(node.name)
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            found |= {
                f"{node.name}::{m.name}"
                for m in node.body
                if isinstance(m, ast.FunctionDef | ast.AsyncFunctionDef) and m.name.startswith("test_")
            }
    return frozenset(found)


def _exists(node_id: str) -> bool:
    path, sep, name = node_id.partition("::")
    return bool(sep) and path.endswith(".py") and "/tests/" in path and name in _tests_in(path)


def test_the_collector_finds_tests_and_only_tests():
    here = "shuangsuiji/core/tests/test_rules.py"
    assert _exists(f"{here}::test_the_collector_finds_tests_and_only_tests")
    assert not _exists(f"{here}::_exists")  # a helper is not a test
    assert not _exists(f"{here}::test_no_such_test")
    assert not _exists("shuangsuiji/core/tests/test_nothing_here.py::test_x")
    assert not _exists(f"{here}")  # no function named


def test_every_rulebook_rule_is_registered_once():
    ids = [r.id for r in rules.RULES]
    assert len(ids) == len(set(ids))
    assert set(ids) == RULEBOOK_IDS | PROJECT_IDS
    assert {u.rule for u in rules.UNSETTLED} <= set(ids)


def test_every_rule_names_tests_that_exist():
    unproved = [r.id for r in rules.RULES if not r.proofs and r.status != rules.Status.NOT_YET]
    assert unproved == [], f"规则没有指明证明的测试：{unproved}"
    missing = [(r.id, p.test) for r in rules.RULES for p in r.proofs if not _exists(p.test)]
    assert missing == [], f"规则登记中指明的测试不存在：{missing}"


def test_a_rule_not_fully_enforced_says_what_is_missing():
    for r in rules.RULES:
        assert bool(r.missing) == (r.status != rules.Status.ENFORCED), r.id


def test_what_the_page_shows_is_chinese():
    """No English word in what the page prints (rule ids, in their 规则编号 column, are codes)."""
    shown = []
    for r in rules.RULES:
        shown += [r.title, r.source, r.requirement, r.platform, r.missing, r.kind_label, r.status_label]
        shown += [p.says for p in r.proofs]
        shown += [t for s in r.settings for t in (s.label, s.where, s.default)]
    shown += [t for u in rules.UNSETTLED for t in (u.question, u.answer)]
    allowed = {"PDF", "Excel", "CSV", "JSON", "API"}  # the format names the pages may use
    english = [t for t in shown if set(re.findall(r"[A-Za-z]{3,}", t)) - allowed]
    assert english == []


def test_the_documentation_is_generated_from_the_register():
    committed = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == rules.markdown(), (
        "docs/rules.md 与规则登记（shuangsuiji/core/rules.py）不一致：请运行 "
        ".venv/bin/python -m shuangsuiji.core.rules > docs/rules.md"
    )
    for r in rules.RULES:
        assert f"## {r.id} {r.title}" in committed
