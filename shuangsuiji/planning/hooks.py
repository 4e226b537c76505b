"""What planning's pages read from the steps after it. Imports run downward only
(ARCHITECTURE.md), so planning offers these hooks and the apps above register their queries with
them in their apps.py: draw the merge candidates, inspection the past problem rates."""

from collections.abc import Callable

_merge_candidates: list[Callable] = []
_problem_rates: list[Callable] = []
_pool_preview: list[Callable] = []


def on_merge_candidates(query: Callable) -> None:
    """Register `query(task) -> [(selection, other task), …]`."""
    if query not in _merge_candidates:
        _merge_candidates.append(query)


def on_problem_rates(query: Callable) -> None:
    """Register `query(prefix, *, department, kind) -> {risk class: (inspected, with a problem)}`."""
    if query not in _problem_rates:
        _problem_rates.append(query)


def on_pool_preview(query: Callable) -> None:
    """Register `query(task) -> preview`: what announcing the task's draw would take in."""
    if query not in _pool_preview:
        _pool_preview.append(query)


def pool_preview(task):
    """对象池预览 for a planned task's page (draw/preview.py), or None when no app answers."""
    return next((query(task) for query in _pool_preview), None)


def merge_candidates(task) -> list[tuple]:
    """能合并实施的不得重复检查: this task's drawn targets that another department's open task also
    drew for a shared item."""
    return [row for query in _merge_candidates for row in query(task)]


def problem_rates(prefix: str, *, department=None, kind: str = "") -> dict[str, tuple[int, int]]:
    out = {c: (0, 0) for c in ["A", "B", "C", "D", ""]}
    for query in _problem_rates:
        out.update(query(prefix, department=department, kind=kind))
    return out
