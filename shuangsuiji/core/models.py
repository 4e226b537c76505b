"""Core records: regions, departments and business lines, users and roles, the audit chain,
working-day overrides, background jobs and API tokens."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property


class RegionLevel(models.TextChoices):
    PROVINCE = "province", "省级"
    CITY = "city", "市级"
    COUNTY = "county", "县级"
    TOWNSHIP = "township", "乡镇街道"


class Region(models.Model):
    """行政区划: a GB/T 2260 code (6 digits) or a 乡镇街道 code (county code + 3 digits).
    Retired codes stay: USCCs issued before a re-division carry them."""

    code = models.CharField("行政区划代码", max_length=9, primary_key=True)
    name = models.CharField("名称", max_length=100)
    level = models.CharField("层级", max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级区划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    retired_on = models.DateField("撤销日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self):
        return f"{self.name}（{self.code}）"

    @property
    def is_current(self) -> bool:
        return self.retired_on is None

    @property
    def scope_prefix(self) -> str:
        """Codes under this region start with this prefix (the province '13', the city '1301')."""
        if self.level == RegionLevel.PROVINCE:
            return self.code[:2]
        if self.level == RegionLevel.CITY:
            return self.code[:4]
        return self.code


class Department(models.Model):
    """部门 / 成员单位 at one level. One per region is its 双随机办公室."""

    name = models.CharField("部门名称", max_length=100)
    short_name = models.CharField("简称", max_length=30, blank=True)
    region = models.ForeignKey(
        Region, verbose_name="所属区划", on_delete=models.PROTECT, related_name="departments"
    )
    upper = models.ForeignKey(
        "self",
        verbose_name="上级对口部门",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lower",
    )
    is_office = models.BooleanField("双随机办公室", default=False)
    liaison = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="信息联络员",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = verbose_name_plural = "部门"
        ordering = ["region_id", "-is_office", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="department_unique_name_in_region"),
            models.UniqueConstraint(
                fields=["region"], condition=Q(is_office=True), name="department_one_office_per_region"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def full_name(self) -> str:
        """The name with its region in front (鹿泉区 + 教育局 → 鹿泉区教育局) for lists that mix
        levels and regions, unless the name already says where it is: 鹿泉区市场监督管理局 and
        公安局鹿泉分局 stay as they are, never 鹿泉区鹿泉区市场监督管理局."""
        region = self.region.name
        if region in self.name or region_short(region) in self.name:
            return self.name
        return region + self.name


# The endings of GB/T 2260 names that a department's name may leave out (鹿泉区 → 鹿泉分局).
REGION_SUFFIXES = ("自治县", "自治旗", "自治州", "地区", "省", "市", "区", "县", "旗", "盟")


def region_short(name: str) -> str:
    """鹿泉区 → 鹿泉, 石家庄市 → 石家庄; a name of two characters with its ending stays whole (城区)."""
    for suffix in REGION_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


class BusinessLine(models.Model):
    """业务条线 / 内设机构: a unit inside a department, never a department of its own.
    Work across business lines of one department is 部门内部 in every statistic."""

    department = models.ForeignKey(
        Department, verbose_name="部门", on_delete=models.CASCADE, related_name="business_lines"
    )
    name = models.CharField("名称", max_length=100)

    class Meta:
        verbose_name = verbose_name_plural = "业务条线"
        ordering = ["department_id", "name"]
        constraints = [models.UniqueConstraint(fields=["department", "name"], name="business_line_unique")]

    def __str__(self):
        return f"{self.department.name}·{self.name}"


class Role(models.TextChoices):
    SYSADMIN = "sysadmin", "系统管理员"
    SECADMIN = "secadmin", "安全管理员"
    OFFICE = "office", "双随机办公室"
    DEPT_ADMIN = "dept_admin", "部门管理员"
    INSPECTOR = "inspector", "执法检查人员"
    REVIEWER = "reviewer", "复核人员/主管领导"
    AUDITOR = "auditor", "审计管理员"


# 三员分立 (GB/T 22239-2019 8.1.4.2 d、8.1.10.x 集中管控): 系统管理员 keeps accounts, 安全管理员
# grants roles and keeps security settings, 审计管理员 reads the log; one account holds one role,
# and an administrator's account never changes to another role.
ADMIN_ROLES = frozenset({Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR})

# Roles that sign in with a second factor (GB/T 22239-2019 8.1.4.1 d: 两种或两种以上组合的鉴别
# 技术): every role that can change or read beyond its own inspections.
SECOND_FACTOR_ROLES = frozenset(
    {Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR, Role.OFFICE, Role.DEPT_ADMIN, Role.REVIEWER}
)


class User(AbstractUser):
    role = models.CharField(
        "角色", max_length=20, choices=Role.choices, blank=True, help_text="空：待安全管理员授权"
    )
    department = models.ForeignKey(
        Department,
        verbose_name="所属部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    business_line = models.ForeignKey(
        BusinessLine,
        verbose_name="业务条线",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="users",
    )
    display_name = models.CharField("姓名", max_length=50, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = verbose_name_plural = "用户"

    def __str__(self):
        return self.display_name or self.username

    @property
    def region(self) -> Region | None:
        return self.department.region if self.department_id else None

    @cached_property
    def is_locked(self) -> bool:
        """Refused sign-in from at least one client address (core/throttle.py), for the 解锁
        button; cached because the account list asks twice per row."""
        return SignInThrottle.objects.filter(username=self.username, locked_until__gt=timezone.now()).exists()


class ActivationPurpose(models.TextChoices):
    ACTIVATE = "activate", "开通账号"
    RESET = "reset", "重置密码"


class AccountActivation(models.Model):
    """一次性开通码: an administrator creates an account or resets its password, the owner sets
    the password with this code, so that no administrator ever knows a working password. Only
    the code's SHA-256 is stored; it works once and expires."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="账号", on_delete=models.CASCADE, related_name="activations"
    )
    purpose = models.CharField("用途", max_length=10, choices=ActivationPurpose.choices)
    code_hash = models.CharField("开通码哈希", max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="签发人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("签发时间", auto_now_add=True)
    expires_at = models.DateTimeField("失效时间")
    used_at = models.DateTimeField("使用时间", null=True, blank=True)
    cancelled_at = models.DateTimeField("作废时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "账号开通码"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.user}：{self.get_purpose_display()}"


class GrantStatus(models.TextChoices):
    PENDING = "pending", "待确认"
    CONFIRMED = "confirmed", "已生效"
    REFUSED = "refused", "已拒绝"
    WITHDRAWN = "withdrawn", "已撤回"


class RoleGrant(models.Model):
    """角色授权: the 安全管理员 asks, a second person confirms (双人复核; the rules are in
    core/services.py role_grant_*). The account's role changes only on confirmation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="被授权账号",
        on_delete=models.CASCADE,
        related_name="role_grants",
    )
    role = models.CharField("授予角色", max_length=20, choices=Role.choices)
    previous_role = models.CharField("原角色", max_length=20, choices=Role.choices, blank=True)
    status = models.CharField("状态", max_length=10, choices=GrantStatus.choices, default=GrantStatus.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="确认人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "角色授权"
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(status="pending"), name="role_grant_one_pending_per_user"
            ),
            # The database holds the two-person rule too: whoever confirms or refuses is neither
            # the grantee nor who asked (a one-person grant or a withdrawal has no decider).
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True)
                | (~Q(decided_by=models.F("user")) & ~Q(decided_by=models.F("requested_by"))),
                name="role_grant_second_person",
            ),
        ]

    def __str__(self):
        return f"{self.user}：{self.get_role_display()}（{self.get_status_display()}）"


class SecondFactor(models.Model):
    """第二种鉴别因素: a TOTP secret (RFC 6238) enrolled by the account's owner. `last_step`
    is the last time step accepted, so that a code works only once."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="账号", on_delete=models.CASCADE, related_name="second_factor"
    )
    secret = models.CharField("密钥", max_length=64)
    confirmed_at = models.DateTimeField("启用时间", null=True, blank=True)
    last_step = models.BigIntegerField("最近使用的时间步", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "动态口令"

    def __str__(self):
        return f"{self.user}：{'已启用' if self.confirmed_at else '待确认'}"


class SignInThrottle(models.Model):
    """登录失败计数: one row per (client address, user name) and one per client address
    (username ""), in the database so that every app node counts the same failures. Kept for
    unknown names exactly as for real ones, so that the count reveals nothing. Rules in
    core/throttle.py."""

    address = models.CharField("客户端地址", max_length=64)
    username = models.CharField("用户名", max_length=150, blank=True, help_text="空：该地址的全部失败")
    window_start = models.DateTimeField("计数起点")
    failures = models.PositiveIntegerField("失败次数", default=0)
    locked_until = models.DateTimeField("暂停至", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "登录失败计数"
        constraints = [
            models.UniqueConstraint(fields=["address", "username"], name="sign_in_throttle_unique")
        ]
        indexes = [
            models.Index(fields=["username"], name="sign_in_throttle_user_idx"),
            models.Index(fields=["window_start"], name="sign_in_throttle_window_idx"),
        ]

    def __str__(self):
        return f"{self.address} {self.username or '（全部用户名）'}：{self.failures}"


class AuditScheme(models.IntegerChoices):
    """How an entry's hash is computed. v1 entries (written before the log was keyed) keep
    verifying as they are; every new entry is v2 (docs/audit-log.md; a 国密 deployment would add
    an SM3-HMAC version here, docs/guomi.md)."""

    SHA256 = 1, "第 1 版：无密钥哈希（SHA-256，仅早期记录）"
    HMAC_SHA256 = 2, "第 2 版：带密钥哈希（SHA-256，密钥在数据库之外）"


class AuditEntry(models.Model):
    """操作日志: append-only; each entry's hash covers its content and the previous entry's
    hash, keyed (v2) with a key kept outside the database, so an edit or deletion anywhere breaks
    the chain from there on and cannot be papered over without the key (GB/T 22239-2019
    8.1.4.3 c: 审计记录应进行保护，避免受到未预期的删除、修改或覆盖)."""

    seq = models.PositiveBigIntegerField("序号", unique=True)
    at = models.DateTimeField("时间")
    actor_id = models.BigIntegerField("操作人ID", null=True, blank=True)
    actor_label = models.CharField("操作人", max_length=100)
    action = models.CharField("操作", max_length=60, db_index=True)
    object_type = models.CharField("对象类型", max_length=60, blank=True)
    object_id = models.CharField("对象ID", max_length=64, blank=True)
    summary = models.CharField("摘要", max_length=300)
    detail = models.JSONField("详情", default=dict)
    prev_hash = models.CharField("前一条哈希", max_length=64)
    hash = models.CharField("哈希", max_length=64)
    scheme = models.PositiveSmallIntegerField(
        "哈希方案", choices=AuditScheme.choices, default=AuditScheme.SHA256
    )

    class Meta:
        verbose_name = verbose_name_plural = "操作日志"
        ordering = ["-seq"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self):
        return f"#{self.seq} {self.summary}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("操作日志只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("操作日志只能追加，不能删除")


class AuditHead(models.Model):
    """The chain's tip, one row, locked by each writer so entries are numbered in order."""

    last_seq = models.PositiveBigIntegerField("最后序号", default=0)
    last_hash = models.CharField("最后哈希", max_length=64, default="0" * 64)
    # The local day (Asia/Shanghai) of the latest anchor: the first entry of a new day publishes
    # the head as it stood, with no extra query on the other entries of the day.
    anchored_on = models.DateField("最近锚定日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "操作日志链头"

    def __str__(self):
        return f"#{self.last_seq}"


class AuditAnchor(models.Model):
    """A published head of the chain (seq, hash, time), listed on the public portal so anyone
    can keep a copy; `audit_verify --anchors` checks the chain against such copies, which no
    one who can write the database can take back. Append-only like the log."""

    seq = models.PositiveBigIntegerField("序号", unique=True)
    hash = models.CharField("哈希", max_length=64)
    entry_at = models.DateTimeField("该条记录时间")
    published_at = models.DateTimeField("公布时间")

    class Meta:
        verbose_name = verbose_name_plural = "操作日志锚点"
        ordering = ["-seq"]

    def __str__(self):
        return f"锚点 #{self.seq}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("已公布的锚点不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("已公布的锚点不能删除")


class CalendarYear(models.Model):
    """A year's schedule as an office entered it, on top of chinese-calendar."""

    year = models.PositiveSmallIntegerField("年度", primary_key=True)
    complete = models.BooleanField("已录入全年安排", default=False)
    note = models.CharField(
        "依据", max_length=200, blank=True, help_text="如：国务院办公厅关于2027年部分节假日安排的通知"
    )

    class Meta:
        verbose_name = verbose_name_plural = "节假日安排"
        ordering = ["-year"]

    def __str__(self):
        return f"{self.year} 年"


class CalendarDay(models.Model):
    year = models.ForeignKey(CalendarYear, on_delete=models.CASCADE, related_name="days")
    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("上班", help_text="勾选：调休上班日；不勾选：放假日")
    name = models.CharField("说明", max_length=50, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "节假日与调休"
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(condition=Q(date__year=models.F("year_id")), name="calendar_day_in_year")
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {'上班' if self.is_workday else '放假'}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "进行中"
    SUCCEEDED = "succeeded", "已完成"
    FAILED = "failed", "未通过"


class Job(models.Model):
    """后台作业: a long piece of work (an import, a large export) run by the worker, with the
    progress and the outcome shown on the page that started it."""

    kind = models.CharField("类型", max_length=40)
    title = models.CharField("名称", max_length=200)
    status = models.CharField("状态", max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="jobs")
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    params = models.JSONField("参数", default=dict)
    input_file = models.FileField("上传文件", upload_to="jobs/in/%Y/%m/", blank=True)
    input_sha256 = models.CharField("文件SHA-256", max_length=64, blank=True)
    output_file = models.FileField("结果文件", upload_to="jobs/out/%Y/%m/", blank=True)
    done = models.PositiveBigIntegerField("已处理", default=0)
    total = models.PositiveBigIntegerField("总数", null=True, blank=True)
    message = models.CharField("说明", max_length=500, blank=True)
    result = models.JSONField("结果", default=dict)
    # Workers on several nodes (core/jobs.py): who runs the job, how often its worker died under
    # it, and when its effect committed (set in the write's own transaction: never written twice).
    worker = models.CharField("作业进程", max_length=200, blank=True)
    interruptions = models.PositiveSmallIntegerField("中断次数", default=0)
    written_at = models.DateTimeField("写入时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "后台作业"
        ordering = ["-created_at"]

    def __str__(self):
        return self.title

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, int(self.done * 100 / self.total))

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)


class ApiToken(models.Model):
    """A personal API token for scripts. Only its SHA-256 is stored; it acts as its user."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("用途", max_length=100)
    prefix = models.CharField("前缀", max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    expires_at = models.DateTimeField("到期时间", null=True, blank=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("注销时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "API 令牌"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name}（{self.prefix}…）"


class StoredFile(models.Model):
    """存储的文件: every uploaded or generated file (attachments, pools, import spools, error
    lists, previews) lives in the database beside the rows that name it, so that any app node
    reads it and one backup of the database holds data and files at the same moment
    (core/storage.py; deploy/RUNBOOK.md “文件存放”)."""

    name = models.CharField("文件名", max_length=255, unique=True)
    size = models.PositiveBigIntegerField("大小（字节）", default=0)
    created = models.DateTimeField("保存时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "存储的文件"

    def __str__(self):
        return self.name


class StoredFileChunk(models.Model):
    """One piece of a stored file, in order: a large import spool is written and read piece by
    piece, never whole in memory."""

    file = models.ForeignKey(StoredFile, on_delete=models.CASCADE, related_name="chunks", verbose_name="文件")
    seq = models.PositiveIntegerField("序号")
    data = models.BinaryField("内容")

    class Meta:
        verbose_name = verbose_name_plural = "文件分块"
        constraints = [models.UniqueConstraint(fields=["file", "seq"], name="stored_file_chunk_seq")]

    def __str__(self):
        return f"{self.file_id}#{self.seq}"
