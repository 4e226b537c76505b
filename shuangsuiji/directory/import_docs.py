"""docs/import-columns.md, written from the import's own tables (importing.COLUMN_ALIASES, the
*_SYNONYMS value tables): test_import_columns.py checks the committed file equals this text, so
the two cannot drift. Regenerate with

    .venv/bin/python -m shuangsuiji.directory.import_docs > docs/import-columns.md
"""


def _names(column) -> str:
    return "、".join(column.aliases) or "—"


def _columns_table(columns) -> list[str]:
    lines = ["| 模板列名 | 必填 | 也可写作 | 说明 |", "| --- | --- | --- | --- |"]
    for c in columns:
        lines.append(f"| {c.header} | {'是' if c.required else ''} | {_names(c)} | {c.note} |")
    return lines


def _values_table(choices, table: dict[str, str]) -> list[str]:
    """choices: (value, label) pairs."""
    lines = ["| 存入的值 | 可填写 |", "| --- | --- |"]
    for value, label in choices:
        written = [value, label]
        if label.split("（")[0] != label:
            written.append(label.split("（")[0])
        written += [text for text, code in table.items() if code == value]
        lines.append(f"| {label} | {'、'.join(dict.fromkeys(written))} |")
    return lines


def markdown() -> str:
    from . import importing
    from .jobs import INSPECTOR_COLUMNS, ITEM_COLUMNS
    from .models import MARKET_KINDS, RegistrationStatus, RiskClass

    out = [
        "# 导入文件的列名与取值",
        "",
        "<!-- 本文件由 shuangsuiji/directory/import_docs.py 生成，请勿手改；"
        "修改列名或取值表后运行 `.venv/bin/python -m shuangsuiji.directory.import_docs > docs/import-columns.md`。 -->",
        "",
        "导入时按列的**含义**识别列名：下载的模板列名之外，下表“也可写作”中的列名（各县自有台账、"
        "国家企业信用信息公示系统和登记注册系统导出文件常用的名称）同样识别。比较列名时忽略空格、"
        "全角与半角的差别、模板中必填列的 * 号，以及列名末尾括号内的注释（如“名称（必填）”）。",
        "",
        "- **表头所在行**：在文件前 10 行中找与模板列名最相符的一行（必填列最全、识别的列最多）作为表头，"
        "其上的标题行等不导入，并在结果中提示“表头在第 N 行”。",
        "- **未识别的列**：逐一列出（“以下列未识别，已忽略：……”），不导入。",
        "- **同一含义的两列**（如同时有“名称”和“企业名称”）：拒绝导入，请只保留一列。",
        "- **按代码更新**（执法检查人员为“按身份证号更新”，抽查事项为“按事项编码更新”）：除代码列外至少要有一列"
        "可识别的列，否则拒绝导入，不做任何修改。按代码更新不改变监管关系；名录维护部门以外的部门提交的不同取值"
        "作为变更建议送名录维护部门。",
        "- **添加监管关系**（仅检查对象）：文件只需代码列（统一社会信用代码，或自然人的身份证号、产品项目场所的编码），"
        "为本部门添加对名录中已有主体的监管，不修改任何字段；其余列不导入。本辖区目录中找不到的代码（非市场主体"
        "只在本部门录入的记录中查找）在预览中列出，不导入。",
        "- **先预览，后写入**：上传后先显示将新增、修改（逐字段列出原值和新值）、无变化的行数，不导入的列和提示；"
        "确认后才写入，全部写入或全部不写入。预览时校验过的行保存在平台的文件存储中（任一服务器上的后台作业都能读取），"
        "确认时若名录与预览时一致，直接写入这些行，不再重新读取和校验文件；预览后名录有变化的，确认时重新读取文件、"
        "重新生成预览，不写入。在 PostgreSQL 上，每个写入检查对象表的事务都记下其事务号（一条语句级触发器，不逐行"
        "记录）：预览记下开始读取时的快照，确认时若此后没有这样的事务提交，就不必再读一遍预览涉及的名录行"
        "（10⁶ 行约 20–30 秒）；有的（哪怕改的是别的行），照旧重读比对。",
        "- 支持 .xlsx、.xls（旧版 Excel）和 CSV（UTF-8 或 GBK）文件；日期单元格按日期读取。",
        "",
    ]
    for title, columns in (
        ("检查对象：市场主体", importing.MARKET_COLUMNS),
        ("检查对象：自然人", importing.PERSON_COLUMNS),
        ("检查对象：产品、项目、场所", importing.CODED_COLUMNS),
        ("执法检查人员", INSPECTOR_COLUMNS),
        ("检查事项", ITEM_COLUMNS),
    ):
        out += [f"## {title}", "", *_columns_table(columns), ""]
    out += [
        "## 取值对照表",
        "",
        "下列各列的值按此表换算为系统中的值；比较时同样忽略空格和全角、半角差别，英文字母不分大小写，"
        "值末尾括号内的注释（如“存续（在营、开业、在册）”）不影响识别。",
        "",
        "### 主体类型",
        "",
        *_values_table([(k.value, k.label) for k in MARKET_KINDS], importing.KIND_SYNONYMS),
        "",
        "### 登记状态",
        "",
        *_values_table(RegistrationStatus.choices, importing.STATUS_SYNONYMS),
        "",
        "### 信用风险分类",
        "",
        *_values_table(RiskClass.choices, importing.RISK_SYNONYMS),
        "",
    ]
    return "\n".join(out)


if __name__ == "__main__":  # pragma: no cover
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    print(markdown(), end="")
