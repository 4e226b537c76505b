"""Who keeps a target's shared fields, written once (issue 14, finding 1).

A market subject's shared fields are kept by its county's 名录维护部门 (DirectoryKeeper; by
default the county's 市场监督管理局, which registers market subjects and classifies their credit
risk); a 非市场主体's by the department that created it (Target.keeper_department). The office
may change either. Every other department adds or removes only its own supervision and its own
tags; a value it holds for a shared field becomes a 变更建议 to the keeper.

The same rule in three forms, each used by every write path: per target (`target_keeper`,
`can_edit_shared_fields`), as an ORM condition (`kept_q`) and as SQL for the import's set-based
pass (`kept_sql`). The credit-risk class is shown only to the keeper, the office and the auditor
(selectors.targets_for's `visible_risk_class`, built on `kept_q`; a draw's strata:
`sees_every_class`, `keeps_all`)."""

import functools

from django.db.models import Exists, OuterRef, Q

from shuangsuiji.core.models import Department, Role

from .models import MARKET_KINDS, DirectoryKeeper, RegistrationStatus, RiskClass, Target, TargetKind

# The fields only the keeper (or the office) changes, with their Chinese labels.
SHARED_FIELDS = {
    "name": "名称",
    "kind": "主体类型",
    "region": "所属区划",
    "address": "住所/地址",
    "industry": "行业",
    "founded_on": "成立日期",
    "status": "登记状态",
    "status_changed_on": "状态变更日期",
    "risk_class": "信用风险分类",
    "risk_class_set_on": "分类日期",
}
# The fields that tell the credit-risk class: shown only where the class is (visible_risk_class).
RISK_FIELDS = ("risk_class", "risk_class_set_on")
_CHOICES = {"kind": TargetKind, "status": RegistrationStatus, "risk_class": RiskClass}


def value_label(field: str, text: str) -> str:
    """A recorded value as a page shows it: a code with its Chinese label."""
    if field in _CHOICES and text in _labels(field):
        return _labels(field)[text]
    return text or "（空）"


@functools.cache  # built once per field: an update preview asks 4×10⁶ times
def _labels(field: str) -> dict[str, str]:
    return {value: str(label) for value, label in _CHOICES[field].choices}


def field_attname(field: str) -> str:
    """The column of a shared field (a region or industry is kept by its code)."""
    return f"{field}_id" if field in ("region", "industry") else field


# The default keeper of a county's market subjects: the department whose name holds this.
DEFAULT_KEEPER_NAME = "市场监督管理"


def county_code(region_code: str) -> str:
    """The county (or higher) code a region belongs to: a 9-digit township's first six digits."""
    return region_code[:6]


def county_keeper(code: str) -> Department | None:
    """The department keeping the market subjects of county `code`."""
    row = DirectoryKeeper.objects.filter(region_id=code).select_related("department").first()
    if row:
        return row.department
    return (
        Department.objects.filter(region_id=code, is_office=False, name__contains=DEFAULT_KEEPER_NAME)
        .order_by("pk")
        .first()
    )


def kept_counties(department: Department | None) -> list[str]:
    """The county codes whose market subjects `department` keeps (the set form of
    `county_keeper`): those the office named it for, and its own county when the office named
    no one there and it is that county's first 市场监督管理 department. One query."""
    if department is None:
        return []
    # both sides unordered: a compound statement takes no ORDER BY in its parts (Department has
    # a default ordering)
    named = (
        DirectoryKeeper.objects.filter(department=department).order_by().values_list("region_id", flat=True)
    )
    default = (
        Department.objects.filter(pk=department.pk, is_office=False, name__contains=DEFAULT_KEEPER_NAME)
        .exclude(Exists(DirectoryKeeper.objects.filter(region_id=OuterRef("region_id"))))
        .exclude(
            Exists(
                Department.objects.filter(
                    region_id=OuterRef("region_id"),
                    is_office=False,
                    name__contains=DEFAULT_KEEPER_NAME,
                    pk__lt=OuterRef("pk"),
                )
            )
        )
        .order_by()
        .values_list("region_id", flat=True)
    )
    return sorted(set(named.union(default)))


def target_keeper(target: Target) -> Department | None:
    if target.kind in MARKET_KINDS:
        return county_keeper(county_code(target.region_id))
    return target.keeper_department


def _is_office_over(user, target: Target) -> bool:
    # the office of the target's own level: a city's office reads its counties' targets only
    return user.role == Role.OFFICE and target.region_id.startswith(user.department.region.code)


def can_edit_shared_fields(user, target: Target) -> bool:
    """The office of the target's jurisdiction, or an admin of the target's keeping department."""
    if _is_office_over(user, target):
        return True
    if user.role != Role.DEPT_ADMIN or user.department_id is None:
        return False
    keeper = target_keeper(target)
    return keeper is not None and keeper.pk == user.department_id


def may_name_keeper(user) -> bool:
    """Only the office names its county's 名录维护部门."""
    return user.role == Role.OFFICE


def may_decide_suggestions(user) -> bool:
    """The roles that may accept or reject a 变更建议 (of the targets their department keeps, or
    for the office, of its jurisdiction)."""
    return user.role in (Role.OFFICE, Role.DEPT_ADMIN)


def kept_q(department: Department | None) -> Q:
    """Targets `department` keeps, as a queryset condition."""
    if department is None:
        return Q(pk__in=[])
    market = Q(pk__in=[])
    for code in kept_counties(department):
        market |= Q(region__code__startswith=code)
    return Q(kind__in=MARKET_KINDS) & market | Q(keeper_department=department) & ~Q(kind__in=MARKET_KINDS)


def sees_every_class(user) -> bool:
    """The office and the auditor see the credit-risk class of every target in their
    jurisdiction; a department only of the targets it keeps (`kept_q`)."""
    return user.role in (Role.OFFICE, Role.AUDITOR)


def keeps_all(department: Department | None, targets) -> bool:
    """Whether `department` keeps every target of `targets` (a Target queryset): then it may see
    their classes, as a set (a draw's strata beside its selected list). One query."""
    if department is None:
        return False
    return not targets.exclude(pk__in=Target.objects.filter(kept_q(department)).values("pk")).exists()


def kept_market_sql(department: Department, alias: str) -> tuple[str, list]:
    """Market subjects `department` keeps, as SQL on `alias` (a target or a staged row): by the
    county of their region."""
    counties = kept_counties(department)
    if not counties:
        return "1 = 0", []
    return f"substr({alias}.region_id, 1, 6) IN ({', '.join(['%s'] * len(counties))})", counties


def kept_sql(department: Department, alias: str = "t") -> tuple[str, list]:
    """Targets `department` keeps, as an SQL condition on table alias `alias` (the import's
    set-based pass: a market row by its region's county, any other by its keeper)."""
    market, params = kept_market_sql(department, alias)
    sql = (
        f"(({alias}.uscc IS NOT NULL AND {market}) "
        f"OR ({alias}.uscc IS NULL AND {alias}.keeper_department_id = %s))"
    )
    return sql, [*params, department.pk]
