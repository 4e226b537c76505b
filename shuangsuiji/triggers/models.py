"""触发式监管 (issue 19): what starts an inspection that is not drawn — a complaint, a referral
(转办交办, including a problem another department 抄告/移送 through the ledger), a monitoring alert
(监测预警) or an upper level's deployment (上级部署) — recorded by a department with its source,
date, targets, items and description; the triggered task it asks for, approved or refused by the
department head; and a trigger merged into a random visit (一次检查、全面体检).

The task itself is planning's `Task` (kind 触发式检查) and its targets a designated list
(draw/designated.py): the inspection flow is the random one's. Only the category ever leaves the
department: the source, the complainant and the description are internal."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from shuangsuiji.core.models import Department
from shuangsuiji.directory.models import Item, Target
from shuangsuiji.draw.models import Selection
from shuangsuiji.followup.models import FollowUp
from shuangsuiji.planning.models import Task, TriggerCategory


class TriggerStatus(models.TextChoices):
    OPEN = "open", "待处置"
    REQUESTED = "requested", "已申请触发式检查，待审批"
    TASKED = "tasked", "已立触发式检查任务"
    MERGED = "merged", "已并入随机抽查"


class Trigger(models.Model):
    """触发事项: one complaint, referral, alert or deployment, kept by the department it reached."""

    department = models.ForeignKey(
        Department, verbose_name="承办部门", on_delete=models.PROTECT, related_name="triggers"
    )
    category = models.CharField("触发类别", max_length=12, choices=TriggerCategory.choices)
    source = models.CharField(
        "来源", max_length=200, help_text="如：12345政务服务便民热线、市市场监督管理局、风险预警名单"
    )
    source_department = models.ForeignKey(
        Department,
        verbose_name="转办/交办部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    followup = models.ForeignKey(
        FollowUp,
        verbose_name="来自抄告/移送的台账条目",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="triggers",
    )
    received_on = models.DateField("收到日期")
    targets = models.ManyToManyField(Target, verbose_name="检查对象", related_name="triggers")
    items = models.ManyToManyField(Item, verbose_name="检查事项", related_name="triggers")
    description = models.TextField("情况描述（内部，不公开）")
    complainant = models.CharField(
        "投诉举报人及联系方式（保密）", max_length=200, blank=True, help_text="仅本部门可见，不公开、不导出"
    )
    status = models.CharField(
        "状态", max_length=10, choices=TriggerStatus.choices, default=TriggerStatus.OPEN
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "触发事项"
        ordering = ["-received_on", "-id"]
        constraints = [
            # a ledger entry reaches a department by 抄告/移送: that is a 转办交办
            models.CheckConstraint(
                condition=Q(followup__isnull=True) | Q(category="referral"),
                name="trigger_followup_is_referral",
            ),
        ]
        indexes = [models.Index(fields=["department", "status"], name="trigger_dept_status_idx")]

    def __str__(self):
        return f"{self.get_category_display()} {self.received_on:%Y-%m-%d}（{self.source}）"


class RequestStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REFUSED = "refused", "不予批准"


class TaskRequest(models.Model):
    """触发式检查审批: the department asks for a triggered task with a reason; its head (复核人员 /
    主管领导) approves or refuses it with a reason — never the one who asked."""

    trigger = models.ForeignKey(
        Trigger, verbose_name="触发事项", on_delete=models.PROTECT, related_name="requests"
    )
    task = models.OneToOneField(
        Task, verbose_name="触发式检查任务", on_delete=models.PROTECT, related_name="trigger_request"
    )
    reason = models.CharField("申请理由", max_length=500)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField("申请时间")
    status = models.CharField(
        "状态", max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=500, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "触发式检查审批"
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["trigger"], condition=Q(status="pending"), name="task_request_one_pending"
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | ~Q(decided_by=models.F("requested_by")),
                name="task_request_not_self_decided",
            ),
        ]

    def __str__(self):
        return f"{self.trigger} · {self.get_status_display()}"


class TriggerMerge(models.Model):
    """并入随机抽查: a random task's visit to a target covers the trigger too (一次检查、全面体检)."""

    trigger = models.ForeignKey(
        Trigger, verbose_name="触发事项", on_delete=models.PROTECT, related_name="merges"
    )
    selection = models.ForeignKey(
        Selection, verbose_name="随机抽查的抽中对象", on_delete=models.PROTECT, related_name="trigger_merges"
    )
    note = models.CharField("说明", max_length=500, blank=True)
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    merged_at = models.DateTimeField("合并时间")

    class Meta:
        verbose_name = verbose_name_plural = "触发事项并入随机抽查"
        ordering = ["merged_at"]
        constraints = [
            models.UniqueConstraint(fields=["trigger", "selection"], name="trigger_merge_unique"),
        ]

    def __str__(self):
        return f"{self.trigger} → {self.selection}"
