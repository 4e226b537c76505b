"""风险预警名单 as service functions (issue 19): the office sets the weights and thresholds of its
jurisdiction; from a target on the list a department starts a 监测预警 trigger (then the triggers
app's request and approval flow) or proposes a credit-risk class change to the directory's
keeper as a 变更建议 — never changing the class itself. Each in one transaction, audited, and
kept as a WatchAction with the score it stood on, so the row links to what it started."""

import dataclasses
import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from shuangsuiji.core import audit
from shuangsuiji.core.errors import DomainError, Forbidden, NotFound
from shuangsuiji.core.permissions import Action, require
from shuangsuiji.core.scope import jurisdiction, visible_to
from shuangsuiji.directory.models import ChangeSuggestion, Item, RiskClass, SuggestionStatus, Target
from shuangsuiji.planning.models import TriggerCategory
from shuangsuiji.triggers import services as triggers
from shuangsuiji.triggers.models import TriggerStatus

from . import selectors
from . import watch_score as ws
from .models import MAX_THRESHOLD, MAX_WEIGHT, WatchAction, WatchActionKind, WatchSettings

SOURCE = "风险预警名单"

# field → (Chinese label, lowest, highest)
SETTING_FIELDS: dict[str, tuple[str, int, int]] = {
    **{
        f"w_{code}": (str(WatchSettings._meta.get_field(f"w_{code}").verbose_name), 0, MAX_WEIGHT)
        for code, _, _ in ws.FACTORS
    },
    "watch_threshold": ("列入名单分数线（关注）", 1, MAX_THRESHOLD),
    "alert_threshold": ("重点关注分数线", 1, MAX_THRESHOLD),
    "lookback_months": ("统计期（月）", 1, 120),
    "idle_cap_years": ("距上次检查计分上限（年）", 1, 10),
}


@transaction.atomic
def watch_settings_save(*, actor, values: dict[str, int]) -> WatchSettings:
    """The office's weights and thresholds for its jurisdiction. Every field is checked and
    named in Chinese; nothing is saved unless all are right."""
    require(actor, Action.WATCH_SETTINGS)
    region = actor.region
    current = selectors.settings_editable(actor).select_for_update().first()
    if current is None:
        if not jurisdiction(actor).is_office or region is None:
            raise Forbidden("只能设置本辖区的风险预警名单")
        current = WatchSettings(region=region)
    before = {k: getattr(current, k) for k in SETTING_FIELDS}
    for name, (label, low, high) in SETTING_FIELDS.items():
        if name not in values:
            raise DomainError(f"【{label}】为必填项", field=name)
        v = values[name]
        if isinstance(v, bool) or not isinstance(v, int) or not low <= v <= high:
            raise DomainError(f"【{label}】须为 {low} 至 {high} 之间的整数", field=name)
    if values["alert_threshold"] < values["watch_threshold"]:
        raise DomainError("【重点关注分数线】不能低于【列入名单分数线（关注）】", field="alert_threshold")
    if not any(values[f"w_{code}"] for code, _, _ in ws.FACTORS):
        raise DomainError("各因素的分值不能全为 0：名单将永远为空", field="w_problems")
    for name in SETTING_FIELDS:
        setattr(current, name, values[name])
    current.set_by, current.set_at = actor, timezone.now()
    try:
        with transaction.atomic():
            current.save()
    except IntegrityError:
        # another office clerk saved the county's first settings at the same moment
        raise DomainError("本辖区的风险预警设置刚被他人保存，请刷新页面后重试") from None
    changed = {k: {"from": before[k], "to": values[k]} for k in SETTING_FIELDS if before[k] != values[k]}
    audit.record(
        actor=actor,
        action="warning.watch.settings",
        obj=current,
        summary=f"设置风险预警名单：分数线 {current.watch_threshold}／{current.alert_threshold}，"
        f"统计期 {current.lookback_months} 个月",
        detail={"changed": changed},
    )
    return current


def _on_list(actor, target: Target, today: dt.date) -> selectors.Row:
    require(actor, Action.WATCH_ACT)
    if not visible_to(Target, actor).filter(pk=target.pk).exists():
        raise NotFound("未找到该检查对象")
    row = selectors.target_score(actor, target, today)
    if not row.level:
        cfg = selectors.settings_for(actor)
        raise DomainError(
            f"{target.name} 评分 {row.score.total}，未达到列入名单的分数线 {cfg.watch_threshold}，"
            "不能从风险预警名单发起"
        )
    return row


def _snapshot(row: selectors.Row) -> list[dict]:
    return [dataclasses.asdict(p) for p in row.score.parts]


@transaction.atomic
def watch_trigger_start(*, actor, target: Target, items: list[Item], description: str) -> WatchAction:
    """发起触发式检查: a 监测预警 trigger on the target, source 风险预警名单, dated today; the
    department then asks for the triggered task on the trigger's page (triggers app)."""
    today = timezone.localdate()
    row = _on_list(actor, target, today)
    started = WatchAction.objects.filter(
        kind=WatchActionKind.TRIGGER,
        department_id=actor.department_id,
        target=target,
        trigger__status__in=[TriggerStatus.OPEN, TriggerStatus.REQUESTED],
    ).first()
    if started is not None:
        raise DomainError(
            f"本部门已从风险预警名单对 {target.name} 发起触发事项（{started.trigger}），尚未立项或并入，不能重复发起"
        )
    trigger = triggers.trigger_record(
        actor=actor,
        category=TriggerCategory.MONITORING,
        source=SOURCE,
        received_on=today,
        targets=[target],
        items=items,
        description=description,
    )
    action = WatchAction.objects.create(
        kind=WatchActionKind.TRIGGER,
        target=target,
        department_id=actor.department_id,
        score=row.score.total,
        factors=_snapshot(row),
        trigger=trigger,
        created_by=actor,
        created_at=timezone.now(),
    )
    audit.record(
        actor=actor,
        action="warning.watch.trigger",
        obj=action,
        summary=f"从风险预警名单发起触发式检查：{target.name}（评分 {row.score.total}）",
        detail={"trigger": trigger.pk},
    )
    return action


@transaction.atomic
def watch_class_propose(*, actor, target: Target, risk_class: str, reason: str) -> WatchAction:
    """提出信用风险分类调整建议: a 变更建议 of the class to the directory's keeper (or the office),
    who accepts or rejects it in the directory (directory/services.py suggestion_accept). The
    class itself is not touched here."""
    today = timezone.localdate()
    row = _on_list(actor, target, today)
    if risk_class not in RiskClass.values:
        raise DomainError("请选择建议的信用风险分类（A、B、C、D 类之一）", field="risk_class")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写建议理由", field="reason")
    pending = ChangeSuggestion.objects.filter(
        target=target,
        field="risk_class",
        department_id=actor.department_id,
        status=SuggestionStatus.PENDING,
    ).exists()
    if pending:
        raise DomainError(
            f"本部门对 {target.name} 的信用风险分类已有待处理的变更建议，请等待名录维护部门处理"
        )
    suggestion = ChangeSuggestion.objects.create(
        target=target,
        field="risk_class",
        current_value=target.risk_class,
        suggested_value=risk_class,
        department_id=actor.department_id,
        proposed_by=actor,
        source=f"{SOURCE}（评分 {row.score.total}）：{reason}"[:200],
        created_at=timezone.now(),
    )
    action = WatchAction.objects.create(
        kind=WatchActionKind.PROPOSAL,
        target=target,
        department_id=actor.department_id,
        score=row.score.total,
        factors=_snapshot(row),
        suggestion=suggestion,
        created_by=actor,
        created_at=timezone.now(),
    )
    audit.record(
        actor=actor,
        action="warning.watch.propose",
        obj=action,
        # the class is the keeper's to show: the log names the proposal, not the class
        summary=f"从风险预警名单提出信用风险分类调整建议：{target.name}（评分 {row.score.total}）",
        detail={"suggestion": suggestion.pk},
    )
    return action
