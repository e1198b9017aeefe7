"""Writing an export to a path (atomically) or streaming one table to the web."""

import json
from pathlib import Path

from . import atomic, copy, csv, datapackage, jsonl, parallel, readme, resources
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


def write_export(options, output, progress=None, iterator=False, version="0.0.0", created=None,
                 jobs=parallel.DEFAULT_JOBS):
    """Write what `options` ask for to `output`; return {resource name: rows}.

    A folder of tables is written over `jobs` connections at once on PostgreSQL
    (`parallel.py`), all reading the same snapshot.
    """
    output = check_output(options, output)
    with snapshot() as own:
        found = resources.for_options(options)
        jobs = jobs if own and copy.uses_copy(iterator) else 1  # see parallel.py
        return _write(found, options, output, progress, iterator, version, created, jobs)


def _write(found, options, output, progress, iterator, version, created, jobs):
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
        counts = write_tables(found, folder, options.format, iterator, progress, jobs)
        (folder / "README.md").write_text(readme.text(found, options, counts, options.format))
        (folder / "counts.json").write_text(json.dumps(counts, indent=2) + "\n")
        return counts


def write_tables(found, folder, format, iterator=False, progress=None, jobs=1):
    """One file per resource under `folder`; {resource name: rows}, in the order of `found`.

    jobs > 1 only inside a `snapshot()` that opened its own transaction on PostgreSQL.
    """
    for resource in found:
        (folder / resource.path(format)).parent.mkdir(exist_ok=True)
    if format == "csv" and copy.uses_copy(iterator) and copy.reads_one_snapshot():
        resources.chain(found)

    def write_one(resource):
        return write_resource(resource, folder, format, iterator)

    done = []

    def on_done(resource, rows):
        done.append(resource)
        if progress:
            progress(len(done), len(found), resource.name, rows)

    if jobs > 1 and len(found) > 1:
        return parallel.run(found, write_one, parallel.export_snapshot(), jobs, on_done)
    counts = {}
    for resource in resources.after_first(found):
        counts[resource.name] = write_one(resource)
        on_done(resource, counts[resource.name])
    return {r.name: counts[r.name] for r in found}
    (folder / "counts.json").write_text(json.dumps(counts, indent=2) + "\n")
    return counts


def write_resource(resource, folder, format, iterator=False):
    """Write one resource's file under `folder`; return its rows. When a later table's
    statement filters on this one's ids (`resources.chain`), hand them to the selection."""
    writer = WRITERS[format]
    with open(folder / resource.path(format), "wb") as out:
        if not resource.collect:
            return writer.write(resource.select, out, iterator)
        ids = []
        rows = writer.write(resource.select, out, iterator, ids=ids)
        resource.selection.give(resource.table, ids)
        return rows


def stream_table(options):
    """(media type, file name, bytes iterator) for one table, for a streaming response."""
    resource = resources.for_options(options)[0]
    writer = WRITERS[options.format]
    return (
        MEDIA_TYPES[options.format],
        f"{resource.name}.{options.format}",
        writer.chunks(resource.select, Tally()),
    )
