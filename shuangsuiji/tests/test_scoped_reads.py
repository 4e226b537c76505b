"""Reads are selectors, scoped by default (STYLE.md 3; issue 14): a page or an API operation never
queries a model itself, so no page can forget the user's scope. A view that needs a record asks
its app's selectors (which take the user) and passes the queryset to get_object_or_404."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HANDLERS = sorted(
    p for p in ROOT.rglob("*.py") if p.name in ("views.py", "api.py") and "tests" not in p.parts
)


def _model_names(tree: ast.Module) -> set[str]:
    """Names bound to model classes: imported from a `models` module."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[-1] == "models":
            names |= {a.asname or a.name for a in node.names}
    return names


def unscoped_queries(source: str) -> list[str]:
    """Each `X.objects` and each get_object_or_404(Model, …) in a module, as 'line: text'."""
    tree = ast.parse(source)
    models = _model_names(tree)
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr == "objects"
            or (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("get_object_or_404", "get_list_or_404")
                and node.args
                and isinstance(node.args[0], ast.Name)
                and node.args[0].id in models
            )
        ):
            found.append((node.lineno, ast.unparse(node)))
    return [f"{line}: {text}" for line, text in sorted(found)]


def test_the_rule_finds_what_it_should():
    source = (
        "from .models import Target\n"
        "def v(request, pk):\n"
        "    Target.objects.filter(pk=pk)\n"
        "    get_object_or_404(Target, pk=pk)\n"
        "    get_object_or_404(selectors.targets_for(request.user), pk=pk)\n"
    )
    assert unscoped_queries(source) == [
        "3: Target.objects",
        "4: get_object_or_404(Target, pk=pk)",
    ]


@pytest.mark.parametrize("path", HANDLERS, ids=[str(p.relative_to(ROOT)) for p in HANDLERS])
def test_views_and_api_query_through_selectors(path):
    assert unscoped_queries(path.read_text(encoding="utf-8")) == [], (
        f"{path.relative_to(ROOT)} queries a model directly: move the query into its app's selectors.py, "
        "taking the user where scope applies"
    )
