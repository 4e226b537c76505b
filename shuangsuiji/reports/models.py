"""What a department's liaison submits each month (R-ADM-2): the hand-entered 其他平台 block,
the contacts, and a snapshot of the platform's figures as submitted."""

from django.conf import settings
from django.db import models

from shuangsuiji.core.models import Department, Region


class MonthlySubmission(models.Model):
    department = models.ForeignKey(
        Department, verbose_name="部门", on_delete=models.PROTECT, related_name="monthly_reports"
    )
    year = models.PositiveSmallIntegerField("年度")
    month = models.PositiveSmallIntegerField("月份")
    other_platform = models.JSONField(
        "其他平台数据", default=dict, help_text="{行: [次数, 抽查总户数, 完成检查户数, 发现问题户数]}"
    )
    contact = models.CharField("联系人", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    mobile = models.CharField("手机", max_length=30, blank=True)
    snapshot = models.JSONField("报送时的平台数据", default=dict)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "月报表报送"
        constraints = [
            models.UniqueConstraint(fields=["department", "year", "month"], name="monthly_submission_unique")
        ]

    def __str__(self):
        return f"{self.department} {self.year}年{self.month}月"


class ReportSchedule(models.Model):
    """报送与考核安排 (R-ADM-2, R-ADM-5): per jurisdiction and year, when the monthly report and the
    quarterly progress summaries are due, by when annual plans must be published, and the weights
    of the assessment's deductions. Every date and weight is a setting (the defaults are 鹿泉's)."""

    region = models.ForeignKey(Region, verbose_name="辖区", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    monthly_due_day = models.PositiveSmallIntegerField(
        "月报表报送日", default=20, help_text="每月报表于次月该日（含）前报送"
    )
    q1_due = models.DateField("一季度进展情况报送截止")
    q2_due = models.DateField("二季度进展情况报送截止")
    q3_due = models.DateField("三季度进展情况报送截止")
    q4_due = models.DateField("四季度（全年总结）报送截止")
    plan_publish_by = models.DateField("年度抽查计划公示截止")
    w_late_result = models.DecimalField("逾期公示结果 每条扣分", max_digits=5, decimal_places=2, default=1)
    w_unpublished = models.DecimalField("逾期未公示结果 每条扣分", max_digits=5, decimal_places=2, default=2)
    w_overdue_followup = models.DecimalField(
        "后续处置逾期 每条扣分", max_digits=5, decimal_places=2, default=2
    )
    w_plan_late = models.DecimalField("计划未按期公示 扣分", max_digits=5, decimal_places=2, default=5)
    w_voided = models.DecimalField("方案/抽取作废 每次扣分", max_digits=5, decimal_places=2, default=3)
    w_careless = models.DecimalField("回访发现随意录入等 每条扣分", max_digits=5, decimal_places=2, default=2)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "报送与考核安排"
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="report_schedule_unique"),
            models.CheckConstraint(
                condition=models.Q(monthly_due_day__gte=1, monthly_due_day__lte=28),
                name="report_schedule_due_day_1_28",
            ),
        ]

    def __str__(self):
        return f"{self.region.name} {self.year} 报送与考核安排"

    @property
    def quarter_dues(self) -> list:
        return [self.q1_due, self.q2_due, self.q3_due, self.q4_due]


class QuarterlySummary(models.Model):
    """季度工作进展情况 (R-ADM-2): the text the liaison writes and the figures as they stood when
    it was submitted (the department's monthly form to the quarter's end)."""

    department = models.ForeignKey(
        Department, verbose_name="部门", on_delete=models.PROTECT, related_name="quarterly_summaries"
    )
    year = models.PositiveSmallIntegerField("年度")
    quarter = models.PositiveSmallIntegerField("季度")
    text = models.TextField("工作进展情况")
    snapshot = models.JSONField("报送时的数据", default=dict)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField("报送时间")

    class Meta:
        verbose_name = verbose_name_plural = "季度进展情况报送"
        constraints = [
            models.UniqueConstraint(
                fields=["department", "year", "quarter"], name="quarterly_summary_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(quarter__gte=1, quarter__lte=4), name="quarterly_summary_quarter_1_4"
            ),
        ]

    def __str__(self):
        return f"{self.department} {self.year}年第{self.quarter}季度"


class Rollup(models.Model):
    """汇总 (issue 5, ARCHITECTURE.md "Data at scale"): the counts the monthly report (R-RPT-1) and
    the dashboard (R-RPT-2) need, per draw, department, market subject or not, the month the
    inspection was finished, the month a problem was found, the day its publicity fell due or was
    published (whichever came first) and whether it was published on time. Rows with no department
    count each target of the draw once (finished when every department finished, with a problem
    when any found one; the report counts a problem household only once it is finished, see
    monthly.py). Rebuilt per draw by `rollup.refresh_draw`, in the transaction of the
    service that changed its inputs; never edited by hand."""

    draw = models.ForeignKey(  # indexed by rollup_draw_dept, which leads with it
        "draw.TargetDraw", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    department = models.ForeignKey(Department, null=True, on_delete=models.CASCADE, related_name="+")
    market = models.BooleanField()
    finished_month = models.DateField(null=True)  # first day of the month; none: not finished
    problem_month = models.DateField(null=True)  # first day of the month; none: no problem found
    publicity_day = models.DateField(null=True)  # min(deadline, local day published)
    on_time = models.BooleanField()
    n = models.PositiveIntegerField()

    class Meta:
        verbose_name = verbose_name_plural = "报表汇总"
        indexes = [models.Index(fields=["draw", "department"], name="rollup_draw_dept")]

    def __str__(self):
        return f"{self.draw_id}/{self.department_id or '-'}: {self.n}"


class CoveredTarget(models.Model):
    """抽查企业覆盖率 (R-PLAN-2) without counting DISTINCT over every selection: each enterprise
    drawn in a year, once per lead region and department (and once with no department for the
    jurisdiction), with the month of its first drawn (not voided) draw. Refreshed per draw."""

    # No database constraints, and no index but the two below: a row of this summary is only ever
    # written from a Selection row and the draw's task (by draw_run, 30,000 at a time: each
    # constraint's check and each index cost the draw time), and `rollup_rebuild` writes them all
    # again from those tables. Django still cascades a deleted region, department or target.
    year = models.PositiveSmallIntegerField()
    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    department = models.ForeignKey(
        Department, null=True, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    target = models.ForeignKey(  # indexed by covered_target, which leads with it
        "directory.Target", on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    first_month = models.PositiveSmallIntegerField()

    class Meta:
        verbose_name = verbose_name_plural = "覆盖企业汇总"
        indexes = [
            models.Index(fields=["year", "region", "department", "first_month"], name="covered_scope"),
            models.Index(fields=["target", "year"], name="covered_target"),
        ]

    def __str__(self):
        return f"{self.year} {self.region_id} {self.department_id or '-'} {self.target_id}"


class CoverageCount(models.Model):
    """`CoveredTarget` counted: per year, lead region, department (none: the jurisdiction) and
    month, the enterprises first drawn in that month. Kept equal to the count of its rows by
    `rollup._covered_slice` (what it removes and adds, counted from the rows themselves)."""

    year = models.PositiveSmallIntegerField()
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey(Department, null=True, on_delete=models.CASCADE, related_name="+")
    first_month = models.PositiveSmallIntegerField()
    n = models.IntegerField()

    class Meta:
        verbose_name = verbose_name_plural = "覆盖企业计数"
        indexes = [models.Index(fields=["year", "region"], name="coverage_count_scope")]

    def __str__(self):
        return f"{self.year} {self.region_id} {self.department_id or '-'} {self.first_month}: {self.n}"
