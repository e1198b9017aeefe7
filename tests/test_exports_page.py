"""The exports page: releases with checksums and links; filtered downloads streamed; bad input is a 400."""

import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests import export_world


@pytest.fixture
def released(db, tmp_path, settings):
    settings.EXPORTS_ROOT = tmp_path
    export_world.build()
    call_command("release")
    return tmp_path


def test_the_page_lists_releases_with_checksums_and_download_links(client, released):
    from policies.exports import releases

    release = releases.list_releases()[0]
    response = client.get(reverse("policies:exports"))
    assert response.status_code == 200
    for name, digest in release["checksums"].items():
        assert digest in response.text
        assert reverse("policies:release-file", args=[release["folder"], name]) in response.text


def test_the_page_reads_no_database_rows_however_many_releases(client, released, django_assert_num_queries):
    # Releases are files: the page costs no query for 1 release or for 3.
    with django_assert_num_queries(0):
        client.get(reverse("policies:exports"))
    call_command("release")
    call_command("release")
    with django_assert_num_queries(0):
        assert client.get(reverse("policies:exports")).text.count("SHA256") >= 1


def test_a_release_file_downloads_and_other_paths_do_not(client, released):
    from policies.exports import releases

    folder = releases.list_releases()[0]["folder"]
    response = client.get(reverse("policies:release-file", args=[folder, "CITATION.cff"]))
    assert response.status_code == 200 and b"cff-version" in b"".join(response.streaming_content)
    assert client.get(reverse("policies:release-file", args=[folder, "..%2F..%2Fsecret"])).status_code == 404
    missing = reverse("policies:release-file", args=["0009-2020-01-01", "CITATION.cff"])
    assert client.get(missing).status_code == 404


def test_a_filtered_table_is_streamed_as_json_lines(client, db):
    export_world.build()
    url = reverse("policies:exports-download")
    response = client.get(url, {"table": "statement", "format": "jsonl", "company": "example-cloud"})
    assert response.status_code == 200 and response.streaming
    assert response["Content-Disposition"] == 'attachment; filename="statement.jsonl"'
    rows = [json.loads(line) for line in b"".join(response.streaming_content).decode().splitlines()]
    assert {r["company_id"] for r in rows} == {export_world.m.Company.objects.get(slug="example-cloud").pk}
    assert all(export_world.DRAFT_QUOTE not in r["quote"] for r in rows)


def test_history_of_a_table_is_streamed_as_csv(client, db):
    export_world.build()
    response = client.get(reverse("policies:exports-download"), {"table": "statement", "history": "1"})
    body = b"".join(response.streaming_content).decode()
    header = "history_id,history_date,history_type,history_change_reason,public_attribution,id,"
    assert body.startswith(header)
    assert "Published after review" in body


@pytest.mark.parametrize(
    "params,reason",
    [
        ({"table": "statement", "format": "datapackage"}, "Unknown format"),
        ({"format": "csv"}, "Choose a table"),
        ({"table": "signal"}, "Unknown table"),
        ({"table": "statement", "company": "nobody"}, "No public company"),
        ({"table": "statement", "as_of": "2999-01-01"},
         "“As of (record date)” (2999-01-01) is in the future"),
        ({"table": "statement", "from": "yesterday"}, "“Event date from” must be a date written YYYY-MM-DD"),
        ({"table": "statement", "from": "2025-02-01", "to": "2025-01-01"},
         "“Event date from” (2025-02-01) is after “to” (2025-01-01)"),
    ],
)
def test_bad_parameters_are_a_400_with_the_reason(client, db, params, reason):
    response = client.get(reverse("policies:exports-download"), params)
    assert response.status_code == 400
    assert reason in response.content.decode()
    assert "--" not in response.content.decode()  # the form's words, not the command's options
