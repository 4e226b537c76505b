"""The task dossier (R-ADM-4): a closed joint task downloads as one .zip whose every file is in the
manifest with its SHA-256; the download is audited; a task that is not closed is refused. The
office and the auditor get the whole dossier with the frozen pool; a department of the task gets
its own part (issue 14, finding 2)."""

import base64
import datetime as dt
import hashlib
import io
import json
import re
import zipfile
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shuangsuiji.archive import dossier, services
from shuangsuiji.core import services as core
from shuangsuiji.core.errors import DomainError, Forbidden, NotFound
from shuangsuiji.core.models import AuditEntry, Role
from shuangsuiji.draw import services as draws
from shuangsuiji.draw.records import public_record
from shuangsuiji.draw.tests.conftest import full_draw, ready  # noqa: F401  (fixture)
from shuangsuiji.draw.verify import verify_record
from shuangsuiji.inspection import services as insp
from shuangsuiji.inspection.models import Inspection
from shuangsuiji.planning.models import TaskState

D = dt.date
PROBLEM = "未按规定公示2025年度报告"


def _jpeg() -> bytes:
    """A real (tiny) photo: uploads are decoded and re-encoded before they are kept."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buf, "JPEG")
    return buf.getvalue()


@pytest.fixture
def closed(ready):  # noqa: F811
    """The 餐饮 joint task (A leads, B joins) drawn, teamed, every target inspected by both
    departments, reviewed and published — so the task closes. One problem (a ledger entry), one
    photo attached."""
    w = ready
    w.b_reviewer = core.user_create(
        actor=None, username="b_reviewer", password="Brev#2026pw", role=Role.REVIEWER, department=w.dept_b
    )
    for n, i in enumerate([*w.a_inspectors, w.expiring, *w.b_inspectors]):
        i.user = core.user_create(
            actor=None,
            username=f"dz{n}",
            password="Insp#2026pw",
            role=Role.INSPECTOR,
            department=i.department,
        )
        i.save()
    w.draw = full_draw(w, w.joint)
    draws.teams_draw(actor=w.a_admin, draw=w.draw)
    reviewers = {w.dept_a.pk: w.a_reviewer, w.dept_b.pk: w.b_reviewer}
    sels = list(w.draw.selections.order_by("order"))
    w.problem_sel = sels[0]
    for s in sels:
        for dept in (w.dept_a, w.dept_b):
            member = s.team.filter(active=True, department=dept).select_related("inspector__user").first()
            user = member.inspector.user
            for item in insp._department_items(s, dept):
                bad = s == w.problem_sel and dept == w.dept_a
                insp.result_save(
                    actor=user,
                    selection=s,
                    item=item,
                    method="onsite",
                    categories=["not_disclosed"] if bad else ["none_found"],
                    problem=PROBLEM if bad else "",
                )
            if s == w.problem_sel and dept == w.dept_a:
                insp.attachment_add(
                    actor=user,
                    selection=s,
                    upload=SimpleUploadedFile("现场照片.jpg", _jpeg()),
                )
            insp.inspection_finish(actor=user, selection=s, finished_on=D(2026, 4, 15), summary="现场检查")
            ins = insp.inspection_submit(actor=user, selection=s)
            insp.review_approve(actor=reviewers[dept.pk], inspection=ins)
    w.joint.refresh_from_db()
    assert w.joint.state == TaskState.CLOSED
    w.selections = sels
    return w


def pdf_text(pdf: bytes) -> str:
    """The CID-font text of a reportlab PDF (ASCII85 + Flate streams, UTF-16BE literals)."""
    out = []
    for m in re.finditer(
        rb"/ASCII85Decode /FlateDecode \] /Length \d+\s*>>\s*stream\r?\n(.*?)endstream", pdf, re.S
    ):
        content = zlib.decompress(base64.a85decode(m.group(1).strip(), adobe=True))
        for lit in re.findall(rb"\(((?:\\.|[^\\)])*)\) Tj", content):
            raw = re.sub(rb"\\([0-7]{3})", lambda x: bytes([int(x.group(1), 8)]), lit)
            raw = re.sub(
                rb"\\(.)", lambda x: {b"n": b"\n", b"r": b"\r", b"t": b"\t"}.get(x.group(1), x.group(1)), raw
            )
            if len(raw) % 2 == 0:
                out.append(raw.decode("utf-16-be", "replace"))
    return "".join(out)


def _download(w, user) -> tuple[dict, zipfile.ZipFile, bytes]:
    buf = io.BytesIO()
    manifest = services.task_dossier(actor=user, task=w.joint, out=buf, verify_base="https://ssj.example")
    return manifest, zipfile.ZipFile(io.BytesIO(buf.getvalue())), buf.getvalue()


@pytest.mark.django_db
def test_closed_task_archive_is_complete_and_checkable(closed):
    w = closed
    before = AuditEntry.objects.count()
    manifest, zf, _ = _download(w, w.office)
    root = w.joint.code
    names = set(zf.namelist())
    n = len(w.selections)
    pid = w.draw.public_id

    # Every file but the manifest and the checksum list is in the manifest, with its true hash.
    listed = {f"{root}/{f['path']}": f for f in manifest["files"]}
    assert names == set(listed) | {f"{root}/manifest.json", f"{root}/SHA256SUMS"}
    for name, f in listed.items():
        data = zf.read(name)
        assert hashlib.sha256(data).hexdigest() == f["sha256"] and len(data) == f["bytes"]
    body = zf.read(f"{root}/manifest.json")
    assert json.loads(body)["files"] == manifest["files"]
    sums = zf.read(f"{root}/SHA256SUMS").decode().splitlines()
    assert sorted(sums) == sorted(f"{f['sha256']}  {f['path']}" for f in manifest["files"])

    # The download is audited with the manifest's hash: the archive can be checked against the log.
    entry = AuditEntry.objects.get(action="task.dossier")
    assert AuditEntry.objects.count() == before + 1 and entry.actor_id == w.office.pk
    assert (
        entry.object_id == str(w.joint.pk)
        and entry.detail["manifest_sha256"] == hashlib.sha256(body).hexdigest()
    )

    # Plan entry and 实施方案.
    plan = json.loads(zf.read(f"{root}/plan/plan-entry.json"))
    assert plan["task"]["code"] == root and plan["task"]["departments"] == ["市场监督管理局", "卫生健康局"]
    assert plan["versions"][0]["task_entry"]["name"] == "餐饮行业一业一查"
    plan_pdf = pdf_text(zf.read(f"{root}/plan/implementation-plan.pdf"))
    assert "实施方案" in plan_pdf and "市场监督管理局、卫生健康局" in plan_pdf and "A 类 10%" in plan_pdf

    # The draw's published record re-verifies, and the pool is the frozen file itself; the whole
    # dossier also holds the full record (each stratum's risk class, the team draw's inputs).
    rec = json.loads(zf.read(f"{root}/draws/{pid}/record.json"))
    w.draw.refresh_from_db()
    assert rec == json.loads(json.dumps(public_record(w.draw, with_selection=True)))
    internal = json.loads(zf.read(f"{root}/draws/{pid}/internal-record.json"))
    assert internal == json.loads(json.dumps(public_record(w.draw, internal=True)))
    assert all("risk_class" in s for s in internal["strata"]) and manifest["part"] == "全卷"
    pool = zf.read(f"{root}/draws/{pid}/pool.gz")
    with w.draw.pool_file.open("rb") as f:
        assert pool == f.read()
    assert all(c.ok for c in verify_record(rec, pool)) and len(rec["named"]) == n
    assert all(c.ok for c in verify_record(internal, pool)) and len(internal["selection"]) == n
    teams = json.loads(zf.read(f"{root}/draws/{pid}/teams.json"))
    assert len(teams) == n and all(
        {m["department"] for m in t["team"]} == {"市场监督管理局", "卫生健康局"} for t in teams
    )

    # One notice per target, one check record per target and department, as PDFs in the CID font.
    notices = [x for x in names if "/notices/" in x]
    records = [x for x in names if "/records/" in x and "/attachments/" not in x]
    assert (
        len(notices) == n
        and len(records) == 2 * n == Inspection.objects.filter(selection__draw=w.draw).count()
    )
    for x in notices + records:
        pdf = zf.read(x)
        assert pdf.startswith(b"%PDF") and b"STSong-Light" in pdf
    notice = pdf_text(zf.read(next(x for x in notices if f"/{w.problem_sel.order:04d}-" in x)))
    assert "检查通知书" in notice and w.problem_sel.target.name in notice and w.joint.code in notice
    assert w.problem_sel.rating_code not in notice  # the enterprise's code stays off the archived copy
    record = pdf_text(
        zf.read(
            next(
                x
                for x in records
                if f"/{w.problem_sel.order:04d}-" in x and x.endswith(f"-{w.dept_a.pk:03d}.pdf")
            )
        )
    )
    assert "检查记录表" in record and w.problem_sel.target.name in record and PROBLEM in record
    assert "未按规定公示应当公示的信息" in record and "签字（盖章）" in record

    # Results, reviews, the photo and the follow-up.
    results = json.loads(zf.read(f"{root}/results/results.json"))
    assert len(results) == 2 * n
    bad = [r for r in results if any(i["found_problem"] for i in r["items"])]
    assert (
        len(bad) == 1
        and bad[0]["items"][0]["problem"] == PROBLEM
        and bad[0]["department"] == "市场监督管理局"
    )
    photo = bad[0]["attachments"][0]
    stored = Inspection.objects.get(selection=w.problem_sel, department=w.dept_a).attachments.get()
    with stored.file.open("rb") as f:
        assert zf.read(f"{root}/{photo['path']}") == f.read()
    reviews = json.loads(zf.read(f"{root}/results/reviews.json"))
    assert {r["reviewed_by"] for r in reviews} == {str(w.a_reviewer), str(w.b_reviewer)}
    assert all(any(h["action"] == "inspection.publish" for h in r["history"]) for r in reviews)
    ledger = json.loads(zf.read(f"{root}/followups/ledger.json"))
    assert len(ledger) == 1 and ledger[0]["问题描述"] == PROBLEM
    assert manifest["counts"]["followups"] == 1 and manifest["counts"]["followups_open"] == 1
    assert "尚有 1 项未办结" in zf.read(f"{root}/README.txt").decode()
    history = json.loads(zf.read(f"{root}/history.json"))
    assert any("已匹配人员 → 检查中" in h["summary"] for h in history["task"]) and history["draws"]


@pytest.mark.django_db
def test_the_same_task_gives_the_same_files(closed):
    first, _, _ = _download(closed, closed.office)
    second, _, _ = _download(closed, closed.auditor)
    assert first["files"] == second["files"]  # PDFs are built invariant: same content, same bytes
    third, _, _ = _download(closed, closed.b_inspector)
    fourth, _, _ = _download(closed, closed.b_admin)
    assert third["files"] == fourth["files"]  # one department's part, whoever of it downloads
    assert AuditEntry.objects.filter(action="task.dossier").count() == 4


@pytest.mark.django_db
def test_who_may_download(closed, client_for, client):
    w = closed
    url = f"/planning/tasks/{w.joint.pk}/dossier/"
    assert (
        'id="dossier-link"'
        in client_for(w.a_inspector).get(f"/planning/tasks/{w.joint.pk}/").content.decode()
    )
    for user in (w.office, w.auditor, w.a_admin, w.a_inspector, w.b_admin, w.b_inspector):
        r = client_for(user).get(url)
        assert r.status_code == 200 and r["Content-Type"] == "application/zip"
        zf = zipfile.ZipFile(io.BytesIO(b"".join(r.streaming_content)))
        assert f"{w.joint.code}/manifest.json" in zf.namelist()
        has_pool = any(x.endswith("/pool.gz") for x in zf.namelist())
        assert has_pool == (user in (w.office, w.auditor)), user
    entries = AuditEntry.objects.filter(action="task.dossier").order_by("seq")
    assert [e.actor_id for e in entries] == [
        u.pk for u in (w.office, w.auditor, w.a_admin, w.a_inspector, w.b_admin, w.b_inspector)
    ]
    assert [e.detail["part"] for e in entries] == ["全卷", "全卷"] + ["市场监督管理局部分"] * 2 + [
        "卫生健康局部分"
    ] * 2
    assert client_for(w.far_admin).get(url).status_code == 404
    assert client_for(w.sysadmin).get(url).status_code == 403
    assert client_for(w.a_admin).post(url).status_code == 405  # a download is a GET
    client.logout()
    assert client.get(url).status_code == 302
    with pytest.raises(NotFound):
        services.task_dossier(actor=w.far_admin, task=w.joint, out=io.BytesIO(), verify_base="")
    with pytest.raises(Forbidden):
        services.task_dossier(actor=w.sysadmin, task=w.joint, out=io.BytesIO(), verify_base="")
    assert AuditEntry.objects.filter(action="task.dossier").count() == 6


@pytest.mark.django_db
def test_a_task_not_closed_is_refused(ready, client_for):  # noqa: F811
    w = ready
    before = AuditEntry.objects.count()
    with pytest.raises(DomainError, match="办结后才能下载任务档案"):
        services.task_dossier(actor=w.a_admin, task=w.task_a, out=io.BytesIO(), verify_base="")
    r = client_for(w.a_admin).get(f"/planning/tasks/{w.task_a.pk}/dossier/")
    assert r.status_code == 302 and r["Location"] == f"/planning/tasks/{w.task_a.pk}/"
    assert AuditEntry.objects.count() == before
    page = client_for(w.a_admin).get(r["Location"]).content.decode()
    assert "办结后才能下载任务档案" in page and 'id="dossier-link"' not in page
    # The auditor reads no task pages: refused back to the draws they audit, nothing recorded.
    r = client_for(w.auditor).get(f"/planning/tasks/{w.task_a.pk}/dossier/")
    assert r.status_code == 302 and r["Location"] == "/draw/audit/"
    assert "办结后才能下载任务档案" in client_for(w.auditor).get(r["Location"]).content.decode()
    assert AuditEntry.objects.count() == before


def _names(zf) -> set[str]:
    return set(zf.namelist())


@pytest.mark.django_db
def test_a_partner_gets_its_own_part_without_the_pool(closed, client_for):
    """Finding 2: B (a partner) downloads the closed joint task's dossier while A has reopened its
    problem result for a correction (an unpublished A record). B's dossier holds no pool, no full
    draw record, none of A's unpublished results, attachments, reviews or follow-ups; the office's
    and the auditor's still hold the pool."""
    w = closed
    root, pid = w.joint.code, w.draw.public_id
    bad = Inspection.objects.get(selection=w.problem_sel, department=w.dept_a)
    insp.correction_open(actor=w.a_reviewer, inspection=bad, reason="问题描述需补充")
    a_published = Inspection.objects.filter(
        selection__draw=w.draw, department=w.dept_a, status="published"
    ).count()
    n = len(w.selections)
    assert a_published == n - 1

    for user in (w.b_inspector, w.b_admin):
        r = client_for(user).get(f"/planning/tasks/{w.joint.pk}/dossier/")
        assert r.status_code == 200
        zf = zipfile.ZipFile(io.BytesIO(b"".join(r.streaming_content)))
        names = _names(zf)
        assert f"{root}/draws/{pid}/record.json" in names
        assert not any(x.endswith(("/pool.gz", "/internal-record.json")) for x in names), user
        rec = json.loads(zf.read(f"{root}/draws/{pid}/record.json"))
        assert all("risk_class" not in s for s in rec["strata"])
        # A's record in correction is not there; A's published ones and all of B's are.
        problem = f"{w.problem_sel.order:04d}-"
        assert not any(problem in x and x.endswith(f"-{w.dept_a.pk:03d}.pdf") for x in names)
        records = [x for x in names if "/records/" in x and "/attachments/" not in x]
        assert len(records) == n + a_published
        assert not any("/attachments/" in x for x in names)  # the only photo is A's
        results = json.loads(zf.read(f"{root}/results/results.json"))
        assert len(results) == n + a_published
        assert all(r["department"] == "卫生健康局" or r["status"] == "已公示" for r in results)
        assert PROBLEM not in zf.read(f"{root}/results/results.json").decode()
        reviews = json.loads(zf.read(f"{root}/results/reviews.json"))
        assert len(reviews) == n and {r["department"] for r in reviews} == {"卫生健康局"}
        assert json.loads(zf.read(f"{root}/followups/ledger.json")) == []  # the one problem is A's
        teams = json.loads(zf.read(f"{root}/draws/{pid}/teams.json"))
        assert len(teams) == n and all({m["department"] for m in t["team"]} == {"卫生健康局"} for t in teams)
        for x in (x for x in names if "/notices/" in x):
            sel = next(s for s in w.selections if f"/{s.order:04d}-" in x)
            assert sel.rating_code not in pdf_text(zf.read(x))
        readme = zf.read(f"{root}/README.txt").decode()
        assert "卫生健康局部分" in readme and "pool.gz" not in readme

    # The lead gets its own part too: its record in correction, no pool.
    _, zf, _ = _download(w, w.a_admin)
    names = _names(zf)
    assert not any(x.endswith("/pool.gz") for x in names)
    assert any(f"/{w.selections[0].order:04d}-" in x and x.endswith(f"-{w.dept_a.pk:03d}.pdf") for x in names)
    assert PROBLEM in zf.read(f"{root}/results/results.json").decode()
    assert len(json.loads(zf.read(f"{root}/followups/ledger.json"))) == 1

    for user in (w.office, w.auditor):
        _, zf, _ = _download(w, user)
        pool = zf.read(f"{root}/draws/{pid}/pool.gz")
        with w.draw.pool_file.open("rb") as f:
            assert pool == f.read()
        assert len(json.loads(zf.read(f"{root}/results/results.json"))) == 2 * n


def test_pdf_text_is_chinese_in_the_cid_font():
    pdf = dossier._pdf("测试", [dossier._p("检查记录表 <无害> & 测试")])
    assert pdf.startswith(b"%PDF") and b"/STSong-Light" in pdf and b"UniGB-UCS2-H" in pdf
    assert dossier._pdf("测试", [dossier._p("检查记录表 <无害> & 测试")]) == pdf
