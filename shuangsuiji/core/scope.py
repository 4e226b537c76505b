"""Scope in one place (issue 14): whose rows a user may read and whose rows a user may change.

One jurisdiction helper (`jurisdiction`) answers, for any user, which region codes and which
department the user works for; the "nothing" answer (anonymous, 系统管理员, 安全管理员, an
account without a department) is defined here once, so no selector invents its own sentinel.

On it, a registry modelled on netbox's `RestrictedQuerySet.restrict(user, action)`: every app
registers each of its scoped models in its `AppConfig.ready()` with two functions, `visible`
(the rows the user may read: the app's selector) and `editable` (the rows the user may change).
Core names no app (ARCHITECTURE.md); the apps call `visible_to` / `editable_by`. A role's
capability (may this role do X at all) stays in core/permissions.py; this module answers only
"which rows"."""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, Q, QuerySet

from .models import Role

# No region code starts with a NUL byte: `code__startswith=NOTHING` matches no row.
NOTHING = "\0"

# Roles that work on the business data of a jurisdiction. The 系统管理员 keeps accounts and the
# 安全管理员 roles and settings (三员分立): neither reads nor writes a department's records.
_SCOPED_ROLES = frozenset({Role.OFFICE, Role.DEPT_ADMIN, Role.REVIEWER, Role.INSPECTOR, Role.AUDITOR})


@dataclass(frozen=True)
class Jurisdiction:
    prefix: str  # region codes of the jurisdiction start with this; NOTHING when none
    department_id: int | None  # the user's department; None when none
    is_office: bool  # the 双随机办公室 of the jurisdiction (sees and approves across departments)
    writes: bool  # may change rows at all (the 审计管理员 only reads)
    code: str = NOTHING  # the jurisdiction's own region code (a city's 130100); NOTHING when none

    @property
    def is_nothing(self) -> bool:
        return self.prefix == NOTHING

    def within(self, region_path: str) -> Q:
        """Rows whose region (reached through `region_path`, e.g. "department__region") lies in
        the jurisdiction; no row for the nothing answer."""
        return Q(**{f"{region_path}__code__startswith": self.prefix})

    def at_own_level(self, region_path: str) -> Q:
        """Rows of the jurisdiction's own level: its region's code and what lies under it below
        the county (a county's townships). A city's or province's office reads its counties'
        rows (`within`) but changes only these (ARCHITECTURE.md: “a city office sees its
        counties read-only”); for a county both are the same."""
        return Q(**{f"{region_path}__code__startswith": self.code})


_NOWHERE = Jurisdiction(prefix=NOTHING, department_id=None, is_office=False, writes=False)


def jurisdiction(user) -> Jurisdiction:
    """The user's jurisdiction prefix and department, or the nothing answer."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "role", None) not in _SCOPED_ROLES:
        return _NOWHERE
    if not user.department_id or user.region is None:
        return _NOWHERE
    return Jurisdiction(
        prefix=user.region.scope_prefix,
        department_id=user.department_id,
        is_office=user.role == Role.OFFICE,
        writes=user.role != Role.AUDITOR,
        code=user.region.code,
    )


def jurisdiction_prefix(user) -> str:
    """Region codes of the user's jurisdiction start with this (NOTHING matches none)."""
    return jurisdiction(user).prefix


# ---- the registry ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelScope:
    visible: Callable[..., QuerySet]  # (user) -> the rows the user may read
    editable: Callable[..., QuerySet]  # (user) -> the rows the user may change


_scopes: dict[type[Model], ModelScope] = {}


def register(model: type[Model], *, visible: Callable, editable: Callable) -> None:
    """Called from an app's AppConfig.ready(). A second, different registration of one model is
    a configuration error: two rules for the same rows."""
    entry = ModelScope(visible=visible, editable=editable)
    known = _scopes.get(model)
    if known is not None and known != entry:
        raise ImproperlyConfigured(f"{model._meta.label} 的数据范围已由 {known.visible.__module__} 注册")
    _scopes[model] = entry


def _scope(model: type[Model]) -> ModelScope:
    try:
        return _scopes[model]
    except KeyError:
        raise ImproperlyConfigured(f"{model._meta.label} 未登记数据范围（core/scope.py register）") from None


def visible_to(model: type[Model], user) -> QuerySet:
    """The rows of `model` the user may read (none for the nothing answer)."""
    scope = _scope(model)
    if jurisdiction(user).is_nothing:
        return model._default_manager.none()
    return scope.visible(user)


def editable_by(model: type[Model], user) -> QuerySet:
    """The rows of `model` the user may change (none for the nothing answer and the auditor)."""
    scope = _scope(model)
    if not jurisdiction(user).writes:
        return model._default_manager.none()
    return scope.editable(user)


def may_edit(user, obj: Model) -> bool:
    """Whether the user may change this one row (one query)."""
    return editable_by(type(obj), user).filter(pk=obj.pk).exists()


def registered() -> dict[type[Model], ModelScope]:
    return dict(_scopes)
