"""The two random draws and their public record (R-DRAW-1…6)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from shuangsuiji.core.models import Department
from shuangsuiji.directory.models import Inspector, Target
from shuangsuiji.planning.models import Task

from . import engine, seal


class DrawStatus(models.TextChoices):
    ANNOUNCED = "announced", "已公告（对象池已冻结）"
    DRAWN = "drawn", "已抽取"
    ABORTED = "aborted", "已中止（见证人未揭示）"
    VOIDED = "voided", "已作废"


class VoidReason(models.TextChoices):
    """Why a drawn draw is voided (R-DRAW-6): a fixed list, so that a void cannot hide a re-roll
    behind free text; the pool-related ones redraw only what they removed."""

    POOL_INCLUDED = "pool_included", "对象池包含了不应抽取的对象（如已注销、已迁出、不属本部门监管）"
    POOL_MISSING = "pool_missing", "对象池遗漏了应当抽取的对象"
    PROCEDURE = "procedure", "抽取程序违规（如见证、公告不符合规定）"
    SYSTEM = "system", "系统故障导致抽取结果不完整"
    OTHER = "other", "其他原因"


POOL_VOID_REASONS = (VoidReason.POOL_INCLUDED, VoidReason.POOL_MISSING)


class TargetDraw(models.Model):
    """随机抽取（对象）: one draw of a task's targets. The pool is frozen and committed at
    announcement; the seed comes from a committed server secret and witnesses' commit–reveal."""

    task = models.ForeignKey(Task, verbose_name="任务", on_delete=models.PROTECT, related_name="draws")
    seq = models.PositiveSmallIntegerField("第几次抽取")
    public_id = models.CharField("抽取编号", max_length=60, unique=True)
    status = models.CharField("状态", max_length=10, choices=DrawStatus.choices, default=DrawStatus.ANNOUNCED)
    draw_at = models.DateTimeField("抽取时间")
    place = models.CharField("抽取地点", max_length=200, blank=True)
    announced_at = models.DateTimeField("公告时间")
    announced_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # sealed from announcement (draw/seal.py): a reader of the database must not learn the
    # secret while witness numbers can still be chosen
    secret_sealed = models.CharField("服务器密钥（密文）", max_length=100)
    # once the draw runs the secret is public (the record publishes it), so it is kept in clear:
    # the published record then no longer depends on the seal key, which may be rotated
    secret_revealed = models.CharField("服务器密钥（抽取后公开）", max_length=64, blank=True)
    secret_commitment = models.CharField("服务器密钥承诺", max_length=64)
    public_value_source = models.CharField(
        "公开随机值来源", max_length=200, blank=True, help_text="如：2026-03-10 福彩3D开奖号码"
    )
    public_value = models.CharField("公开随机值", max_length=100, blank=True)
    public_value_at = models.DateTimeField(
        "公开随机值产生时间", null=True, blank=True, help_text="见证人须在此之前完成承诺"
    )
    # what decides the outcome beside the pool, fixed at announcement and bound into the seed
    # (docs/draw-spec.md, ssj-draw-v2): rule versions, the quota rule with its ratios or total, the
    # quotas, the public value's source and time
    terms = models.JSONField("抽取条款", default=dict, blank=True)
    terms_hash = models.CharField("抽取条款哈希", max_length=64, blank=True)
    spec = models.CharField("抽取规范版本", max_length=16, default="ssj-draw-v1")
    redraw_of = models.ForeignKey(
        "self",
        verbose_name="重新抽取自",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="redraws",
    )
    redraw_mode = models.CharField(
        "重新抽取方式", max_length=10, blank=True, help_text="partial：只补抽被移除的对象；full：全部重新抽取"
    )
    pool_root = models.CharField("对象池根哈希", max_length=64)
    # the commitment's format (docs/draw-spec.md §2); draws announced before v2 keep v1
    pool_format = models.CharField("对象池格式", max_length=16, default="ssj-pool-v1")
    strata = models.JSONField("分层", default=list, help_text="[{label, risk_class, size, root, quota}]")
    exclusions = models.JSONField("排除统计", default=dict)
    # internal (the public record has no place for it): the strata were the lead department's own
    # classes (行业信用分级分类) where it set one, the keeper's elsewhere (draw/pool.py)
    own_classes = models.BooleanField("按牵头部门本部门分类分层", default=False)
    pool_file = models.FileField("冻结的对象池", upload_to="draws/pools/%Y/")
    seed = models.CharField("种子", max_length=64, blank=True)
    drawn_at = models.DateTimeField("抽取完成时间", null=True, blank=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    teams_drawn_at = models.DateTimeField("人员匹配时间", null=True, blank=True)
    teams_drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    team_summary = models.JSONField("人员匹配情况", default=dict, blank=True)
    publish_selection_on = models.DateField("公示抽取名单日期", null=True, blank=True)
    ended_reason = models.CharField("作废/中止原因", max_length=300, blank=True)
    void_reason = models.CharField("作废原因类别", max_length=20, choices=VoidReason.choices, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "对象抽取"
        ordering = ["task_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["task", "seq"], name="draw_unique_seq")]

    def __str__(self):
        return self.public_id

    def server_secret(self) -> str:
        """The one way to read the server secret: in clear once revealed, else unsealed."""
        if self.secret_revealed:
            return self.secret_revealed
        return seal.unseal(self.secret_sealed, draw_id=self.public_id)

    @property
    def counts(self) -> bool:
        """Voided and aborted draws count for nothing (R-DRAW-4, R-RPT-1)."""
        return self.status == DrawStatus.DRAWN


class Witness(models.Model):
    """见证人: commits to a number (its hash) before anyone reveals; reveals after all committed."""

    draw = models.ForeignKey(TargetDraw, on_delete=models.CASCADE, related_name="witnesses")
    label = models.CharField("见证人编号", max_length=20)
    description = models.CharField("身份", max_length=100, help_text="如：区纪委监委派驻纪检组干部")
    salt_hex = models.CharField(max_length=32, blank=True)
    commitment = models.CharField("承诺哈希", max_length=64, blank=True)
    number = models.CharField("揭示的数字", max_length=40, blank=True)
    # the witness's own page (a one-time link opened on their own device): only its hash is kept
    device_token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    invited_at = models.DateTimeField("登记时间", null=True, blank=True)
    committed_at = models.DateTimeField(null=True, blank=True)
    revealed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "见证人"
        ordering = ["draw_id", "label"]
        constraints = [models.UniqueConstraint(fields=["draw", "label"], name="witness_unique_label")]

    def __str__(self):
        return f"{self.draw} {self.label}"


class Selection(models.Model):
    """One drawn target: its stratum, position, key and Merkle audit path."""

    # indexed by both unique constraints below, which lead with it
    draw = models.ForeignKey(TargetDraw, on_delete=models.CASCADE, related_name="selections", db_index=False)
    label = models.CharField("分层", max_length=20)
    order = models.PositiveIntegerField("抽取顺序")
    # none for an entry carried over from a voided draw (its proof is in that draw's record)
    position = models.PositiveIntegerField("位置", null=True, blank=True)
    key = models.CharField("标识", max_length=120)
    # No database constraint: its check locks each drawn target's row, and on 30,000 rows that
    # wrote ~190 MB of WAL (a full page image per page touched) and cost a third of draw_run.
    # A target is never deleted (a cancelled one keeps its row); PROTECT refuses it in Django and
    # the trigger of migration 0009 in PostgreSQL, and draw_run checks that every drawn id names
    # the target whose key the entry holds (services._check_drawn_targets).
    target = models.ForeignKey(
        Target, on_delete=models.PROTECT, related_name="selections", db_constraint=False
    )
    # the audit path's hashes, 32 bytes each, leaf level first (`path_hex` gives them as the record
    # shows them): bytes, not a JSON list of hex — half the size, and COPY writes it as it is
    # (parsing 30,000 JSON paths was a third of the rows' COPY in draw_run)
    path = models.BinaryField("默克尔路径", default=bytes)
    # unique by the constraint below: a unique=True CharField would add a second (LIKE) index
    token = models.CharField("核验码", max_length=43)
    # ssj-pool-v3: the entry's salt in this draw's pool; with the key and the draw id it opens
    # the entry's leaf — given only to the enterprise (proof_code on its notice) and the auditor
    salt = models.CharField("盐值", max_length=32, blank=True, db_default="")
    proof_code = models.CharField(
        "企业核验码",
        max_length=12,
        blank=True,
        db_default="",
        help_text="印在送达企业的检查通知书上，企业凭此查看本企业的抽取证明",
    )
    carried_from = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="carried_to",
        verbose_name="沿用自作废抽取",
    )
    rating_code = models.CharField(
        "评价码", max_length=12, blank=True, help_text="印在检查通知书上，企业凭此评价"
    )

    class Meta:
        verbose_name = verbose_name_plural = "抽中对象"
        ordering = ["draw_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["draw", "target"], name="selection_unique_target"),
            models.UniqueConstraint(fields=["draw", "label", "position"], name="selection_unique_position"),
            models.UniqueConstraint(fields=["token"], name="selection_unique_token"),
        ]

    def __str__(self):
        return f"{self.draw} #{self.order} {self.key}"

    @property
    def path_hex(self) -> list[str]:
        """The audit path as the record publishes it: a list of hex hashes."""
        return engine.path_hex(bytes(self.path))


class TeamMember(models.Model):
    """检查组成员: an inspector drawn (or drawn as a replacement) for one target and department."""

    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="team")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    inspector = models.ForeignKey(Inspector, on_delete=models.PROTECT, related_name="assignments")
    is_expert = models.BooleanField("专家", default=False)
    via = models.CharField("来源", max_length=10, default="draw", help_text="draw / recusal")
    active = models.BooleanField("在组", default=True)
    replaced_by = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replaces"
    )

    class Meta:
        verbose_name = verbose_name_plural = "检查组成员"
        ordering = ["selection_id", "department_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["selection", "inspector"],
                condition=Q(active=True),
                name="team_member_once_per_target",
            )
        ]

    def __str__(self):
        return f"{self.selection} {self.inspector}"


class RecusalStatus(models.TextChoices):
    PENDING = "pending", "待决定"
    APPROVED = "approved", "同意回避"
    REJECTED = "rejected", "不予回避"


class RecusalRequest(models.Model):
    """回避申请 (R-DRAW-3): an enterprise asks that a drawn inspector step aside; the department's
    主管领导 decides — never the person who ran the draw."""

    member = models.ForeignKey(TeamMember, on_delete=models.PROTECT, related_name="recusals")
    reason = models.CharField("申请理由", max_length=500)
    requested_at = models.DateTimeField("申请时间")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        "状态", max_length=10, choices=RecusalStatus.choices, default=RecusalStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField("决定说明", max_length=500, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "回避申请"
        ordering = ["-requested_at"]

    def __str__(self):
        return f"{self.member.inspector} 回避 {self.member.selection.target}"


class VoidRequestStatus(models.TextChoices):
    PENDING = "pending", "待双随机办公室确认"
    CONFIRMED = "confirmed", "已确认作废"
    REFUSED = "refused", "不予作废"


class VoidRequest(models.Model):
    """作废申请 (R-DRAW-6): the lead department asks, with a reason from a fixed list and a text;
    the office confirms. A full redraw after a pool-related void needs the office's confirmation
    and says why."""

    draw = models.ForeignKey(TargetDraw, on_delete=models.PROTECT, related_name="void_requests")
    reason = models.CharField("原因类别", max_length=20, choices=VoidReason.choices)
    text = models.CharField("具体说明", max_length=500)
    full_redraw = models.BooleanField("全部重新抽取", default=False)
    full_redraw_reason = models.CharField("全部重新抽取的理由", max_length=500, blank=True)
    requested_at = models.DateTimeField("申请时间")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        "状态", max_length=10, choices=VoidRequestStatus.choices, default=VoidRequestStatus.PENDING
    )
    decided_at = models.DateTimeField("确认时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_note = models.CharField("确认意见", max_length=500, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "作废申请"
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["draw"], condition=Q(status="pending"), name="void_request_one_pending"
            )
        ]

    def __str__(self):
        return f"{self.draw} 作废申请（{self.get_status_display()}）"
