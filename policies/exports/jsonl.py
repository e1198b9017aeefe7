"""JSON Lines: one object per row, keys in column order, typed values.

Integers, numbers and booleans are JSON literals (numbers keep their decimal places,
e.g. 1400.00); dates and timestamps are ISO 8601 strings; NULL is null. Unlike CSV,
JSON keeps an empty string apart from a missing value.
"""

import json

from . import copy

LITERAL_KINDS = frozenset({"integer", "number", "boolean"})


def _encoder(column):
    if column.kind in LITERAL_KINDS:
        return lambda v: "null" if v is None else v
    return lambda v: "null" if v is None else json.dumps(v, ensure_ascii=False)


def line_writer(columns):
    keys = [json.dumps(c.name) + ":" for c in columns]
    encoders = [_encoder(c) for c in columns]
    pairs = list(zip(keys, encoders, strict=True))

    def line(row):
        return "{" + ",".join(k + enc(v) for (k, enc), v in zip(pairs, row, strict=True)) + "}\n"

    return line


def chunks(select, tally, iterator=False):
    line = line_writer(select.columns)
    for batch in copy.rows(select, tally, iterator):
        yield "".join(line(row) for row in batch).encode()


def write(select, out, iterator=False):
    tally = copy.Tally()
    for chunk in chunks(select, tally, iterator):
        out.write(chunk)
    return tally.rows
