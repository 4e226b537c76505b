"""Year-goal presets from the seeds' 实施方案 (R-PLAN-2). Every number is a setting with a year;
these load as a starting point the office then adjusts."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal as D


@dataclass(frozen=True)
class Assignment:
    """One assignment of a 实施方案 (R-ADM-3): the task, the responsible unit as the text names it,
    and its deadline — `due` as (month, day) of the plan's year, or None for 持续推进."""

    content: str
    unit: str
    due: tuple[int, int] | None
    due_text: str


@dataclass(frozen=True)
class Preset:
    key: str
    label: str
    region: str
    year: int
    source: str
    coverage: D | None = None
    coverage_by_level: dict = field(default_factory=dict)
    joint_task_share: D | None = None
    joint_household_share: D | None = None
    credit_share: D | None = None
    publicity_on_time: D = D("1")
    followup_rate: D = D("1")
    assignments: tuple[Assignment, ...] = ()

    @property
    def coverage_snapshot(self) -> dt.date:
        return dt.date(self.year - 1, 12, 31)  # "占上年底企业数量的比例"


A = Assignment
_GAJ = "治安管理大队、网络安全保卫大队、刑事侦查大队"

# The assignments as each 实施方案 words them (R-ADM-3). Where a text gives no date (鹿泉's five
# tasks, "持续推进"), the deadline is the year's end for a yearly target and none for ongoing work.
LUQUAN_2026 = (
    A(
        "强化基础支撑：调整领导小组成员单位，完善“一单两库”，认领抽查事项，动态调整检查对象名录库和执法检查人员名录库，完成分类标注",
        "各成员单位",
        None,
        "及时完成、持续完善",
    ),
    A(
        "强化联合监管：细化本地“一业一查”清单及抽查工作指引，建立联合抽查主体库和检查人员库；联合抽查次数、户数占比均达100%",
        "各成员单位",
        (12, 31),
        "全年",
    ),
    A("着力提升监管效能：运用信用风险分级分类开展的抽查次数占比达到100%", "各成员单位", (12, 31), "全年"),
    A(
        "规范随机抽查工作程序：抽查企业数量占2025年底企业数量的比例不低于3%；年度计划、实施方案、抽查结果及后续处理结果及时公开",
        "各成员单位",
        (12, 31),
        "全年",
    ),
    A("加大宣传培训力度：常态化开展随机抽查业务培训和系统使用培训", "各成员单位", None, "持续推进"),
    A(
        "报送第一季度“双随机、一公开”监管工作进展情况",
        "区有关部门（报区市场监管局信用监管股）",
        (3, 23),
        "3月23日前",
    ),
    A(
        "报送第二季度“双随机、一公开”监管工作进展情况",
        "区有关部门（报区市场监管局信用监管股）",
        (6, 22),
        "6月22日前",
    ),
    A(
        "报送第三季度“双随机、一公开”监管工作进展情况",
        "区有关部门（报区市场监管局信用监管股）",
        (9, 25),
        "9月25日前",
    ),
    A(
        "报送全年“双随机、一公开”监管工作总结",
        "区有关部门（报区市场监管局信用监管股）",
        (12, 21),
        "12月21日前",
    ),
)
GUANTAO_GAJ_2026 = (
    A(
        "强化工作支撑：认领清单事项形成县局随机抽查事项清单，动态调整两库，完成检查对象和执法人员分类标注",
        _GAJ,
        (3, 31),
        "3月底前",
    ),
    A("深化联合监管：联合抽查次数占比不低于45%，户数占比不低于30%", _GAJ, None, "持续推进"),
    A(
        "提升监管效能：运用信用风险分级分类开展的抽查次数占比不低于90%；推广非现场监管",
        _GAJ,
        None,
        "持续推进",
    ),
    A(
        "科学实施检查：按年度计划实施，调整须履行程序并公示；亮证执法、扫码入企，及时公示检查结果",
        _GAJ,
        None,
        "持续推进",
    ),
    A("提高服务意识：抽查中开展政策宣讲、合规指导", _GAJ, None, "持续推进"),
    A("报送第一季度工作进展情况", "县局双随机办公室（报县市场监管局）", (3, 20), "3月20日前"),
    A("报送第二季度工作进展情况", "县局双随机办公室（报县市场监管局）", (6, 20), "6月20日前"),
    A("报送第三季度工作进展情况", "县局双随机办公室（报县市场监管局）", (9, 20), "9月20日前"),
    A("报送全年工作总结", "县局双随机办公室（报县市场监管局）", (12, 20), "12月20日前"),
)
QINGHE_2025 = (
    A(
        "完善“一单两库”：认领清单事项形成本级随机抽查事项清单，动态调整两库，完成分类标注",
        "各级各有关部门",
        (3, 31),
        "3月底前",
    ),
    A("强化联合监管：联合抽查次数占比不低于60%，户数占比不低于50%", "各级各有关部门", (12, 31), "全年"),
    A("规范抽查流程：严格计划实施、扫码入企和闭环监管", "各级各有关部门", (12, 31), "全年"),
    A("提升监管效能：运用信用风险分级分类开展的抽查次数占比不低于95%", "各级各有关部门", (12, 31), "全年"),
    A("增强服务意识：推广非现场检查，减轻企业负担", "各级各有关部门", (12, 31), "全年"),
    A("报送第一季度工作进展情况", "县有关部门（报县市场监管局）", (4, 1), "4月1日前"),
    A("报送第二季度工作进展情况", "县有关部门（报县市场监管局）", (7, 1), "7月1日前"),
    A("报送第三季度工作进展情况", "县有关部门（报县市场监管局）", (9, 28), "9月28日前"),
    A("报送全年工作总结", "县有关部门（报县市场监管局）", (12, 29), "12月29日前"),
)
QINHUANGDAO_2023 = (
    A("完成2023年度抽查工作计划的制定、上报和公示", "各级市场监管部门", (2, 28), "2月底前"),
    A("全系统年度抽查企业占比不低于3%", "各级市场监管部门", (12, 31), "全年"),
    A("检查结束后20个工作日内录入检查结果并向社会公示", "各级市场监管部门", None, "持续推进"),
    A("抽查结束后及时将抽查资料归档，确保档案资料齐全、签字完整", "各级市场监管部门", None, "每次抽查结束后"),
    A("健全双随机回访制度，通报回访发现的走形式、随意录入问题", "各县、区局", None, "持续推进"),
)
SHIJIAZHUANG_2021 = (
    A("完成抽查工作计划的制定、上报和公示", "各级市场监管部门", (1, 20), "1月中旬"),
    A(
        "全系统年度抽查企业占比达到3%以上（省局、市局任务各0.5%，区县自行安排高于2%）",
        "各级市场监管部门",
        (12, 31),
        "全年",
    ),
    A(
        "每次抽查结束后及时将后续处理结果录入平台，并以书面形式报送上一级市场监管部门",
        "各级市场监管部门",
        None,
        "每次抽查结束后",
    ),
    A("在年度培训计划中安排随机抽查业务培训和平台操作使用培训", "各级市场监管部门", (12, 31), "全年"),
)

PRESETS = [
    Preset(
        "luquan-2026",
        "石家庄市鹿泉区 2026",
        "130110",
        2026,
        "石鹿市监〔2026〕6号：抽查企业占2025年底企业数量不低于3%；联合抽查次数、户数占比均100%；信用风险分类抽查次数占比100%",
        coverage=D("0.03"),
        joint_task_share=D("1"),
        joint_household_share=D("1"),
        credit_share=D("1"),
        assignments=LUQUAN_2026,
    ),
    Preset(
        "guantao-gaj-2026",
        "馆陶县公安局 2026",
        "130433",
        2026,
        "2026年馆陶县公安局实施方案：联合抽查次数占比不低于45%，户数占比不低于30%；信用风险分类抽查次数占比不低于90%",
        joint_task_share=D("0.45"),
        joint_household_share=D("0.30"),
        credit_share=D("0.90"),
        assignments=GUANTAO_GAJ_2026,
    ),
    Preset(
        "qinghe-2025",
        "邢台市清河县 2025",
        "130534",
        2025,
        "清市监函〔2025〕5号：联合抽查次数占比不低于60%，户数占比不低于50%；信用风险分类抽查次数占比不低于95%",
        joint_task_share=D("0.60"),
        joint_household_share=D("0.50"),
        credit_share=D("0.95"),
        assignments=QINGHE_2025,
    ),
    Preset(
        "qinhuangdao-2023",
        "秦皇岛市 2023",
        "130300",
        2023,
        "秦市监函〔2023〕51号：抽查企业占比不低于3%；信用风险分类抽查次数占比不低于80%；按时公示率、后续处置率100%",
        coverage=D("0.03"),
        credit_share=D("0.80"),
        assignments=QINHUANGDAO_2023,
    ),
    Preset(
        "shijiazhuang-2021",
        "石家庄市 2021",
        "130100",
        2021,
        "石市监办〔2021〕2号：抽查企业占比3%以上（省局、市局安排的任务各0.5%，区县自行安排的高于2%）；公示率100%",
        coverage=D("0.03"),
        coverage_by_level={"province": "0.005", "city": "0.005", "county": "0.02"},
        assignments=SHIJIAZHUANG_2021,
    ),
]
BY_KEY = {p.key: p for p in PRESETS}
