"""manage.py load_industries [FILE]: load GB/T 4754-2017 (国民经济行业分类) into Industry."""

import functools
from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from shuangsuiji.core import audit
from shuangsuiji.directory.industrydata import SHIPPED_TABLE, industry_rows, read_industry_table
from shuangsuiji.directory.models import Industry

LEVEL_LABELS = {"section": "门类", "division": "大类", "group": "中类", "class": "小类"}
FIELDS = ("name", "level", "parent_id", "section")


@functools.lru_cache(maxsize=4)
def _parsed(path: str, mtime_ns: int, size: int) -> tuple[dict, ...]:
    """The file's rows, read once per process while it is unchanged (the test suite loads the
    shipped table for every fresh world)."""
    p = Path(path)
    return tuple(industry_rows(read_industry_table(p.name, p.read_bytes())))


class Command(BaseCommand):
    help = (
        "载入国民经济行业分类（GB/T 4754-2017）。不带参数时载入随附的完整分类表（门类、大类、中类、小类）；"
        "给出文件（.csv 或 .xlsx，如官方完整分类表）时载入该文件。已有代码按文件更新，不会删除。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", nargs="?", help="官方行业分类表（.csv / .xlsx）；省略时用随附的完整分类表"
        )

    def handle(self, *args, file=None, **options):
        path = Path(file) if file else SHIPPED_TABLE
        source = path.name if file else f"{path.name}（随附）"
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        try:
            stat = path.stat()
            rows = _parsed(str(path.resolve()), stat.st_mtime_ns, stat.st_size)
        except ValueError as e:
            raise CommandError(f"{path.name}：{e}") from None
        if not rows:
            raise CommandError(f"{path.name}：表中没有任何行业分类")

        levels = Counter(r["level"] for r in rows)
        with transaction.atomic():
            # every row (at most the ~2,000 of the table), not 2,000 codes bound as parameters
            existing = Industry.objects.select_for_update().in_bulk()
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
                    to_create.append((r["code"], r["name"], r["level"], r["parent"], r["section"]))
                elif any(getattr(obj, f) != values[f] for f in FIELDS):
                    for f in FIELDS:
                        setattr(obj, f, values[f])
                    to_update.append(obj)
            if to_create:
                # No model instances and few statements: the whole table (~2,000 rows) is
                # loaded into every fresh database, the test suite's many included.
                columns = f"{connection.ops.quote_name(Industry._meta.db_table)} (code, name, level, parent_id, section)"
                with connection.cursor() as cursor:
                    if connection.vendor == "postgresql":  # COPY: a tenth of the time of INSERTs
                        with (
                            cursor.connection.cursor() as raw,
                            raw.copy(f"COPY {columns} FROM STDIN") as copy,
                        ):
                            for row in to_create:
                                copy.write_row(row)
                    else:
                        cursor.executemany(f"INSERT INTO {columns} VALUES (%s, %s, %s, %s, %s)", to_create)
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
