"""The task dossier (R-ADM-4; 秦皇岛 2023: "抽查结束后，要及时将相关抽查资料归档，确保档案资料齐全，
签字完整"): one .zip per closed task holding its plan entry and 实施方案, every draw's published
record, the notices and check records as PDF, results, reviews, follow-ups and the task's audit
history, with a manifest giving every file's SHA-256.

Who gets which parts (`Part`; the archive selectors decide which part a reader gets):

| part                                   | office, auditor (全卷) | a department of the task (本部门部分)              |
|----------------------------------------|------------------------|----------------------------------------------------|
| plan/ (plan entry, 实施方案)            | yes                    | yes                                                |
| draws/*/record.json (published record) | yes                    | yes (no stratum's risk class)                      |
| draws/*/internal-record.json, pool.gz  | yes                    | no: the pool holds every candidate's stratum, and  |
|                                        |                        | with the ratios that is each one's credit-risk class |
| draws/*/teams.json                     | every department       | its own members and their recusals                 |
| notices/                               | every target           | the targets its teams inspect                      |
| records/*.pdf, results/results.json    | every department       | its own in every state; another's once published   |
|                                        |                        | (the inspection app's `partner_rule`)              |
| records/attachments/, reviews.json     | every department       | its own only                                       |
| followups/ledger.json                  | every entry            | its own entries                                    |
| history.json                           | yes                    | yes (task and draw entries; the pool is not in it) |

The auditor gets the whole dossier because re-running a draw from its frozen pool and checking it
against the record is the auditor's job; a department — lead or partner — gets its own part, so a
joint task never hands one department the risk classes of the directory or another department's
working papers. No copy carries the enterprise's rating code.

Parts are written into the archive one at a time (the pool file and attachments are copied in
chunks, each PDF is made and written before the next), so a large task is never held whole in
memory. The PDFs use reportlab's built-in STSong-Light CID font (no font file) and are built
`invariant`, so the same task and part give the same bytes; the manifest's own hash goes into the
audit log when the archive is handed out, which is what makes the archive checkable later."""

import datetime as dt
import hashlib
import io
import json
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.db import models
from django.urls import reverse
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from shuangsuiji.core import audit
from shuangsuiji.core.models import AuditEntry
from shuangsuiji.directory.models import TargetKind
from shuangsuiji.draw.models import DrawStatus, Selection, TargetDraw
from shuangsuiji.draw.records import public_record
from shuangsuiji.followup.selectors import ledger_for_task
from shuangsuiji.inspection.models import Inspection
from shuangsuiji.inspection.selectors import partner_rule
from shuangsuiji.planning.models import Task

FORMAT = "ssj-dossier-v1"
FONT = "STSong-Light"
CHUNK = 1 << 16

pdfmetrics.registerFont(UnicodeCIDFont(FONT))
_BODY = ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=16, wordWrap="CJK")
_SMALL = ParagraphStyle("small", parent=_BODY, fontSize=9, leading=13)
_TITLE = ParagraphStyle("title", parent=_BODY, fontSize=16, leading=24, alignment=TA_CENTER, spaceAfter=8)
_H2 = ParagraphStyle("h2", parent=_BODY, fontSize=12, leading=18, spaceBefore=8, spaceAfter=4)
_RIGHT = ParagraphStyle("right", parent=_BODY, alignment=TA_RIGHT)


def _p(text, style=_BODY) -> Paragraph:
    return Paragraph(escape(str(text if text is not None else "")).replace("\n", "<br/>"), style)


def _table(rows: list[list], widths=None) -> Table:
    t = Table([[_p(c, _SMALL) for c in r] for r in rows], colWidths=widths, repeatRows=1)
    t.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f5")),
            ]
        )
    )
    return t


def _pdf(title: str, story: list) -> bytes:
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        title=title,
        author="双随机、一公开监管平台",
        invariant=1,  # no creation time or random id: the same content gives the same bytes
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
    )
    doc.build(story)
    return buf.getvalue()


def _day(d) -> str:
    return d.strftime("%Y-%m-%d") if d else ""


def _json(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=False, default=str).encode()


@dataclass(frozen=True)
class Part:
    """Which part of the dossier a reader gets: the whole (office, auditor) or one department's."""

    department: object = None  # None: the whole dossier

    @property
    def whole(self) -> bool:
        return self.department is None

    @property
    def label(self) -> str:
        return "全卷" if self.whole else f"{self.department.name}部分"


WHOLE = Part()


def _departments(task: Task) -> list:
    """The lead first, then the others in the order they were set up."""
    return sorted(task.departments.all(), key=lambda d: (d.pk != task.lead_id, d.pk))


def _user(u) -> str:
    return str(u) if u is not None else ""


# ---- the documents ------------------------------------------------------------------------------


def implementation_plan_pdf(task: Task) -> bytes:
    """实施方案: what the task set out to do, as planned and published."""
    ratios = (
        "；".join(f"{c} 类 {float(task.ratios[c]) * 100:g}%" for c in sorted(task.ratios))
        if task.credit_based
        else f"按总数抽取 {task.total} 户"
    )
    rows = [
        ["项目", "内容"],
        ["任务编号", task.code],
        ["任务名称", task.name],
        ["年度计划", f"{task.plan}（第 {task.plan.version} 版公示）"],
        ["抽查方式", task.get_mode_display() + (f"（{task.joint_list}）" if task.joint_list_id else "")],
        ["牵头部门", task.lead.name],
        ["参与部门", "、".join(d.name for d in _departments(task))],
        ["业务条线", "、".join(b.name for b in task.business_lines.all()) or "—"],
        ["抽查事项", "\n".join(f"{i.code} {i.name}" for i in task.items.all())],
        ["区划范围", "、".join(task.scope_regions) or "本辖区"],
        ["对象类型", "、".join(str(TargetKind(k).label) for k in task.scope_kinds) or "全部"],
        ["行业", "、".join(task.scope_industries) or "全部"],
        ["标签", "、".join(t.name for t in task.scope_tags.all()) or "不限"],
        ["抽取比例", ratios],
        ["每组执法人员", f"{task.team_size} 名"],
        ["检查时间", f"{_day(task.window_start)} 至 {_day(task.window_end)}"],
        ["状态", task.get_state_display()],
    ]
    story = [_p(f"{task.name} 实施方案", _TITLE), _table(rows, [35 * mm, 135 * mm])]
    return _pdf(f"{task.code} 实施方案", story)


def notice_pdf(selection: Selection, task: Task, team, verify_url: str) -> bytes:
    """检查通知书, as the inspection app prints it, without the enterprise's rating code (that
    code is the enterprise's alone and stays off every internal copy)."""
    t = selection.target
    items = list(task.items.all())
    story = [
        _p("“双随机、一公开”检查通知书", _TITLE),
        _p(f"{t.name}（统一社会信用代码：{t.key_display or t.uscc or ''}）："),
        _p(
            f"根据《{task.plan.department.name}{task.plan.year}年度抽查计划》，经随机抽取，你单位被列为“{task.name}”"
            f"（任务编号 {task.code}）的检查对象。检查组将于 {task.window_start:%Y年%m月%d日} 至 "
            f"{task.window_end:%Y年%m月%d日} 期间进行检查，请予配合。"
        ),
        _p("检查事项与方式", _H2),
        *[
            _p(
                f"{n}. {i.name}（{'、'.join(i.method_labels)}{'，非现场检查，不入企' if i.offsite_only else ''}）"
            )
            for n, i in enumerate(items, 1)
        ],
        _p("请准备的材料", _H2),
        *[_p(f"· {text}") for text in dict.fromkeys(pt.text for i in items for pt in i.checklist.all())],
        _p("检查人员", _H2),
        _table(
            [["部门", "姓名", "执法证号"]]
            + [[m.department.name, m.inspector.name, m.inspector.certificate_no] for m in team],
            [60 * mm, 50 * mm, 60 * mm],
        ),
        Spacer(1, 6),
        _p(f"扫码核验：{verify_url}", _SMALL),
        _p("（评价码印在发送给企业的通知书上，存档件不含评价码。）", _SMALL),
        Spacer(1, 12),
        _p(
            f"{task.lead.name}\n{_day(selection.draw.drawn_at and timezone.localtime(selection.draw.drawn_at))}",
            _RIGHT,
        ),
    ]
    return _pdf(f"检查通知书 {task.code} {t.name}", story)


def record_pdf(ins: Inspection, team) -> bytes:
    """检查记录表: per target and department, findings, the team and the signature lines."""
    s, t = ins.selection, ins.selection.target
    head = [
        ["检查对象", t.name, "统一社会信用代码", t.key_display or t.uscc or ""],
        ["住所", t.address, "", ""],
        ["任务", f"{s.draw.task.code} {s.draw.task.name}", "", ""],
        ["检查部门", ins.department.name, "检查完毕日期", _day(ins.finished_on)],
    ]
    results = [["事项", "方式", "结果", "问题描述"]] + [
        [r.item.name, r.get_method_display(), "；".join(c.name for c in r.categories.all()), r.problem]
        for r in ins.results.all()
    ]
    signatures = [["检查人员", "执法证号", "签字"]] + [
        [m.inspector.name, m.inspector.certificate_no, ""] for m in team
    ]
    signatures.append(["被检查单位负责人", "", "签字（盖章）"])
    story = [
        _p("“双随机、一公开”检查记录表", _TITLE),
        _table(head, [28 * mm, 62 * mm, 32 * mm, 48 * mm]),
        _p("检查事项与结果", _H2),
        _table(
            results if len(results) > 1 else results + [["尚未录入", "", "", ""]],
            [45 * mm, 25 * mm, 50 * mm, 50 * mm],
        ),
        _p(f"检查情况：{ins.summary}"),
        _p(
            f"录入：{_user(ins.entered_by)}；复核：{_user(ins.reviewed_by)} {timezone.localtime(ins.reviewed_at):%Y-%m-%d %H:%M}"
            if ins.reviewed_at
            else f"录入：{_user(ins.entered_by)}",
            _SMALL,
        ),
        Spacer(1, 8),
        _table(signatures, [60 * mm, 60 * mm, 50 * mm]),
    ]
    return _pdf(f"检查记录表 {s.draw.task.code} {t.name} {ins.department.name}", story)


# ---- the data files ------------------------------------------------------------------------------


def _display(obj, f) -> object:
    if f.choices:
        return getattr(obj, f"get_{f.name}_display")()
    value = getattr(obj, f.name)
    if isinstance(f, models.ForeignKey):
        return str(value) if value is not None else None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return value


def as_record(obj) -> dict:
    """Any model row as {field's Chinese name: value as shown}, FKs by their name: the ledger is
    another app's, so its rows are archived by what they hold, not by a copy of its code."""
    out = {"id": obj.pk}
    for f in obj._meta.concrete_fields:
        if f.primary_key:
            continue
        out[str(f.verbose_name)] = _display(obj, f)
    return out


def _history(entries) -> list[dict]:
    return [
        {
            "seq": e.seq,
            "at": timezone.localtime(e.at).isoformat(timespec="seconds"),
            "actor": e.actor_label,
            "action": e.action,
            "summary": e.summary,
            "hash": e.hash,
        }
        for e in entries.order_by("seq")
    ]


def plan_entry(task: Task) -> dict:
    plan = task.plan
    versions = []
    for v in plan.versions.select_related("approved_by", "requested_by").order_by("number"):
        entry = next((t for t in v.snapshot.get("tasks", []) if t.get("code") == task.code), None)
        versions.append(
            {
                "number": v.number,
                "published_at": timezone.localtime(v.published_at).isoformat(timespec="seconds"),
                "reason": v.reason,
                "requested_by": _user(v.requested_by),
                "approved_by": _user(v.approved_by),
                "task_entry": entry,
            }
        )
    return {
        "plan": {
            "department": plan.department.name,
            "year": plan.year,
            "status": plan.get_status_display(),
            "version": plan.version,
        },
        "versions": versions,
        "task": {
            "code": task.code,
            "name": task.name,
            "mode": task.get_mode_display(),
            "lead": task.lead.name,
            "departments": [d.name for d in _departments(task)],
            "items": [{"code": i.code, "name": i.name} for i in task.items.all()],
            "quota_mode": task.get_quota_mode_display(),
            "ratios": task.ratios,
            "total": task.total,
            "team_size": task.team_size,
            "window": [_day(task.window_start), _day(task.window_end)],
            "state": task.get_state_display(),
            "sent_down_from": task.sent_down_from.code if task.sent_down_from_id else None,
        },
    }


def _teams(draw: TargetDraw, part: Part = WHOLE) -> list[dict]:
    out = []
    for s in draw.selections.order_by("order").prefetch_related(
        "team__inspector", "team__department", "team__recusals"
    ):
        members = [m for m in s.team.all() if part.whole or m.department_id == part.department.pk]
        if not members:
            continue
        out.append(
            {
                "order": s.order,
                "key": s.key,
                "name": s.target.name,
                "team": [
                    {
                        "department": m.department.name,
                        "inspector": m.inspector.name,
                        "certificate_no": m.inspector.certificate_no,
                        "expert": m.is_expert,
                        "via": m.via,
                        "active": m.active,
                        "recusals": [
                            {
                                "reason": r.reason,
                                "requested_at": timezone.localtime(r.requested_at).isoformat(
                                    timespec="seconds"
                                ),
                                "status": r.get_status_display(),
                                "decided_by": _user(r.decided_by),
                                "decision_note": r.decision_note,
                            }
                            for r in m.recusals.all()
                        ],
                    }
                    for m in members
                ],
            }
        )
    return out


def _results(ins: Inspection, attachments: list[dict]) -> dict:
    return {
        "target": {"name": ins.selection.target.name, "key": ins.selection.key},
        "department": ins.department.name,
        "status": ins.get_status_display(),
        "finished_on": _day(ins.finished_on),
        "due_on": _day(ins.due_on),
        "entered_by": _user(ins.entered_by),
        "submitted_at": ins.submitted_at,
        "summary": ins.summary,
        "items": [
            {
                "item": f"{r.item.code} {r.item.name}",
                "checked": r.checked,
                "method": r.get_method_display(),
                "categories": [c.name for c in r.categories.all()],
                "found_problem": r.found_problem,
                "problem": r.problem,
            }
            for r in ins.results.all()
        ],
        "checkins": [
            {"inspector": c.inspector.name, "at": timezone.localtime(c.at).isoformat(timespec="seconds")}
            for c in ins.selection.checkins.all()
        ],
        "attachments": attachments,
    }


def _review(ins: Inspection) -> dict:
    return {
        "target": {"name": ins.selection.target.name, "key": ins.selection.key},
        "department": ins.department.name,
        "reviewed_by": _user(ins.reviewed_by),
        "reviewed_at": ins.reviewed_at,
        "review_comment": ins.review_comment,
        "published_at": ins.published_at,
        "version": ins.version,
        "history": _history(
            audit.entries_for(ins).filter(
                action__in=[
                    "inspection.submit",
                    "inspection.return",
                    "inspection.publish",
                    "inspection.correct",
                ]
            )
        ),
    }


def followups(task: Task, part: Part = WHOLE) -> list[dict]:
    """The ledger entries of the task's problems, with their transfers (R-FUP-1)."""
    ledger = ledger_for_task(task)
    if not part.whole:
        ledger = ledger.filter(department=part.department)
    out = []
    for f in ledger:
        row = as_record(f)
        transfers = getattr(f, "transfers", None)
        if transfers is not None:
            row["移送记录"] = [as_record(t) for t in transfers.all()]
        out.append(row)
    return out


# ---- the archive ---------------------------------------------------------------------------------


class _Writer:
    """Writes members into the zip, hashing each as it goes."""

    def __init__(self, zf: zipfile.ZipFile, root: str):
        self.zf, self.root, self.files = zf, root, []

    def add(self, path: str, data: bytes) -> dict:
        return self.stream(path, [data])

    def stream(self, path: str, chunks: Iterable[bytes]) -> dict:
        h, size = hashlib.sha256(), 0
        info = zipfile.ZipInfo(f"{self.root}/{path}", date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        with self.zf.open(info, "w") as out:
            for chunk in chunks:
                h.update(chunk)
                size += len(chunk)
                out.write(chunk)
        entry = {"path": path, "bytes": size, "sha256": h.hexdigest()}
        self.files.append(entry)
        return entry


def _chunks(field_file) -> Iterable[bytes]:
    with field_file.open("rb") as f:
        while chunk := f.read(CHUNK):
            yield chunk


def _safe(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in text)[:60]


README = """抽查任务档案（{code} {name}）——{part}

本档案由双随机、一公开监管平台在任务办结后生成（R-ADM-4），内容：
  plan/plan-entry.json        年度计划及本任务在各公示版本中的条目
  plan/implementation-plan.pdf 实施方案
  draws/<抽取编号>/record.json  公示的抽取记录（可在公示门户“验证”复核）
{whole_only}  draws/<抽取编号>/teams.json   检查组成员、回避申请及决定
  notices/*.pdf               检查通知书（存档件，不含企业评价码）
  records/*.pdf               检查记录表（每个检查对象、每个部门一份，含签字栏）
  records/attachments/        检查附件（照片、PDF）
  results/results.json        检查结果（事项、方式、结果类别、问题描述、扫码入企记录）
  results/reviews.json        复核与公示记录
  followups/ledger.json       后续处置台账（生成时的状态）
  history.json                本任务及其抽取在操作日志中的记录（序号、哈希）
  manifest.json / SHA256SUMS  每个文件的 SHA-256
{part_note}
核对完整性：在本目录执行 sha256sum -c SHA256SUMS；manifest.json 的 SHA-256 记录在平台操作日志
“下载任务档案”条目中（操作日志为哈希链，任何改动都可发现）。
{open_note}"""

_WHOLE_ONLY = """  draws/<抽取编号>/internal-record.json 完整抽取记录（含各层风险等级与人员抽取输入，仅办公室、审计员）
  draws/<抽取编号>/pool.gz      公告时冻结并承诺的对象池（审计员可据此重新抽取）
"""

_PART_NOTE = """
本档案为{department}的部分：不含对象池与完整抽取记录（其中含每个对象的信用风险分类，只交双随机办公室
和审计员）；检查组、附件、复核记录和后续处置只含本部门的；其他部门的检查记录和结果只含已公示的。
"""


def _inspections(selection, part: Part):
    qs = Inspection.objects.filter(selection=selection)
    if not part.whole:
        qs = qs.filter(partner_rule(part.department.pk))
    return (
        qs.select_related(
            "department",
            "entered_by",
            "reviewed_by",
            "selection__target",
            "selection__draw__task",
        )
        .prefetch_related(
            "results__item",
            "results__categories",
            "attachments",
            "selection__checkins__inspector",
        )
        .order_by("department_id")
    )


def build(task: Task, out, *, generated_by, verify_base: str, part: Part = WHOLE) -> dict:
    """Write the dossier of `task` as a zip into the binary file `out`; returns the manifest.
    `verify_base` is the site's address for the notices' verification links; `part` is what the
    reader gets (module docstring)."""
    task = (
        Task.objects.select_related("plan__department", "lead", "joint_list", "sent_down_from")
        .prefetch_related("departments", "items__checklist", "business_lines", "scope_tags")
        .get(pk=task.pk)
    )
    root = _safe(task.code)
    counts = {"draws": 0, "notices": 0, "records": 0, "attachments": 0, "followups": 0}
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        w = _Writer(zf, root)
        w.add("plan/plan-entry.json", _json(plan_entry(task)))
        w.add("plan/implementation-plan.pdf", implementation_plan_pdf(task))

        draws = list(task.draws.order_by("seq"))
        for d in draws:
            base = f"draws/{_safe(d.public_id)}"
            w.add(f"{base}/record.json", _json(public_record(d, with_selection=True)))
            if part.whole:
                w.add(f"{base}/internal-record.json", _json(public_record(d, internal=True)))
                if d.pool_file:
                    w.stream(f"{base}/pool.gz", _chunks(d.pool_file))
            if d.status in (DrawStatus.DRAWN, DrawStatus.VOIDED):
                w.add(f"{base}/teams.json", _json(_teams(d, part)))
            counts["draws"] += 1

        results, reviews = [], []
        for d in (d for d in draws if d.status == DrawStatus.DRAWN):
            selections = d.selections.select_related("target", "draw").order_by("order")
            for s in selections:
                everyone = list(s.team.filter(active=True).select_related("inspector", "department"))
                if not part.whole and not any(m.department_id == part.department.pk for m in everyone):
                    continue  # a target only other departments inspect is not this department's part
                name = f"{s.order:04d}-{_safe(s.key)}"
                w.add(
                    f"notices/{name}.pdf",
                    notice_pdf(
                        s, task, everyone, verify_base + reverse("publicity:selection", args=[s.token])
                    ),
                )
                counts["notices"] += 1
                for ins in _inspections(s, part):
                    own = part.whole or ins.department_id == part.department.pk
                    members = [m for m in everyone if m.department_id == ins.department_id]
                    w.add(f"records/{name}-{ins.department_id:03d}.pdf", record_pdf(ins, members))
                    counts["records"] += 1
                    files = []
                    for a in ins.attachments.order_by("pk") if own else ():
                        entry = w.stream(
                            f"records/attachments/{name}-{ins.department_id:03d}-{a.pk}-{_safe(a.name)}",
                            _chunks(a.file),
                        )
                        files.append({"name": a.name, "path": entry["path"], "sha256": entry["sha256"]})
                        counts["attachments"] += 1
                    results.append(_results(ins, files))
                    if own:
                        reviews.append(_review(ins))
        w.add("results/results.json", _json(results))
        w.add("results/reviews.json", _json(reviews))

        ledger = followups(task, part)
        counts["followups"] = len(ledger)
        w.add("followups/ledger.json", _json(ledger))
        still_open = [row for row in ledger if row.get("状态") not in ("已办结", "已撤销（更正后无问题）")]

        # Earlier downloads are left out: the same task gives the same archive.
        history = audit.entries_for(task).exclude(action="task.dossier")
        draw_history = AuditEntry.objects.filter(
            object_type=TargetDraw._meta.label_lower, object_id__in=[str(d.pk) for d in draws]
        )
        w.add("history.json", _json({"task": _history(history), "draws": _history(draw_history)}))
        open_note = (
            f"注意：生成时后续处置台账尚有 {len(still_open)} 项未办结，办结后可重新下载完整档案。\n"
            if still_open
            else ""
        )
        w.add(
            "README.txt",
            README.format(
                code=task.code,
                name=task.name,
                part=part.label,
                whole_only=_WHOLE_ONLY if part.whole else "",
                part_note="" if part.whole else _PART_NOTE.format(department=part.department.name),
                open_note=open_note,
            ).encode(),
        )

        manifest = {
            "format": FORMAT,
            "task": {"code": task.code, "name": task.name, "state": task.get_state_display()},
            "part": part.label,
            "generated_at": timezone.localtime().isoformat(timespec="seconds"),
            "generated_by": _user(generated_by),
            "counts": counts | {"followups_open": len(still_open)},
            "files": list(w.files),
        }
        body = _json(manifest)
        sums = "".join(f"{f['sha256']}  {f['path']}\n" for f in w.files)
        w.add("SHA256SUMS", sums.encode())
        info = zipfile.ZipInfo(f"{root}/manifest.json", date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        zf.writestr(info, body)
    manifest["sha256"] = hashlib.sha256(body).hexdigest()
    return manifest
