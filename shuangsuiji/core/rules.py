"""规则对照: the one register of the rules the platform encodes (issue 21).

Every rule of the project's rulebook is here with its id, the document and article it comes
from, what the platform does about it, where its numbers are configured and the tests that prove
it. Two readers are generated from this module so that neither can drift from it:

- the page 规则对照 (reports/rules.py reads each configured number's current value per
  jurisdiction and year; reports/views.py shows it to the office and the auditor);
- docs/rules.md, written by `markdown()` below (core/tests/test_rules.py checks the committed
  file equals it). Regenerate with

      .venv/bin/python -m shuangsuiji.core.rules > docs/rules.md

core/tests/test_rules.py also fails when a rule names no test or names a test that does not
exist. Pure data: no Django, no app imported (core is the bottom layer); a setting is named by a
`source` string that reports/rules.py resolves."""

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    ENFORCED = "enforced"
    PARTLY = "partly"
    NOT_YET = "not_yet"


STATUS_LABELS = {Status.ENFORCED: "已执行", Status.PARTLY: "部分执行", Status.NOT_YET: "尚未执行"}


class Kind(StrEnum):
    FIXED = "fixed"  # national law or State Council rule: hard-coded and enforced
    CONFIG = "config"  # a number each jurisdiction or year sets
    PRACTICE = "practice"  # what the seeds ask of offices and departments


KIND_LABELS = {Kind.FIXED: "固定（法律法规）", Kind.CONFIG: "可配置", Kind.PRACTICE: "工作要求"}


@dataclass(frozen=True)
class Setting:
    """A configurable number. `source` says where its current value is read:

    - ``goals:<field>``: the jurisdiction's 年度目标 of the year (planning.YearGoals);
    - ``schedule:<field>``: the jurisdiction's 报送与考核安排 of the year (reports.ReportSchedule);
    - ``setting:<NAME>``: a server setting from the environment (config/settings.py), one value
      for the whole platform;
    - ``constant:<module>:<NAME>``: a value in the code;
    - ``categories``: the result categories in use (inspection.ResultCategory);
    - ``calendar``: the years whose holiday schedule was entered (core.CalendarYear);
    - ``visits``: the shares of the year's return-visit draws (followup.ReturnVisitDraw)."""

    label: str
    where: str
    source: str
    default: str = ""


@dataclass(frozen=True)
class Proof:
    test: str  # a pytest node id: path::function
    says: str  # what it proves, in Chinese (the page shows this)


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    kind: Kind
    source: str
    requirement: str
    platform: str
    status: Status
    proofs: tuple[Proof, ...]
    settings: tuple[Setting, ...] = ()
    missing: str = ""  # what is not yet enforced (PARTLY, NOT_YET)
    code: tuple[str, ...] = ()  # where in the code (docs only)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


@dataclass(frozen=True)
class Unsettled:
    """A question the national rules leave open: how the platform answers it."""

    question: str
    answer: str
    rule: str  # the rule id that carries it


GB54 = "国办发〔2024〕54号《国务院办公厅关于严格规范涉企行政检查的意见》"
GF5 = "国发〔2019〕5号《国务院关于在市场监管领域全面推行部门联合“双随机、一公开”监管的意见》"
XF6 = "国市监信发〔2022〕6号《市场监管总局关于推进企业信用风险分类管理进一步提升监管效能的意见》"
PLAN = "各地“双随机、一公开”监管工作实施方案"

D = "shuangsuiji/directory/tests/"
P = "shuangsuiji/planning/tests/"
W = "shuangsuiji/draw/tests/"
I = "shuangsuiji/inspection/tests/"  # noqa: E741
F = "shuangsuiji/followup/tests/"
R = "shuangsuiji/reports/tests/"
C = "shuangsuiji/core/tests/"
PUB = "shuangsuiji/publicity/tests/"
A = "shuangsuiji/archive/tests/"
T = "shuangsuiji/triggers/tests/"

_GOALS = "年度目标（双随机办公室按辖区、按年度设定）"
_SCHEDULE = "报送与考核安排（双随机办公室按辖区、按年度设定）"
_SERVER = "服务器配置（全平台统一，由运维人员设定）"

RULES: tuple[Rule, ...] = (
    # ---- A. 一单两库一指引 -------------------------------------------------------------------
    Rule(
        id="R-ITEM-1",
        title="抽查事项清单与认领",
        kind=Kind.FIXED,
        source=GB54,
        requirement="事项分为一般检查事项（严格控制抽查比例）和重点检查事项（比例不设上限），每项写明编码、名称、"
        "子项、依据、实施层级、对象类型、检查方式和人员要求；部门只能实施本部门认领的事项，未公布的事项不得检查。",
        platform="事项清单由办公室维护并发布，部门只能认领已发布的本辖区事项；任务只能选用已发布、且参加部门已认领的事项，"
        "事项停用或未认领时任务不能开始抽取。",
        status=Status.PARTLY,
        missing="一般检查事项的抽查比例上限尚未设置校验（事项类别已记录）。",
        proofs=(
            Proof(D + "test_services.py::test_item_claim_and_unclaim", "认领与取消认领已发布事项"),
            Proof(
                D + "test_services.py::test_item_claim_only_from_the_lists_of_ones_own_jurisdiction",
                "只能认领本辖区清单中的事项",
            ),
            Proof(D + "test_views.py::test_unpublished_item_cannot_be_claimed", "未发布的事项不能认领"),
            Proof(P + "test_services.py::test_task_rules", "任务拒绝未发布或未认领的事项"),
        ),
        code=("directory/services.py item_claim", "planning/services.py _validate_task, task_startable"),
    ),
    Rule(
        id="R-ITEM-2",
        title="检查方式与非现场检查优先",
        kind=Kind.FIXED,
        source=GB54,
        requirement="检查方式包括实地检查、书面检查、网络监测、视频检查、信息共享、检验检测、委托专业机构辅助；"
        "能以非现场方式完成的，不得入企现场检查。",
        platform="事项登记可用的检查方式；只能非现场检查的事项不能选实地检查方式，检查人员对这类事项不能扫码入企。",
        status=Status.ENFORCED,
        proofs=(
            Proof(
                D + "test_items.py::test_offsite_item_cannot_list_onsite_method", "非现场事项不能列实地检查"
            ),
            Proof(
                I + "test_services.py::test_a_class_needs_a_reason_and_offsite_items_refuse_checkin",
                "非现场事项拒绝入企签到",
            ),
            Proof(D + "test_services.py::test_item_publish_needs_methods", "事项须写明检查方式才能发布"),
        ),
        code=("directory/models.py Item.methods", "inspection/services.py checkin"),
    ),
    Rule(
        id="R-TGT-1",
        title="检查对象名录库",
        kind=Kind.FIXED,
        source=GF5,
        requirement="检查对象包括企业、个体工商户、农民专业合作社、其他经营主体，以及自然人、产品、项目、场所等非市场主体；"
        "市场主体以统一社会信用代码为唯一标识。",
        platform="对象按类型登记：市场主体以统一社会信用代码为键（全平台唯一），自然人只存摘要和打码号码，"
        "产品、项目、场所以部门编码为键；数据库约束保证键与类型相符。",
        status=Status.ENFORCED,
        proofs=(
            Proof(
                D + "test_services.py::test_target_create_market_subject_keyed_by_uscc",
                "市场主体以信用代码为键",
            ),
            Proof(
                D + "test_services.py::test_target_create_person_keeps_only_a_digest_and_a_masked_number",
                "自然人只存摘要和打码号码",
            ),
            Proof(
                D + "test_services.py::test_target_create_project_keyed_by_the_departments_code",
                "项目以部门编码为键",
            ),
            Proof(
                D + "test_services.py::test_target_create_refuses_a_duplicate_even_from_another_department",
                "同一代码不能重复登记",
            ),
        ),
        code=("directory/models.py Target", "directory/services.py target_create"),
    ),
    Rule(
        id="R-TGT-2",
        title="企业信用风险分类（内部使用）",
        kind=Kind.FIXED,
        source=XF6,
        requirement="每个对象有信用风险分类 A（低）/ B（一般）/ C（较高）/ D（高），可按月更新；分类仅供内部使用，"
        "不在公示门户显示。",
        platform="只接受 A–D 四类，修改留痕（原值与新值）；可按月导入分类文件；公示门户、抽取公示记录和导出文件中"
        "不出现任何企业的分类或分层。",
        status=Status.ENFORCED,
        proofs=(
            Proof(
                D + "test_services.py::test_target_create_refuses_an_unknown_risk_class", "只接受 A–D 四类"
            ),
            Proof(
                D + "test_services.py::test_target_update_risk_class_records_from_and_to",
                "分类修改记录原值和新值",
            ),
            Proof(
                D + "test_import_columns.py::test_a_county_risk_file_updates_the_risk_class",
                "按月导入分类文件",
            ),
            Proof(
                PUB + "test_class_secrecy.py::test_no_public_output_joins_a_firm_to_its_stratum_or_class",
                "公开内容不暴露企业分类",
            ),
        ),
        code=("directory/models.py RiskClass", "publicity/"),
    ),
    Rule(
        id="R-INS-1",
        title="执法检查人员名录库",
        kind=Kind.FIXED,
        source=f"{GF5}；{GB54}",
        requirement="名录库只收持有效执法证的人员（证号、有效期）；专家和第三方人员可参加检查组，但不计入最低人数；"
        "每名人员标注执法资质和业务专长。",
        platform="执法证过期的人员不再被抽取；专家不需执法证，抽取检查组时不计入人数；业务专长取自人员标签库。",
        status=Status.ENFORCED,
        proofs=(
            Proof(
                D + "test_services.py::test_certificate_expiry_decides_drawability",
                "执法证有效期决定能否被抽取",
            ),
            Proof(
                W + "test_engine.py::test_team_covers_specialties_and_never_counts_experts",
                "专家不计入检查组人数",
            ),
            Proof(
                D + "test_services.py::test_inspector_create_refuses_specialties_it_may_not_use",
                "业务专长只能取自可用标签",
            ),
        ),
        code=("directory/models.py Inspector", "draw/engine.py"),
    ),
    Rule(
        id="R-TAG-1",
        title="分类标签库",
        kind=Kind.PRACTICE,
        source="各地实施方案（分类标注）",
        requirement="标签库为检查对象（国民经济行业、重点领域、信用标签）和执法人员（业务专长）分类，使任务能精准抽取对象、"
        "匹配人员。",
        platform="办公室维护辖区共用标签，部门维护本部门标签；任务按标签、行业、类型限定抽取范围，检查组按专长匹配。",
        status=Status.ENFORCED,
        proofs=(
            Proof(
                D + "test_services.py::test_office_keeps_shared_tags_and_a_department_its_own",
                "共用标签与部门标签分别维护",
            ),
            Proof(D + "test_views.py::test_target_list_filters_by_tag", "按标签筛选检查对象"),
            Proof(
                W + "test_draw_services.py::test_team_draw_fails_whole_when_a_specialty_is_missing",
                "缺少所需专长时检查组抽取整体失败",
            ),
            Proof(
                P + "test_services.py::test_task_sent_down_appears_in_the_lower_plan",
                "下派任务保留上级任务的标签、行业和类型范围",
            ),
        ),
        code=("directory/models.py Tag", "planning/selectors.py task_scope_targets"),
    ),
    # ---- B. Plans and tasks ----------------------------------------------------------------------
    Rule(
        id="R-PLAN-1",
        title="年度抽查计划与调整",
        kind=Kind.FIXED,
        source=f"{GF5}；{PLAN}",
        requirement="各部门年初制定并公示年度抽查计划，每个任务写明范围、事项、比例或数量、时间、牵头和参加部门；"
        "未列入已公示计划的任务，须说明理由调整计划并重新公示后方可开展。",
        platform="计划经办公室审核后公示并留存版本；公示后只能发起调整（填写原因）、重新审核公示；"
        "不在已公示计划中的任务不能抽取。",
        status=Status.ENFORCED,
        proofs=(
            Proof(
                P + "test_services.py::test_plan_lifecycle_with_adjustment_history",
                "计划公示、调整及版本记录",
            ),
            Proof(
                W + "test_draw_services.py::test_task_outside_the_published_plan_cannot_start",
                "未列入已公示计划的任务不能开始",
            ),
            Proof(P + "test_services.py::test_state_table_and_voids_keep_records", "任务状态变化与作废留痕"),
        ),
        code=("planning/services.py plan_approve, plan_adjust_open, task_startable",),
    ),
    Rule(
        id="R-PLAN-2",
        title="年度目标",
        kind=Kind.CONFIG,
        source=f"{PLAN}；{GF5}",
        requirement="各辖区按本年度实施方案设定目标：抽查企业覆盖率（分母为口径日在册企业数）、联合抽查次数占比、"
        "联合抽查户数占比、运用信用风险分类抽查次数占比、结果按时公示率、后续处置率；每个数都按年度设定。",
        platform="办公室在年度目标页设定（或载入各地方案预设），修改留痕；指标看板按目标实时计算并着色。",
        status=Status.ENFORCED,
        settings=(
            Setting("抽查企业覆盖率不低于", _GOALS, "goals:coverage", "未设定（各地方案多为 3%）"),
            Setting("企业数口径日期", _GOALS, "goals:coverage_snapshot", "上年 12 月 31 日"),
            Setting("覆盖率按任务层级分解", _GOALS, "goals:coverage_by_level", "不分解"),
            Setting("联合抽查次数占比不低于", _GOALS, "goals:joint_task_share", "未设定"),
            Setting("联合抽查户数占比不低于", _GOALS, "goals:joint_household_share", "未设定"),
            Setting("信用风险分类抽查次数占比不低于", _GOALS, "goals:credit_share", "未设定"),
            Setting("抽查结果按时公示率", _GOALS, "goals:publicity_on_time", "100%"),
            Setting("后续处置率", _GOALS, "goals:followup_rate", "100%"),
        ),
        proofs=(
            Proof(P + "test_services.py::test_every_seed_preset_loads", "各地方案预设均可载入"),
            Proof(P + "test_services.py::test_goals_adjusted_and_audited", "目标修改留痕"),
            Proof(R + "test_kpi.py::test_kpis_and_colours_of_the_scenario", "指标按目标计算和着色"),
        ),
        code=("planning/models.py YearGoals", "reports/kpi.py"),
    ),
    Rule(
        id="R-PLAN-3",
        title="按信用风险分类确定抽查比例",
        kind=Kind.CONFIG,
        source=f"{XF6}；{GB54}",
        requirement="按分类设定抽查比例和频次（如 A 1%、B 3%、C 10%、D 30%）；A 类对象无事不扰，"
        "无因不主动入企现场检查；按设置对 D 类对象的重点事项全覆盖。",
        platform="任务按 A/B/C/D 分别设比例（未填的类取默认比例），未分类的对象按一般风险（B）比例抽取；"
        "A 类对象本年度已被抽中的不再抽取，对 A 类对象入企签到须填写事由。",
        status=Status.PARTLY,
        missing="D 类对象重点事项全覆盖的设置尚未实现。",
        settings=(
            Setting(
                "各类默认抽查比例",
                "平台默认值（每个任务可逐类修改）",
                "constant:shuangsuiji.planning.models:DEFAULT_RATIOS",
                "A 1%、B 3%、C 10%、D 30%",
            ),
        ),
        proofs=(
            Proof(P + "test_services.py::test_task_rules", "未填的类取默认比例"),
            Proof(I + "test_views.py::test_low_risk_target_checkin_needs_a_reason", "A 类对象入企须填写事由"),
            Proof(
                W + "test_pool.py::test_the_a_class_exclusion_follows_the_class_the_draw_uses",
                "A 类对象本年度不重复抽取",
            ),
            Proof(
                P + "test_simulator.py::test_default_bounds_keep_the_risk_order", "测算建议保持风险高低顺序"
            ),
        ),
        code=("planning/models.py DEFAULT_RATIOS", "draw/services.py", "inspection/services.py checkin"),
    ),
    # ---- C. The draws ----------------------------------------------------------------------------
    Rule(
        id="R-DRAW-1",
        title="随机抽取对象和人员，过程留痕",
        kind=Kind.FIXED,
        source=GF5,
        requirement="检查对象和执法检查人员都随机抽取，公开公平，过程留痕；按分层（风险分类、标签、区域）和任务比例抽取。",
        platform="抽取前冻结并公告对象池和承诺，见证人承诺并揭示随机数，结合公告前尚未产生的公开随机值生成种子；"
        "按分层抽取，公示记录任何人可复算验证。",
        status=Status.ENFORCED,
        settings=(Setting("每次抽取的最少见证人数", _SERVER, "setting:DRAW_MIN_WITNESSES", "2"),),
        proofs=(
            Proof(
                W + "test_draw_services.py::test_announce_freezes_and_commits_a_stratified_pool",
                "公告时冻结分层对象池并作出承诺",
            ),
            Proof(
                W + "test_draw_services.py::test_full_draw_verifies_and_a_changed_record_does_not",
                "抽取记录可验证，被改动的记录验证不通过",
            ),
            Proof(W + "test_engine.py::test_every_position_equally_likely", "每个位置被抽中的概率相同"),
            Proof(W + "test_draw_services.py::test_witness_protocol", "见证人承诺与揭示"),
        ),
        code=("draw/engine.py", "draw/services.py", "docs/draw-spec.md"),
    ),
    Rule(
        id="R-DRAW-2",
        title="每个对象至少两名执法人员",
        kind=Kind.FIXED,
        source="《中华人民共和国行政处罚法》第四十二条",
        requirement="每个检查对象至少由两名执法人员检查，专家不计入。",
        platform="任务的每组人数不得少于 2 名；抽取检查组时专家不计入人数，人数不足时抽取失败并说明原因。",
        status=Status.ENFORCED,
        proofs=(
            Proof(P + "test_services.py::test_task_rules", "每组少于 2 名时拒绝保存任务"),
            Proof(
                W + "test_engine.py::test_team_covers_specialties_and_never_counts_experts",
                "专家不计入检查组人数",
            ),
            Proof(W + "test_engine.py::test_team_failures_name_what_is_missing", "人数不足时说明缺少什么"),
        ),
        code=("planning/services.py _validate_task", "draw/engine.py"),
    ),
    Rule(
        id="R-DRAW-3",
        title="回避",
        kind=Kind.FIXED,
        source=GF5,
        requirement="与对象有直接利害关系或亲属、原任职等关系（含本人申报）的执法人员不得被抽中检查该对象；"
        "对象可对抽中的人员申请回避，由部门负责人决定并留痕。",
        platform="登记的利害关系在抽取检查组时排除；回避申请由复核人员（主管领导）决定，抽取人不能自己决定，"
        "替换人员按记录确定性抽取。",
        status=Status.ENFORCED,
        proofs=(
            Proof(W + "test_draw_services.py::test_conflicts_are_honoured", "登记的利害关系被排除"),
            Proof(
                W
                + "test_draw_services.py::test_recusal_decided_by_the_leader_with_a_deterministic_replacement",
                "回避由负责人决定，替换人员确定性抽取",
            ),
            Proof(W + "test_draw_services.py::test_the_drawer_cannot_decide_recusal", "抽取人不能决定回避"),
        ),
        code=("directory/models.py Conflict", "draw/services.py recusal_decide"),
    ),
    Rule(
        id="R-DRAW-4",
        title="检查频次上限与不重复检查",
        kind=Kind.CONFIG,
        source=GB54,
        requirement="同一部门一年内对同一企业的检查不超过规定次数（双随机默认 1 次，各部门公布本部门上限）；"
        "低风险（A 类）对象一年内不重复抽取；已在本年度其他未结任务中的对象排除或合并检查。",
        platform="冻结对象池时按顺序排除：已在本部门未结任务中的对象、本年度已达上限的对象、本年度已被抽中的 A 类对象、"
        "近期已由本部门触发式检查（经批准、有相同检查事项、未作废）的对象；排除的数量按原因公示。"
        "随机抽查已抽中的对象有待处置的触发事项时，可并入该次检查（一次检查、全面体检），不另立任务。",
        status=Status.PARTLY,
        missing="频次上限目前全平台一个数，尚不能按部门分别设定。",
        settings=(
            Setting("同一部门每年抽查同一对象的次数上限", _SERVER, "setting:DRAW_CAP_PER_DEPARTMENT", "1 次"),
            Setting(
                "触发式检查后不再随机抽取同一对象的天数",
                _SERVER,
                "setting:TRIGGERED_EXCLUSION_DAYS",
                "180 天",
            ),
        ),
        proofs=(
            Proof(
                W + "test_draw_services.py::test_frequency_cap_excludes_with_reasons",
                "达到上限的对象按原因排除",
            ),
            Proof(
                W + "test_pool.py::test_every_exclusion_reason_on_this_databases_path", "每种排除原因都生效"
            ),
            Proof(
                T
                + "test_exclusion.py::test_a_triggered_target_is_excluded_from_the_random_draw_with_its_reason",
                "触发式检查的对象不再被同一部门同一事项的随机抽查抽取，冻结的对象池记录排除原因",
            ),
            Proof(
                T + "test_exclusion.py::test_only_the_same_items_same_department_and_window_count",
                "只排除相同事项、本部门、期限内的触发式检查对象，期限可配置",
            ),
            Proof(
                T + "test_exclusion.py::test_a_trigger_approved_after_the_freeze_does_not_count",
                "对象池冻结之后才批准的触发式检查不改变已冻结的对象池",
            ),
            Proof(
                T + "test_exclusion.py::test_a_voided_triggered_task_excludes_nothing",
                "作废的触发式检查任务不排除任何对象",
            ),
            Proof(
                T + "test_services.py::test_a_random_visit_to_the_target_can_take_the_trigger_in",
                "触发事项并入已抽中该对象的随机抽查，一次检查同时办理",
            ),
        ),
        code=("draw/pool.py _exclusion_sets, triggered_targets", "triggers/services.py trigger_merge"),
    ),
    Rule(
        id="R-DRAW-5",
        title="部门联合抽查一次抽取对象",
        kind=Kind.FIXED,
        source=GF5,
        requirement="部门联合任务对所有参加部门只抽取一次检查对象；各参加部门各自抽取本部门人员，组成联合检查组。",
        platform="联合任务只有一次对象抽取；每个参加部门各自抽取本部门的检查人员，组成联合检查组。",
        status=Status.ENFORCED,
        proofs=(
            Proof(
                W + "test_draw_services.py::test_joint_task_one_draw_each_department_its_own_team",
                "联合任务一次抽取对象，各部门各抽人员",
            ),
        ),
        code=("draw/services.py teams_draw",),
    ),
    Rule(
        id="R-DRAW-6",
        title="抽取作废与重抽",
        kind=Kind.CONFIG,
        source=GF5,
        requirement="抽取只能以作废（写明原因）的方式重做，作废留痕并公示，作废和重抽都可查看。",
        platform="作废须选列明的原因并填写说明，由任务所在层级的办公室确认；作废记录和重抽记录都公示并互相链接；"
        "与对象池有关的作废只替换被移除的对象，不能借作废重新抽签。",
        status=Status.ENFORCED,
        proofs=(
            Proof(
                W + "test_voids.py::test_the_request_needs_a_listed_reason_and_a_text",
                "作废须有列明的原因和说明",
            ),
            Proof(W + "test_voids.py::test_the_office_of_the_tasks_level_confirms", "由办公室确认作废"),
            Proof(W + "test_draw_services.py::test_void_and_redraw_both_kept", "作废与重抽都保留"),
            Proof(
                W
                + "test_voids.py::test_the_public_page_of_a_voided_draw_shows_the_reason_and_the_office_confirmation",
                "公示页显示作废原因和办公室确认",
            ),
        ),
        code=("draw/voids.py",),
    ),
    # ---- D. Inspection and results ---------------------------------------------------------------
    Rule(
        id="R-INSP-1",
        title="亮证与扫码入企",
        kind=Kind.FIXED,
        source=f"{GB54}；{PLAN}",
        requirement="执法人员亮证并扫码入企：企业扫检查二维码核验检查组和任务，或执法人员扫企业码，签到时间留痕；"
        "无有效码的检查企业可以拒绝。",
        platform="检查告知书带二维码和执法证号；企业扫码看到本次检查的任务和检查组；只有检查组成员能签到，"
        "签到时间记录；伪造或作废任务的码显示无效。",
        status=Status.ENFORCED,
        proofs=(
            Proof(I + "test_services.py::test_checkin_rules", "签到规则"),
            Proof(I + "test_views.py::test_public_checkin_button_records_the_checkin", "扫码签到被记录"),
            Proof(I + "test_views.py::test_public_page_with_a_forged_code", "伪造的码无效"),
            Proof(
                I + "test_views.py::test_notice_has_the_qr_the_certificates_and_never_an_id_number",
                "告知书有二维码和执法证号，不含身份证号",
            ),
        ),
        code=("inspection/services.py checkin", "inspection/views.py"),
    ),
    Rule(
        id="R-INSP-2",
        title="结果 20 个工作日内录入公示",
        kind=Kind.CONFIG,
        source=f"{GF5}；{PLAN}",
        requirement="检查结束后 20 个工作日内录入并公示结果（工作日按国家节假日和调休安排计算）；谁检查、谁录入、谁公开，"
        "联合检查各部门录入本部门部分。",
        platform="检查完毕即按工作日历计算公示期限；逾期列入进度和考核；联合检查各部门只录入、只看到本部门部分。",
        status=Status.ENFORCED,
        settings=(
            Setting("结果录入公示期限（工作日）", _SERVER, "setting:RESULT_DUE_WORKDAYS", "20 个工作日"),
            Setting(
                "已录入全年节假日安排的年度",
                "节假日安排（办公室或系统管理员录入）",
                "calendar",
                "只按周末计算",
            ),
        ),
        proofs=(
            Proof(
                I + "test_services.py::test_finish_starts_the_twenty_working_day_clock",
                "检查完毕起算 20 个工作日",
            ),
            Proof(C + "test_calendar.py::test_twenty_working_days_across_may_day", "跨五一假期和调休计算"),
            Proof(
                I + "test_partners.py::test_partner_lists_show_only_their_own_part",
                "联合检查各部门只见本部门部分",
            ),
        ),
        code=("inspection/services.py inspection_finish", "core/calendar.py"),
    ),
    Rule(
        id="R-INSP-3",
        title="检查结果类别",
        kind=Kind.CONFIG,
        source="市场监管总局抽查结果公示用语（国家未统一现行用语）",
        requirement="结果类别可多选（每个对象、每个事项），默认清单包括：未发现问题、未按规定公示应当公示的信息、"
        "发现问题已责令改正、发现问题待后续处理、不合格、已关闭停业或正在组织清算等。",
        platform="结果类别是一张可维护的清单，每个事项至少选一个类别；属于发现问题的类别进入台账。",
        status=Status.ENFORCED,
        settings=(Setting("启用的结果类别", "检查结果类别表（全平台）", "categories", "15 个默认类别"),),
        proofs=(
            Proof(I + "test_services.py::test_result_entry_rules", "结果录入规则"),
            Proof(I + "test_views.py::test_result_without_a_category_names_the_field", "未选类别时指明字段"),
        ),
        code=("inspection/models.py ResultCategory",),
    ),
    Rule(
        id="R-INSP-4",
        title="结果复核与更正",
        kind=Kind.PRACTICE,
        source=PLAN,
        requirement="结果公示前由录入人以外的人员复核；公示后的更正留痕并重新公示（5 个工作日内）。",
        platform="录入人不能复核自己的结果；复核通过即公示；公示后发起更正须写明原因，重新录入、复核、公示，记录版本。",
        status=Status.PARTLY,
        missing="更正后 5 个工作日内重新公示的期限尚未计算和提醒。",
        proofs=(
            Proof(I + "test_views.py::test_the_entering_person_cannot_approve", "录入人不能复核"),
            Proof(I + "test_services.py::test_review_publish_correct_and_close", "复核、公示、更正和办结"),
            Proof(I + "test_views.py::test_reviewer_opens_a_correction_after_publication", "公示后发起更正"),
        ),
        code=("inspection/services.py review_approve, correction_open",),
    ),
    # ---- E. Follow-up ----------------------------------------------------------------------------
    Rule(
        id="R-FUP-1",
        title="后续处置闭环",
        kind=Kind.FIXED,
        source=f"{GF5}；《企业经营异常名录管理暂行办法》",
        requirement="发现的问题都进入台账并处置：责令整改（有期限）、立案查处、抄告移送、移送司法机关、"
        "列入经营异常名录（核实后 10 个工作日内）、信用惩戒；记录结果前一直未结，处罚结果公示。",
        platform="结果公示时每个问题自动建台账；处置、移送、整改核查都有期限和记录；列入经营异常名录期限为发现后"
        " 10 个工作日；处罚结果在公示门户公开。",
        status=Status.ENFORCED,
        settings=(
            Setting(
                "选定处置方式的期限（工作日）",
                "平台默认值",
                "constant:shuangsuiji.followup.services:DISPOSE_WORKDAYS",
                "10 个工作日",
            ),
            Setting(
                "列入经营异常名录期限（工作日）",
                "法定（代码中固定）",
                "constant:shuangsuiji.followup.services:ABNORMAL_LIST_WORKDAYS",
                "10 个工作日",
            ),
        ),
        proofs=(
            Proof(F + "test_services.py::test_approval_opens_one_entry_per_problem", "每个问题建一条台账"),
            Proof(
                F + "test_services.py::test_abnormal_list_is_due_ten_working_days_after_the_finding",
                "经营异常名录 10 个工作日期限",
            ),
            Proof(
                F + "test_services.py::test_case_penalty_is_published_and_deadlines_are_computed",
                "立案处罚公示并计算期限",
            ),
            Proof(
                F
                + "test_services.py::test_transfer_lands_in_the_inbox_is_accepted_and_closed_by_the_receiver",
                "移送由接收部门受理和办结",
            ),
        ),
        code=("followup/services.py",),
    ),
    Rule(
        id="R-FUP-2",
        title="回访",
        kind=Kind.CONFIG,
        source="各地实施方案（回访机制）",
        requirement="对已完成的检查随机抽取一部分回访，检查是否走形式、随意录入；回访发现计入考核。",
        platform="办公室按比例随机抽取已公示的检查回访，抽取可复算；回访发现随意录入等问题计入督查考核扣分。",
        status=Status.ENFORCED,
        settings=(Setting("回访抽取比例", "每次回访抽取时由办公室填写", "visits", "每次抽取时填写"),),
        proofs=(
            Proof(
                F + "test_return_visits.py::test_draw_is_reproducible_from_its_public_record",
                "回访抽取可复算",
            ),
            Proof(
                F + "test_return_visits.py::test_findings_are_recorded_and_careless_ones_feed_the_assessment",
                "回访发现计入考核",
            ),
        ),
        code=("followup/services.py visit_draw_announce",),
    ),
    # ---- F. Reporting ----------------------------------------------------------------------------
    Rule(
        id="R-RPT-1",
        title="月报表",
        kind=Kind.PRACTICE,
        source="清河县 2025 年实施方案附件《县有关部门“双随机、一公开”监管工作月报表》",
        requirement="按部门报送本年度累计月报表：总计、部门内部、部门联合、涉及企业、利用信用风险分级分类，各列次数、"
        "抽查总户数、完成检查户数、发现问题户数；联合任务每个参加部门各计一次，辖区另按每个任务和对象只计一次统计。",
        platform="平台按表样自动计算并说明口径；部门填写其他平台数据、报送并留存快照；导出 Excel 注明统计期间，"
        "辖区导出另附“每个任务和对象只计一次”工作表；发现问题户数在任何口径下都不超过完成检查户数。",
        status=Status.ENFORCED,
        proofs=(
            Proof(R + "test_monthly.py::test_every_cell_of_the_june_report", "六月报表每一格与手算一致"),
            Proof(
                R
                + "test_monthly_loose_ends.py::test_problem_households_never_exceed_finished_ones_in_any_view",
                "发现问题户数不超过完成检查户数",
            ),
            Proof(
                R
                + "test_monthly_loose_ends.py::test_natural_persons_of_a_per_risk_class_task_stay_out_of_the_credit_row",
                "自然人不计入信用风险分类一行",
            ),
            Proof(
                R
                + "test_monthly_loose_ends.py::test_page_and_xlsx_state_the_period_label_the_columns_and_carry_both_views",
                "页面和 Excel 注明统计期间、列名和两种口径",
            ),
            Proof(
                R + "test_rollup.py::test_rollup_equals_the_base_tables_after_random_service_calls",
                "汇总数据与明细计算一致",
            ),
        ),
        code=("reports/monthly.py", "reports/xlsx.py"),
    ),
    Rule(
        id="R-RPT-2",
        title="指标看板与逾期清单",
        kind=Kind.PRACTICE,
        source=PLAN,
        requirement="按年度目标实时显示各项指标（辖区和各部门），并列出逾期清单：超过 20 个工作日的结果、未公示的结果、"
        "超期未处置的问题、未按期公示的计划。",
        platform="指标看板按辖区和部门实时计算并着色，每个数字都可展开为名单；进度页标出逾期结果；督查考核列出各类逾期。",
        status=Status.ENFORCED,
        settings=(Setting("年度抽查计划公示截止日", _SCHEDULE, "schedule:plan_publish_by", "默认安排"),),
        proofs=(
            Proof(R + "test_kpi.py::test_kpis_and_colours_of_the_scenario", "各项指标和颜色"),
            Proof(R + "test_kpi.py::test_drill_down_lists_match_the_figures", "展开名单与数字一致"),
            Proof(I + "test_views.py::test_progress_list_shows_overdue", "进度页标出逾期"),
            Proof(R + "test_assessment.py::test_counts_score_and_drill_downs", "督查考核的各类逾期"),
        ),
        code=("reports/kpi.py", "reports/drill.py", "reports/assessment.py"),
    ),
    # ---- F2. Running the year --------------------------------------------------------------------
    Rule(
        id="R-ADM-1",
        title="“一业一查”部门联合抽查事项清单",
        kind=Kind.PRACTICE,
        source="省、市“一业一查”部门联合随机抽查事项清单",
        requirement="按行业列明联合检查的部门和事项；辖区据此细化本级清单，建立联合检查对象库和联合执法人员库，"
        "联合任务从清单出发。",
        platform="办公室维护本辖区一业一查清单（行业、牵头和参加部门、已发布事项），部门联合任务可从清单出发。",
        status=Status.PARTLY,
        missing="单独的联合检查对象库和联合执法人员库尚未建立（联合任务使用各部门的名录库）。",
        proofs=(
            Proof(P + "test_services.py::test_joint_list_rules", "清单须有参加部门、本辖区部门和已发布事项"),
        ),
        code=("planning/models.py JointList",),
    ),
    Rule(
        id="R-ADM-2",
        title="信息联络员与报送日程",
        kind=Kind.CONFIG,
        source="鹿泉区、馆陶县、清河县实施方案",
        requirement="各部门指定信息联络员；月报表每月按规定日期前报送，进展情况按规定日期报送；"
        "办公室掌握谁已报送、谁逾期；日期按辖区、年度设定。",
        platform="办公室按年度设定报送日和季度截止日；报送情况页列出已报送和逾期的部门。",
        status=Status.ENFORCED,
        settings=(
            Setting("月报表报送日（次月）", _SCHEDULE, "schedule:monthly_due_day", "20 日"),
            Setting("一季度进展情况报送截止", _SCHEDULE, "schedule:q1_due", "默认安排"),
            Setting("二季度进展情况报送截止", _SCHEDULE, "schedule:q2_due", "默认安排"),
            Setting("三季度进展情况报送截止", _SCHEDULE, "schedule:q3_due", "默认安排"),
            Setting("四季度（全年总结）报送截止", _SCHEDULE, "schedule:q4_due", "默认安排"),
        ),
        proofs=(
            Proof(R + "test_schedule.py::test_the_office_sets_the_schedule", "办公室设定报送日程"),
            Proof(R + "test_schedule.py::test_who_submitted_who_is_late", "谁已报送、谁逾期"),
        ),
        code=("reports/models.py ReportSchedule",),
    ),
    Rule(
        id="R-ADM-3",
        title="实施方案任务分工",
        kind=Kind.PRACTICE,
        source="馆陶县等实施方案（责任单位、完成时限）",
        requirement="实施方案分配工作，写明责任单位和完成时限；办公室可跟踪这些节点。",
        platform="办公室录入或载入方案的任务分工，责任单位标记完成，逾期的节点列出。",
        status=Status.ENFORCED,
        proofs=(
            Proof(P + "test_workplan.py::test_preset_loads_the_seed_assignments_once", "载入方案的任务分工"),
            Proof(P + "test_workplan.py::test_done_reopen_and_late_list", "完成、重开和逾期清单"),
        ),
        code=("planning/models.py Milestone",),
    ),
    Rule(
        id="R-ADM-4",
        title="任务档案",
        kind=Kind.PRACTICE,
        source="秦皇岛市双随机工作规范（归档）",
        requirement="任务结束后归档完整并签字：实施方案、抽取记录、告知书、检查记录、结果、复核、后续处置，每个任务一卷。",
        platform="办结的任务可下载一个档案包，包含计划、抽取记录、检查记录表（含签字栏）、结果、复核和后续处置，"
        "附文件清单和校验值。",
        status=Status.ENFORCED,
        proofs=(
            Proof(
                A + "test_dossier.py::test_closed_task_archive_is_complete_and_checkable", "档案完整且可校验"
            ),
            Proof(A + "test_dossier.py::test_a_task_not_closed_is_refused", "未办结的任务不能归档"),
        ),
        code=("archive/dossier.py",),
    ),
    Rule(
        id="R-ADM-5",
        title="作废与逾期计入考核",
        kind=Kind.CONFIG,
        source="石家庄市 2021 年、秦皇岛市 2023 年督查考核办法",
        requirement="作废的方案和抽取、逾期录入计入考核：考核工作质量，不只看数量。",
        platform="督查考核按部门统计逾期公示、未公示、处置逾期、计划未按期公示、作废、回访发现的随意录入，按权重扣分。",
        status=Status.ENFORCED,
        settings=(
            Setting("逾期公示结果 每条扣分", _SCHEDULE, "schedule:w_late_result", "1 分"),
            Setting("逾期未公示结果 每条扣分", _SCHEDULE, "schedule:w_unpublished", "2 分"),
            Setting("后续处置逾期 每条扣分", _SCHEDULE, "schedule:w_overdue_followup", "2 分"),
            Setting("计划未按期公示 扣分", _SCHEDULE, "schedule:w_plan_late", "5 分"),
            Setting("方案/抽取作废 每次扣分", _SCHEDULE, "schedule:w_voided", "3 分"),
            Setting("回访发现随意录入等 每条扣分", _SCHEDULE, "schedule:w_careless", "2 分"),
        ),
        proofs=(Proof(R + "test_assessment.py::test_counts_score_and_drill_downs", "各项计数、扣分和名单"),),
        code=("reports/assessment.py",),
    ),
    # ---- G. Identifiers (the rulebook gives them no id; the project names them R-ID-*) ----------
    Rule(
        id="R-ID-1",
        title="统一社会信用代码",
        kind=Kind.FIXED,
        source="GB 32100-2015《法人和其他组织统一社会信用代码编码规则》",
        requirement="18 位，字符取自规定的字符集，末位为校验码（模 31），第 3–8 位为登记管理机关行政区划码。",
        platform="录入、导入和接口都校验代码和校验码，错误时说明原因但不提示“正确”的校验码；区划码已撤销或未知时提示。",
        status=Status.ENFORCED,
        proofs=(
            Proof(
                C + "test_identifiers.py::test_valid_uscc_is_normalized_and_gives_its_region",
                "合法代码及其区划",
            ),
            Proof(C + "test_identifiers.py::test_bad_uscc_says_why_in_chinese", "错误代码说明原因"),
            Proof(
                C + "test_identifiers.py::test_wrong_check_character_does_not_invite_changing_the_last_one",
                "不提示改末位",
            ),
        ),
        code=("core/identifiers.py",),
    ),
    Rule(
        id="R-ID-2",
        title="居民身份证号码",
        kind=Kind.FIXED,
        source="GB 11643-1999《公民身份号码》",
        requirement="长度、字符、出生日期和校验码决定是否有效；出生时尚不存在的地址码只作提示；打码显示，从不公开。",
        platform="校验号码，只存摘要和打码号码；页面和公示内容不显示完整号码。",
        status=Status.ENFORCED,
        proofs=(
            Proof(C + "test_identifiers.py::test_ric_checked_and_masked", "校验并打码"),
            Proof(
                C + "test_identifiers.py::test_ric_with_impossible_birth_date_refused", "出生日期不可能时拒绝"
            ),
            Proof(
                D
                + "test_import_values.py::test_a_hebei_id_born_before_its_code_entered_stdnum_is_accepted_with_a_warning",
                "地址码晚于出生只作提示",
            ),
            Proof(
                I + "test_views.py::test_target_and_public_pages_never_show_an_id_number",
                "页面从不显示身份证号",
            ),
        ),
        code=("core/identifiers.py",),
    ),
    Rule(
        id="R-ID-3",
        title="行政区划代码",
        kind=Kind.FIXED,
        source="GB/T 2260《中华人民共和国行政区划代码》",
        requirement="6 位数字，依次为省、地、县级。",
        platform="区划表按代码推导层级和上级，保留已撤销的代码以识别旧代码。",
        status=Status.ENFORCED,
        proofs=(
            Proof(
                C + "test_identifiers.py::test_region_levels_and_parents_from_code_shape",
                "按代码推导层级和上级",
            ),
            Proof(C + "test_regions.py::test_shipped_hebei_tables_keep_retired_codes", "保留已撤销的代码"),
        ),
        code=("core/identifiers.py", "core/regiondata.py"),
    ),
    Rule(
        id="R-ID-4",
        title="国民经济行业分类",
        kind=Kind.FIXED,
        source="GB/T 4754-2017《国民经济行业分类》",
        requirement="门类字母 A–T，其下为 2、3、4 位数字的大类、中类、小类。",
        platform="内置完整的行业分类表，行业代码按任一层级录入并校验。",
        status=Status.ENFORCED,
        proofs=(
            Proof(C + "test_identifiers.py::test_industry_codes", "行业代码的层级"),
            Proof(C + "test_identifiers.py::test_bad_industry_codes", "错误行业代码被拒绝"),
            Proof(D + "test_industry_table.py::test_known_names", "行业名称与标准一致"),
        ),
        code=("core/identifiers.py", "directory/industrydata.py"),
    ),
)

UNSETTLED: tuple[Unsettled, ...] = (
    Unsettled("每年抽查频次上限的具体次数", "可配置，默认每个部门每年 1 次", "R-DRAW-4"),
    Unsettled("抽取记录的保存期限", "尚未设置：抽取记录目前长期保存，不自动删除", "R-DRAW-1"),
    Unsettled(
        "联合检查在统计中算一户还是每个部门各一户",
        "两种口径都列出（按部门合计、每个任务和对象只计一次）",
        "R-RPT-1",
    ),
    Unsettled("抽查结果公示的现行规范用语", "结果类别是可维护的清单", "R-INSP-3"),
)

BY_ID = {r.id: r for r in RULES}


# ---- docs/rules.md -----------------------------------------------------------------------------


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown() -> str:
    out = [
        "# 规则对照",
        "",
        "<!-- 本文件由 shuangsuiji/core/rules.py 生成，请勿手改；修改规则登记后运行 "
        "`.venv/bin/python -m shuangsuiji.core.rules > docs/rules.md`。 -->",
        "",
        "平台执行的每条规则：依据的文件和条款、平台怎样执行、数值在哪里设定、由哪些测试证明。"
        "各辖区、各年度当前设定的数值见平台的“规则对照”页（双随机办公室和审计员可见）。",
        "",
        "| 规则编号 | 规则 | 性质 | 执行情况 |",
        "| --- | --- | --- | --- |",
    ]
    for r in RULES:
        out.append(f"| {r.id} | {_cell(r.title)} | {r.kind_label} | {r.status_label} |")
    out.append("")
    pending = [r for r in RULES if r.status != Status.ENFORCED]
    if pending:
        out += ["## 尚未执行或部分执行", ""]
        out += [f"- **{r.id} {r.title}**（{r.status_label}）：{r.missing}" for r in pending]
        out.append("")
    for r in RULES:
        out += [
            f"## {r.id} {r.title}",
            "",
            f"- **性质**：{r.kind_label}",
            f"- **依据**：{r.source}",
            f"- **要求**：{r.requirement}",
            f"- **平台执行**：{r.platform}",
            f"- **执行情况**：{r.status_label}" + (f"。{r.missing}" if r.missing else ""),
        ]
        if r.code:
            out.append(f"- **代码位置**：{'；'.join(f'`{c}`' for c in r.code)}")
        if r.settings:
            out += ["", "| 可配置的数值 | 在哪里设定 | 默认值 | 读取自 |", "| --- | --- | --- | --- |"]
            out += [
                f"| {_cell(s.label)} | {_cell(s.where)} | {_cell(s.default)} | `{s.source}` |"
                for s in r.settings
            ]
        out += ["", "| 证明的测试 | 证明什么 |", "| --- | --- |"]
        out += [f"| `{p.test}` | {_cell(p.says)} |" for p in r.proofs]
        out.append("")
    out += [
        "## 国家未统一规定的事项",
        "",
        "| 事项 | 平台的做法 | 相关规则 |",
        "| --- | --- | --- |",
        *[f"| {_cell(u.question)} | {_cell(u.answer)} | {u.rule} |" for u in UNSETTLED],
        "",
    ]
    return "\n".join(out)


if __name__ == "__main__":  # pragma: no cover
    print(markdown(), end="")
