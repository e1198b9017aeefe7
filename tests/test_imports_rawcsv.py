"""When PostgreSQL may parse a download itself (policies/imports/rawcsv.py), and that the
result is then the same as Python's reader gives, row for row, line numbers included.

The shape checks run everywhere; the path comparisons on PostgreSQL only.
"""

import io

import pytest
from django.db import connection

from policies.imports import rawcsv, staged
from tests.test_imports_paths import NAME, both_paths, imported
from tests.usaspending_files import AWARDS_286, award, csv_bytes, raw_file


def shape(data):
    return rawcsv.shape(io.BytesIO(data))


@pytest.mark.parametrize(
    "data",
    [
        b"a,b\r\n1,2\r\n",
        b'a,b\n"x,y",2\n',
        b'a,b\n"x""y",2\n',
        b'\xef\xbb\xbf"a",b\r\n"",""\r\n',
        b'a,b\n"""","""x"\n',
        b"a,b\n1,2",  # no line break at the end
        b"a,b\r1,2\r",  # old Mac line ends
        b"a,b\n" + b"x" * 999_990 + b",1\n",
    ],
)
def test_plain_files(data):
    assert shape(data).plain


@pytest.mark.parametrize(
    "data, why",
    [
        (b'a,b\n"x"y,2\n', "quote"),  # Python's strict reader refuses it, PostgreSQL would read xy
        (b'a,b\nx"y,2\n', "quote"),  # Python keeps the quote, PostgreSQL would open a quoted field
        (b'a,b\nab",c",x\n', "quote"),
        (b'a,b\n"x\ny",2\n', "line break"),  # a record over two lines: line numbers shift
        (b"a,b\n\\.\n1,2\n", "end-of-data"),  # PostgreSQL would stop reading there
        (b"a,b\n1,\0\n", "NUL"),
        (b"a,b\n" + b"x" * 1_000_001 + b",1\n", "field size"),
    ],
)
def test_files_python_must_read(data, why):
    result = shape(data)
    assert not result.plain
    assert why in result.why


def test_a_quote_pair_split_across_chunks_is_still_paired(monkeypatch):
    monkeypatch.setattr(rawcsv, "_CHUNK", 7)
    assert shape(b'a,b\n"x,y,z",2\n"p""q",3\n').plain
    assert not shape(b'a,b\n"x,y,z"w,2\n').plain


def test_python_whitespace_and_line_breaks_match_str_methods():
    assert "".join(c for c in rawcsv.PY_WHITESPACE).strip() == ""
    assert rawcsv.PY_WHITESPACE == "".join(c for c in map(chr, range(0x110000)) if c.isspace())


postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL only")


def _spy_raw(monkeypatch):
    """Record whether each part was staged by PostgreSQL's parser (True) or Python's (False)."""
    used = []
    original = staged.StagedAwardsImport.stage_raw

    def spy(job, part):
        count = original(job, part)
        used.append(count is not None)
        return count

    monkeypatch.setattr(staged.StagedAwardsImport, "stage_raw", spy)
    return used


ODD = [
    award("P1", prime_award_base_transaction_description='CLOUD, STORAGE "PLUS"'),
    award("P2", recipient_name="  EXAMPLE CLOUD 0042 LLC\u3000", award_id_piid="P2\u2003"),
    award("P3", prime_award_base_transaction_description="FIRST LINE\u2028SECOND LINE"),
    award("P4", total_obligated_amount="16000"),
    award("P5", prime_award_base_transaction_description="D" * 400),
    award("P6", period_of_performance_start_date="2025-02-30"),
]


@postgres_only
@pytest.mark.django_db
def test_a_plain_file_is_parsed_by_postgresql_with_the_python_paths_results(monkeypatch):
    used = _spy_raw(monkeypatch)
    data = csv_bytes(AWARDS_286, ODD)
    python, fast = both_paths(monkeypatch, lambda: imported([raw_file(NAME, data)]))
    assert python == fast
    assert used == [True]


@postgres_only
@pytest.mark.django_db
@pytest.mark.parametrize(
    "damage",
    [
        lambda rows: rows[:2] + [rows[2][: len(rows[2]) // 2]] + rows[3:],  # a truncated row
        lambda rows: rows[:2] + [b""] + rows[2:],  # a blank line
        lambda rows: rows[:2] + [rows[2].replace(b",", b',"x"y,', 1)] + rows[3:],  # a quote mid-field
        lambda rows: rows[:2] + [rows[2].replace(b",", b',"two\r\nlines",', 1)[: -len(b",")]] + rows[3:],
    ],
)
def test_damaged_files_fall_back_to_pythons_reader_with_the_same_lines(monkeypatch, damage):
    used = _spy_raw(monkeypatch)
    rows = csv_bytes(AWARDS_286, ODD + [award("P7"), award("P8")]).split(b"\r\n")
    data = b"\r\n".join(damage(rows))
    python, fast = both_paths(monkeypatch, lambda: imported([raw_file(NAME, data)]))
    assert python == fast
    assert used == [False]
