from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from shuangsuiji.core.storage import move_media_to_database


class Command(BaseCommand):
    help = (
        "把旧版本保存在 MEDIA_ROOT 目录中的文件（附件、对象池、导入文件）存入数据库，"
        "文件名不变；已存入的不重复存入，可重复运行。核对无误后可删除该目录"
    )

    def add_arguments(self, parser):
        parser.add_argument("--root", help="旧文件目录（默认 MEDIA_ROOT）")

    def handle(self, *, root=None, **opts):
        path = Path(root or settings.MEDIA_ROOT)
        if not path.is_dir():
            raise CommandError(f"目录不存在：{path}")
        stored, skipped = move_media_to_database(path)
        self.stdout.write(f"存入数据库 {stored} 个文件，已在数据库中 {skipped} 个（目录 {path}）")
