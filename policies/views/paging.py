"""Pagination that never fails on a bad page number (it shows the nearest page)."""

from django.core.paginator import Paginator

PER_PAGE = 30


def paginate(request, queryset, per_page=PER_PAGE):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))
