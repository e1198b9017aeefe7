"""Full-text search documents stored on PostgreSQL: a generated tsvector column per table.

0003 indexed the expression `to_tsvector('english', ...)`; the index finds rows, but
ranking (`ts_rank`) and every seq-scan filter re-parsed each row's text (6-16 µs a
row), so a common word cost time in proportion to the data. Here each searched table
gets `search_document tsvector GENERATED ALWAYS AS (<the same expression>) STORED`
and the GIN index `policies_<model>_search` moves onto that column. The column is not
a model field (SQLite has no tsvector): policies.search reads it by name. Reversible.
"""

from django.db import migrations

COLUMN = "search_document"
TABLES = {
    "policies_company": ("name", "summary"),
    "policies_policy": ("title", "summary"),
    "policies_statement": ("speaker", "quote"),
    "policies_contract": ("title", "description", "award_id"),
    "policies_source": ("title", "publisher"),
}


def _document(fields):
    """The expression of policies.search.search_vector(model), as SearchVector compiles it."""
    return " || ' ' || ".join(f"COALESCE({field}, '')" for field in fields)


def _index_name(table):
    return f"{table}_search"


def add_documents(apps, schema_editor):
    add_documents_to(schema_editor, TABLES)


def add_documents_to(schema_editor, tables):
    """The generated column and its GIN index on each table (also used by migration 0008)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, fields in tables.items():
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN {COLUMN} tsvector GENERATED ALWAYS AS "
            f"(to_tsvector('english'::regconfig, {_document(fields)})) STORED"
        )
        schema_editor.execute(f"DROP INDEX IF EXISTS {_index_name(table)}")
        schema_editor.execute(f"CREATE INDEX {_index_name(table)} ON {table} USING gin ({COLUMN})")
        schema_editor.execute(f"ANALYZE {table}")


def remove_documents(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, fields in TABLES.items():
        schema_editor.execute(f"DROP INDEX IF EXISTS {_index_name(table)}")
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN {COLUMN}")
        schema_editor.execute(
            f"CREATE INDEX {_index_name(table)} ON {table} USING gin "
            f"(to_tsvector('english'::regconfig, {_document(fields)}))"
        )


class Migration(migrations.Migration):
    dependencies = [("policies", "0005_award_id_unique_only_without_official_key")]

    operations = [migrations.RunPython(add_documents, remove_documents)]
