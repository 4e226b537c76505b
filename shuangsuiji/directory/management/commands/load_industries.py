"""manage.py load_industries [FILE]: load GB/T 4754-2017 (国民经济行业分类) into Industry."""

from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from shuangsuiji.core import audit
from shuangsuiji.directory.industrydata import SHIPPED_TABLE, industry_rows, read_industry_table
from shuangsuiji.directory.models import Industry

LEVEL_LABELS = {"section": "门类", "division": "大类", "group": "中类", "class": "小类"}
FIELDS = ("name", "level", "parent_id", "section")


class Command(BaseCommand):
    help = (
        "载入国民经济行业分类（GB/T 4754-2017）。不带参数时载入随附的门类与大类表；"
        "给出文件（.csv 或 .xlsx，如官方完整分类表）时载入该文件。已有代码按文件更新，不会删除。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", nargs="?", help="官方行业分类表（.csv / .xlsx）；省略时用随附的门类与大类表"
        )

    def handle(self, *args, file=None, **options):
        path = Path(file) if file else SHIPPED_TABLE
        source = path.name if file else f"{path.name}（随附）"
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        try:
            rows = industry_rows(read_industry_table(path.name, path.read_bytes()))
        except ValueError as e:
            raise CommandError(f"{path.name}：{e}") from None
        if not rows:
            raise CommandError(f"{path.name}：表中没有任何行业分类")

        levels = Counter(r["level"] for r in rows)
        with transaction.atomic():
            existing = Industry.objects.select_for_update().in_bulk([r["code"] for r in rows])
            to_create, to_update = [], []
            # rows come parents first, so a child's parent is written before (or with) it
            for r in rows:
                values = {
                    "name": r["name"],
                    "level": r["level"],
                    "parent_id": r["parent"],
                    "section": r["section"],
                }
                obj = existing.get(r["code"])
                if obj is None:
                    to_create.append(Industry(code=r["code"], **values))
                elif any(getattr(obj, f) != values[f] for f in FIELDS):
                    for f in FIELDS:
                        setattr(obj, f, values[f])
                    to_update.append(obj)
            Industry.objects.bulk_create(to_create, batch_size=500)
            Industry.objects.bulk_update(to_update, ["name", "level", "parent", "section"], batch_size=500)
            counts = {
                **{k: levels[k] for k in LEVEL_LABELS},
                "created": len(to_create),
                "updated": len(to_update),
                "unchanged": len(rows) - len(to_create) - len(to_update),
            }
            text = "、".join(f"{label} {levels[k]}" for k, label in LEVEL_LABELS.items()) + (
                f"；新增 {counts['created']}、更新 {counts['updated']}、未变 {counts['unchanged']}"
            )
            audit.record(
                actor=None,
                action="industry.load",
                summary=f"载入行业分类表 {source}：{text}",
                detail={"source": file or f"{SHIPPED_TABLE.name}（随附）", **counts},
            )
        if options["verbosity"] > 0:
            self.stdout.write(self.style.SUCCESS(f"已载入行业分类表 {source}：{text}。"))
