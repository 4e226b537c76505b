"""Warnings when a task's own plan would let the public infer firms' risk classes (issue 16).

Credit-risk classes are internal (国市监信发〔2022〕6号; directory.models.RiskClass), yet the drawn
named list is published. When a class's ratio is 100 %, every firm of that class is drawn, so
everyone left off the list is known not to be of it; when only one class has a ratio above 0,
everyone on the list is known to be of it; when the task's scope (its tags, industries, regions…)
holds one class only, so is everyone it draws. The warnings do not block saving: the department
may have reasons, but it should decide knowingly."""

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from shuangsuiji.directory.models import RiskClass

from . import selectors
from .models import DEFAULT_RATIOS, QuotaMode, Task

CLASSES = list(RiskClass.values)  # A, B, C, D
_SECRET = "（风险分类结果依规不对外公开）"
# the draw samples targets not yet classified at B's ratio (draw/services.py `_quotas`), so what
# the list shows of B it shows of them too
_B_TOO = "B"


def _pct(r: Decimal) -> str:
    return f"{float(r * 100):g}%"


def _ratios(raw: Mapping | None) -> dict[str, Decimal]:
    """A task's ratios as the draw reads them: a class left out takes R-PLAN-3's default."""
    raw = raw or {}
    out = {}
    for c in CLASSES:
        try:
            out[c] = Decimal(str(raw.get(c, DEFAULT_RATIOS[c])))
        except (InvalidOperation, ValueError):
            out[c] = Decimal(DEFAULT_RATIOS[c])
    return out


def ratio_warnings(ratios: Mapping | None) -> list[str]:
    """What a credit-based task's ratios alone disclose."""
    r = _ratios(ratios)
    out = []
    for c in CLASSES:
        if r[c] >= 1:
            if c == _B_TOO:
                out.append(
                    f"B类对象抽查比例为 {_pct(r[c])}（尚未分类的对象按 B 类比例抽取，也将全部抽中）："
                    "公开的抽取名单将使任何人都能推知未被抽中的对象不属于 B 类、且已有风险分类" + _SECRET
                )
            else:
                out.append(
                    f"{c}类对象抽查比例为 {_pct(r[c])}：公开的抽取名单将使任何人都能推知"
                    f"未被抽中的对象不属于 {c} 类" + _SECRET
                )
    drawn = [c for c in CLASSES if r[c] > 0]
    if len(drawn) == 1:
        c = drawn[0]
        others = "、".join(x for x in CLASSES if x != c)
        which = "都属于 B 类或尚未分类" if c == _B_TOO else f"都属于 {c} 类"
        out.append(
            f"只有 {c} 类对象的抽查比例大于 0（{others} 类均为 0%）：公开的抽取名单将使任何人都能推知"
            f"被抽中的对象{which}" + _SECRET
        )
    return out


def scope_warnings(counts: Mapping[str, int], ratios: Mapping | None = None) -> list[str]:
    """What the scope discloses when the targets it can draw are of one class only (`counts`:
    targets per class, '' for not yet classified). Whatever the quota mode, a list drawn from one
    class is that class; with `ratios` (a credit-based task), classes whose ratio is 0 are not
    drawn from, so they do not count."""
    r = _ratios(ratios) if ratios is not None else None
    present = {c: n for c, n in counts.items() if n and (r is None or r.get(c or _B_TOO, Decimal(0)) > 0)}
    if len(present) != 1:
        return []
    [(c, n)] = present.items()
    if c not in CLASSES:  # none classified yet: nothing to disclose
        return []
    if r is not None and [x for x in CLASSES if r[x] > 0] == [c]:
        return []  # ratio_warnings says so already
    whole = len(present) == len([x for x in counts.values() if x])
    where = f"范围内的 {n} 个对象" if whole else f"范围内按比例可抽取的 {n} 个对象"
    return [
        f"按任务的抽查范围，{where}都属于 {c} 类：公开的抽取名单将使任何人都能推知"
        f"被抽中的对象属于 {c} 类" + _SECRET + "；请调整抽查范围（如标签、行业）或各类比例"
    ]


def class_disclosure_warnings(task_or_fields: Task | Mapping, *, with_scope: bool = True) -> list[str]:
    """The warnings for a task, or for a task form's data (a mapping with `quota_mode` and
    `ratios`, as TaskForm.service_fields gives; its scope is not judged: that needs the saved
    task). `with_scope=False` skips the scope's count, one query over the directory."""
    if isinstance(task_or_fields, Task):
        task = task_or_fields
        quota_mode, ratios = task.quota_mode, task.ratios
    else:
        task = None
        quota_mode = task_or_fields.get("quota_mode", QuotaMode.RATIO)
        ratios = task_or_fields.get("ratios")
    credit = quota_mode == QuotaMode.RATIO
    out = ratio_warnings(ratios) if credit else []
    if task is not None and task.pk and with_scope:
        out += scope_warnings(selectors.scope_class_counts(task), ratios if credit else None)
    return out
