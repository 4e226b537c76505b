"""对象池预览: before the irreversible announcement, what the freeze would take in — the pool's
size per stratum (credit-risk class), the exclusions and the quotas — from the same query the
freeze streams (pool.annotated: scope, supervision, duplicates, R-DRAW-4's exclusions, the
stratum) counted by stratum and reason in one grouped query, and the same quota rule
(services.quotas_for). Nothing is frozen, salted or committed."""

from dataclasses import dataclass

from django.db.models import Count

from shuangsuiji.core.errors import DomainError
from shuangsuiji.directory.models import RiskClass
from shuangsuiji.planning.models import Task

from . import pool, services
from .voids import PARTIAL, redraw_basis

_ORDER = ["A", "B", "C", "D", pool.UNCLASSIFIED, "*"]
_CLASS_LABELS = dict(RiskClass.choices) | {
    pool.UNCLASSIFIED: "尚未分类（按B类比例抽取）",
    "*": "不分层（按总数抽取）",
}


@dataclass
class PoolPreview:
    strata: list[dict]  # {risk_class, name, size, quota}, the non-empty strata the freeze would make
    exclusions: dict[str, int]  # reason → count, as the frozen record will state them
    rule: dict  # the quota rule, as the terms will state it (by class here, not by label)
    carried: int  # a partial redraw's entries kept from the voided draw
    problem: str = ""  # why the announcement would be refused for its numbers ("" if it would not)

    @property
    def size(self) -> int:
        return sum(s["size"] for s in self.strata)

    @property
    def quota(self) -> int:
        return sum(s["quota"] for s in self.strata)

    @property
    def excluded(self) -> list[tuple[str, int]]:
        """(reason in Chinese, count) of each exclusion that applies."""
        return [(pool.EXCLUSION_REASONS[r], n) for r, n in self.exclusions.items() if n]


def pool_preview(task: Task) -> PoolPreview:
    """What announcing `task` now would freeze, counted, not frozen: one query grouped by stratum
    and exclusion reason over the scope the freeze reads."""
    basis = redraw_basis(task)
    partial = basis is not None and basis.mode == PARTIAL
    rows = (
        pool.annotated(task, exclude=basis.carried_ids if partial else ())
        .order_by()
        .values("stratum", "reason")
        .annotate(n=Count("pk"))
    )
    sizes: dict[str, int] = {}
    exclusions = dict.fromkeys(pool.EXCLUSION_REASONS, 0)
    for row in rows:
        if row["reason"]:
            exclusions[row["reason"]] += row["n"]
        else:
            sizes[row["stratum"]] = sizes.get(row["stratum"], 0) + row["n"]
    # a stratum's "label" is its class here; the freeze gives each an opaque label (R-TGT-2)
    strata = [
        {"label": c, "risk_class": c, "name": _CLASS_LABELS[c], "size": sizes[c]}
        for c in _ORDER
        if sizes.get(c)
    ]
    rule = services.quotas_for(task, strata, basis)
    problem = ""
    try:
        services.nothing_to_draw(strata, basis)
    except DomainError as e:
        problem = e.message
    return PoolPreview(strata, exclusions, rule, len(basis.carried) if partial else 0, problem)
