"""抽查结果推断: what a task's random sample says about its whole pool. A target draw is a
stratified simple random sample without replacement (one stratum per risk class in the task's
scope, docs/draw-spec.md), so the problem rate of the pool is estimated per stratum and weighted
by the strata's sizes, with the finite-population correction (Cochran, Sampling Techniques,
ch. 5). Pure Python: no Django, testable alone.

Only strata with inspected targets enter the estimate; the population it speaks for is then the
sum of those strata, and the page says which are missing. A stratum with a single inspected
target has no variance estimate of its own: it borrows the worst case p(1−p) = 1/4; and a stratum
where none (or all) of the inspected targets had a problem would claim no uncertainty at all, so
its variance uses (y + ½)/(n + 1) in place of 0 or 1 — the interval is never narrower than the
data allow."""

import math
from dataclasses import dataclass

Z95 = 1.959963984540054  # the two-sided 95 % normal quantile


@dataclass(frozen=True)
class Stratum:
    label: str
    size: int  # N_h: the stratum's pool size at the draw
    inspected: int  # n_h: drawn targets whose inspection is finished
    problems: int  # y_h: of those, the ones where a problem was found

    @property
    def rate(self) -> float | None:
        return self.problems / self.inspected if self.inspected else None


@dataclass(frozen=True)
class Estimate:
    rate: float  # the estimated share of the population with a problem
    se: float  # its standard error
    low: float  # the 95 % interval, clipped to [0, 1]
    high: float
    population: int  # the pool size the estimate speaks for (strata with inspections)
    inspected: int
    problems: int
    missing: tuple[str, ...]  # strata drawn from but with nothing inspected yet

    @property
    def half_width(self) -> float:
        return Z95 * self.se

    @property
    def expected_problems(self) -> float:
        return self.rate * self.population


def stratified(strata: list[Stratum]) -> Estimate | None:
    """The stratified estimate of the problem rate; None when nothing has been inspected."""
    for s in strata:
        if not 0 <= s.problems <= s.inspected <= s.size:
            raise ValueError(f"分层 {s.label}：应满足 0 ≤ 发现问题数 ≤ 已检查数 ≤ 分层规模")
    used = [s for s in strata if s.inspected]
    if not used:
        return None
    population = sum(s.size for s in used)
    rate = 0.0
    var = 0.0
    for s in used:
        w = s.size / population
        p = s.problems / s.inspected
        rate += w * p
        fpc = 1 - s.inspected / s.size
        if s.inspected > 1:
            q = p if 0 < s.problems < s.inspected else (s.problems + 0.5) / (s.inspected + 1)
            var += w * w * fpc * q * (1 - q) / (s.inspected - 1)
        else:
            var += w * w * fpc * 0.25
    se = math.sqrt(var)
    return Estimate(
        rate=rate,
        se=se,
        low=max(0.0, rate - Z95 * se),
        high=min(1.0, rate + Z95 * se),
        population=population,
        inspected=sum(s.inspected for s in used),
        problems=sum(s.problems for s in used),
        missing=tuple(s.label for s in strata if s.size and not s.inspected),
    )


def strata_of(draw_strata: list[dict], counts: dict[str, tuple[int, int]]) -> list[Stratum]:
    """The draw record's strata ([{label, size, …}]) with (inspected, problems) per label."""
    return [
        Stratum(s["label"], int(s["size"]), *counts.get(s["label"], (0, 0))) for s in draw_strata if s["size"]
    ]
