"""R-INSP-3's default result categories, and a pg_trgm index for the public name search."""

from django.db import migrations


CATEGORIES = [
    ("none_found", "未发现问题", False),
    ("not_disclosed", "未按规定公示应当公示的信息", True),
    ("false_disclosure", "公示信息隐瞒真实情况弄虚作假", True),
    ("unreachable", "通过登记的住所（经营场所）无法联系", True),
    ("corrected", "发现问题已责令改正", True),
    ("pending_followup", "发现问题待后续处理", True),
    ("nonconforming", "不合格", True),
    ("no_activity", "未发现开展本次抽查涉及的经营活动", False),
    ("closed", "已关闭停业或正在组织清算", False),
    ("uncooperative", "不配合检查情节严重", True),
    ("cancelled", "已注销", False),
    ("revoked", "被吊销", False),
    ("withdrawn", "被撤销", False),
    ("moved_out", "已迁出", False),
    ("other", "其他情况", False),
]


def categories(apps, schema_editor):
    ResultCategory = apps.get_model("inspection", "ResultCategory")
    for order, (code, name, problem) in enumerate(CATEGORIES):
        ResultCategory.objects.get_or_create(code=code, defaults={"name": name, "is_problem": problem, "order": order})


def trigram(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS published_result_name_trgm ON inspection_publishedresult USING gin (name gin_trgm_ops)"
        )


def untrigram(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS published_result_name_trgm")


class Migration(migrations.Migration):
    dependencies = [("inspection", "0001_initial")]
    operations = [
        migrations.RunPython(categories, migrations.RunPython.noop),
        migrations.RunPython(trigram, untrigram),
    ]
