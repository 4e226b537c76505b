from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shuangsuiji.core import regiondata, services
from shuangsuiji.core.errors import DomainError

DATA = Path(__file__).resolve().parents[2] / "data"
SHIPPED = [DATA / "regions_13_hebei.csv", DATA / "townships_130110.csv"]


class Command(BaseCommand):
    help = "载入行政区划代码表：不带参数时载入随附的河北省区划（含已撤销代码）与鹿泉区乡镇街道；也可指定官方代码表文件（CSV/xlsx），或 --stdnum 省代码 从 python-stdnum 的 GB/T 2260 表载入"

    def add_arguments(self, parser):
        parser.add_argument(
            "files", nargs="*", help="代码表文件：表头含“行政区划代码/代码”与“单位名称/名称”，可含“撤销日期”"
        )
        parser.add_argument("--stdnum", metavar="PROVINCE", help="从 python-stdnum 载入某省（如 13）或 all")

    def handle(self, files=(), stdnum=None, **opts):
        sources = []
        if stdnum:
            rows = list(
                regiondata.read_locdat(regiondata.stdnum_locdat_path(), None if stdnum == "all" else stdnum)
            )
            sources.append((f"python-stdnum loc.dat（{stdnum}）", rows))
        for f in [Path(x) for x in files] or ([] if stdnum else SHIPPED):
            try:
                rows = list(regiondata.read_table(f.name, f.read_bytes()))
            except (OSError, ValueError) as e:
                raise CommandError(f"{f}：{e}") from None
            sources.append((f.name, rows))
        for name, rows in sources:
            try:
                counts = services.regions_load(rows, source=name)
            except DomainError as e:
                raise CommandError("\n".join([e.message, *e.errors[:50]])) from None
            self.stdout.write(
                f"{name}：{counts['rows']} 行，新增 {counts['created']}，更新 {counts['updated']}"
            )
