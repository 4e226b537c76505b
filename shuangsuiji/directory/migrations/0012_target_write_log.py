from django.db import migrations

# Every transaction that writes directory_target leaves its id here (one row per transaction, by a
# statement-level trigger: nothing per row): a target import's confirm compares it with the
# preview's snapshot and, when no such transaction committed since, skips reading the directory
# again (directory/preview.py, state_unchanged). PostgreSQL only; elsewhere the confirm reads.
WRITE_LOG = """
CREATE TABLE directory_target_writes (
    xid xid8 PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE FUNCTION directory_log_target_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO directory_target_writes (xid) VALUES (pg_current_xact_id()) ON CONFLICT (xid) DO NOTHING;
    RETURN NULL;
END $$;
CREATE TRIGGER directory_log_target_write AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON directory_target
    FOR EACH STATEMENT EXECUTE FUNCTION directory_log_target_write();
"""
DROP_WRITE_LOG = """
DROP TRIGGER IF EXISTS directory_log_target_write ON directory_target;
DROP FUNCTION IF EXISTS directory_log_target_write();
DROP TABLE IF EXISTS directory_target_writes;
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, None)

    return run


class Migration(migrations.Migration):
    dependencies = [("directory", "0011_change_history_no_constraints")]

    operations = [migrations.RunPython(_on_postgresql(WRITE_LOG), _on_postgresql(DROP_WRITE_LOG))]
