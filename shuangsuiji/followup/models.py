"""后续处置 (R-FUP-1): the problem ledger (台账), one entry per problem found, with its disposition,
deadline, transfers to other departments and the outcome that closes it; and 回访 (R-FUP-2):
return visits drawn, with the draw engine, from finished inspections, with their findings."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from shuangsuiji.core.models import Department, Region
from shuangsuiji.directory.models import Item, Target
from shuangsuiji.draw import seal
from shuangsuiji.inspection.models import Inspection
from shuangsuiji.planning.models import Task


class DispositionKind(models.TextChoices):
    """R-FUP-1's dispositions."""

    RECTIFY = "rectify", "责令整改"
    CASE = "case", "立案查处"
    TRANSFER = "transfer", "抄告/移送有关部门"
    JUDICIAL = "judicial", "移送司法机关"
    ABNORMAL_LIST = "abnormal_list", "列入经营异常名录"
    CREDIT = "credit", "信用惩戒"


class FollowUpState(models.TextChoices):
    PENDING = "pending", "待处置"
    TRANSFER_PENDING = "transfer_pending", "已移送待接收"
    IN_PROGRESS = "in_progress", "处置中"
    TO_VERIFY = "to_verify", "整改待核查"
    CLOSED = "closed", "已办结"
    WITHDRAWN = "withdrawn", "已撤销（更正后无问题）"


OPEN_STATES = (
    FollowUpState.PENDING,
    FollowUpState.TRANSFER_PENDING,
    FollowUpState.IN_PROGRESS,
    FollowUpState.TO_VERIFY,
)

# The allowed moves (STYLE.md 7); a service refuses any other.
FOLLOWUP_TRANSITIONS: dict[str, set[str]] = {
    FollowUpState.PENDING: {
        FollowUpState.IN_PROGRESS,
        FollowUpState.TRANSFER_PENDING,
        FollowUpState.WITHDRAWN,
    },
    FollowUpState.TRANSFER_PENDING: {
        FollowUpState.IN_PROGRESS,
        FollowUpState.PENDING,
        FollowUpState.WITHDRAWN,
    },
    FollowUpState.IN_PROGRESS: {FollowUpState.TO_VERIFY, FollowUpState.CLOSED, FollowUpState.WITHDRAWN},
    FollowUpState.TO_VERIFY: {FollowUpState.CLOSED, FollowUpState.IN_PROGRESS, FollowUpState.WITHDRAWN},
    FollowUpState.CLOSED: set(),
    # a later correction brings the problem back: the entry returns to where it was withdrawn from
    FollowUpState.WITHDRAWN: set(OPEN_STATES),
}


class FollowUp(models.Model):
    """台账条目: one problem found (one department's inspection of one target, one item) and what
    is done about it, open until its outcome is recorded (R-FUP-1). Department, target, task and
    year are copied from the inspection so the ledger and the reports filter on indexed columns."""

    inspection = models.ForeignKey(
        Inspection, verbose_name="检查", on_delete=models.PROTECT, related_name="followups"
    )
    item = models.ForeignKey(Item, verbose_name="检查事项", on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        Department, verbose_name="责任部门", on_delete=models.PROTECT, related_name="followups"
    )
    target = models.ForeignKey(
        Target, verbose_name="检查对象", on_delete=models.PROTECT, related_name="followups"
    )
    task = models.ForeignKey(
        Task, verbose_name="抽查任务", on_delete=models.PROTECT, related_name="followups"
    )
    year = models.PositiveSmallIntegerField("年度")
    problem = models.TextField("问题描述")
    outcome_categories = models.CharField("检查结果", max_length=500, blank=True)
    found_on = models.DateField("发现日期")
    opened_at = models.DateTimeField("登记时间")
    state = models.CharField(
        "状态", max_length=20, choices=FollowUpState.choices, default=FollowUpState.PENDING
    )
    due_on = models.DateField("期限")
    due_provisional = models.BooleanField("期限暂定", default=False)

    kind = models.CharField("处置方式", max_length=20, choices=DispositionKind.choices, blank=True)
    disposed_on = models.DateField("处置决定日期", null=True, blank=True)
    disposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    measure = models.TextField("处置内容", blank=True, help_text="整改要求、惩戒措施、移送事由等")
    case_number = models.CharField("立案号", max_length=60, blank=True)
    receiving_organ = models.CharField("接收机关", max_length=100, blank=True, help_text="移送司法机关时填写")
    transfer_to = models.ForeignKey(
        Department,
        verbose_name="移送至",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="followups_received",
    )

    outcome = models.TextField("处置结果", blank=True)
    outcome_on = models.DateField("结果日期", null=True, blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    penalty_decision_no = models.CharField("行政处罚决定书文号", max_length=80, blank=True)
    penalty_content = models.TextField("处罚内容", blank=True)
    penalty_decided_on = models.DateField("处罚决定日期", null=True, blank=True)
    penalty_published_at = models.DateTimeField("处罚结果公示时间", null=True, blank=True)
    verified_on = models.DateField("整改核查日期", null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_on = models.DateField("办结日期", null=True, blank=True)
    withdrawn_reason = models.CharField("撤销原因", max_length=300, blank=True)
    withdrawn_from = models.CharField("撤销前状态", max_length=20, choices=FollowUpState.choices, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "后续处置台账"
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "item"], name="followup_one_per_problem"),
            models.CheckConstraint(
                condition=~Q(state="closed") | Q(closed_on__isnull=False), name="followup_closed_has_date"
            ),
            models.CheckConstraint(
                condition=~Q(kind="transfer") | Q(transfer_to__isnull=False) | Q(state="pending"),
                name="followup_transfer_has_department",
            ),
        ]
        indexes = [
            models.Index(fields=["department", "year", "state"], name="followup_dept_year_idx"),
            models.Index(fields=["year", "state", "due_on"], name="followup_year_due_idx"),
            models.Index(fields=["transfer_to", "state"], name="followup_transfer_idx"),
        ]

    def __str__(self):
        return f"{self.target.name} · {self.item.name}"

    def get_absolute_url(self):
        return reverse("followup:entry", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def overdue_on(self, today) -> bool:
        """Open past its due date on `today` (R-RPT-2's overdue follow-ups)."""
        return self.is_open and self.due_on < today


class TransferStatus(models.TextChoices):
    PENDING = "pending", "待接收"
    ACCEPTED = "accepted", "已接收"
    RETURNED = "returned", "已退回"


class Transfer(models.Model):
    """抄告/移送: a problem handed to the competent department; it lands in that department's
    inbox, which accepts it (and later records the outcome) or returns it with a reason."""

    followup = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="transfers")
    to_department = models.ForeignKey(
        Department, verbose_name="接收部门", on_delete=models.PROTECT, related_name="transfers_received"
    )
    reason = models.TextField("移送事由")
    sent_on = models.DateField("移送日期")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        "状态", max_length=10, choices=TransferStatus.choices, default=TransferStatus.PENDING
    )
    decided_on = models.DateField("接收/退回日期", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    return_reason = models.CharField("退回理由", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "移送记录"
        ordering = ["-sent_on", "-id"]
        indexes = [models.Index(fields=["to_department", "status"], name="transfer_inbox_idx")]

    def __str__(self):
        return f"{self.followup} → {self.to_department}"


# ---- 回访 (R-FUP-2) ---------------------------------------------------------------------------


class VisitDrawStatus(models.TextChoices):
    ANNOUNCED = "announced", "已公告（对象池已冻结）"
    DRAWN = "drawn", "已抽取"


class ReturnVisitDraw(models.Model):
    """A sample of finished (published) inspections for return visits, drawn with the draw engine
    (docs/draw-spec.md §2, §4–6, purpose "ssj-return-visit-v1") in two steps like a target draw:
    the announcement freezes the pool and commits to the server secret and to a future public
    value's source; the draw enters that value. The platform cannot steer the sample: its secret
    was fixed before the value was known. Pool, secret, value and seed are kept and published."""

    public_id = models.CharField("回访抽取编号", max_length=60, unique=True)
    region = models.ForeignKey(Region, verbose_name="辖区", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    department = models.ForeignKey(
        Department, verbose_name="部门", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    share = models.DecimalField("抽取比例", max_digits=5, decimal_places=4)
    status = models.CharField(
        "状态", max_length=10, choices=VisitDrawStatus.choices, default=VisitDrawStatus.ANNOUNCED
    )
    announced_at = models.DateTimeField("公告时间")
    announced_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    public_value_source = models.CharField(
        "公开随机值来源", max_length=200, help_text="如：2026-11-25 福彩3D开奖号码（公告时尚未产生）"
    )
    public_value = models.CharField("公开随机值", max_length=100, blank=True)
    # sealed from announcement (draw/seal.py, under the associated data seal_id()): a reader of the
    # database must not learn the secret while the public value is still to come, or they could
    # compute the sample for every possible value and, say, warn the inspections it would pick
    secret_sealed = models.CharField("服务器密钥（密文）", max_length=100)
    # once drawn the secret is public (the record publishes it), so it is kept in clear: the
    # published record then no longer depends on the seal key, which may be rotated
    secret_revealed = models.CharField("服务器密钥（抽取后公开）", max_length=64, blank=True)
    secret_commitment = models.CharField("服务器密钥承诺", max_length=64)
    pool_root = models.CharField("对象池根哈希", max_length=64)
    strata = models.JSONField("分层", default=list, help_text="[{label, department, size, root, quota}]")
    pool = models.JSONField("对象池", default=dict, help_text="{label: [key, …]}，按键升序")
    seed = models.CharField("种子", max_length=64, blank=True)
    drawn_at = models.DateTimeField("抽取时间", null=True, blank=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "回访抽取"
        ordering = ["-announced_at"]

    def __str__(self):
        return self.public_id

    def get_absolute_url(self):
        return reverse("followup:visit_draw", args=[self.pk])

    @staticmethod
    def seal_id(public_id: str) -> str:
        """The associated data of the sealed secret. It names the record kind as well, so a
        target draw's sealed secret never opens as a return visit's, whatever the ids; and it is
        Chinese because seal.unseal's errors name it (“回访抽取 HF-… 的服务器密钥无法解密…”)."""
        return f"回访抽取 {public_id}"

    def server_secret(self) -> str:
        """The one way to read the server secret: in clear once revealed, else unsealed."""
        if self.secret_revealed:
            return self.secret_revealed
        return seal.unseal(self.secret_sealed, draw_id=self.seal_id(self.public_id))


class VisitConclusion(models.TextChoices):
    GOOD = "good", "检查规范"
    FAIR = "fair", "基本规范"
    POOR = "poor", "不规范"


class ReturnVisit(models.Model):
    """One drawn inspection to revisit, and what the office concluded."""

    draw = models.ForeignKey(ReturnVisitDraw, on_delete=models.CASCADE, related_name="visits")
    inspection = models.ForeignKey(
        Inspection, verbose_name="检查", on_delete=models.PROTECT, related_name="return_visits"
    )
    department = models.ForeignKey(
        Department, verbose_name="检查部门", on_delete=models.PROTECT, related_name="+"
    )
    label = models.CharField("分层", max_length=20)
    order = models.PositiveIntegerField("抽取顺序")
    position = models.PositiveIntegerField("位置")
    key = models.CharField("标识", max_length=40)
    visited_on = models.DateField("回访日期", null=True, blank=True)
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    conclusion = models.CharField("回访结论", max_length=10, choices=VisitConclusion.choices, blank=True)
    note = models.TextField("回访情况", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "回访"
        ordering = ["draw_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["draw", "inspection"], name="return_visit_once_per_draw"),
        ]

    def __str__(self):
        return f"{self.draw} #{self.order}"

    def get_absolute_url(self):
        return reverse("followup:visit_draw", args=[self.draw_id]) + f"#visit-{self.pk}"


class FindingCategory(models.TextChoices):
    """What a return visit may find (R-FUP-2 names 走形式 and 随意录入)."""

    PERFUNCTORY = "perfunctory", "检查走形式"
    CARELESS_ENTRY = "careless_entry", "结果随意录入、与实际不符"
    MISSED_PROBLEM = "missed_problem", "应发现问题未发现"
    NO_CREDENTIALS = "no_credentials", "未亮证或未扫码入企"
    ATTITUDE = "attitude", "工作作风问题"
    OTHER = "other", "其他"


# Findings that show carelessness in the inspection itself; these feed the assessment.
CARELESS = (
    FindingCategory.PERFUNCTORY,
    FindingCategory.CARELESS_ENTRY,
    FindingCategory.MISSED_PROBLEM,
    FindingCategory.NO_CREDENTIALS,
)


class ReturnVisitFinding(models.Model):
    visit = models.ForeignKey(ReturnVisit, on_delete=models.CASCADE, related_name="findings")
    department = models.ForeignKey(
        Department, verbose_name="检查部门", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField("年度")
    category = models.CharField("发现的问题", max_length=20, choices=FindingCategory.choices)
    careless = models.BooleanField("属于检查不认真", default=False)
    note = models.CharField("说明", max_length=500, blank=True)
    recorded_on = models.DateField("记录日期")

    class Meta:
        verbose_name = verbose_name_plural = "回访发现的问题"
        ordering = ["visit_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "category"], name="finding_once_per_category"),
        ]
        indexes = [models.Index(fields=["department", "year", "careless"], name="finding_dept_year_idx")]

    def __str__(self):
        return f"{self.visit} {self.get_category_display()}"

    def get_absolute_url(self):
        return self.visit.get_absolute_url()
