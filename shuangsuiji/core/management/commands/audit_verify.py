import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shuangsuiji.core import audit


class Command(BaseCommand):
    help = (
        "校验操作日志哈希链（v1 SHA-256 与 v2 HMAC-SHA256），指出第一条被改动或删除的记录；"
        "--anchors 给出从公开门户下载、保存在数据库之外的锚点文件时，同时查出被改写与被截断的日志"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--anchors",
            metavar="FILE",
            help="锚点文件：/public/audit-anchors.json 下载的 JSON 数组（每项含 seq 与 hash）",
        )

    def handle(self, *, anchors=None, **opts):
        outside = self._load(anchors) if anchors else None
        n, broken, why = audit.verify(outside)
        if why:
            where = (
                f"第 {broken.seq} 条（id={broken.pk}，{broken.at:%Y-%m-%d %H:%M:%S}，{broken.action}）"
                if broken
                else "链尾"
            )
            raise CommandError(f"操作日志校验失败：{where}：{why}；此前 {n} 条完好")
        against = f"，与 {len(outside)} 个外部锚点一致" if outside else ""
        self.stdout.write(f"操作日志校验通过：共 {n} 条，链完整{against}")

    def _load(self, path: str) -> dict[int, str]:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as e:
            raise CommandError(f"无法读取锚点文件 {path}：{e}") from None
        except ValueError as e:
            raise CommandError(f"锚点文件 {path} 不是有效的 JSON：{e}") from None
        try:
            return audit.parse_anchors(data)
        except ValueError as e:
            raise CommandError(f"锚点文件 {path}：{e}") from None
