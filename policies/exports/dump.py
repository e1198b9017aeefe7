"""Writing an export to a path (atomically) or streaming one table to the web."""

import json
from pathlib import Path

from . import atomic, csv, datapackage, jsonl, readme, resources
from .copy import Tally, snapshot
from .options import ExportInputError

WRITERS = {"csv": csv, "jsonl": jsonl}
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}


def check_output(options, output):
    """Refuse an output path we cannot write cleanly, before anything is written."""
    output = Path(output)
    if not output.parent.is_dir():
        raise ExportInputError(f"The folder {output.parent} does not exist.")
    into_folder = options.format != "datapackage" and not options.table
    # The final rename replaces whatever the path names: a file, a symbolic link (not its
    # target), even a device such as /dev/null. So an export never writes over anything.
    if output.is_symlink():
        raise ExportInputError(f"{output} exists (a symbolic link); give a new name.")
    if into_folder and output.exists() and (not output.is_dir() or any(output.iterdir())):
        raise ExportInputError(f"{output} exists and is not an empty folder.")
    if not into_folder and output.is_dir():
        raise ExportInputError(f"{output} is a folder; give a file name.")
    if not into_folder and output.exists():
        raise ExportInputError(f"{output} exists; give a new file name (an export never replaces a file).")
    return output


def write_export(options, output, progress=None, iterator=False, version="0.0.0", created=None):
    """Write what `options` ask for to `output`; return {resource name: rows}."""
    output = check_output(options, output)
    with snapshot():
        found = resources.for_options(options)
        return _write(found, options, output, progress, iterator, version, created)


def _write(found, options, output, progress, iterator, version, created):
    if options.format == "datapackage":
        with atomic.atomic_file(output) as out:
            return datapackage.write(found, options, out, version, created, iterator, progress)
    writer = WRITERS[options.format]
    if options.table:
        with atomic.atomic_file(output) as out:
            counts = {found[0].name: writer.write(found[0].select, out, iterator)}
        if progress:
            progress(1, 1, found[0].name, counts[found[0].name])
        return counts
    with atomic.atomic_dir(output) as folder:
        return _write_folder(found, options, folder, writer, progress, iterator)


def _write_folder(found, options, folder, writer, progress, iterator):
    counts = {}
    for index, resource in enumerate(found, 1):
        path = folder / resource.path(options.format)
        path.parent.mkdir(exist_ok=True)
        with open(path, "wb") as out:
            counts[resource.name] = writer.write(resource.select, out, iterator)
        if progress:
            progress(index, len(found), resource.name, counts[resource.name])
    (folder / "README.md").write_text(readme.text(found, options, counts, options.format))
    (folder / "counts.json").write_text(json.dumps(counts, indent=2) + "\n")
    return counts


def stream_table(options):
    """(media type, file name, bytes iterator) for one table, for a streaming response."""
    resource = resources.for_options(options)[0]
    writer = WRITERS[options.format]
    return (
        MEDIA_TYPES[options.format],
        f"{resource.name}.{options.format}",
        writer.chunks(resource.select, Tally()),
    )
