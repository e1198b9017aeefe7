"""The exports page: citable releases as files, and small filtered exports streamed directly."""

from django.http import FileResponse, Http404, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import render

from .. import exports
from ..exports import releases
from ..exports.tables import TABLES

WEB_FORMATS = ("csv", "jsonl")


def page(request):
    return render(
        request,
        "policies/exports.html",
        {"releases": releases.list_releases(), "tables": TABLES, "formats": WEB_FORMATS},
    )


def _options(params):
    if any("\x00" in value for values in params.lists() for value in values[1]):
        raise exports.ExportInputError("A parameter holds a NUL byte; remove it and try again.")
    fmt = params.get("format", "csv")
    if fmt not in WEB_FORMATS:
        raise exports.ExportInputError(
            f"Unknown format {fmt!r} for a download: choose csv or jsonl "
            "(the full data package is a release file on this page)."
        )
    if not params.get("table"):
        raise exports.ExportInputError("Choose a table to download.")
    return exports.parse(
        fmt, company=params.get("company") or None, start=params.get("from"), end=params.get("to"),
        as_of=params.get("as_of"), history=params.get("history") in ("1", "on", "true"),
        table=params.get("table"), labels=exports.FORM_LABELS,
    )


def download(request):
    """One table, filtered, streamed as it is read (COPY on PostgreSQL)."""
    try:
        options = _options(request.GET)
    except exports.ExportInputError as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")
    media_type, filename, chunks = exports.stream_table(options)
    response = StreamingHttpResponse(chunks, content_type=media_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def release_file(request, folder, name):
    path = releases.release_file(folder, name)
    if path is None:
        raise Http404("No such release file.")
    return FileResponse(open(path, "rb"), as_attachment=True, filename=name)
