"""Frictionless Data Package v2: a zip of datapackage.json, README.md and one CSV per resource.

Table schemas come from the models' `_meta` (see tables.py): types, required fields,
allowed values, primary keys, foreign keys and descriptions from help_text.
"""

import json
import zipfile

from django.conf import settings
from django.utils import timezone

from . import csv, readme

PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
LICENCE = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "Creative Commons Attribution 4.0",
}
DIALECT = {"delimiter": ",", "quoteChar": '"', "doubleQuote": True, "header": True, "lineTerminator": "\n"}
TYPES = {"integer": "integer", "number": "number", "boolean": "boolean", "date": "date",
         "datetime": "datetime", "string": "string"}


def licence():
    return getattr(settings, "EXPORTS_LICENCE", LICENCE)


def field_schema(column):
    schema = {"name": column.name, "type": TYPES[column.kind], "description": column.description}
    if column.kind == "boolean":
        schema.update(trueValues=["true"], falseValues=["false"])
    constraints = {}
    if column.required:
        constraints["required"] = True
    if column.choices:
        constraints["enum"] = list(column.choices)
    if constraints:
        schema["constraints"] = constraints
    return schema


def table_schema(resource, foreign_keys=True):
    schema = {
        "fields": [field_schema(c) for c in resource.columns],
        "missingValues": [""],
        "primaryKey": [resource.primary_key],
    }
    keys = [
        {"fields": [c.name], "reference": {"resource": c.references, "fields": ["id"]}}
        for c in resource.columns
        if c.references and not resource.history
    ]
    if foreign_keys and keys:
        schema["foreignKeys"] = keys
    return schema


def resource_descriptor(resource, foreign_keys):
    kind = "Every public version of" if resource.history else "Public rows of"
    return {
        "name": resource.name,
        "type": "table",
        "path": resource.path("csv"),
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "description": f"{kind} {resource.table.name}: {resource.table.description}",
        "dialect": DIALECT,
        "schema": table_schema(resource, foreign_keys),
    }


def descriptor(resources, options, version="0.0.0", created=None):
    """datapackage.json. Filtered packages declare no foreign keys (targets may be outside)."""
    foreign_keys = not options.scope.filtered and not options.table
    return {
        "$schema": PROFILE,
        "name": "human-rights-policy-tracker",
        "title": settings.SITE_NAME,
        "description": readme.summary(options),
        "homepage": settings.SITE_URL,
        "version": version,
        "created": (created or timezone.now()).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "licenses": [licence()],
        "resources": [resource_descriptor(r, foreign_keys) for r in resources],
    }


def write(resources, options, out, version="0.0.0", created=None, iterator=False, progress=None):
    """Write the zip to a binary file object; return {resource name: rows}."""
    counts = {}
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for index, resource in enumerate(resources, 1):
            with zf.open(resource.path("csv"), "w", force_zip64=True) as member:
                counts[resource.name] = csv.write(resource.select, member, iterator, chunked=True)
            if progress:
                progress(index, len(resources), resource.name, counts[resource.name])
        meta = descriptor(resources, options, version, created)
        zf.writestr("datapackage.json", json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
        zf.writestr("README.md", readme.text(resources, options, counts, ext="csv"))
    return counts
