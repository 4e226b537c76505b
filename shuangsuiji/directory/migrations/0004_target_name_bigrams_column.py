"""The names' bigrams as a stored generated column, GIN-indexed in place of 0003's expression
index (PostgreSQL only; see directory/bigrams.py): a broad 2-character word's page can walk the
id index, and the planner has the column's element statistics."""

from django.db import migrations

from shuangsuiji.directory import bigrams


class Migration(migrations.Migration):
    dependencies = [("directory", "0003_target_name_bigrams")]
    operations = [
        migrations.RunPython(
            lambda apps, se: bigrams.add_column(se, "directory_target", "target_name_bigrams"),
            lambda apps, se: bigrams.drop_column(se, "directory_target", "target_name_bigrams"),
        )
    ]
