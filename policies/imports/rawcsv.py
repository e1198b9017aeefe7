"""Can PostgreSQL's own CSV parser read this file exactly as Python's csv module would?

The fast path (`staged.py`) lets `COPY ... (FORMAT csv)` parse a download instead of
Python, which is several times faster, but only when both parsers are certain to agree on
every record and every line number. `shape(binary)` reads the file once, in chunks, and
says whether it is *plain*:

- every `"` sits at a field boundary: a quoted field opens after a comma or a line break
  and closes before one (doubled `""` inside). Python's strict reader rejects a quote in
  the middle of a field (`"ab"c`) where PostgreSQL would accept it, and PostgreSQL treats
  `ab"c` as the start of a quoted section where Python keeps the quote;
- no quoted field holds a line break, so every record is exactly one physical line and
  the record numbered n (after a one-line header) is on line n + 1;
- no line is `\\.` (PostgreSQL's end-of-data marker would silently end the COPY there);
- no NUL byte (PostgreSQL text cannot hold one);
- no physical line is longer than `csvfile.FIELD_SIZE_LIMIT` bytes, so no field can be
  longer than Python's limit (Python rejects such a row; PostgreSQL would not).

Whatever PostgreSQL then refuses (a row of the wrong width, a blank line, mixed line
ends) makes the caller read the file with Python's reader instead, which reports each such
row with its line number; so does a file that is not plain.
"""

import re
from dataclasses import dataclass

from .csvfile import FIELD_SIZE_LIMIT

_CHUNK = 1 << 19  # below FIELD_SIZE_LIMIT, so a region only needs splitting when it is long
_MAX_CARRY = 64 << 20  # a quoted section longer than this: not worth the fast path
_BOM = b"\xef\xbb\xbf"
# A quoted section whose opening quote follows a boundary (start, comma, line break, or the
# quote before it, for "") and whose closing quote precedes one. Quotes left after removing
# these sit in the middle of a field.
_QUOTED = re.compile(rb'(?<![^,\r\n"])"[^"\r\n]*"(?![^,\r\n"])')
_END_MARKER = re.compile(rb"(?:^|[\r\n])\\\.(?:[\r\n]|$)")

# The characters Python's str.strip() removes (str.isspace()), for PostgreSQL's btrim().
# Written out: computing it (1.1 million code points) cost every import 50 ms of start-up;
# tests/test_imports_rawcsv.py checks it against str.isspace() over all of Unicode.
PY_WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
# The characters str.splitlines() breaks at, as a PostgreSQL regular-expression class.
PY_LINE_BREAKS = r"\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"


@dataclass
class Shape:
    plain: bool
    why: str = ""  # why the file is not plain (for tests and the fallback's note)


def shape(binary):
    """Read `binary` (a seekable binary file) once; see the module docstring."""
    binary.seek(0)
    carry = b""
    first = True
    while True:
        chunk = binary.read(_CHUNK)
        if first:
            first = False
            if chunk.startswith(_BOM):
                chunk = chunk[len(_BOM) :]
        buffer = carry + chunk if carry else chunk
        end = len(buffer) if not chunk else _even_cut(buffer) + 1
        if chunk and end == 0:
            if len(buffer) > _MAX_CARRY:
                return Shape(False, why="a line or quoted section is too long")
            carry = buffer
            continue
        why = _region_problem(buffer, end)
        if why:
            return Shape(False, why=why)
        if not chunk:
            return Shape(True)
        carry = buffer[end:]


def _even_cut(buffer):
    """The last `\\n` before which the number of quotes is even, or -1."""
    position = buffer.rfind(b"\n")
    quotes = buffer.count(b'"', 0, position) if position >= 0 else 0
    while position >= 0 and quotes % 2:
        previous = buffer.rfind(b"\n", 0, position)
        quotes -= buffer.count(b'"', previous + 1 if previous >= 0 else 0, position)
        position = previous
    return position


def _region_problem(buffer, end):
    """What is wrong with `buffer[:end]`, which starts a line and ends one (or the file)."""
    if buffer.find(b"\0", 0, end) >= 0:
        return "a NUL byte"
    if buffer.find(b"\\", 0, end) >= 0 and _END_MARKER.search(buffer, 0, end):
        return r"a line '\.' (PostgreSQL's end-of-data marker)"
    if buffer.find(b'"', 0, end) >= 0 and b'"' in _QUOTED.sub(b"", buffer[:end]):
        return "a quote in the middle of a field, or a quoted line break"
    if end > FIELD_SIZE_LIMIT and max(map(len, buffer[:end].split(b"\n"))) > FIELD_SIZE_LIMIT:
        return "a line longer than the field size limit"
    return ""
