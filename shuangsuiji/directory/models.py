"""一单两库一指引: the item list with its checklist, the target and inspector directories, the tag
libraries and the GB/T 4754-2017 industry table."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from shuangsuiji.core.models import BusinessLine, Department, Region


class IndustryLevel(models.TextChoices):
    SECTION = "section", "门类"
    DIVISION = "division", "大类"
    GROUP = "group", "中类"
    CLASS = "class", "小类"


class Industry(models.Model):
    """国民经济行业分类 GB/T 4754-2017: 'A'…'T', then 2/3/4-digit codes."""

    code = models.CharField("行业代码", max_length=4, primary_key=True)
    name = models.CharField("名称", max_length=100)
    level = models.CharField("层级", max_length=10, choices=IndustryLevel.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    section = models.CharField("门类", max_length=1)

    class Meta:
        verbose_name = verbose_name_plural = "行业分类"
        ordering = ["section", "code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class TagLibrary(models.TextChoices):
    TARGET = "target", "检查对象标签"
    INSPECTOR = "inspector", "执法人员标签"


class Tag(models.Model):
    """分类标签 (R-TAG-1). A tag with no department is the jurisdiction's shared tag, kept by the
    office; a department's own tags are kept by its admin."""

    library = models.CharField("标签库", max_length=10, choices=TagLibrary.choices)
    name = models.CharField("标签名称", max_length=50)
    region = models.ForeignKey(Region, verbose_name="所属辖区", on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        Department,
        verbose_name="所属部门",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="tags",
    )
    description = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "分类标签"
        ordering = ["library", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["library", "region", "name"],
                condition=Q(department__isnull=True),
                name="tag_unique_shared_name",
            ),
            models.UniqueConstraint(
                fields=["library", "department", "name"],
                condition=Q(department__isnull=False),
                name="tag_unique_dept_name",
            ),
        ]

    def __str__(self):
        return self.name


class Method(models.TextChoices):
    """检查方式 (R-ITEM-2)."""

    ONSITE = "onsite", "实地检查"
    DOCUMENT = "document", "书面检查"
    ONLINE = "online", "网络监测"
    VIDEO = "video", "视频检查"
    INFO_SHARE = "info_share", "信息共享"
    LAB = "lab", "检验检测"
    THIRD_PARTY = "third_party", "委托专业机构"


class TargetKind(models.TextChoices):
    ENTERPRISE = "enterprise", "企业"
    INDIVIDUAL = "individual", "个体工商户"
    COOPERATIVE = "cooperative", "农民专业合作社"
    OTHER_MARKET = "other_market", "其他经营主体"
    PERSON = "person", "自然人"
    PRODUCT = "product", "产品"
    PROJECT = "project", "项目"
    SITE = "site", "场所"


MARKET_KINDS = (TargetKind.ENTERPRISE, TargetKind.INDIVIDUAL, TargetKind.COOPERATIVE, TargetKind.OTHER_MARKET)


class ItemKind(models.TextChoices):
    GENERAL = "general", "一般检查事项"
    KEY = "key", "重点检查事项"


class ItemStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"
    WITHDRAWN = "withdrawn", "已停用"


class Item(models.Model):
    """抽查事项 (R-ITEM-1). Only a published item may be claimed or inspected."""

    region = models.ForeignKey(
        Region, verbose_name="清单所属辖区", on_delete=models.PROTECT, related_name="+"
    )
    code = models.CharField("事项编码", max_length=40)
    name = models.CharField("事项名称", max_length=200)
    sub_items = models.TextField("检查子项", blank=True, help_text="每行一项")
    legal_basis = models.TextField("检查依据", blank=True)
    competent = models.CharField("实施主体", max_length=100, blank=True, help_text="如：市场监管部门")
    kind = models.CharField("事项类别", max_length=10, choices=ItemKind.choices, default=ItemKind.GENERAL)
    levels = models.JSONField("实施层级", default=list, help_text="province / city / county")
    target_kinds = models.JSONField("检查对象类型", default=list)
    methods = models.JSONField("检查方式", default=list)
    offsite_only = models.BooleanField("非现场检查（不得入企）", default=False)
    required_specialties = models.ManyToManyField(
        Tag, verbose_name="检查人员专长要求", blank=True, related_name="required_by_items"
    )
    status = models.CharField("状态", max_length=10, choices=ItemStatus.choices, default=ItemStatus.DRAFT)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "抽查事项"
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["region", "code"], name="item_unique_code")]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def method_labels(self) -> list[str]:
        return [Method(m).label for m in self.methods if m in Method.values]


class ChecklistPoint(models.Model):
    """检查指引 / 检查要点: what an inspector checks for an item."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="checklist")
    seq = models.PositiveSmallIntegerField("序号")
    text = models.CharField("检查要点", max_length=500)
    basis = models.CharField("依据", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "检查要点"
        ordering = ["item_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["item", "seq"], name="checklist_unique_seq")]

    def __str__(self):
        return f"{self.seq}. {self.text}"


class ItemClaim(models.Model):
    """认领: a department takes a published item into its own list."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="claims")
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="item_claims")
    claimed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    claimed_at = models.DateTimeField("认领时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "事项认领"
        constraints = [models.UniqueConstraint(fields=["item", "department"], name="item_claim_unique")]

    def __str__(self):
        return f"{self.department} 认领 {self.item}"


class RegistrationStatus(models.TextChoices):
    ACTIVE = "active", "存续"
    CANCELLED = "cancelled", "注销"
    REVOKED = "revoked", "吊销"
    WITHDRAWN = "withdrawn", "撤销"
    MOVED_OUT = "moved_out", "迁出"


class RiskClass(models.TextChoices):
    """信用风险分类 (R-TGT-2). Internal: never on the public portal."""

    A = "A", "A类（低风险）"
    B = "B", "B类（一般风险）"
    C = "C", "C类（较高风险）"
    D = "D", "D类（高风险）"


class Target(models.Model):
    """检查对象. A market subject is keyed by its 统一社会信用代码; a 非市场主体 by its own key
    (a person by a keyed digest of the 身份证号, never stored readable; others by the code the
    department gives)."""

    kind = models.CharField("主体类型", max_length=15, choices=TargetKind.choices)
    uscc = models.CharField("统一社会信用代码", max_length=18, null=True, blank=True)
    nonmarket_key = models.CharField("非市场主体标识", max_length=80, null=True, blank=True)
    key_display = models.CharField("证件号（显示）", max_length=80, blank=True)
    name = models.CharField("名称", max_length=200)
    region = models.ForeignKey(Region, verbose_name="所属区划", on_delete=models.PROTECT, related_name="+")
    address = models.CharField("住所/地址", max_length=300, blank=True)
    industry = models.ForeignKey(
        Industry, verbose_name="行业", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    industry_code = models.CharField("行业代码（原值）", max_length=5, blank=True)
    founded_on = models.DateField("成立日期", null=True, blank=True)
    status = models.CharField(
        "登记状态", max_length=10, choices=RegistrationStatus.choices, default=RegistrationStatus.ACTIVE
    )
    status_changed_on = models.DateField("状态变更日期", null=True, blank=True)
    risk_class = models.CharField("信用风险分类", max_length=1, choices=RiskClass.choices, blank=True)
    risk_class_set_on = models.DateField("分类日期", null=True, blank=True)
    tags = models.ManyToManyField(Tag, verbose_name="标签", blank=True, related_name="targets")
    # A 非市场主体 is kept by the department that created it (directory/ownership.py); a market
    # subject's keeper is its county's DirectoryKeeper, so this stays empty for one.
    keeper_department = models.ForeignKey(
        Department,
        verbose_name="维护部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="kept_targets",
    )
    departments = models.ManyToManyField(
        Department, verbose_name="监管部门", through="TargetSupervision", related_name="targets"
    )
    created_at = models.DateTimeField("入库时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "检查对象"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["uscc"], condition=Q(uscc__isnull=False), name="target_unique_uscc"
            ),
            # per keeping department: a department's import checks only its own records, so it
            # never learns whether another department holds a person (issue 14, finding 7)
            models.UniqueConstraint(
                fields=["kind", "nonmarket_key", "keeper_department"],
                condition=Q(nonmarket_key__isnull=False),
                name="target_unique_nonmarket_key_per_keeper",
            ),
            models.CheckConstraint(
                condition=Q(uscc__isnull=False, nonmarket_key__isnull=True, kind__in=MARKET_KINDS)
                | Q(uscc__isnull=True, nonmarket_key__isnull=False) & ~Q(kind__in=MARKET_KINDS),
                name="target_key_matches_kind",
            ),
        ]
        indexes = [
            models.Index(fields=["region", "status"], name="target_region_status_idx"),
            models.Index(fields=["risk_class"], name="target_risk_idx"),
            # (industry has the index of its foreign key: a second one here cost every write)
        ]

    def __str__(self):
        return self.name

    @property
    def is_market(self) -> bool:
        return self.kind in MARKET_KINDS


class TargetSupervision(models.Model):
    """Which departments supervise a target: the pool a department's task may draw from."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="supervisions")
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="supervisions")
    # 行业信用分级分类: the department's own class of a subject it supervises (e.g. 公安's 信用标注);
    # empty means the keeper's class applies. Seen and set by this department only.
    own_risk_class = models.CharField(
        "本部门分类（行业信用分级分类）",
        max_length=1,
        choices=RiskClass.choices,
        blank=True,
        db_default="",  # the imports write supervision rows in SQL
    )
    own_risk_class_set_on = models.DateField("本部门分类日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "监管关系"
        constraints = [models.UniqueConstraint(fields=["department", "target"], name="supervision_unique")]
        # a draw asks whether its lead department classed any target itself (draw/pool.py
        # uses_own_classes): the few rows that hold a class, found without reading the rest
        indexes = [
            models.Index(
                fields=["department"], condition=~Q(own_risk_class=""), name="supervision_own_class_idx"
            )
        ]

    def __str__(self):
        return f"{self.department} 监管 {self.target}"


class Inspector(models.Model):
    """执法检查人员 (R-INS-1). The 身份证号 is kept as a keyed digest (to find the person again)
    and a masked form (to show); experts never count toward a team's minimum."""

    name = models.CharField("姓名", max_length=50)
    id_digest = models.CharField(max_length=64, unique=True)
    id_masked = models.CharField("身份证号", max_length=18)
    department = models.ForeignKey(
        Department, verbose_name="部门", on_delete=models.PROTECT, related_name="inspectors"
    )
    business_line = models.ForeignKey(
        BusinessLine,
        verbose_name="业务条线",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    certificate_no = models.CharField("执法证号", max_length=40, blank=True)
    certificate_expiry = models.DateField("执法证有效期至", null=True, blank=True)
    specialties = models.ManyToManyField(Tag, verbose_name="专长标签", blank=True, related_name="inspectors")
    on_duty = models.BooleanField("在岗", default=True)
    is_expert = models.BooleanField("专家", default=False)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="登录账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inspector",
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "执法检查人员"
        ordering = ["department_id", "name"]

    def __str__(self):
        return self.name

    def drawable_through(self, last_day) -> bool:
        """On duty, and (unless an expert) holding a 执法证 valid through `last_day`."""
        if not self.on_duty:
            return False
        if self.is_expert:
            return True
        return bool(self.certificate_no and self.certificate_expiry and self.certificate_expiry >= last_day)


class Conflict(models.Model):
    """利害关系 (R-DRAW-3): this inspector never inspects this target."""

    inspector = models.ForeignKey(Inspector, on_delete=models.CASCADE, related_name="conflicts")
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="conflicts")
    reason = models.CharField("回避原因", max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "回避关系"
        constraints = [models.UniqueConstraint(fields=["inspector", "target"], name="conflict_unique")]

    def __str__(self):
        return f"{self.inspector} 回避 {self.target}"


class DirectoryKeeper(models.Model):
    """The department that keeps a county's market subjects' shared fields (名称、类型、区划、住所、
    行业、登记状态、信用风险分类). Set by the office; without a row the county's 市场监督管理局 keeps
    them (it registers market subjects and classifies their credit risk)."""

    region = models.OneToOneField(
        Region, verbose_name="辖区", on_delete=models.CASCADE, related_name="directory_keeper"
    )
    department = models.ForeignKey(
        Department, verbose_name="名录维护部门", on_delete=models.PROTECT, related_name="+"
    )
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField("设置时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "名录维护部门"

    def __str__(self):
        return f"{self.region} 名录维护：{self.department}"


class SuggestionStatus(models.TextChoices):
    PENDING = "pending", "待处理"
    ACCEPTED = "accepted", "已采纳"
    REJECTED = "rejected", "已驳回"


class ChangeSuggestion(models.Model):
    """变更建议: a value a department that does not keep a target holds for one of its shared
    fields. Never applied by itself: the keeper (or the office) accepts or rejects it."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="suggestions")
    field = models.CharField("字段", max_length=30)
    current_value = models.CharField("当前值", max_length=300, blank=True)
    suggested_value = models.CharField("建议值", max_length=300)
    department = models.ForeignKey(
        Department, verbose_name="提出部门", on_delete=models.CASCADE, related_name="+"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="提出人", on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField("来源文件", max_length=200, blank=True)
    created_at = models.DateTimeField("提出时间")
    status = models.CharField(
        "状态", max_length=10, choices=SuggestionStatus.choices, default=SuggestionStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="处理人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    reason = models.CharField("驳回理由", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "变更建议"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target", "status"], name="suggestion_target_status_idx")]

    def __str__(self):
        return f"{self.target} {self.field}：{self.current_value} → {self.suggested_value}"


class TargetChange(models.Model):
    """变更记录: one changed field of a target, whoever changed it and through which path."""

    # No database constraints: an import of 10⁶ rows writes 2×10⁶ of these, and each constraint's
    # check at the COMMIT locked the target's (or the user's) row again, a WAL record each. A target
    # is never deleted (a cancelled one keeps its row) nor a user (deactivated instead); Django
    # still cascades and protects. Indexed by targetchange_target_at_idx, which leads with the
    # target; never looked up by actor.
    target = models.ForeignKey(
        Target, on_delete=models.CASCADE, related_name="changes", db_index=False, db_constraint=False
    )
    field = models.CharField("字段", max_length=30)
    before = models.CharField("变更前", max_length=300, blank=True)
    after = models.CharField("变更后", max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    at = models.DateTimeField("时间")
    source = models.CharField("途径", max_length=220)

    class Meta:
        verbose_name = verbose_name_plural = "变更记录"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target", "at"], name="targetchange_target_at_idx")]

    def __str__(self):
        return f"{self.target} {self.field}：{self.before} → {self.after}"
