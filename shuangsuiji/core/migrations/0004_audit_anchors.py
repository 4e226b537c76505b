"""The audit log's tamper resistance (docs/audit-log.md): hash scheme versions (v1 plain SHA-256
for the entries already written, v2 HMAC-SHA256 for new ones), the published anchors, and on
PostgreSQL a trigger that refuses UPDATE, DELETE and TRUNCATE on the log and on its anchors, for
every role including the owner (GB/T 22239-2019 8.1.4.3 c). The head pointer (core_audithead)
stays updatable: a rewound head is caught by the anchors kept outside the database."""

from django.db import migrations, models

APPEND_ONLY_TABLES = ("core_auditentry", "core_auditanchor")

# TRUNCATE is let through for a superuser only: a superuser can switch any trigger off anyway, so
# refusing it protects nothing, and Django's test runner empties the tables of a transactional
# test with TRUNCATE. UPDATE and DELETE are refused to every role, superusers included.
CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION shuangsuiji_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' AND (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION '操作日志只能追加：拒绝对表 % 执行 %（append-only audit log）', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = '见 docs/audit-log.md；GB/T 22239-2019 8.1.4.3 c';
END
$$
"""


def _triggers_on(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION shuangsuiji_append_only()",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION shuangsuiji_append_only()",
    ]


def add_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # the embedded SQLite demo: the model refuses edits, the chain and anchors catch the rest
    schema_editor.execute(CREATE_FUNCTION, params=None)  # its RAISE uses %: no parameters
    for table in APPEND_ONLY_TABLES:
        for sql in _triggers_on(table):
            schema_editor.execute(sql)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in APPEND_ONLY_TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS shuangsuiji_append_only()")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_accounts"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditAnchor",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("seq", models.PositiveBigIntegerField(unique=True, verbose_name="序号")),
                ("hash", models.CharField(max_length=64, verbose_name="哈希")),
                ("entry_at", models.DateTimeField(verbose_name="该条记录时间")),
                ("published_at", models.DateTimeField(verbose_name="公布时间")),
            ],
            options={
                "verbose_name": "操作日志锚点",
                "verbose_name_plural": "操作日志锚点",
                "ordering": ["-seq"],
            },
        ),
        # Entries already written stay v1 (plain SHA-256) and keep verifying; audit.record writes v2.
        migrations.AddField(
            model_name="auditentry",
            name="scheme",
            field=models.PositiveSmallIntegerField(
                choices=[(1, "v1 SHA-256（无密钥，仅早期记录）"), (2, "v2 HMAC-SHA256（密钥在数据库之外）")],
                default=1,
                verbose_name="哈希方案",
            ),
        ),
        migrations.AddField(
            model_name="audithead",
            name="anchored_on",
            field=models.DateField(blank=True, null=True, verbose_name="最近锚定日期"),
        ),
        migrations.AlterField(
            model_name="audithead",
            name="last_hash",
            field=models.CharField(default="0" * 64, max_length=64, verbose_name="最后哈希"),
        ),
        migrations.AlterField(
            model_name="audithead",
            name="last_seq",
            field=models.PositiveBigIntegerField(default=0, verbose_name="最后序号"),
        ),
        migrations.RunPython(add_triggers, drop_triggers, elidable=False),
    ]
