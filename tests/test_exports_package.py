"""The data package validates with frictionless, and pandas reads every CSV with the declared types."""

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from policies.exports import parse, write_export
from tests import export_world

FRICTIONLESS = Path(sys.executable).parent / "frictionless"


@pytest.fixture
def package(db, tmp_path):
    export_world.build()
    path = tmp_path / "tracker.zip"
    counts = write_export(parse("datapackage", history=True), path)
    folder = tmp_path / "unzipped"
    zipfile.ZipFile(path).extractall(folder)
    return folder, counts


def validate(descriptor):
    done = subprocess.run(
        [str(FRICTIONLESS), "validate", "--json", str(descriptor)],
        capture_output=True, text=True, timeout=300,
    )
    return done.returncode, done.stdout


def test_frictionless_validates_the_whole_package_with_history(package):
    folder, counts = package
    code, report = validate(folder / "datapackage.json")
    assert code == 0, report[:4000]
    assert json.loads(report)["valid"] is True
    assert counts["statement"] > 0 and counts["statement_history"] > counts["statement"]


def test_the_descriptor_is_data_package_v2_with_licence_version_and_keys(package):
    folder, _ = package
    meta = json.loads((folder / "datapackage.json").read_text())
    assert meta["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    assert meta["licenses"][0]["name"] and meta["version"] and meta["created"].endswith("Z")
    statement = next(r for r in meta["resources"] if r["name"] == "statement")
    assert statement["type"] == "table"
    assert statement["schema"]["primaryKey"] == ["id"]
    assert {"fields": ["company_id"], "reference": {"resource": "company", "fields": ["id"]}} in (
        statement["schema"]["foreignKeys"]
    )
    quote = next(f for f in statement["schema"]["fields"] if f["name"] == "quote")
    assert quote["description"] == "Verbatim where available."
    history = next(r for r in meta["resources"] if r["name"] == "statement_history")
    assert history["schema"]["primaryKey"] == ["history_id"]


def test_the_readme_explains_every_table_and_both_time_axes(package):
    folder, counts = package
    readme = (folder / "README.md").read_text()
    assert "Event time" in readme and "Record time" in readme
    for name in counts:
        assert f"### {name} " in readme


def test_a_filtered_package_still_validates(db, tmp_path):
    export_world.build()
    path = tmp_path / "one.zip"
    write_export(parse("datapackage", company="example-cloud", start="2025-01-01", history=True), path)
    zipfile.ZipFile(path).extractall(tmp_path / "one")
    code, report = validate(tmp_path / "one" / "datapackage.json")
    assert code == 0, report[:4000]


PANDAS_TYPES = {"integer": "Int64", "number": "Float64", "boolean": "boolean", "string": "string"}


def read_with_schema(path, schema):
    dtypes, dates = {}, []
    for field in schema["fields"]:
        if field["type"] in ("date", "datetime"):
            dates.append(field["name"])
        else:
            dtypes[field["name"]] = PANDAS_TYPES[field["type"]]
    frame = pd.read_csv(
        path, dtype=dtypes, keep_default_na=False, na_values=[""],
        true_values=["true"], false_values=["false"],
    )
    for name in dates:
        frame[name] = pd.to_datetime(frame[name], format="ISO8601", utc=True)
    return frame


def test_pandas_reads_every_csv_with_the_declared_types(package):
    folder, counts = package
    meta = json.loads((folder / "datapackage.json").read_text())
    for resource in meta["resources"]:
        frame = read_with_schema(folder / resource["path"], resource["schema"])
        assert len(frame) == counts[resource["name"]], resource["name"]
        assert list(frame.columns) == [f["name"] for f in resource["schema"]["fields"]]
    contracts = read_with_schema(folder / "data/contract.csv", _schema(meta, "contract"))
    assert contracts["amount"].iloc[0] == 1234567.89
    assert str(contracts["started_on"].dtype).startswith("datetime64")
    statements = read_with_schema(folder / "data/statement.csv", _schema(meta, "statement"))
    assert statements["is_paraphrase"].dtype == "boolean"
    assert export_world.TRICKY_QUOTE in set(statements["quote"])


def _schema(meta, name):
    return next(r["schema"] for r in meta["resources"] if r["name"] == name)
