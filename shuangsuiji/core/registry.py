"""What the apps above core register with it at start-up, so that core names none of them
(ARCHITECTURE.md: imports run downward only). Modelled on netbox's `netbox/registry.py`: one store
in this module, filled by each app's `AppConfig.ready()`, read by core.

Today it holds the kinds of background job (`Job.kind`): the worker looks up the runner here, the
job page the page where a refused job's file is fixed and sent again."""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class JobKind:
    kind: str  # stored in Job.kind
    label: str  # 中文名称, shown in the job list
    runner: Callable  # (job) -> None: does the work and records the outcome on the Job row
    retry_url: str = ""  # URL name of the page that starts this kind again (e.g. the import form)


_job_kinds: dict[str, JobKind] = {}


def register_job_kind(kind: str, *, label: str, runner: Callable, retry_url: str = "") -> None:
    """Called from an app's AppConfig.ready(). A second registration of the same kind by other
    code is a configuration error: two apps would fight over one kind of Job row."""
    entry = JobKind(kind=kind, label=label, runner=runner, retry_url=retry_url)
    known = _job_kinds.get(kind)
    if known is not None and known != entry:
        raise ImproperlyConfigured(f"后台作业类型“{kind}”已由 {known.runner.__module__} 注册")
    _job_kinds[kind] = entry


def job_kind(kind: str) -> JobKind | None:
    return _job_kinds.get(kind)


def job_kinds() -> dict[str, JobKind]:
    return dict(_job_kinds)


# ---- audit actions -------------------------------------------------------------------------
# Each app names the actions it records (core/audit.py) in Chinese, so the log page, its filter
# and its export never show a code such as “user.login” (STYLE.md: audit actions with labels).

_audit_actions: dict[str, str] = {}


def register_audit_actions(labels: dict[str, str]) -> None:
    """Called from an app's AppConfig.ready() with {action code: 中文名称}."""
    for code, label in labels.items():
        known = _audit_actions.get(code)
        if known is not None and known != label:
            raise ImproperlyConfigured(f"操作“{code}”已登记为“{known}”")
        _audit_actions[code] = label


def audit_action_label(code: str) -> str | None:
    return _audit_actions.get(code)


def audit_actions() -> dict[str, str]:
    return dict(_audit_actions)
