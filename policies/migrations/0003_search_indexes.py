"""GIN indexes for full-text search, on PostgreSQL only.

A GinIndex(SearchVector(...)) in Meta.indexes would break SQLite migrations, so
the indexes are added here with RunPython when the database is PostgreSQL. The
expression is policies.search.search_vector(model): the query uses the same one.
"""

from django.db import migrations

INDEXES = {
    "company": ("name", "summary"),
    "policy": ("title", "summary"),
    "statement": ("speaker", "quote"),
    "contract": ("title", "description", "award_id"),
    "source": ("title", "publisher"),
}


def _index(model_name, fields):
    from django.contrib.postgres.indexes import GinIndex
    from django.contrib.postgres.search import SearchVector

    return GinIndex(SearchVector(*fields, config="english"), name=f"policies_{model_name}_search")


def add_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model_name, fields in INDEXES.items():
        schema_editor.add_index(apps.get_model("policies", model_name), _index(model_name, fields))


def remove_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model_name, fields in INDEXES.items():
        schema_editor.remove_index(apps.get_model("policies", model_name), _index(model_name, fields))


class Migration(migrations.Migration):
    dependencies = [("policies", "0002_sale_route_unknown_and_reported_precision")]

    operations = [migrations.RunPython(add_indexes, remove_indexes)]
