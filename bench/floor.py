"""The floor: the cheapest Django response of a given size, through the same middleware."""

from django.http import HttpResponse

MAX_BYTES = 5_000_000
_BODY = b"<!doctype html><title>floor</title>" + b"x" * MAX_BYTES


def floor(request):
    size = min(int(request.GET.get("bytes", "1000")), MAX_BYTES)
    response = HttpResponse(_BODY[:size], content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-store"  # the floor is never served from the page cache
    return response
