"""The search page: companies, policies, statements, contracts and sources."""

from django.shortcuts import render

from ..search import search as run_search


def search(request):
    q = request.GET.get("q", "").strip()[:200]
    hits = run_search(q) if q else []
    return render(request, "policies/search.html", {"q": q, "hits": hits})
