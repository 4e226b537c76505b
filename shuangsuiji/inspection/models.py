"""Inspection of drawn targets: check-in at the door (扫码入企), results per item entered by each
department of the team (谁检查、谁录入、谁公开), review by someone else, publication, corrections,
and the enterprise's anonymous rating (R-INSP-1…4)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from shuangsuiji.core.models import Department
from shuangsuiji.directory.models import Inspector, Item, Method
from shuangsuiji.draw.models import Selection
from shuangsuiji.planning.models import TaskKind, TriggerCategory

# R-INSP-3 (config list): the default result categories. `problem` marks those that count as a
# problem found (and open a follow-up).
DEFAULT_CATEGORIES = [
    ("none_found", "未发现问题", False),
    ("not_disclosed", "未按规定公示应当公示的信息", True),
    ("false_disclosure", "公示信息隐瞒真实情况弄虚作假", True),
    ("unreachable", "通过登记的住所（经营场所）无法联系", True),
    ("corrected", "发现问题已责令改正", True),
    ("pending_followup", "发现问题待后续处理", True),
    ("nonconforming", "不合格", True),
    ("no_activity", "未发现开展本次抽查涉及的经营活动", False),
    ("closed", "已关闭停业或正在组织清算", False),
    ("uncooperative", "不配合检查情节严重", True),
    ("cancelled", "已注销", False),
    ("revoked", "被吊销", False),
    ("withdrawn", "被撤销", False),
    ("moved_out", "已迁出", False),
    ("other", "其他情况", False),
]


class ResultCategoryManager(models.Manager):
    def active(self):
        """The configured list; an empty table (a database flushed after its migrations ran)
        gets R-INSP-3's defaults back rather than a result form with nothing to choose."""
        if not self.exists():
            self.bulk_create(
                [
                    self.model(code=c, name=n, is_problem=p, order=i)
                    for i, (c, n, p) in enumerate(DEFAULT_CATEGORIES)
                ],
                ignore_conflicts=True,
            )
        return self.filter(active=True)


class ResultCategory(models.Model):
    """检查结果类别 (R-INSP-3): a configurable list; multi-select per target and item."""

    code = models.CharField("代码", max_length=30, unique=True)
    name = models.CharField("名称", max_length=100)
    is_problem = models.BooleanField("属于发现问题", default=False)
    order = models.PositiveSmallIntegerField("排序", default=0)
    active = models.BooleanField("启用", default=True)

    objects = ResultCategoryManager()

    class Meta:
        verbose_name = verbose_name_plural = "检查结果类别"
        ordering = ["order"]

    def __str__(self):
        return self.name


class InspectionStatus(models.TextChoices):
    OPEN = "open", "检查中"
    FINISHED = "finished", "检查完毕待录入"
    SUBMITTED = "submitted", "已提交待复核"
    RETURNED = "returned", "已退回修改"
    PUBLISHED = "published", "已公示"


class Inspection(models.Model):
    """One department's inspection of one drawn target: its part of the result, entered,
    reviewed and published by that department."""

    selection = models.ForeignKey(
        Selection, verbose_name="抽中对象", on_delete=models.PROTECT, related_name="inspections"
    )
    department = models.ForeignKey(
        Department, verbose_name="部门", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        "状态", max_length=10, choices=InspectionStatus.choices, default=InspectionStatus.OPEN
    )
    finished_on = models.DateField("检查完毕日期", null=True, blank=True)
    due_on = models.DateField("结果录入截止日期", null=True, blank=True)
    due_provisional = models.BooleanField("截止日期暂定", default=False)
    summary = models.TextField("检查情况", blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField("复核时间", null=True, blank=True)
    review_comment = models.CharField("复核意见", max_length=500, blank=True)
    published_at = models.DateTimeField("公示时间", null=True, blank=True)
    version = models.PositiveSmallIntegerField("公示版本", default=0)
    offsite_reason = models.CharField("A类对象实地检查理由", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "检查"
        ordering = ["selection_id", "department_id"]
        constraints = [models.UniqueConstraint(fields=["selection", "department"], name="inspection_unique")]
        indexes = [models.Index(fields=["status", "due_on"], name="inspection_due_idx")]

    def __str__(self):
        return f"{self.selection.target} · {self.department}"

    @property
    def found_problem(self) -> bool:
        return any(r.found_problem for r in self.results.all())


class ItemResult(models.Model):
    """The outcome of one item of the task for one inspection."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="results")
    item = models.ForeignKey(Item, verbose_name="事项", on_delete=models.PROTECT, related_name="+")
    checked = models.BooleanField("已检查", default=True)
    method = models.CharField("检查方式", max_length=15, choices=Method.choices)
    categories = models.ManyToManyField(ResultCategory, verbose_name="检查结果", related_name="+")
    problem = models.TextField("问题描述", blank=True)
    found_problem = models.BooleanField("发现问题", default=False)
    # Entered by the one-tap “全部未发现问题” (services.results_all_clear), not item by item: a
    # signal for the early-warning checks of careless records (R-FUP-2). Saving the item again by
    # hand clears it.
    all_clear = models.BooleanField("一键录入未发现问题", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "事项检查结果"
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="item_result_unique")]

    def __str__(self):
        return f"{self.inspection} · {self.item}"


class Attachment(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="attachments")
    item = models.ForeignKey(Item, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    file = models.FileField("文件", upload_to="inspections/%Y/%m/")
    name = models.CharField("文件名", max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "附件"

    def __str__(self):
        return self.name


class CheckIn(models.Model):
    """扫码入企 (R-INSP-1): a team member's recorded arrival, once per visit."""

    selection = models.ForeignKey(Selection, on_delete=models.PROTECT, related_name="checkins")
    inspector = models.ForeignKey(Inspector, on_delete=models.PROTECT, related_name="checkins")
    at = models.DateTimeField("时间")
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    reason = models.CharField("入企理由（A类对象）", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "扫码入企记录"
        ordering = ["-at"]

    def __str__(self):
        return f"{self.inspector} {self.at:%Y-%m-%d %H:%M}"


class PublishedResult(models.Model):
    """What the public sees of a published inspection: a denormalized row per (inspection, item),
    rewritten on each (re)publication, so the public search never touches internal records."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="published_rows")
    uscc = models.CharField("统一社会信用代码", max_length=80, db_index=True)
    name = models.CharField("名称", max_length=200)
    task_code = models.CharField("任务编号", max_length=40)
    task_name = models.CharField("任务名称", max_length=200)
    # issue 19: a triggered inspection is published as such, with its category only (never who
    # complained or what); rows published before carry the defaults (random)
    task_kind = models.CharField(
        "检查类型", max_length=10, choices=TaskKind.choices, default=TaskKind.RANDOM, db_default="random"
    )
    trigger_category = models.CharField(
        "触发类别", max_length=12, choices=TriggerCategory.choices, blank=True, default="", db_default=""
    )
    department = models.CharField("检查部门", max_length=100)
    item = models.CharField("检查事项", max_length=250)
    outcome = models.CharField("检查结果", max_length=500)
    found_problem = models.BooleanField("发现问题")
    finished_on = models.DateField("检查日期")
    published_at = models.DateTimeField("公示时间")
    version = models.PositiveSmallIntegerField("版本")

    class Meta:
        verbose_name = verbose_name_plural = "公示的检查结果"
        ordering = ["-published_at"]
        # Hand-over exports stream in this order and filter by `since`.
        indexes = [
            models.Index(fields=["published_at", "inspection", "id"], name="published_result_pub_idx"),
            # The public search's order: a broad word walks it and stops at the page.
            models.Index(
                fields=["name", "uscc", "-published_at", "inspection"], name="published_result_search_idx"
            ),
        ]

    def __str__(self):
        return f"{self.name} {self.item}"

    @property
    def kind_label(self) -> str:
        """双随机抽查, or 触发式检查（投诉举报）: the same words as the task's (planning Task.kind_label)."""
        if self.task_kind == TaskKind.TRIGGERED:
            return f"{TaskKind.TRIGGERED.label}（{self.get_trigger_category_display()}）"
        return TaskKind.RANDOM.label


class Rating(models.Model):
    """The enterprise's anonymous rating of an inspection, once, with the code on its notice.
    No user is stored: inspecting staff never see who rated."""

    selection = models.OneToOneField(Selection, on_delete=models.CASCADE, related_name="rating")
    score = models.PositiveSmallIntegerField("评分")
    comment = models.CharField("意见", max_length=500, blank=True)
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = verbose_name_plural = "企业评价"
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="rating_score_1_to_5")
        ]

    def __str__(self):
        return f"{self.score}"
