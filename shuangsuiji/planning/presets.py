"""Year-goal presets from the seeds' 实施方案 (R-PLAN-2). Every number is a setting with a year;
these load as a starting point the office then adjusts."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal as D


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

    @property
    def coverage_snapshot(self) -> dt.date:
        return dt.date(self.year - 1, 12, 31)  # "占上年底企业数量的比例"


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
    ),
    Preset(
        "qinhuangdao-2023",
        "秦皇岛市 2023",
        "130300",
        2023,
        "秦市监函〔2023〕51号：抽查企业占比不低于3%；信用风险分类抽查次数占比不低于80%；按时公示率、后续处置率100%",
        coverage=D("0.03"),
        credit_share=D("0.80"),
    ),
    Preset(
        "shijiazhuang-2021",
        "石家庄市 2021",
        "130100",
        2021,
        "石市监办〔2021〕2号：抽查企业占比3%以上（省局、市局安排的任务各0.5%，区县自行安排的高于2%）；公示率100%",
        coverage=D("0.03"),
        coverage_by_level={"province": "0.005", "city": "0.005", "county": "0.02"},
    ),
]
BY_KEY = {p.key: p for p in PRESETS}
