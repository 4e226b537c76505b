"""Rebuild the reports' rollup (rollup.py) from the base tables: after data written in bulk outside
the services (the bench, a loader, a restore). `--check` compares the rebuilt rollup's monthly
report and coverage with the base-table computation (reference.py) for a jurisdiction and year."""

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError

from shuangsuiji.core.models import Region
from shuangsuiji.reports import kpi, monthly, reference, rollup


def _forms(f) -> tuple:
    def form(x):
        return {k: c.as_tuple() for k, c in x.rows.items()}

    per = {d.pk: form(x) for d, x in f.per_dept.items()}
    return per, form(f.summed), form(f.distinct), f.publicity, f.months


class Command(BaseCommand):
    help = "从基础数据重建报表汇总（月报表、指标看板）"

    def add_arguments(self, parser):
        parser.add_argument("--check", metavar="REGION", help="重建后与逐条计算的结果核对（行政区划代码）")
        parser.add_argument("--year", type=int, default=dt.date.today().year)

    def handle(self, *args, **options):
        t0 = time.perf_counter()
        counts = rollup.rebuild()
        self.stdout.write(
            f"报表汇总已重建：{counts['rollup']} 行汇总，{counts['covered']} 行覆盖企业，"
            f"用时 {time.perf_counter() - t0:.1f} 秒"
        )
        if options["check"]:
            region = Region.objects.filter(code=options["check"]).first()
            if region is None:
                raise CommandError(f"行政区划代码“{options['check']}”不存在")
            prefix, year = region.scope_prefix, options["year"]
            for month in range(1, 13):
                got = _forms(monthly.facts(prefix, year, month))
                want = _forms(reference.facts(prefix, year, month))
                if got != want or kpi.coverage(prefix, year, month) != reference.coverage(
                    prefix, year, month
                ):
                    raise CommandError(f"{year}年{month}月：汇总与逐条计算不一致")
            self.stdout.write(f"{region.name} {year} 年 1—12 月：汇总与逐条计算一致")
