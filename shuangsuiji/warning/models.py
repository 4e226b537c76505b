"""风险预警名单 (issue 19): the office's thresholds and weights per jurisdiction, and what a
department started from the list (a 监测预警 trigger, or a 信用风险分类 proposal to the
directory's keeper), each kept with the score and factors it was started on."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from shuangsuiji.core.models import Department, Region
from shuangsuiji.directory.models import ChangeSuggestion, Target
from shuangsuiji.triggers.models import Trigger

from . import watch_score as ws

MAX_WEIGHT = 100
MAX_THRESHOLD = 1000


def _weight(label: str, code: str):
    return models.PositiveSmallIntegerField(
        label,
        default=ws.DEFAULT_WEIGHTS[code],
        validators=[MaxValueValidator(MAX_WEIGHT)],
    )


class WatchSettings(models.Model):
    """风险预警设置: the office's weights per factor and thresholds, for its jurisdiction. Without
    a row the defaults of watch_score.py apply."""

    region = models.OneToOneField(
        Region, verbose_name="辖区", on_delete=models.CASCADE, related_name="watch_settings"
    )
    w_problems = _weight("每次发现问题的检查（分）", "problems")
    w_refusals = _weight("每次不配合检查（分）", "refusals")
    w_open = _weight("每项未办结的后续处置（分）", "open")
    w_overdue = _weight("每项逾期的后续处置（分）", "overdue")
    w_triggers = _weight("每件触发事项（分）", "triggers")
    w_abnormal = _weight("每次列入经营异常名录（分）", "abnormal")
    w_status = _weight("每次登记状态变更（分）", "status")
    w_idle_years = _weight("距上次检查每满一年（分）", "idle_years")
    watch_threshold = models.PositiveSmallIntegerField(
        "列入名单分数线（关注）",
        default=ws.DEFAULT_WATCH_THRESHOLD,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_THRESHOLD)],
    )
    alert_threshold = models.PositiveSmallIntegerField(
        "重点关注分数线",
        default=ws.DEFAULT_ALERT_THRESHOLD,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_THRESHOLD)],
    )
    lookback_months = models.PositiveSmallIntegerField(
        "统计期（月）",
        default=ws.DEFAULT_LOOKBACK_MONTHS,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    idle_cap_years = models.PositiveSmallIntegerField(
        "距上次检查计分上限（年）",
        default=ws.DEFAULT_IDLE_CAP_YEARS,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField("设置时间")

    class Meta:
        verbose_name = verbose_name_plural = "风险预警设置"
        constraints = [
            models.CheckConstraint(
                condition=Q(alert_threshold__gte=F("watch_threshold")), name="watch_alert_not_below_watch"
            ),
            models.CheckConstraint(
                condition=Q(watch_threshold__gte=1, lookback_months__gte=1, idle_cap_years__gte=1),
                name="watch_settings_positive",
            ),
        ]

    def __str__(self):
        return f"{self.region} 风险预警设置"

    @property
    def weights(self) -> dict[str, int]:
        return {code: getattr(self, f"w_{code}") for code, _, _ in ws.FACTORS}


class WatchActionKind(models.TextChoices):
    TRIGGER = "trigger", "发起触发式检查"
    PROPOSAL = "proposal", "提出信用风险分类调整建议"


class WatchAction(models.Model):
    """One thing a department started from the watch list, with the score it stood on: the row
    links to it, and it links to the trigger or the 变更建议 it made."""

    kind = models.CharField("措施", max_length=10, choices=WatchActionKind.choices)
    target = models.ForeignKey(
        Target, verbose_name="检查对象", on_delete=models.PROTECT, related_name="watch_actions"
    )
    department = models.ForeignKey(
        Department, verbose_name="部门", on_delete=models.PROTECT, related_name="watch_actions"
    )
    score = models.PositiveIntegerField("当时评分")
    factors = models.JSONField(
        "当时各因素", default=list, help_text="[{code, count, weight, points, skipped}]"
    )
    trigger = models.OneToOneField(
        Trigger,
        verbose_name="触发事项",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="watch_action",
    )
    suggestion = models.OneToOneField(
        ChangeSuggestion,
        verbose_name="变更建议",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="watch_action",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("时间")

    class Meta:
        verbose_name = verbose_name_plural = "风险预警名单处置"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="trigger", trigger__isnull=False, suggestion__isnull=True)
                | Q(kind="proposal", suggestion__isnull=False, trigger__isnull=True),
                name="watch_action_links_its_record",
            ),
        ]
        indexes = [models.Index(fields=["department", "target"], name="watch_action_dept_target_idx")]

    def __str__(self):
        return f"{self.target} · {self.get_kind_display()}"
