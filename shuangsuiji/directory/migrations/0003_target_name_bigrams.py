"""Two-character name searches (a 字号 such as “鑫达”, an industry word such as “餐饮”) over millions
of targets: pg_trgm cannot index a pattern shorter than three characters, so on PostgreSQL the
names' bigrams get a GIN expression index and such a query asks for the bigram first, then
checks LIKE. SQLite has no such index; there a substring search scans."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION ssj_bigrams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT substr(t, i, 2)), '{}')
  FROM generate_series(1, greatest(char_length(t) - 1, 0)) AS i
$$
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS target_name_bigrams ON directory_target USING gin (ssj_bigrams(name))"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS target_name_bigrams")
        schema_editor.execute("DROP FUNCTION IF EXISTS ssj_bigrams(text)")


class Migration(migrations.Migration):
    dependencies = [("directory", "0002_target_name_trigram")]
    operations = [migrations.RunPython(forwards, backwards)]
