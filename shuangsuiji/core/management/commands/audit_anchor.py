from django.core.management.base import BaseCommand

from shuangsuiji.core import audit


class Command(BaseCommand):
    help = (
        "把操作日志的链头（序号、哈希、时间）作为锚点公布到公开门户 /public/audit-anchors/；"
        "后台作业进程每天零点也会公布一次（见 docs/audit-log.md）"
    )

    def handle(self, **opts):
        anchor = audit.anchor_publish()
        if anchor is None:
            self.stdout.write("链头已公布过（或日志为空），无需再公布")
        else:
            self.stdout.write(f"已公布锚点：第 {anchor.seq} 条，哈希 {anchor.hash}")
