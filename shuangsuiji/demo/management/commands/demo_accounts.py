import pyotp
from django.core.management.base import BaseCommand

from shuangsuiji.demo import county, province


class Command(BaseCommand):
    help = "列出演示账号"

    def handle(self, **opts):
        self.stdout.write(f"演示账号（密码均为 {county.PASSWORD}）：")
        for username, role, dept in county.account_rows():
            self.stdout.write(f"  {username:<22} {role:<12} {dept}")
        if province.is_loaded():  # ./scripts/demo --province
            self.stdout.write("\n省级演示账号（市、省双随机办公室查看所辖各县、各市的报表及合计）：")
            for username, role, dept in province.account_rows():
                self.stdout.write(f"  {username:<22} {role:<12} {dept}")
        totp = pyotp.TOTP(county.DEMO_TOTP_SECRET)
        self.stdout.write(
            "\n除执法检查人员外，各角色登录时还须输入动态口令（第二种鉴别因素）。"
            f"\n  演示密钥（所有演示账号相同）：{county.DEMO_TOTP_SECRET}"
            "\n  可添加到手机验证器（基于时间，30 秒，6 位），"
            f"或使用当前口令 {totp.now()}（每 30 秒变化，每个口令只能用一次；"
            "运行 ./scripts/demo-code 查看）"
        )
