"""The public results' name bigrams as a stored generated column, GIN-indexed in place of 0004's
expression index, as directory 0004 does for the targets (see directory/bigrams.py)."""

from django.db import migrations

from shuangsuiji.directory import bigrams

TABLE, INDEX = "inspection_publishedresult", "published_result_name_bigrams"


class Migration(migrations.Migration):
    dependencies = [
        ("inspection", "0004_public_search_indexes"),
        ("directory", "0004_target_name_bigrams_column"),
    ]
    operations = [
        migrations.RunPython(
            lambda apps, se: bigrams.add_column(se, TABLE, INDEX),
            lambda apps, se: bigrams.drop_column(se, TABLE, INDEX),
        )
    ]
