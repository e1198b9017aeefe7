"""Search documents for public records only: a draft, which no search returns, is not indexed.

The stored `search_document` of 0006 and 0008 was computed for every row, drafts included:
an import of 100,000 draft contracts spent about 1.2 s of its ~4.9 s of database CPU on
their tsvectors and GIN entries (docs/imports.md). Search only ever reads public records
(policies/search.py; the admin searches with its own `search_fields`). The column becomes
`CASE WHEN editorial_status IN ('published', 'retracted') THEN to_tsvector(...) END`: NULL
for a draft, and computed by PostgreSQL itself when the row is published, since a generated
column is recomputed on every UPDATE, whichever code writes it. PostgreSQL 15 cannot change
a generated column's expression, so each column is dropped and added again with its GIN
index. PostgreSQL only; SQLite searches by per-term matching. Reversible.
"""

import importlib

from django.db import migrations

v2 = importlib.import_module("policies.migrations.0006_search_indexes_v2")
v3 = importlib.import_module("policies.migrations.0008_search_gaps_commitments_agencies")

TABLES = {**v2.TABLES, **v3.TABLES}
PUBLIC = "editorial_status IN ('published', 'retracted')"


def _document(fields, public_only):
    vector = f"to_tsvector('english'::regconfig, {v2._document(fields)})"
    return f"CASE WHEN {PUBLIC} THEN {vector} END" if public_only else vector


def _replace(schema_editor, public_only):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, fields in TABLES.items():
        schema_editor.execute(f"DROP INDEX IF EXISTS {v2._index_name(table)}")
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN {v2.COLUMN}")
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN {v2.COLUMN} tsvector GENERATED ALWAYS AS "
            f"({_document(fields, public_only)}) STORED"
        )
        schema_editor.execute(f"CREATE INDEX {v2._index_name(table)} ON {table} USING gin ({v2.COLUMN})")
        schema_editor.execute(f"ANALYZE {table}")


def public_only(apps, schema_editor):
    _replace(schema_editor, public_only=True)


def every_row(apps, schema_editor):
    _replace(schema_editor, public_only=False)


class Migration(migrations.Migration):
    dependencies = [("policies", "0010_import_run_keys")]

    operations = [migrations.RunPython(public_only, every_row)]
