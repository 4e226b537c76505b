"""Two-character name search on PostgreSQL (directory 0003/0004, inspection 0004/0005): pg_trgm
cannot index a pattern shorter than three characters, so a table's names keep their bigrams in a
stored generated column `name_bigrams` (from `ssj_bigrams`, directory 0003) with a GIN index. A
2-character query is then `name_bigrams @> ARRAY[q]`, which holds exactly when the name contains
q: no LIKE needed, and nothing recomputed per row (the function costs ~17 µs a row)."""


def add_column(schema_editor, table: str, index: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS name_bigrams text[] "
        "GENERATED ALWAYS AS (ssj_bigrams(name)) STORED"
    )
    schema_editor.execute(f"DROP INDEX IF EXISTS {index}")
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {index} ON {table} USING gin (name_bigrams)")


def drop_column(schema_editor, table: str, index: str) -> None:
    """Back to the expression index of the migration before."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {index}")
    schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS name_bigrams")
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {index} ON {table} USING gin (ssj_bigrams(name))")
