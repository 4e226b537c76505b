"""What a department's liaison submits each month (R-ADM-2): the hand-entered 其他平台 block,
the contacts, and a snapshot of the platform's figures as submitted."""

from django.conf import settings
from django.db import models

from shuangsuiji.core.models import Department


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
