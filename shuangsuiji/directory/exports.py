"""Exports in the same columns as the import templates, so an export edited in Excel can be
imported back ("按代码更新"). CSV streams at any size; .xlsx is built write-only."""

from collections.abc import Iterator

from django.db.models import QuerySet

from .importing import MARKET_COLUMNS
from .models import Inspector, Item, ItemKind, Method, RegistrationStatus, Target, TargetKind

_KIND = dict(TargetKind.choices)
_STATUS = dict(RegistrationStatus.choices)
TARGET_HEADERS = [c.header for c in MARKET_COLUMNS]
INSPECTOR_HEADERS = [
    "姓名",
    "身份证号（脱敏）",
    "业务条线",
    "执法证号",
    "执法证有效期至",
    "专长标签",
    "在岗",
    "专家",
    "联系电话",
]


def _tags_by_target(ids: list[int]) -> dict[int, str]:
    through = Target.tags.through
    out: dict[int, list[str]] = {}
    for tid, name in through.objects.filter(target_id__in=ids).values_list("target_id", "tag__name"):
        out.setdefault(tid, []).append(name)
    return {k: ";".join(sorted(v)) for k, v in out.items()}


def target_rows(qs: QuerySet[Target]) -> Iterator[list]:
    fields = (
        "id",
        "key_display",
        "name",
        "kind",
        "region_id",
        "address",
        "industry_code",
        "founded_on",
        "status",
        "status_changed_on",
        "visible_risk_class",  # empty where the user's department does not keep the target
        "visible_risk_class_set_on",
    )
    batch: list[tuple] = []

    def flush():
        tags = _tags_by_target([r[0] for r in batch])
        for r in batch:
            yield [
                r[1],
                r[2],
                _KIND[r[3]],
                r[4],
                r[5],
                r[6],
                r[7] or "",
                _STATUS[r[8]],
                r[9] or "",
                r[10] or "",
                r[11] or "",
                tags.get(r[0], ""),
            ]

    for row in qs.order_by("id").values_list(*fields).iterator(chunk_size=2000):
        batch.append(row)
        if len(batch) == 2000:
            yield from flush()
            batch = []
    if batch:
        yield from flush()


def inspector_rows(qs: QuerySet[Inspector]) -> Iterator[list]:
    """Inspectors are thousands, not millions: one prefetch is enough."""
    for i in qs.select_related("business_line").prefetch_related("specialties").order_by("id"):
        tags = ";".join(sorted(t.name for t in i.specialties.all()))
        yield [
            i.name,
            i.id_masked,
            i.business_line.name if i.business_line else "",
            i.certificate_no,
            i.certificate_expiry or "",
            tags,
            "是" if i.on_duty else "否",
            "是" if i.is_expert else "否",
            i.phone,
        ]


_LEVEL = {"province": "省级", "city": "市级", "county": "县级"}


def item_rows(qs: QuerySet[Item]) -> Iterator[list]:
    """In the import template's columns, lists joined by ；."""
    for it in qs.prefetch_related("checklist", "required_specialties").order_by("code"):
        yield [
            it.code,
            it.name,
            ItemKind(it.kind).label,
            it.competent,
            "；".join(it.sub_items.splitlines()),
            it.legal_basis,
            "；".join(_LEVEL.get(x, x) for x in it.levels),
            "；".join(_KIND.get(x, x) for x in it.target_kinds),
            "；".join(dict(Method.choices).get(x, x) for x in it.methods),
            "是" if it.offsite_only else "否",
            "；".join(t.name for t in it.required_specialties.all()),
            "；".join(p.text for p in it.checklist.all()),
        ]
