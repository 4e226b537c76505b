"""The arithmetic of the careless-inspection signals (issue 19), pure Python: no Django, testable
alone (ARCHITECTURE.md "Pure engines").

Each checked item of an inspection is one trial: it found a problem or it did not, and its
expected rate is that of its cell (the draw's risk stratum × the item) in the jurisdiction's year.
The rates differ trial by trial, so the number of problems an inspector should have found is a
sum of independent Bernoulli variables with different rates: a Poisson-binomial variable. Its
distribution is computed exactly (the O(n²) recurrence of Chen & Liu 1997, "Statistical
applications of the Poisson-binomial and conditional Bernoulli distributions"), never by a normal
approximation, which is poor for the small counts at stake here.

The test is one-sided, the lower tail P(X ≤ observed): the signal is an inspector who finds too
few problems (the all-clear entered without looking). Finding more problems than expected is not
carelessness (it may be thoroughness, or a worse patch of targets), so that tail is not tested and
does not spend the error rate.

Many inspectors are tested at once, so the p-values are adjusted by Benjamini–Hochberg (1995):
among the flagged inspectors, the expected share of false flags is at most α."""

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass


def _check_rates(rates: Sequence[float]) -> None:
    for i, p in enumerate(rates):
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"第 {i + 1} 个预期比率 {p} 不在 0 到 1 之间")


def poisson_binomial_pmf(rates: Sequence[float]) -> list[float]:
    """P(X = k) for k = 0 … n, where X is the number of successes of independent trials with
    success rates `rates`: the exact recurrence, one trial at a time."""
    _check_rates(rates)
    pmf = [1.0]
    for p in rates:
        nxt = [0.0] * (len(pmf) + 1)
        for k, v in enumerate(pmf):
            nxt[k] += v * (1.0 - p)
            nxt[k + 1] += v * p
        pmf = nxt
    return pmf


def lower_tail(rates: Sequence[float], observed: int) -> float:
    """P(X ≤ observed): the same recurrence, cut at `observed` + 1 states (the states above it never
    flow back down), so an inspector with a thousand trials and a few problems costs n·k, not n²."""
    _check_rates(rates)
    if observed < 0:
        return 0.0
    if observed >= len(rates):
        return 1.0
    top = observed + 1
    pmf = [1.0] + [0.0] * observed
    for p in rates:
        for k in range(top - 1, 0, -1):
            pmf[k] = pmf[k] * (1.0 - p) + pmf[k - 1] * p
        pmf[0] *= 1.0 - p
    return min(1.0, sum(pmf))


def bh_adjust(pvalues: Sequence[float]) -> list[float]:
    """Benjamini–Hochberg adjusted p-values (q-values), in the input's order: for the i-th smallest
    of m p-values, min over j ≥ i of p_(j)·m/j, capped at 1. Flagging q ≤ α is the BH procedure
    at level α."""
    m = len(pvalues)
    order = sorted(range(m), key=lambda i: pvalues[i])
    q = [1.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, pvalues[i] * m / rank)
        q[i] = min(1.0, running)
    return q


def shrunk_rate(trials: int, problems: int, prior: float, strength: float) -> float:
    """A cell's rate pulled toward its parent's: (y + s·prior) / (n + s). A cell with a handful
    of trials says little; with `strength` pseudo-trials of the parent rate, an empty cell is the
    parent's rate and a large one is essentially its own."""
    if trials + strength <= 0:
        return prior
    return (problems + strength * prior) / (trials + strength)


# ---- the expected rates of a group's trials, with the group's own results left out ---------------


@dataclass(frozen=True)
class Trial:
    inspection: Hashable  # the inspection the checked item belongs to
    stratum: Hashable  # the risk stratum of the inspected target
    item: Hashable
    problem: bool


@dataclass(frozen=True)
class GroupResult:
    group: Hashable
    inspections: int  # distinct inspections
    trials: int
    observed: int  # problems found
    expected: float  # the sum of the trials' expected rates
    p: float  # P(X ≤ observed)
    rates: tuple[float, ...]  # each trial's expected rate, in the order given


class _Counts:
    def __init__(self):
        self.cell: dict = {}
        self.item: dict = {}
        self.n = 0
        self.y = 0

    def add(self, t: Trial) -> None:
        for table, key in ((self.cell, (t.stratum, t.item)), (self.item, t.item)):
            n, y = table.get(key, (0, 0))
            table[key] = (n + 1, y + int(t.problem))
        self.n += 1
        self.y += int(t.problem)


def expected_rates(
    trials: Sequence[Trial],
    groups: dict[Hashable, Iterable[int]],
    *,
    strength: float,
    leave_out: bool,
) -> list[GroupResult]:
    """For each group (an inspector, a department) the Poisson-binomial test of its trials
    (`groups` maps a group to indices into `trials`; a trial shared by a team is listed under each
    member, once). Each trial's rate is its cell's, shrunk to the item's, which is shrunk to the
    whole jurisdiction's; with `leave_out` every count first drops the group's own trials, so an
    inspector is compared with the others who did the same work and cannot pull his own
    expectation down."""
    total = _Counts()
    for t in trials:
        total.add(t)
    out = []
    for group, idx in groups.items():
        idx = list(dict.fromkeys(idx))  # a trial counts once per group
        own = _Counts()
        if leave_out:
            for i in idx:
                own.add(trials[i])
        n0, y0 = total.n - own.n, total.y - own.y
        base = y0 / n0 if n0 else 0.0
        rates = []
        for i in idx:
            t = trials[i]
            ni, yi = total.item.get(t.item, (0, 0))
            oi, pi = own.item.get(t.item, (0, 0))
            item_rate = shrunk_rate(ni - oi, yi - pi, base, strength)
            nc, yc = total.cell.get((t.stratum, t.item), (0, 0))
            oc, pc = own.cell.get((t.stratum, t.item), (0, 0))
            rates.append(shrunk_rate(nc - oc, yc - pc, item_rate, strength))
        observed = sum(int(trials[i].problem) for i in idx)
        out.append(
            GroupResult(
                group=group,
                inspections=len({trials[i].inspection for i in idx}),
                trials=len(idx),
                observed=observed,
                expected=sum(rates),
                p=lower_tail(rates, observed),
                rates=tuple(rates),
            )
        )
    return out
