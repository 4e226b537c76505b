from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from shuangsuiji.core.models import Region
from shuangsuiji.demo import county, province, year
from shuangsuiji.directory.models import Industry


class Command(BaseCommand):
    help = "载入演示辖区（石家庄市鹿泉区）；已载入则跳过"

    def add_arguments(self, parser):
        parser.add_argument("--targets", type=int, default=20_000, help="检查对象数量（默认 20000）")
        parser.add_argument(
            "--province",
            dest="with_province",
            action="store_true",
            help="另载入正定县（石家庄市）、清河县（邢台市）及市、省双随机办公室账号（各县检查对象为鹿泉区的十分之一）",
        )

    def handle(self, targets, with_province, **opts):
        self._county(targets)
        if with_province:
            self._province(max(200, targets // 10))

    def _province(self, targets: int):
        if province.is_loaded():
            self.stdout.write("省级演示数据已存在，跳过")
            return
        counts = province.build(targets=targets)
        self.stdout.write(
            f"已载入省级演示：正定县、清河县各 {targets} 个检查对象，{counts['drawn']} 项任务已完成抽取，"
            f"{counts['published']} 份检查结果已公示；石家庄市、邢台市和河北省双随机办公室账号"
        )

    def _county(self, targets: int):
        if county.is_loaded():
            self.stdout.write("演示辖区已存在，跳过")
            self._year()
            return
        if not Region.objects.filter(code=county.COUNTY).exists():
            call_command("load_regions", stdout=self.stdout)
        if not Industry.objects.exists():
            call_command("load_industries", stdout=self.stdout)
        counts = county.build(targets=targets)
        self.stdout.write(
            f"已载入鹿泉区：{counts['departments']} 个成员单位，{counts['inspectors']} 名执法检查人员，"
            f"{counts['items']} 个抽查事项，{counts['targets']} 个检查对象，{counts['accounts']} 个账号"
        )
        self._year()

    def _year(self):
        if year.is_loaded():
            return
        with transaction.atomic():
            counts = year.build()
        self.stdout.write(
            f"已载入 {year.YEAR} 年工作：年度目标、一业一查清单、{counts['plans']} 份年度计划（{counts['tasks']} 项任务），{counts['drawn']} 项任务已完成抽取，"
            f"{counts['published']} 份检查结果已公示，{counts['waiting']} 份检查进行中或待复核"
        )
