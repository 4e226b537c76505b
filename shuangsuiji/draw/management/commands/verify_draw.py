import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shuangsuiji.draw.models import TargetDraw
from shuangsuiji.draw.records import public_record
from shuangsuiji.draw.verify import verify_record


class Command(BaseCommand):
    help = "重算并核验一次抽取：给出抽取编号（从数据库读取），或 --record 公开记录 JSON 文件（可加 --pool 冻结对象池文件）"

    def add_arguments(self, parser):
        parser.add_argument("draw_id", nargs="?")
        parser.add_argument("--record", help="公开记录 JSON 文件")
        parser.add_argument("--pool", help="冻结对象池文件（审计员下载）")

    def handle(self, draw_id=None, record=None, pool=None, **opts):
        pool_bytes = Path(pool).read_bytes() if pool else None
        if record:
            rec = json.loads(Path(record).read_text(encoding="utf-8"))
        elif draw_id:
            draw = TargetDraw.objects.filter(public_id=draw_id).first()
            if draw is None:
                raise CommandError(f"没有编号为 {draw_id} 的抽取")
            rec = public_record(draw, internal=True)
            if pool_bytes is None:
                with draw.pool_file.open("rb") as f:
                    pool_bytes = f.read()
        else:
            raise CommandError("请给出抽取编号或 --record 文件")
        checks = verify_record(rec, pool_bytes)
        for c in checks:
            self.stdout.write(
                f"{'一致' if c.ok else '不一致'}  {c.name}"
                + (f"  [{c.detail}]" if c.detail and not c.ok else "")
            )
        if not all(c.ok for c in checks):
            raise CommandError(f"{rec['draw_id']}：核验不通过")
        self.stdout.write(f"{rec['draw_id']}：全部 {len(checks)} 项核验一致")
