"""What directory's pages show of the steps after it. Imports run downward only (ARCHITECTURE.md),
so directory offers this hook and inspection registers its query with it in its apps.py: a
target's inspection history on the target's page."""

from collections.abc import Callable

_target_history: list[Callable] = []


def on_target_history(query: Callable) -> None:
    """Register `query(user, target, *, limit) -> [row, …]`, newest first, scoped to the user."""
    if query not in _target_history:
        _target_history.append(query)


def target_history(user, target, *, limit: int) -> list:
    """The target's inspections the user may read, newest first, at most `limit` (+1, so that the
    page can say there are more)."""
    return [row for query in _target_history for row in query(user, target, limit=limit)][: limit + 1]
