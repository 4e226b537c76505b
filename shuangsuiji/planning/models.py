"""The year's goals, 一业一查 joint lists, each department's annual plan (published, adjusted only
through a recorded procedure) and its tasks."""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from shuangsuiji.core.models import BusinessLine, Department, Region
from shuangsuiji.directory.models import Item, Tag


class YearGoals(models.Model):
    """年度目标 (R-PLAN-2): a jurisdiction's numbers for one year, straight from its 实施方案."""

    region = models.ForeignKey(Region, verbose_name="辖区", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    source = models.CharField(
        "依据", max_length=200, blank=True, help_text="如：2026年鹿泉区“双随机、一公开”监管工作实施方案"
    )
    coverage = models.DecimalField(
        "抽查企业覆盖率不低于", max_digits=6, decimal_places=4, null=True, blank=True
    )
    coverage_snapshot = models.DateField("企业数口径日期", help_text="默认上年 12 月 31 日")
    coverage_by_level = models.JSONField(
        "覆盖率按任务层级分解",
        default=dict,
        blank=True,
        help_text='如 {"province": "0.005", "city": "0.005", "county": "0.02"}',
    )
    joint_task_share = models.DecimalField(
        "联合抽查次数占比不低于", max_digits=6, decimal_places=4, null=True, blank=True
    )
    joint_household_share = models.DecimalField(
        "联合抽查户数占比不低于", max_digits=6, decimal_places=4, null=True, blank=True
    )
    credit_share = models.DecimalField(
        "信用风险分类抽查次数占比不低于", max_digits=6, decimal_places=4, null=True, blank=True
    )
    publicity_on_time = models.DecimalField(
        "抽查结果按时公示率", max_digits=6, decimal_places=4, default=Decimal("1")
    )
    followup_rate = models.DecimalField("后续处置率", max_digits=6, decimal_places=4, default=Decimal("1"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "年度目标"
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="year_goals_unique")]

    def __str__(self):
        return f"{self.region.name} {self.year} 年度目标"


class JointList(models.Model):
    """一业一查 joint list entry (R-ADM-1): per industry, the lead, the participants and the items
    to check together. A joint task starts from such an entry."""

    region = models.ForeignKey(Region, verbose_name="辖区", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("行业（场景）", max_length=100, help_text="如：餐饮、校外培训")
    industries = models.JSONField("行业代码", default=list, blank=True, help_text="GB/T 4754 代码前缀，如 62")
    lead = models.ForeignKey(
        Department, verbose_name="牵头部门", on_delete=models.PROTECT, related_name="led_joint_lists"
    )
    participants = models.ManyToManyField(Department, verbose_name="参与部门", related_name="joint_lists")
    items = models.ManyToManyField(Item, verbose_name="联合抽查事项", related_name="joint_lists")
    upper = models.ForeignKey(
        "self", verbose_name="细化自上级清单", null=True, blank=True, on_delete=models.SET_NULL
    )
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "一业一查清单"
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="joint_list_unique")]

    def __str__(self):
        return self.name


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交待审核"
    PUBLISHED = "published", "已公示"
    ADJUSTING = "adjusting", "调整中"
    ADJUSTMENT_SUBMITTED = "adjustment_submitted", "调整已提交待审核"
    VOIDED = "voided", "已作废"


class AnnualPlan(models.Model):
    """年度抽查计划 (R-PLAN-1): drafted and submitted by the department, approved and published by
    the office; after publication it changes only through a recorded adjustment."""

    department = models.ForeignKey(
        Department, verbose_name="部门", on_delete=models.PROTECT, related_name="plans"
    )
    year = models.PositiveSmallIntegerField("年度")
    status = models.CharField("状态", max_length=25, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    version = models.PositiveSmallIntegerField("已公示版本", default=0)
    adjustment_reason = models.CharField("调整原因", max_length=500, blank=True)
    review_comment = models.CharField("审核意见", max_length=500, blank=True)
    voided_reason = models.CharField("作废原因", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "年度抽查计划"
        constraints = [models.UniqueConstraint(fields=["department", "year"], name="plan_unique_per_year")]

    def __str__(self):
        return f"{self.department.name} {self.year} 年度抽查计划"

    @property
    def editable(self) -> bool:
        return self.status in (PlanStatus.DRAFT, PlanStatus.ADJUSTING)


class PlanVersion(models.Model):
    """Each publication of a plan: what it said (a snapshot), when, and why it changed."""

    plan = models.ForeignKey(AnnualPlan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField("版本")
    reason = models.CharField("调整原因", max_length=500, blank=True)
    snapshot = models.JSONField("内容")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField("公示时间")

    class Meta:
        verbose_name = verbose_name_plural = "计划版本"
        ordering = ["plan_id", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="plan_version_unique")]

    def __str__(self):
        return f"{self.plan} 第 {self.number} 版"


class TaskMode(models.TextChoices):
    ORDINARY = "ordinary", "部门单独抽查"
    INTERNAL_JOINT = "internal_joint", "部门内部联合"
    JOINT = "joint", "部门联合（一业一查）"


class TaskKind(models.TextChoices):
    """双随机 or 触发式 (issue 19): a triggered task is targeted, not drawn — its targets come from a
    trigger, its team is drawn as a random task's. It is never counted as a random one (R-RPT-1)."""

    RANDOM = "random", "双随机抽查"
    TRIGGERED = "triggered", "触发式检查"


class TriggerCategory(models.TextChoices):
    """Why a triggered task was started: the only thing about its trigger that is ever public."""

    COMPLAINT = "complaint", "投诉举报"
    REFERRAL = "referral", "转办交办"
    MONITORING = "monitoring", "监测预警"
    DEPLOYMENT = "deployment", "上级部署"


class QuotaMode(models.TextChoices):
    RATIO = "ratio", "按信用风险分类比例"
    TOTAL = "total", "按总数"


class TaskState(models.TextChoices):
    PLANNED = "planned", "计划中"
    ANNOUNCED = "announced", "已公告抽取"
    DRAWN = "drawn", "已抽取对象"
    TEAMS_DRAWN = "teams_drawn", "已匹配人员"
    IN_PROGRESS = "in_progress", "检查中"
    RESULTS_DUE = "results_due", "待录入结果"
    CLOSED = "closed", "已办结"
    VOIDED = "voided", "已作废"


# The one table of allowed moves. A draw voided before inspection starts sends the task back to
# planned, so that it can be announced and drawn again (R-DRAW-6).
TASK_TRANSITIONS: dict[str, set[str]] = {
    TaskState.PLANNED: {TaskState.ANNOUNCED, TaskState.VOIDED},
    TaskState.ANNOUNCED: {TaskState.DRAWN, TaskState.PLANNED, TaskState.VOIDED},
    TaskState.DRAWN: {TaskState.TEAMS_DRAWN, TaskState.PLANNED, TaskState.VOIDED},
    TaskState.TEAMS_DRAWN: {TaskState.IN_PROGRESS, TaskState.PLANNED, TaskState.VOIDED},
    TaskState.IN_PROGRESS: {TaskState.RESULTS_DUE, TaskState.VOIDED},
    TaskState.RESULTS_DUE: {TaskState.CLOSED, TaskState.VOIDED},
    TaskState.CLOSED: set(),
    TaskState.VOIDED: set(),
}

DEFAULT_RATIOS = {"A": "0.01", "B": "0.03", "C": "0.10", "D": "0.30"}  # R-PLAN-3


class Task(models.Model):
    """抽查任务 / 实施方案: one batch with its items, scope, quotas, window and departments."""

    plan = models.ForeignKey(
        AnnualPlan, verbose_name="年度计划", on_delete=models.PROTECT, related_name="tasks"
    )
    code = models.CharField("任务编号", max_length=40, unique=True)
    name = models.CharField("任务名称", max_length=200)
    mode = models.CharField("抽查方式", max_length=20, choices=TaskMode.choices, default=TaskMode.ORDINARY)
    lead = models.ForeignKey(
        Department, verbose_name="牵头部门", on_delete=models.PROTECT, related_name="led_tasks"
    )
    departments = models.ManyToManyField(Department, verbose_name="参与部门（含牵头）", related_name="tasks")
    business_lines = models.ManyToManyField(
        BusinessLine, verbose_name="参与业务条线", blank=True, related_name="tasks"
    )
    joint_list = models.ForeignKey(
        JointList, verbose_name="一业一查清单", null=True, blank=True, on_delete=models.PROTECT
    )
    items = models.ManyToManyField(Item, verbose_name="抽查事项", related_name="tasks")
    scope_regions = models.JSONField(
        "区划范围", default=list, blank=True, help_text="区划代码前缀；空为本辖区全部"
    )
    scope_kinds = models.JSONField("对象类型", default=list, blank=True)
    scope_industries = models.JSONField("行业", default=list, blank=True, help_text="GB/T 4754 代码前缀")
    scope_tags = models.ManyToManyField(Tag, verbose_name="标签", blank=True, related_name="tasks")
    quota_mode = models.CharField(
        "抽取方式", max_length=10, choices=QuotaMode.choices, default=QuotaMode.RATIO
    )
    ratios = models.JSONField("各类抽查比例", default=dict, blank=True)
    total = models.PositiveIntegerField("抽取总数", null=True, blank=True)
    team_size = models.PositiveSmallIntegerField("每组执法人员数", default=2)
    window_start = models.DateField("检查开始日期")
    window_end = models.DateField("检查结束日期")
    publish_selection_on = models.DateField("公示抽取名单日期", null=True, blank=True)
    sent_down_from = models.ForeignKey(
        "self",
        verbose_name="上级下派任务",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sent_down",
    )
    level = models.CharField(
        "任务层级", max_length=10, default="county", help_text="province / city / county：谁安排的任务"
    )
    state = models.CharField("状态", max_length=15, choices=TaskState.choices, default=TaskState.PLANNED)
    kind = models.CharField("检查类型", max_length=10, choices=TaskKind.choices, default=TaskKind.RANDOM)
    trigger_category = models.CharField(
        "触发类别", max_length=12, choices=TriggerCategory.choices, blank=True, help_text="触发式检查才有"
    )
    in_published_plan = models.BooleanField("已列入公示的计划", default=False)
    voided_reason = models.CharField("作废原因", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "抽查任务"
        ordering = ["window_start", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(window_end__gte=models.F("window_start")), name="task_window_order"
            ),
            models.CheckConstraint(condition=Q(team_size__gte=2), name="task_team_at_least_two"),
            models.CheckConstraint(
                condition=Q(kind="random", trigger_category="")
                | (Q(kind="triggered") & ~Q(trigger_category="")),
                name="task_trigger_category_iff_triggered",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def ratio_percents(self) -> dict[str, str]:
        """各类抽查比例 in % as the form takes them ({"A": "1%", …}), never the stored 0.01."""
        return {c: f"{(Decimal(r) * 100).normalize():f}%" for c, r in (self.ratios or {}).items()}

    @property
    def credit_based(self) -> bool:
        """A task is credit-risk-based when its quotas are set per risk class (R-PLAN-2)."""
        return self.quota_mode == QuotaMode.RATIO

    @property
    def triggered(self) -> bool:
        return self.kind == TaskKind.TRIGGERED

    @property
    def kind_label(self) -> str:
        """What records, notices and public pages say: 双随机抽查, or 触发式检查 with its category
        only (never who complained or what)."""
        if self.triggered:
            return f"{TaskKind.TRIGGERED.label}（{self.get_trigger_category_display()}）"
        return TaskKind.RANDOM.label

    @property
    def year(self) -> int:
        return self.plan.year

    def window_contains(self, day: dt.date) -> bool:
        return self.window_start <= day <= self.window_end


class Milestone(models.Model):
    """实施方案任务分工 (R-ADM-3): one assignment of the jurisdiction's 实施方案 — what, who (the
    departments, or a unit named as the 方案 names it: 治安管理大队 is a business line, 各成员单位 a
    group), by when — kept by the office, which marks it done or reopens it."""

    region = models.ForeignKey(Region, verbose_name="辖区", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    order = models.PositiveSmallIntegerField("序号", default=0)
    content = models.CharField("工作任务", max_length=500)
    departments = models.ManyToManyField(
        Department, verbose_name="责任部门", blank=True, related_name="milestones"
    )
    unit_name = models.CharField(
        "责任单位",
        max_length=200,
        blank=True,
        help_text="按实施方案的写法，如：治安管理大队、网络安全保卫大队",
    )
    due_on = models.DateField("完成时限", null=True, blank=True, help_text="“持续推进”的任务不填")
    due_text = models.CharField(
        "时限说明", max_length=50, blank=True, help_text="如：3月底前、全年、持续推进"
    )
    done_on = models.DateField("完成日期", null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="确认完成人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    done_note = models.CharField("完成情况", max_length=500, blank=True)
    note = models.CharField("备注", max_length=500, blank=True)
    source = models.CharField("依据", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "实施方案任务分工"
        ordering = ["year", "order", "due_on", "pk"]
        constraints = [
            # Done means both when and by whom; reopening clears both.
            models.CheckConstraint(
                condition=Q(done_on__isnull=True, done_by__isnull=True)
                | Q(done_on__isnull=False, done_by__isnull=False),
                name="milestone_done_on_and_by",
            ),
        ]
        indexes = [models.Index(fields=["region", "year", "due_on"], name="milestone_due_idx")]

    def __str__(self):
        return f"{self.year} {self.content[:40]}"

    @property
    def done(self) -> bool:
        return self.done_on is not None

    def is_late(self, today: dt.date) -> bool:
        """Late: its deadline has passed and it is not done (the deadline day itself is in time)."""
        return self.done_on is None and self.due_on is not None and self.due_on < today
