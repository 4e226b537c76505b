"""The public results search over millions of rows: the names' bigrams get a GIN expression index
(the function comes from directory 0003; pg_trgm cannot index a 2-character pattern), and the
search's order gets a btree that a broad word walks, stopping at the page."""

from django.db import migrations, models


def bigrams(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS published_result_name_bigrams "
            "ON inspection_publishedresult USING gin (ssj_bigrams(name))"
        )


def no_bigrams(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS published_result_name_bigrams")


class Migration(migrations.Migration):
    dependencies = [
        ("inspection", "0003_published_result_export_index"),
        ("directory", "0003_target_name_bigrams"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="publishedresult",
            index=models.Index(
                fields=["name", "uscc", "-published_at", "inspection"], name="published_result_search_idx"
            ),
        ),
        migrations.RunPython(bigrams, no_bigrams),
    ]
