"""添加监管关系 (issue 17): a target import mode of its own, whose file holds the keys of targets
already in the directory; the uploading department becomes one of their supervisors, with a
preview first (新增监管 / 已监管 / 未找到), and nothing else changes. Also: each import page offers
its modes in Chinese, and a message pointing to a mode names one its page offers."""

import re

import pytest
from django.urls import reverse

from conftest import make_ric, make_uscc
from shuangsuiji.core.models import AuditEntry, JobStatus
from shuangsuiji.directory import services
from shuangsuiji.directory.forms import ImportForm
from shuangsuiji.directory.importing import MODE_LABELS
from shuangsuiji.directory.models import ChangeSuggestion, Target, TargetChange, TargetKind, TargetSupervision

from .test_import import HEADER, confirmed, run

U1 = make_uscc("91130110MA0A00001")  # A's (市场监督管理局), B does not supervise it yet
U2 = make_uscc("92130110MA0A00002")  # A's, B supervises it already
U_FAR = make_uscc("91130433MA0A00003")  # another county's
U_NONE = make_uscc("91130110MA0A00009")  # in no one's directory
RIC = make_ric("13010219850612123")
PERSON_HEADER = "身份证号*,姓名*,行政区划代码*,地址,标签"


@pytest.fixture
def directory(world):
    w = world
    run(w.a_admin, f"{HEADER}\n{U1},一号,企业,130110,,,,,,B,,\n{U2},二号,企业,130110,,,,,,A,,")
    run(w.far_admin, f"{HEADER}\n{U_FAR},邻县,企业,130433,,,,,,,,")
    TargetSupervision.objects.create(target=Target.objects.get(uscc=U2), department=w.dept_b)
    return w


def _preview(user, text, **params):
    job = run(user, text, confirm=False, mode="supervise", **params)
    assert job.status == JobStatus.SUCCEEDED and job.result["stage"] == "preview", job.result
    return job


def _supervisors(uscc):
    return set(TargetSupervision.objects.filter(target__uscc=uscc).values_list("department__name", flat=True))


@pytest.mark.django_db
def test_a_file_of_codes_adds_the_departments_supervision_after_its_preview(directory, client_for):
    w = directory
    before = {t.pk: (t.name, t.risk_class, t.updated_at) for t in Target.objects.all()}
    text = f"企业名称,统一社会信用代码,风险等级\n一号,{U1},D\n二号,{U2},D\n邻县,{U_FAR},D\n无,{U_NONE},D\n一号,{U1},D"
    job = _preview(w.b_admin, text)
    shown = job.result["preview"]
    assert (shown["supervised"], shown["already"], shown["not_found"]) == (1, 1, 2)
    assert shown["ignored_columns"] == ["企业名称", "风险等级"]
    assert _supervisors(U1) == {"市场监督管理局"}  # nothing written yet
    reasons = [x["reason"] for x in job.result["warnings"]]
    assert any(
        "添加监管关系只读取【统一社会信用代码】列，以下列不导入：企业名称、风险等级" in r for r in reasons
    )
    assert any("与第 2 行是同一主体，只计一次" in r for r in reasons)
    # the same answer for a subject of another county and one that exists nowhere
    by_row = {c["row"]: c for c in shown["sample"]}
    assert by_row[4]["note"] == by_row[5]["note"] and "本辖区目录中没有此主体" in by_row[4]["note"]
    assert by_row[4]["name"] == "" and (by_row[2]["name"], by_row[2]["after"]) == ("一号", "卫生健康局")

    page = (
        client_for(w.b_admin).get(reverse("directory:target_import_preview", args=[job.pk])).content.decode()
    )
    assert "方式：添加监管关系" in page
    assert "新增本部门监管 <strong>1</strong> 条" in page and "已由本部门监管 <strong>1</strong> 条" in page
    assert "本辖区目录中未找到 <strong>2</strong> 条" in page

    job = confirmed(w.b_admin, job)
    assert job.status == JobStatus.SUCCEEDED and job.result["written"] == 1, job.result
    assert "新增本部门监管 1 条" in job.message
    assert _supervisors(U1) == {"市场监督管理局", "卫生健康局"}
    assert _supervisors(U_FAR) == {"市场监督管理局"}  # the other county's, not B's
    # no shared field changed, nothing suggested, nothing in 变更记录
    assert {t.pk: (t.name, t.risk_class, t.updated_at) for t in Target.objects.all()} == before
    assert not ChangeSuggestion.objects.exists() and not TargetChange.objects.exists()
    confirm, imported = list(
        AuditEntry.objects.filter(action__in=["target.import_confirm", "target.import"]).order_by("-seq")[:2]
    )[::-1]
    assert confirm.action == "target.import_confirm" and confirm.actor_id == w.b_admin.pk
    assert confirm.detail["supervised"] == 1 and confirm.detail["not_found"] == 2
    assert imported.action == "target.import" and "添加监管关系" in imported.summary
    assert imported.detail["mode"] == "supervise" and imported.detail["already"] == 1
    # B now sees U1 in its own directory
    assert (
        client_for(w.b_admin).get(reverse("directory:target_list"), {"q": U1}).content.decode().count(U1) >= 1
    )


@pytest.mark.django_db
def test_supervision_added_meanwhile_is_previewed_again_not_written_twice(directory):
    w = directory
    job = _preview(w.b_admin, f"统一社会信用代码\n{U1}")
    assert job.result["preview"]["supervised"] == 1
    TargetSupervision.objects.create(target=Target.objects.get(uscc=U1), department=w.dept_b)  # meanwhile
    services.import_confirm(actor=w.b_admin, job_id=job.pk)
    from shuangsuiji.core.tasks import run_job

    run_job.call(job.pk)
    job.refresh_from_db()
    assert job.result["stage"] == "preview" and job.result["changed_since"]
    assert (job.result["preview"]["supervised"], job.result["preview"]["already"]) == (0, 1)
    assert "名录在预览后已有变化" in job.message


@pytest.mark.django_db
def test_a_non_market_key_finds_only_the_departments_own_record(world):
    """A 自然人 is looked up among the department's own records: B learns nothing of A's."""
    w = world
    run(w.a_admin, f"{PERSON_HEADER}\n{RIC},张三,130110,,", template=TargetKind.PERSON)
    job = _preview(w.b_admin, f"身份证号\n{RIC}", template=TargetKind.PERSON)
    assert (job.result["preview"]["supervised"], job.result["preview"]["not_found"]) == (0, 1)
    job = confirmed(w.b_admin, job)
    assert job.status == JobStatus.SUCCEEDED and job.result["written"] == 0
    assert not TargetSupervision.objects.filter(department=w.dept_b).exists()


@pytest.mark.django_db
def test_bad_keys_refuse_the_whole_file_with_the_row_and_the_reason(directory):
    w = directory
    job = run(w.b_admin, f"统一社会信用代码\n{U1}\n{U1[:-1]}X\n1.30110E+17", mode="supervise", confirm=False)
    assert job.status == JobStatus.FAILED
    assert [(e["row"], e["field"]) for e in job.result["errors"]] == [
        (3, "统一社会信用代码"),
        (4, "统一社会信用代码"),
    ]
    assert "Excel 已将此列存为数字" in job.result["errors"][1]["reason"]
    assert _supervisors(U1) == {"市场监督管理局"}


@pytest.mark.django_db
def test_an_update_file_of_keys_alone_points_to_the_supervision_mode(directory):
    job = run(directory.b_admin, f"统一社会信用代码,备注\n{U1},x", mode="update")
    assert job.status == JobStatus.FAILED
    assert "请选择“添加监管关系”方式" in job.result["errors"][0]["reason"]


# ---- each import page's modes, and the messages that name one ------------------------------------

_PAGES = {
    "target_import": "directory:target_import",
    "inspector_import": "directory:inspector_import",
    "item_import": "directory:item_import",
}


def _offered(client, url_name) -> list[str]:
    page = client.get(reverse(url_name)).content.decode()
    select = re.search(r'<select name="mode"[^>]*>(.*?)</select>', page, re.S)[1]
    return re.findall(r"<option[^>]*>([^<]*)</option>", select)


@pytest.mark.django_db
def test_each_import_page_offers_its_modes_in_chinese(world, client_for):
    assert _offered(client_for(world.a_admin), _PAGES["target_import"]) == [
        "新增",
        "按代码更新（如每月信用风险分类文件；名录维护部门以外的部门提交为变更建议）",
        "添加监管关系（本部门监管名录中已有的主体，文件只需代码列）",
    ]
    assert _offered(client_for(world.a_admin), _PAGES["inspector_import"]) == ["新增", "按身份证号更新"]
    assert _offered(client_for(world.office), _PAGES["item_import"]) == ["新增", "按事项编码更新"]
    for kind in _PAGES:  # the form's choices come from the one table the messages use
        assert [c for c, _ in ImportForm(kind=kind).fields["mode"].choices] == list(MODE_LABELS[kind])


def _named_modes(job) -> set[str]:
    """The modes a job's messages point the clerk to (请选择“…”)."""
    text = " ".join(e["reason"] for e in job.result.get("errors", []))
    return set(re.findall(r"请选择“([^”]+)”", text))


@pytest.mark.django_db
def test_messages_name_only_modes_the_page_offers(world, client_for):
    w = world
    ric = make_ric("13010219800101123")
    run(w.a_admin, f"姓名,身份证号\n王五,{ric}", kind="inspector_import")
    run(w.office, "事项编码,事项名称,检查方式\nHB-1,甲,实地检查", kind="item_import")
    run(w.a_admin, f"{HEADER}\n{U1},一号,企业,130110,,,,,,,,")
    jobs = {
        "inspector_import": [
            run(w.a_admin, f"姓名,身份证号\n王五,{ric}", kind="inspector_import"),
            run(
                w.a_admin,
                f"姓名,身份证号\n赵六,{make_ric('13010219800101124')}",
                kind="inspector_import",
                mode="update",
            ),
            run(w.a_admin, f"身份证号,备注\n{ric},x", kind="inspector_import", mode="update"),
        ],
        "item_import": [
            run(w.office, "事项编码,事项名称,检查方式\nHB-1,甲,实地检查", kind="item_import"),
            run(w.office, "事项编码,事项名称\nHB-9,乙", kind="item_import", mode="update"),
        ],
        "target_import": [
            run(w.a_admin, f"{HEADER}\n{U1},一号,企业,130110,,,,,,,,"),
            run(w.a_admin, f"统一社会信用代码,名称\n{U_NONE},x", mode="update"),
            run(w.a_admin, f"统一社会信用代码\n{U1}", mode="update"),
        ],
    }
    clerks = {"target_import": w.a_admin, "inspector_import": w.a_admin, "item_import": w.office}
    for kind, refused in jobs.items():
        offered = _offered(client_for(clerks[kind]), _PAGES[kind])
        named = set().union(*map(_named_modes, refused))
        assert named, kind  # each kind's refusals above do point to a mode
        for mode in named:
            assert any(o.startswith(mode) for o in offered), (kind, mode, offered)
