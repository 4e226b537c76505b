"""What a draw's freeze reads on PostgreSQL, kept with each target so that one index answers it
in pool order (shuangsuiji/draw/pool.py, `pg_rows`):

- `pool_key`: the pool's key (统一社会信用代码, or kind:非市场主体标识), bytewise ("C"), generated;
- `supervised_by`: the ids of the departments that supervise the target, sorted — a copy of
  directory_targetsupervision that triggers keep (any INSERT, UPDATE or DELETE there, whoever
  runs it; a TRUNCATE of that table alone would leave it stale), so that the scope test is a
  read of the row instead of a semi-join of the whole supervision table; `ssj_departments_merge`
  adds departments to such a list, for the triggers and for the import that writes it itself;
- `target_pool_order`: (risk class, key) INCLUDE every column the scope tests, so that the freeze
  streams an index-only scan in pool order instead of sorting the scope first.

PostgreSQL only: SQLite's freeze tests supervision directly (`annotated`)."""

from django.db import migrations

POOL_KEY = "COALESCE(uscc, kind::text || ':' || nonmarket_key)"
INDEX = 'CREATE INDEX target_pool_order ON directory_target ((risk_class COLLATE "C"), pool_key) INCLUDE ({})'
INCLUDED = "id, status, region_id, kind, industry_code, supervised_by"

# Each change is applied to the row as it stands (removed departments taken out, added ones
# merged in), never recomputed from the table: two transactions changing one target's supervision
# at once then both count — the second waits for the first's row lock and PostgreSQL re-evaluates
# its SET against the row the first committed, where a list recomputed from the second's snapshot
# would drop the first's change. Rows that would not change are not rewritten (an import that
# wrote the list with its targets costs a read here, not a second write).
FUNCTION = """
CREATE OR REPLACE FUNCTION ssj_departments_merge(ids bigint[], added bigint[]) RETURNS bigint[]
LANGUAGE sql IMMUTABLE AS $$ SELECT ARRAY(SELECT DISTINCT d FROM unnest(ids || added) AS d ORDER BY d) $$;

CREATE OR REPLACE FUNCTION ssj_supervised_by_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE directory_target t
        SET supervised_by = ARRAY(SELECT d FROM unnest(t.supervised_by) AS d
                                  WHERE d <> ALL (o.ids) ORDER BY d)
        FROM (SELECT target_id, array_agg(department_id) AS ids FROM ssj_sup_old GROUP BY target_id) o
        WHERE t.id = o.target_id AND t.supervised_by && o.ids;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE directory_target t
        SET supervised_by = ssj_departments_merge(t.supervised_by, n.ids)
        FROM (SELECT target_id, array_agg(department_id) AS ids FROM ssj_sup_new GROUP BY target_id) n
        WHERE t.id = n.target_id AND NOT t.supervised_by @> n.ids;
    END IF;
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
    run(f'ALTER TABLE directory_target ADD COLUMN pool_key text COLLATE "C" GENERATED ALWAYS AS ({POOL_KEY}) STORED')
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
    run(INDEX.format(INCLUDED))


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in ("ins", "del", "upd"):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS ssj_supervised_by_{name} ON directory_targetsupervision")
    schema_editor.execute("DROP FUNCTION IF EXISTS ssj_supervised_by_sync()")
    schema_editor.execute("DROP FUNCTION IF EXISTS ssj_departments_merge(bigint[], bigint[])")
    schema_editor.execute("DROP INDEX IF EXISTS target_pool_order")
    schema_editor.execute("ALTER TABLE directory_target DROP COLUMN IF EXISTS supervised_by")
    schema_editor.execute("ALTER TABLE directory_target DROP COLUMN IF EXISTS pool_key")


class Migration(migrations.Migration):
    dependencies = [("directory", "0004_target_name_bigrams_column")]
    operations = [migrations.RunPython(forwards, backwards)]
