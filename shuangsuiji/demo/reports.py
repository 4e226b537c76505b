"""The demo county's reporting (R-ADM-2): the office sets the year's schedule (鹿泉: the 20th; the
quarterly summaries 3/23, 6/22, 9/25, 12/21), and each department's admin submits the monthly form
and the quarterly summary on the day they did, most on time, a few late, some not at all, so the
office's 报送情况 page has every status in it. Through the same services as the pages."""

import datetime as dt

from shuangsuiji.core.models import Department, Region, User
from shuangsuiji.reports import selectors, services

from .clock import at

WEIGHTS = {"w_late_result": 1, "w_unpublished": 2, "w_overdue_followup": 2, "w_plan_late": 5, "w_voided": 3}


def load(region, year: int, today: dt.date) -> dict:
    region = region if isinstance(region, Region) else Region.objects.get(code=region)
    office = User.objects.get(department__region=region, role="office", username="office")
    defaults = selectors.schedule_for(region, year)
    with at(dt.date(year, 1, 8)):
        schedule = services.schedule_save(
            actor=office,
            year=year,
            monthly_due_day=20,
            dates={n: getattr(defaults, n) for n in services.SCHEDULE_DATES},
            weights={**WEIGHTS, "w_careless": 2},
        )
    departments = Department.objects.filter(region=region, is_office=False).order_by("name")
    monthly = quarterly = 0
    for k, dept in enumerate(departments):
        admin = User.objects.filter(department=dept, role="dept_admin").first()
        if admin is None or k % 5 == 4:  # one in five never reports: the office sees them late
            continue
        for month in range(1, 13):
            due = selectors.monthly_due(schedule, month)
            # on time (a few days early); every seventh a few days late
            day = due + dt.timedelta(days=3) if (month + k) % 7 == 3 else due - dt.timedelta(days=2 + k % 4)
            if day >= today:
                break
            with at(day, 16):
                services.monthly_submit(actor=admin, department=dept, year=year, month=month)
            monthly += 1
        for quarter, due in enumerate(schedule.quarter_dues, start=1):
            day = due + dt.timedelta(days=5) if (quarter + k) % 4 == 0 else due - dt.timedelta(days=1)
            if day >= today:
                break
            with at(day, 15):
                services.quarterly_submit(
                    actor=admin,
                    department=dept,
                    year=year,
                    quarter=quarter,
                    text=f"{dept.name}{year}年第{quarter}季度：按年度计划完成本季度双随机抽查任务，"
                    "抽查结果已按期录入公示，发现的问题已登记台账并落实后续处置。",
                )
            quarterly += 1
    return {"monthly_reports": monthly, "quarterly_summaries": quarterly}
