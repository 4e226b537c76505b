"""What a draw's freeze reads on PostgreSQL, kept with each target so that one index answers it
in pool order (shuangsuiji/draw/pool.py, `pg_rows`):

- `pool_key`: the pool's key (统一社会信用代码, or kind:非市场主体标识), bytewise ("C"), generated;
- `supervised_by`: the ids of the departments that supervise the target, sorted — a copy of
  directory_targetsupervision that triggers keep (any INSERT, UPDATE or DELETE there, whoever
  runs it), so that the scope test is a read of the row instead of a semi-join of the whole
  supervision table;
- `target_pool_order`: (risk class, key) INCLUDE every column the scope tests, so that the freeze
  streams an index-only scan in pool order instead of sorting the scope first.

PostgreSQL only: SQLite's freeze tests supervision directly (`annotated`)."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION ssj_supervised_by_sync() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT target_id) INTO changed FROM ssj_sup_new;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(DISTINCT target_id) INTO changed FROM ssj_sup_old;
    ELSE
        SELECT array_agg(DISTINCT target_id) INTO changed
        FROM (SELECT target_id FROM ssj_sup_old UNION ALL SELECT target_id FROM ssj_sup_new) x;
    END IF;
    -- each changed target's list recomputed from the table itself; unchanged rows not rewritten
    -- (an import that wrote the list with the targets costs a read here, not a second write)
    UPDATE directory_target t SET supervised_by = d.ids
    FROM (
        SELECT c.id,
               COALESCE(array_agg(s.department_id ORDER BY s.department_id)
                        FILTER (WHERE s.department_id IS NOT NULL), '{}') AS ids
        FROM unnest(changed) AS c (id)
        LEFT JOIN directory_targetsupervision s ON s.target_id = c.id
        GROUP BY c.id
    ) d
    WHERE t.id = d.id AND t.supervised_by IS DISTINCT FROM d.ids;
    RETURN NULL;
END $$;
"""

TRIGGERS = """
CREATE TRIGGER ssj_supervised_by_ins AFTER INSERT ON directory_targetsupervision
    REFERENCING NEW TABLE AS ssj_sup_new FOR EACH STATEMENT EXECUTE FUNCTION ssj_supervised_by_sync();
CREATE TRIGGER ssj_supervised_by_del AFTER DELETE ON directory_targetsupervision
    REFERENCING OLD TABLE AS ssj_sup_old FOR EACH STATEMENT EXECUTE FUNCTION ssj_supervised_by_sync();
CREATE TRIGGER ssj_supervised_by_upd AFTER UPDATE ON directory_targetsupervision
    REFERENCING OLD TABLE AS ssj_sup_old NEW TABLE AS ssj_sup_new
    FOR EACH STATEMENT EXECUTE FUNCTION ssj_supervised_by_sync();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    run = schema_editor.execute
    run(
        "ALTER TABLE directory_target ADD COLUMN pool_key text COLLATE \"C\" "
        "GENERATED ALWAYS AS (COALESCE(uscc, kind::text || ':' || nonmarket_key)) STORED"
    )
    run("ALTER TABLE directory_target ADD COLUMN supervised_by bigint[] NOT NULL DEFAULT '{}'")
    run(
        "UPDATE directory_target t SET supervised_by = d.ids FROM ("
        "SELECT target_id, array_agg(department_id ORDER BY department_id) AS ids "
        "FROM directory_targetsupervision GROUP BY target_id) d WHERE t.id = d.target_id"
    )
    # the UPDATE queued the deferred foreign-key checks of the rows it rewrote: run them now, as
    # PostgreSQL will not build an index on a table with checks pending
    run("SET CONSTRAINTS ALL IMMEDIATE")
    run(FUNCTION)
    run(TRIGGERS)
    run(
        'CREATE INDEX target_pool_order ON directory_target ((risk_class COLLATE "C"), pool_key) '
        "INCLUDE (id, status, region_id, kind, industry_code, supervised_by)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in ("ins", "del", "upd"):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS ssj_supervised_by_{name} ON directory_targetsupervision")
    schema_editor.execute("DROP FUNCTION IF EXISTS ssj_supervised_by_sync()")
    schema_editor.execute("DROP INDEX IF EXISTS target_pool_order")
    schema_editor.execute("ALTER TABLE directory_target DROP COLUMN IF EXISTS supervised_by")
    schema_editor.execute("ALTER TABLE directory_target DROP COLUMN IF EXISTS pool_key")


class Migration(migrations.Migration):
    dependencies = [("directory", "0004_target_name_bigrams_column")]
    operations = [migrations.RunPython(forwards, backwards)]
