"""A realistic, deterministic target directory for the import and search benchmarks.

    python bench/generate.py --rows 1000000 --out DIR [--seed 2026]

writes two files made from the same rows:
- DIR/targets.csv: the market-subject import template (统一社会信用代码*, 名称*, …, 标签) as a
  county 市场监管局 would upload it (UTF-8, mixed date spellings, section letters on some
  industry codes, blank optional cells);
- DIR/targets_copy.csv: the same rows as directory_target's raw column values (kind codes,
  region_id, ISO dates, NULL as an empty unquoted field), for the reference
  `COPY directory_target (COPY_COLUMNS) FROM STDIN WITH (FORMAT csv)`.

Every row is valid for a department of 鹿泉区 (130110) once `load_regions`, `load_industries`
and the tags in TAGS are loaded. USCCs are unique (the row number is encoded in the
organisation-code part) and carry a correct check digit (python-stdnum). Standard library
and stdnum only: no Django, no Faker (too slow for a million rows).
"""

import argparse
import datetime as dt
import itertools
import json
import random
import sys
from pathlib import Path

from stdnum.cn import uscc as stdnum_uscc

HEADER = [
    "统一社会信用代码*",
    "名称*",
    "主体类型*",
    "行政区划代码*",
    "住所",
    "行业代码",
    "成立日期",
    "登记状态",
    "状态变更日期",
    "信用风险分类",
    "分类日期",
    "标签",
]
COPY_COLUMNS = [
    "kind",
    "uscc",
    "nonmarket_key",
    "key_display",
    "name",
    "region_id",
    "address",
    "industry_id",
    "industry_code",
    "founded_on",
    "status",
    "status_changed_on",
    "risk_class",
    "risk_class_set_on",
    "created_at",
    "updated_at",
]
# Shared target tags of 鹿泉区 the bench creates before importing (the import checks them).
TAGS = ["餐饮服务", "食品生产", "特种设备使用单位", "重点排污单位", "药品零售"]

COUNTY = ("130110", "鹿泉区")
TOWNSHIPS = [
    ("130110100", "获鹿镇"),
    ("130110101", "铜冶镇"),
    ("130110102", "寺家庄镇"),
    ("130110103", "上庄镇"),
    ("130110104", "李村镇"),
    ("130110105", "宜安镇"),
    ("130110106", "黄壁庄镇"),
    ("130110107", "大河镇"),
    ("130110108", "山尹村镇"),
]
SECTION_OF = {}
for _section, _lo, _hi in [
    ("A", 1, 5), ("B", 6, 12), ("C", 13, 43), ("D", 44, 46), ("E", 47, 50), ("F", 51, 52),
    ("G", 53, 60), ("H", 61, 62), ("I", 63, 65), ("J", 66, 69), ("K", 70, 70), ("L", 71, 72),
    ("M", 73, 75), ("N", 76, 79), ("O", 80, 82), ("P", 83, 83), ("Q", 84, 85), ("R", 86, 90),
]:  # fmt: skip
    for _d in range(_lo, _hi + 1):
        SECTION_OF[f"{_d:02d}"] = _section

# The shipped GB/T 4754-2017 table: the 中类 and 小类 of each 大类 (every code is loaded)
GROUPS_OF: dict[str, list[str]] = {}
CLASSES_OF: dict[str, list[str]] = {}
for _line in (
    (Path(__file__).resolve().parent.parent / "shuangsuiji/directory/data/gbt4754_2017.csv")
    .read_text(encoding="utf-8")
    .splitlines()[1:]
):
    _code = _line.split(",", 1)[0]
    if len(_code) == 3:
        GROUPS_OF.setdefault(_code[:2], []).append(_code)
    elif len(_code) == 4:
        CLASSES_OF.setdefault(_code[:2], []).append(_code)

# (division, weight, words that name such a business, shop suffixes for 个体工商户)
TRADES = [
    ("52", 22, ["商贸", "超市", "日用品", "五金", "百货", "烟酒", "服装"], ["便利店", "超市", "商店", "门市部", "经销部"]),
    ("62", 14, ["餐饮", "饮食", "面馆", "火锅", "食府"], ["饭店", "小吃店", "面馆", "快餐店", "烧烤店"]),
    ("51", 9, ["商贸", "贸易", "物资", "建材销售", "农资"], ["经销处", "批发部"]),
    ("80", 8, ["家政服务", "美容美发", "洗浴", "摄影"], ["理发店", "美容店", "洗衣店", "照相馆"]),
    ("81", 5, ["汽车修理", "家电维修", "电动车维修"], ["汽修部", "维修部", "修配厂"]),
    ("54", 5, ["物流", "运输", "货运"], ["货运部", "运输队"]),
    ("48", 4, ["路桥工程", "市政工程", "水利工程"], ["工程队"]),
    ("50", 4, ["装饰工程", "装修", "门窗"], ["装饰部", "门窗店"]),
    ("30", 3, ["建材", "水泥制品", "石材", "玻璃制品"], ["石材厂", "砖厂"]),
    ("13", 3, ["粮油", "面粉", "饲料", "食品加工"], ["粮油店", "磨坊"]),
    ("14", 2, ["食品", "糕点", "豆制品"], ["糕点店", "豆腐坊"]),
    ("33", 2, ["金属制品", "钢结构", "五金制品"], ["加工部"]),
    ("72", 3, ["企业管理咨询", "广告", "商务信息咨询", "人力资源"], ["广告部", "图文店"]),
    ("65", 2, ["网络科技", "信息技术", "软件"], ["电脑店"]),
    ("70", 2, ["房地产开发", "物业服务", "房产经纪"], ["房产中介"]),
    ("61", 2, ["酒店", "宾馆", "旅馆"], ["旅馆", "招待所"]),
    ("01", 2, ["种植", "果蔬", "苗木"], ["种植园"]),
    ("03", 2, ["养殖", "畜牧", "生猪养殖"], ["养殖场"]),
    ("84", 1, ["医疗", "诊所"], ["诊所", "药店"]),
    ("83", 1, ["教育咨询", "培训"], ["培训部"]),
    ("44", 1, ["新能源", "光伏", "热力"], ["电器店"]),
    ("26", 1, ["化工", "涂料"], ["化工店"]),
]  # fmt: skip
TRADE_WEIGHTS = [t[1] for t in TRADES]

BRAND_CHARS = (
    "鑫达宏盛兴华泰恒通顺瑞祥福利佳金源丰德昌隆荣发旺安康宁博创新科信诚嘉汇鼎升腾飞"
    "远航海天宇星辰光明锦程万家和美乐聚鹏展亿豪伟业志强众合运广益润泽永茂春秋晨阳"
    "正大中联合力卓越精工优品尚品新华东方北辰西山南湖红旗长城太行燕赵冀鹿泉获鹿抱犊"
)
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
    "苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史"
    "顾侯邵孟龙万段漕钱汤尹黎易常武乔贺赖龚文"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文斌宇浩凯鹏飞辉"
    "亮成林海波宁丹晶琳雪梅琴云莲真环欣翠荣俊峰晨旭东鑫磊振国庆新春喜福贵双全"
)
PREFIXES = ["石家庄", "石家庄市鹿泉区", "河北", "鹿泉区", "石家庄鹿泉", "河北省"]
COMPANY_FORMS = ["有限公司", "有限公司", "有限公司", "有限责任公司", "股份有限公司"]
COOP_WORDS = ["种植", "养殖", "果品", "蔬菜", "农机服务", "中药材种植", "食用菌", "苹果", "核桃"]
OTHER_FORMS = ["分公司", "经营部", "个人独资企业", "合伙企业（有限合伙）"]
VILLAGES = [
    "东街",
    "西街",
    "南关",
    "北关",
    "中心街",
    "胜利路",
    "向阳路",
    "振头村",
    "上庄村",
    "大河村",
    "南新城村",
]

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, Z, S, V
KINDS = [  # (template label, kind code, USCC 2nd character, weight)
    ("企业", "enterprise", "1", 35),
    ("个体工商户", "individual", "2", 60),
    ("农民专业合作社", "cooperative", "3", 3),
    ("其他经营主体", "other_market", "9", 2),
]
STATUSES = [
    ("存续", "active", 85),
    ("注销", "cancelled", 8),
    ("吊销", "revoked", 5),
    ("迁出", "moved_out", 2),
]
RISKS = [("A", 40), ("B", 45), ("C", 10), ("D", 3), ("", 2)]
# positions 9–16 hold the row number scrambled (a bijection mod 31^8), so codes are unique
ORG_SPACE, SCRAMBLE = 31**8, 1_000_003
CREATED_AT = "2026-01-01 00:00:00+00"


def base31(n: int, width: int) -> str:
    out = []
    for _ in range(width):
        n, r = divmod(n, 31)
        out.append(ALPHABET[r])
    return "".join(reversed(out))


def make_rows(n: int, seed: int):
    """Yields (template cells, raw COPY values) for row 0…n-1."""
    rng = random.Random(seed)
    today = dt.date(2026, 1, 1)
    first_day = dt.date(1985, 1, 1).toordinal()
    span = today.toordinal() - first_day
    kind_w = list(itertools.accumulate(k[3] for k in KINDS))
    trade_w = list(itertools.accumulate(TRADE_WEIGHTS))
    status_w = list(itertools.accumulate(s[2] for s in STATUSES))
    risk_w = list(itertools.accumulate(r[1] for r in RISKS))
    choices = rng.choices
    for i in range(n):
        label, kind, type_char, _ = choices(KINDS, cum_weights=kind_w)[0]
        division, _, words, shops = choices(TRADES, cum_weights=trade_w)[0]
        founded = dt.date.fromordinal(first_day + int(span * rng.random() ** 0.6))
        # codes issued before the 2014 re-division carry 鹿泉市 (130185) in positions 3–8
        issued_in = "130185" if founded.year < 2015 else "130110"
        body = (
            "9"
            + type_char
            + issued_in
            + base31((i * SCRAMBLE + 7_654_321) % ORG_SPACE, 8)
            + ALPHABET[rng.randrange(31)]
        )
        code = body + stdnum_uscc.calc_check_digit(body)

        brand = rng.choice(BRAND_CHARS) + rng.choice(BRAND_CHARS)
        word = rng.choice(words)
        if kind == "enterprise":
            name = f"{rng.choice(PREFIXES)}{brand}{word}{rng.choice(COMPANY_FORMS)}"
        elif kind == "individual":
            owner = rng.choice(SURNAMES) + rng.choice(GIVEN) * rng.randrange(1, 3)
            shop = rng.choice(shops)
            name = rng.choice(
                [
                    f"鹿泉区{owner}{shop}",
                    f"鹿泉区{brand}{shop}",
                    f"石家庄市鹿泉区{rng.choice(SURNAMES)}记{shop}",
                ]
            )
        elif kind == "cooperative":
            name = f"石家庄市鹿泉区{brand}{rng.choice(COOP_WORDS)}专业合作社"
        else:
            name = f"{rng.choice(PREFIXES)}{brand}{word}{rng.choice(OTHER_FORMS)}"

        if rng.random() < 0.2:
            region, town = COUNTY
        else:
            region, town = rng.choice(TOWNSHIPS)
        address = (
            ""
            if rng.random() < 0.1
            else f"河北省石家庄市鹿泉区{town}{rng.choice(VILLAGES)}{rng.randrange(1, 400)}号"
        )

        r = rng.random()
        if r < 0.15:
            industry_cell, industry_code = "", ""
        elif r < 0.55:
            industry_cell = industry_code = division
        elif r < 0.8:  # a 小类 written with its 门类 letter, stored as that 小类
            industry_code = rng.choice(CLASSES_OF[division])
            industry_cell = SECTION_OF[division] + industry_code
        else:  # a 中类
            industry_code = rng.choice(GROUPS_OF[division])
            industry_cell = industry_code
        industry_id = industry_code

        f = rng.random()
        founded_cell = (
            ""
            if f < 0.03
            else founded.strftime("%Y/%m/%d" if f < 0.2 else "%Y%m%d" if f < 0.25 else "%Y-%m-%d")
        )
        status_label, status, _ = choices(STATUSES, cum_weights=status_w)[0]
        status_cell = "" if status == "active" and rng.random() < 0.5 else status_label
        changed = ""
        if status != "active":
            changed = dt.date.fromordinal(
                founded.toordinal() + rng.randrange(max(1, today.toordinal() - founded.toordinal()))
            ).isoformat()
        risk = choices(RISKS, cum_weights=risk_w)[0][0]
        risk_on = f"2025-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}" if risk else ""
        risk_cell = risk.lower() if risk and rng.random() < 0.05 else risk

        tags = ""
        t = rng.random()
        if t < 0.04:
            tags = "餐饮服务" if division in ("62", "61") else rng.choice(TAGS)
        elif t < 0.05:
            tags = ";".join(rng.sample(TAGS, 2))

        cells = [
            code,
            name,
            label,
            region,
            address,
            industry_cell,
            founded_cell,
            status_cell,
            changed,
            risk_cell,
            risk_on,
            tags,
        ]
        raw = [
            kind,
            code,
            None,  # nonmarket_key
            code,  # key_display
            name,
            region,
            address,
            industry_id or None,
            industry_code,
            founded.isoformat() if founded_cell else None,
            status,
            changed or None,
            risk,
            risk_on or None,
            CREATED_AT,
            CREATED_AT,
        ]
        yield cells, raw


def _csv_line(values) -> str:
    """Our values never hold a comma, quote or newline (checked): NULL is an empty unquoted
    field and an empty string is "" (what COPY … FORMAT csv reads back as '')."""
    out = []
    for v in values:
        if v is None:
            out.append("")
        elif v == "":
            out.append('""')
        else:
            out.append(v)
    return ",".join(out) + "\n"


def generate(rows: int, out: Path, seed: int = 2026) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    with (
        (out / "targets.csv").open("w", encoding="utf-8", newline="") as tf,
        (out / "targets_copy.csv").open("w", encoding="utf-8", newline="") as cf,
    ):
        tf.write(",".join(HEADER) + "\n")
        for cells, raw in make_rows(rows, seed):
            line = ",".join(cells)
            if line.count(",") != 11 or '"' in line or "\n" in line:
                raise AssertionError(f"generated a cell needing quotes: {cells}")
            tf.write(line + "\n")
            cf.write(_csv_line(raw))
    return {
        "rows": rows,
        "seed": seed,
        "targets_csv": str(out / "targets.csv"),
        "copy_csv": str(out / "targets_copy.csv"),
        "bytes": (out / "targets.csv").stat().st_size,
    }


# the monthly file of a county's 市场监管局 after a year: every subject's credit-risk class moves one
# step (A→B→C→D→A), one in ten renamed; the other cells as they were
_NEXT_CLASS = {"A": "B", "B": "C", "C": "D", "D": "A", "": "B"}
RENAMED_EVERY = 10


def update_file(src: str, dest: Path) -> dict:
    """From targets.csv, the update file of the same subjects (the import's 按代码更新): each row
    changes its 信用风险分类 (and so its 分类日期, set by the import to the day), every
    RENAMED_EVERY-th its 名称 — about 2.1 field changes (变更记录 rows) per row."""
    changed_names = 0
    with open(src, encoding="utf-8") as f, dest.open("w", encoding="utf-8", newline="") as out:
        out.write(f.readline())  # the header
        for i, line in enumerate(f):
            cells = line.rstrip("\n").split(",")
            cells[9] = _NEXT_CLASS[cells[9].strip().upper()[:1]]
            cells[10] = ""  # the import dates the new class itself
            if i % RENAMED_EVERY == 0:
                cells[1] += "（更名）"
                changed_names += 1
            out.write(",".join(cells) + "\n")
    return {"update_csv": str(dest), "renamed": changed_names}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--out", type=Path, required=True)
    a = p.parse_args(argv)
    print(json.dumps(generate(a.rows, a.out, a.seed), ensure_ascii=False))


if __name__ == "__main__":
    sys.exit(main())
