"""What draw asks the steps after it. inspection is above draw (ARCHITECTURE.md), so draw offers
this hook and inspection registers its check in its apps.py."""

from collections.abc import Callable

_result_published: list[Callable] = []


def on_result_published(check: Callable) -> None:
    """Register `check(draw) -> bool`: whether a result of the draw is published."""
    if check not in _result_published:
        _result_published.append(check)


def result_published(draw) -> bool:
    return any(check(draw) for check in _result_published)
