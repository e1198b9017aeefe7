"""Search reaches gaps, commitments and agencies: the same stored `search_document` column
(a generated tsvector, GIN-indexed) as 0006 gives the other searched tables. PostgreSQL
only; SQLite searches by per-term matching. Reversible."""

import importlib

from django.db import migrations

v2 = importlib.import_module("policies.migrations.0006_search_indexes_v2")

TABLES = {
    "policies_agency": ("name", "abbreviation", "summary"),
    "policies_commitment": ("title",),
    "policies_gap": ("title", "narrative"),
}


def add_documents(apps, schema_editor):
    v2.add_documents_to(schema_editor, TABLES)


def remove_documents(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {v2._index_name(table)}")
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN {v2.COLUMN}")


class Migration(migrations.Migration):
    dependencies = [("policies", "0007_citation_indexes")]

    operations = [migrations.RunPython(add_documents, remove_documents)]
