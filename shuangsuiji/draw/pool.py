"""The pool of a task's draw, built set-based in SQL and streamed in key order (never loaded
whole): scope filters, the frequency caps (R-DRAW-4) as recorded exclusions, and the frozen,
committed file that an auditor can download and re-run."""

import gzip
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import Case, CharField, Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, Collate, Concat

from shuangsuiji.directory.models import RegistrationStatus, Target, TargetSupervision
from shuangsuiji.planning.models import Task, TaskState

from . import engine
from .models import DrawStatus, Selection

UNCLASSIFIED = ""  # targets without a risk class form their own stratum, at B's ratio

EXCLUSION_REASONS = {
    "open_task": "已在本部门本年度另一进行中的任务中",
    "cap": "本部门本年度抽中次数已达上限",
    "a_class": "A类（低风险）对象本年度已被抽中过，不再重复抽取（无事不扰）",
}


def _key_expr():
    key = Coalesce("uscc", Concat("kind", Value(":"), "nonmarket_key"), output_field=CharField())
    # Byte order, as the spec says: PostgreSQL's "C" collation, SQLite's BINARY.
    return Collate(key, "C" if connection.vendor == "postgresql" else "BINARY")


def scope(task: Task) -> QuerySet[Target]:
    """Targets in the task's scope, in 存续, supervised by one of the task's departments."""
    dept_ids = list(task.departments.values_list("pk", flat=True))
    qs = Target.objects.filter(status=RegistrationStatus.ACTIVE).filter(
        Exists(TargetSupervision.objects.filter(target=OuterRef("pk"), department_id__in=dept_ids))
    )
    prefixes = task.scope_regions or [task.lead.region.scope_prefix]
    cond = Q()
    for p in prefixes:
        cond |= Q(region__code__startswith=p)
    qs = qs.filter(cond)
    if task.scope_kinds:
        qs = qs.filter(kind__in=task.scope_kinds)
    if task.scope_industries:
        cond = Q()
        for p in task.scope_industries:
            cond |= Q(industry_code__startswith=p)
        qs = qs.filter(cond)
    tag_ids = list(task.scope_tags.values_list("pk", flat=True))
    if tag_ids:
        qs = qs.filter(
            Exists(Target.tags.through.objects.filter(target_id=OuterRef("pk"), tag_id__in=tag_ids))
        )
    return qs


def _counted_selections(task: Task):
    """Selections of this year's draws that count (not voided or aborted), other tasks."""
    return Selection.objects.filter(
        target=OuterRef("pk"), draw__status=DrawStatus.DRAWN, draw__task__plan__year=task.plan.year
    ).exclude(draw__task=task)


def annotated(task: Task) -> QuerySet:
    """The scope, each row with its stratum, key and exclusion reason ('' when drawable)."""
    dept_ids = list(task.departments.values_list("pk", flat=True))
    same_dept = _counted_selections(task).filter(draw__task__departments__in=dept_ids)
    open_task = same_dept.exclude(draw__task__state__in=[TaskState.CLOSED, TaskState.VOIDED])
    cap = settings.DRAW_CAP_PER_DEPARTMENT
    times = Subquery(same_dept.values("target").annotate(n=Count("draw", distinct=True)).values("n")[:1])
    return (
        scope(task)
        .annotate(
            key=_key_expr(),
            stratum=F("risk_class") if task.credit_based else Value("*", output_field=CharField()),
            times=Coalesce(times, 0),
            reason=Case(
                When(Exists(open_task), then=Value("open_task")),
                When(times__gte=cap, then=Value("cap")),
                When(Q(risk_class="A") & Exists(_counted_selections(task)), then=Value("a_class")),
                default=Value(""),
                output_field=CharField(),
            ),
        )
        .order_by("stratum", "key")
    )


@dataclass
class Frozen:
    strata: list[dict]  # {label, risk_class, size, root}
    pool_root: str
    exclusions: dict[str, int]
    file_bytes: bytes


def freeze(task: Task, labels: dict[str, str]) -> Frozen:
    """Stream the annotated scope once: count exclusions, hash leaves per stratum, write the
    compact frozen pool (gzip: one line per candidate: label, position, key, target id)."""
    builders: dict[str, engine.MerkleBuilder] = {}
    sizes: dict[str, int] = {}
    exclusions = dict.fromkeys(EXCLUSION_REASONS, 0)
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as gz:
        out = io.TextIOWrapper(gz, encoding="utf-8", newline="\n")
        out.write(json.dumps({"format": "ssj-pool-v1", "task": task.code}, ensure_ascii=False) + "\n")
        rows = annotated(task).values_list("pk", "key", "stratum", "reason")
        for pk, key, stratum, reason in rows.iterator(chunk_size=5000):
            if reason:
                exclusions[reason] += 1
                out.write(f"X\t{reason}\t{key}\t{pk}\n")
                continue
            label = labels[stratum]
            b = builders.get(label)
            if b is None:
                b = builders[label] = engine.MerkleBuilder()
                sizes[label] = 0
            b.add(engine.leaf_hash(label, key))
            out.write(f"{label}\t{sizes[label]}\t{key}\t{pk}\n")
            sizes[label] += 1
        out.flush()
        out.detach()
    strata = []
    for stratum, label in labels.items():
        if label in builders:  # an empty stratum has nothing to draw: it is left out of the record
            strata.append(
                {
                    "label": label,
                    "risk_class": stratum,
                    "size": sizes[label],
                    "root": builders[label].root().hex(),
                }
            )
    strata.sort(key=lambda s: s["label"])
    root = engine.pool_root([(s["label"], s["size"], bytes.fromhex(s["root"])) for s in strata])
    return Frozen(strata, root.hex(), exclusions, buf.getvalue())


def read_pool(data: bytes) -> Iterator[tuple[str, int, str, int]]:
    """(label, position, key, target id) of every candidate in a frozen pool file."""
    with gzip.GzipFile(fileobj=io.BytesIO(data)) as gz:
        lines = io.TextIOWrapper(gz, encoding="utf-8")
        next(lines)
        for line in lines:
            a, b, key, pk = line.rstrip("\n").split("\t")
            if a != "X":
                yield a, int(b), key, int(pk)
