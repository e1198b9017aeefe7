"""A one-line progress report for terminals; silent when output is not a TTY."""

import sys


def for_stream(stream=None):
    stream = stream or sys.stderr
    if not stream.isatty():
        return None

    def report(index, total, name, rows):
        end = "\n" if index == total else ""
        stream.write(f"\r\033[K[{index:>2}/{total}] {name}: {rows:,} rows{end}")
        stream.flush()

    return report
