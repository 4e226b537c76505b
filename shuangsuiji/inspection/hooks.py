"""Steps that apps above inspection add to its workflow (ARCHITECTURE.md: the lower app offers a
hook the higher one registers with; followup registers in its apps.py). Not a signal: these
steps are part of the flow (STYLE.md), so they run in the order registered, inside the service's
transaction, and a step's refusal (DomainError) refuses the whole action."""

from collections.abc import Callable

_on_publish: list[Callable] = []


def on_publish(step: Callable) -> None:
    """Register `step(*, actor, inspection)`, run when a result is published (review_approve)."""
    if step not in _on_publish:
        _on_publish.append(step)


def result_published(*, actor, inspection) -> None:
    for step in _on_publish:
        step(actor=actor, inspection=inspection)
