from django.core.management.base import BaseCommand

from shuangsuiji.demo import county


class Command(BaseCommand):
    help = "列出演示账号"

    def handle(self, **opts):
        self.stdout.write(f"演示账号（密码均为 {county.PASSWORD}）：")
        for username, role, dept in county.account_rows():
            self.stdout.write(f"  {username:<22} {role:<12} {dept}")
