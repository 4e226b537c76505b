"""The watch list's score (风险预警名单, issue 19), as a pure function: no Django import.

A target's score is the sum of its factors, each a count of records times the office's weight
for that factor (numbers, not adjectives: the page prints every factor's count, weight and
points, and links the records behind the count):

    problems   × 发现问题的检查（近 lookback 个月，已公示）
    refusals   × 不配合检查（结果类别“不配合检查情节严重”，近 lookback 个月，已公示）
    open       × 后续处置未办结（全部）
    overdue    × 后续处置逾期未办结（全部；也计入 open）
    triggers   × 收到的触发事项（近 lookback 个月）
    abnormal   × 列入经营异常名录（后续处置，近 lookback 个月）
    status     × 登记状态变更为非存续（近 lookback 个月）
    idle_year  × 距上次检查的整年数（至多 idle_cap_years 年；从未检查按上限计）

The time since the last inspection is never counted for an A-class target (无事不扰,
R-PLAN-3): a low-risk subject is not inspected without a cause, so being left alone is no
signal. A target is on the list at `watch_threshold` points and above, 重点关注 from
`alert_threshold`."""

import datetime as dt
from dataclasses import dataclass, field

# (code, label, unit) of every factor, in the order the page prints them
FACTORS: tuple[tuple[str, str, str], ...] = (
    ("problems", "发现问题的检查", "次"),
    ("refusals", "不配合检查", "次"),
    ("open", "后续处置未办结", "项"),
    ("overdue", "后续处置逾期", "项"),
    ("triggers", "触发事项", "件"),
    ("abnormal", "列入经营异常名录", "次"),
    ("status", "登记状态变更（非存续）", "次"),
    ("idle_years", "距上次检查", "年"),
)
FACTOR_LABELS = {code: label for code, label, _ in FACTORS}

# Defaults until the office sets its own (the same numbers as WatchSettings' field defaults).
DEFAULT_WEIGHTS: dict[str, int] = {
    "problems": 10,
    "refusals": 15,
    "open": 5,
    "overdue": 10,
    "triggers": 8,
    "abnormal": 10,
    "status": 5,
    "idle_years": 4,
}
DEFAULT_WATCH_THRESHOLD = 20
DEFAULT_ALERT_THRESHOLD = 40
DEFAULT_LOOKBACK_MONTHS = 24
DEFAULT_IDLE_CAP_YEARS = 3


@dataclass(frozen=True)
class Facts:
    """What the platform holds about one target, counted by the selector (warning/selectors.py)."""

    problems: int = 0
    refusals: int = 0
    open: int = 0
    overdue: int = 0
    triggers: int = 0
    abnormal: int = 0
    status: int = 0
    idle_years: int = 0  # whole years since the last inspection, already capped
    a_class: bool = False


@dataclass(frozen=True)
class Part:
    code: str
    count: int
    weight: int
    points: int
    skipped: bool = False  # the time factor of an A-class target (无事不扰)

    @property
    def label(self) -> str:
        return FACTOR_LABELS[self.code]


@dataclass(frozen=True)
class Score:
    total: int
    parts: tuple[Part, ...] = field(default_factory=tuple)


def score(facts: Facts, weights: dict[str, int]) -> Score:
    """The target's score and each factor's share of it."""
    parts = []
    for code, _, _ in FACTORS:
        count = getattr(facts, code)
        skipped = code == "idle_years" and facts.a_class
        points = 0 if skipped else count * weights[code]
        parts.append(Part(code=code, count=count, weight=weights[code], points=points, skipped=skipped))
    return Score(total=sum(p.points for p in parts), parts=tuple(parts))


def level(total: int, watch_threshold: int, alert_threshold: int) -> str:
    """ "alert" (重点关注), "watch" (关注) or "" (not on the list)."""
    if total >= alert_threshold:
        return "alert"
    if total >= watch_threshold:
        return "watch"
    return ""


def years_back(today: dt.date, years: int) -> dt.date:
    """The same day `years` years before `today` (29 February → 28 February)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def idle_years(last: dt.date | None, today: dt.date, cap_years: int) -> int:
    """Whole years from the last inspection (None: never inspected) to `today`, at most
    `cap_years`."""
    if last is None:
        return cap_years
    return sum(1 for k in range(1, cap_years + 1) if last <= years_back(today, k))
