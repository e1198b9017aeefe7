"""Reading a CSV download as it really arrives: UTF-8 with or without a BOM, CRLF, RFC 4180.

`CsvFile` wraps a seekable binary file. `check()` reads it once, in chunks, to refuse a
file that is empty or not UTF-8 before anything is written (a decoding error half-way
through must not leave half a file imported). `rows()` then streams
`(line number, fields or None, error)` tuples: line numbers are those of the first physical
line of each record (a quoted field may span lines), and a record the csv module cannot
read (unterminated quote, enormous field) comes back as an error, not an exception.
"""

import codecs
import csv
import io
import os
import re
import stat
from pathlib import Path

FIELD_SIZE_LIMIT = 1_000_000  # characters; USAspending's longest text fields are far shorter
_CHUNK = 1 << 20
_PART_SUFFIX = re.compile(r"_\d+$")
_DATE_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})")


class FileRejected(Exception):
    """The whole file is refused; the message says why, for staff."""


class CsvFile:
    def __init__(self, name, binary):
        self.name = Path(name).name
        self.binary = binary

    @classmethod
    def open(cls, path):
        """The file at `path`; FileRejected unless it is a regular file: a device (/dev/zero)
        or a pipe would be read for ever by `check()`, or could not be read twice."""
        # Looked at through a non-blocking descriptor first: opening a named pipe to read
        # waits for a writer, for ever if none comes, before a check could refuse it.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        try:
            seen = os.fstat(fd)
        finally:
            os.close(fd)
        if not stat.S_ISREG(seen.st_mode):
            raise FileRejected("it is not a regular file (a device or a pipe): save the download first")
        binary = open(path, "rb")  # noqa: SIM115 - closed by close(); by name: staged.py reopens it
        opened = os.fstat(binary.fileno())
        if (opened.st_dev, opened.st_ino) != (seen.st_dev, seen.st_ino) or not stat.S_ISREG(opened.st_mode):
            binary.close()
            raise FileRejected("the file was replaced while it was opened: try again")
        return cls(path, binary)

    def close(self):
        self.binary.close()

    @property
    def download_name(self):
        """The name shared by every part of a split download: `X_1.csv`, `X_2.csv` → `X`."""
        return _PART_SUFFIX.sub("", Path(self.name).stem)

    @property
    def date_in_name(self):
        match = _DATE_IN_NAME.search(self.name)
        return match.group(1) if match else None

    def check(self):
        """Refuse an empty file or one that is not UTF-8, naming the line of the first bad byte."""
        self.binary.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="strict")
        newlines = 0
        size = 0
        while chunk := self.binary.read(_CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                line = newlines + chunk[: exc.start].count(b"\n") + 1
                raise FileRejected(
                    f"the file is not UTF-8 (byte 0x{chunk[exc.start]:02x} on line {line}); "
                    "USAspending files are UTF-8: import the original download, or re-save it as UTF-8"
                ) from None
            newlines += chunk.count(b"\n")
            size += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise FileRejected("the file is not UTF-8 (it ends in the middle of a character)") from None
        if size == 0 or not self._has_text():
            raise FileRejected("the file is empty")

    def _has_text(self):
        self.binary.seek(0)
        return bool(self.binary.read(4096).decode("utf-8-sig", errors="ignore").strip())

    def rows(self):
        """The header, then `(line, fields, None)` or `(line, None, error)` for each record."""
        csv.field_size_limit(FIELD_SIZE_LIMIT)
        self.binary.seek(0)
        text = io.TextIOWrapper(self.binary, encoding="utf-8-sig", newline="")
        try:
            reader = csv.reader(text, strict=True)
            last_line = 0
            while True:
                try:
                    fields = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    yield last_line + 1, None, _csv_error(exc)
                else:
                    if fields or last_line == 0:
                        yield last_line + 1, fields, None
                last_line = reader.line_num
        finally:
            text.detach()


def _csv_error(exc):
    message = str(exc)
    if "field larger than field limit" in message:
        return f"a field is longer than {FIELD_SIZE_LIMIT:,} characters (damaged file?)"
    if "unexpected end of data" in message or "EOF" in message:
        return "the row is truncated: a quoted field is never closed"
    return f"the row is not valid CSV ({message})"
