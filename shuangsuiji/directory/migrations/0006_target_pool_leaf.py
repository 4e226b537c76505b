"""Each target's leaf hash in a draw's pool (docs/draw-spec.md §2, ssj-pool-v2: H(0x00 ‖ enc(key)),
the same in every draw), kept with the target and carried by the index `target_pool_order`, so
that a freeze on PostgreSQL folds the leaves it reads instead of hashing a million keys first.
Generated from the key's own columns (PostgreSQL does not let one generated column read another),
by `ssj_pool_leaf`, which says IMMUTABLE for convert_to(…, 'UTF8'): true of a UTF-8 database,
the only kind the platform creates. PostgreSQL only, as 0005."""

import importlib

from django.db import migrations

_0005 = importlib.import_module("shuangsuiji.directory.migrations.0005_target_pool_order")

FUNCTION = r"""
CREATE OR REPLACE FUNCTION ssj_pool_leaf(k text) RETURNS bytea LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT sha256('\x00'::bytea || int4send(octet_length(k)) || convert_to(k, 'UTF8')) $$;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    run = schema_editor.execute
    run(FUNCTION)
    run(
        "ALTER TABLE directory_target ADD COLUMN pool_leaf bytea "
        f"GENERATED ALWAYS AS (ssj_pool_leaf({_0005.POOL_KEY})) STORED"
    )
    run("DROP INDEX target_pool_order")
    run(_0005.INDEX.format(_0005.INCLUDED + ", pool_leaf"))


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS target_pool_order")
    schema_editor.execute("ALTER TABLE directory_target DROP COLUMN IF EXISTS pool_leaf")
    schema_editor.execute("DROP FUNCTION IF EXISTS ssj_pool_leaf(text)")
    schema_editor.execute(_0005.INDEX.format(_0005.INCLUDED))


class Migration(migrations.Migration):
    dependencies = [("directory", "0005_target_pool_order")]
    operations = [migrations.RunPython(forwards, backwards)]
