"""What apps above followup add to its return-visit draw (ARCHITECTURE.md: the lower app offers a
hook the higher one registers with). The careless-inspection signals (warning) register the
inspections of the inspectors they flag, so that a return-visit draw may weight its sample toward
them without followup knowing how the flags are made."""

from collections.abc import Callable

_flagged: list[Callable[[str, int], set[int]]] = []


def on_visit_weighting(provider: Callable[[str, int], set[int]]) -> None:
    """Register `provider(region_prefix, year) -> {inspection id}`: the published inspections of
    the year that a weighted return-visit draw samples more heavily."""
    if provider not in _flagged:
        _flagged.append(provider)


def weighted_inspections(region_prefix: str, year: int) -> set[int]:
    out: set[int] = set()
    for provider in _flagged:
        out |= provider(region_prefix, year)
    return out
