from django.core.management.base import BaseCommand, CommandError

from shuangsuiji.core import audit


class Command(BaseCommand):
    help = "校验操作日志哈希链，指出第一条被改动或删除的记录"

    def handle(self, **opts):
        n, broken, why = audit.verify()
        if why:
            where = (
                f"第 {broken.seq} 条（id={broken.pk}，{broken.at:%Y-%m-%d %H:%M:%S}，{broken.action}）"
                if broken
                else "链尾"
            )
            raise CommandError(f"操作日志校验失败：{where}：{why}；此前 {n} 条完好")
        self.stdout.write(f"操作日志校验通过：共 {n} 条，链完整")
