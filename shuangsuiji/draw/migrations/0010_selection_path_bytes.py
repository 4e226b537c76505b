from django.db import migrations, models

# Selection.path from a JSON list of hex hashes to the hashes' bytes (models.py): converted in one
# statement on PostgreSQL, row by row elsewhere (SQLite: test and demo databases).
TO_BYTES = """
UPDATE draw_selection SET path_bytes = decode(COALESCE(
    (SELECT string_agg(h, '' ORDER BY n) FROM jsonb_array_elements_text(path) WITH ORDINALITY AS p (h, n)), ''),
    'hex')
"""
TO_JSON = """
UPDATE draw_selection SET path = (
    SELECT COALESCE(jsonb_agg(encode(substring(path_bytes FROM k FOR 32), 'hex') ORDER BY k), '[]'::jsonb)
    FROM generate_series(1, length(path_bytes), 32) AS k)
"""


def to_bytes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TO_BYTES)
        return
    Selection = apps.get_model("draw", "Selection")
    for s in Selection.objects.only("pk", "path").iterator(chunk_size=2000):
        Selection.objects.filter(pk=s.pk).update(path_bytes=bytes.fromhex("".join(s.path or [])))


def to_json(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TO_JSON)
        return
    Selection = apps.get_model("draw", "Selection")
    for s in Selection.objects.only("pk", "path_bytes").iterator(chunk_size=2000):
        p = bytes(s.path_bytes)
        Selection.objects.filter(pk=s.pk).update(path=[p[k : k + 32].hex() for k in range(0, len(p), 32)])


class Migration(migrations.Migration):
    dependencies = [("draw", "0009_no_target_constraint")]

    operations = [
        migrations.AddField(
            model_name="selection",
            name="path_bytes",
            field=models.BinaryField(default=bytes, verbose_name="默克尔路径"),
        ),
        migrations.RunPython(to_bytes, to_json),
        migrations.RemoveField(model_name="selection", name="path"),
        migrations.RenameField(model_name="selection", old_name="path_bytes", new_name="path"),
        migrations.AlterField(
            model_name="selection",
            name="token",
            field=models.CharField(max_length=43, verbose_name="核验码"),
        ),
        migrations.AddConstraint(
            model_name="selection",
            constraint=models.UniqueConstraint(fields=("token",), name="selection_unique_token"),
        ),
    ]
