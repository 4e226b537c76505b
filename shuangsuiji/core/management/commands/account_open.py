from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from shuangsuiji.core import services
from shuangsuiji.core.errors import DomainError
from shuangsuiji.core.models import Department, Role


class Command(BaseCommand):
    help = (
        "由系统开通账号（如新系统的第一批系统管理员、安全管理员、审计管理员）：可直接指定角色，"
        "不设密码，打印一次性开通链接，由本人设置密码"
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="用户名")
        parser.add_argument("--role", required=True, choices=Role.values, help="角色")
        parser.add_argument("--department", required=True, type=int, help="所属部门的编号（ID）")
        parser.add_argument("--name", default="", help="姓名")
        parser.add_argument("--base-url", default="", help="站点地址，如 https://ssj.example.gov.cn")

    def handle(self, *, username, role, department, name, base_url, **opts):
        dept = Department.objects.filter(pk=department).first()
        if dept is None:
            raise CommandError(f"部门 {department} 不存在")
        try:
            user, code = services.account_create(
                actor=None, username=username, department=dept, role=role, display_name=name
            )
        except DomainError as e:
            raise CommandError(e.message) from None
        self.stdout.write(
            f"已开通 {user.username}（{Role(role).label}，{dept.name}）。一次性开通链接"
            f"（{services.ACTIVATION_HOURS} 小时内有效，只能使用一次，请交给本人）：\n"
            f"{base_url.rstrip('/')}{reverse('core:activate', args=[code])}"
        )
