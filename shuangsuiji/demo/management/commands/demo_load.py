from django.core.management import call_command
from django.core.management.base import BaseCommand

from shuangsuiji.core.models import Region
from shuangsuiji.demo import county
from shuangsuiji.directory.models import Industry


class Command(BaseCommand):
    help = "载入演示辖区（石家庄市鹿泉区）；已载入则跳过"

    def add_arguments(self, parser):
        parser.add_argument("--targets", type=int, default=20_000, help="检查对象数量（默认 20000）")

    def handle(self, targets, **opts):
        if county.is_loaded():
            self.stdout.write("演示数据已存在，跳过")
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
