"""The leaf hash kept with each target (0006, ssj-pool-v2: H(0x00 ‖ enc(key)), the same in every
draw) is gone: since ssj-pool-v3 a leaf is salted per draw and entry (docs/draw-spec.md §2), so it
cannot be kept ahead of a draw, and an unsalted hash of a key is what an outsider matches against a
county's USCCs. Dropping it also spares every import a hash per row. The index `target_pool_order`
keeps the columns the scope tests. PostgreSQL only, as 0005 and 0006."""

import importlib

from django.db import migrations

_0005 = importlib.import_module("shuangsuiji.directory.migrations.0005_target_pool_order")
_0006 = importlib.import_module("shuangsuiji.directory.migrations.0006_target_pool_leaf")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    run = schema_editor.execute
    run("DROP INDEX IF EXISTS target_pool_order")
    run("ALTER TABLE directory_target DROP COLUMN IF EXISTS pool_leaf")
    run("DROP FUNCTION IF EXISTS ssj_pool_leaf(text)")
    run(_0005.INDEX.format(_0005.INCLUDED))


def backwards(apps, schema_editor):
    _0006.forwards(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("directory", "0008_supervision_own_class_idx")]
    operations = [migrations.RunPython(forwards, backwards)]
