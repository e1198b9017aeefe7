"""CSV (UTF-8, RFC 4180 quoting, LF line ends, a header row), as PostgreSQL's COPY writes it.

The Python writer copies COPY's rules exactly, so both paths give the same bytes:
a field is quoted when it is an empty string or holds a comma, a double quote, CR
or LF (quotes doubled); NULL is an empty unquoted field.
"""

import re

from . import copy

_NEEDS_QUOTES = re.compile(r'[,"\r\n]')


def field(value):
    if value is None:
        return ""
    if value == "" or _NEEDS_QUOTES.search(value):
        return '"' + value.replace('"', '""') + '"'
    return value


def line(values):
    return ",".join(field(v) for v in values) + "\n"


def chunks(select, tally, iterator=False):
    """The CSV file's bytes, header first, in chunks."""
    yield line(select.header).encode()
    if copy.uses_copy(iterator):
        yield from copy.copy_csv(select, tally)
        return
    for batch in copy.iterate_rows(select, tally):
        yield "".join(line(row) for row in batch).encode()


def write(select, out, iterator=False, chunked=False, ids=None):
    """Write the table to a binary file; return the number of rows.

    On the COPY path rows go straight into `out`; `chunked` hands them on in chunks
    instead, for writers that pay per call (a zip member compresses every write).
    `ids`: a list that gets the first column (the id) of every row, as bytes (COPY
    path only).
    """
    if copy.uses_copy(iterator) and not chunked:
        out.write(line(select.header).encode())
        return copy.copy_csv_into(select, out, ids)
    if ids is not None:
        raise ValueError("ids are read back on the COPY path only")
    tally = copy.Tally()
    for chunk in chunks(select, tally, iterator):
        out.write(chunk)
    return tally.rows
