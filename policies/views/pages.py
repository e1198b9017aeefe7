"""Minimal public pages (the foundation). The full public site builds on these URLs."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render

from ..models import Agency, Company, Gap, Policy, Source, Topic


def home(request):
    companies = Company.objects.public().order_by("name")
    return render(request, "policies/home.html", {"companies": companies})


def company(request, slug):
    obj = get_object_or_404(Company.objects.public(), slug=slug)
    return render(request, "policies/placeholder.html", {"object": obj})


def agency(request, slug):
    obj = get_object_or_404(Agency.objects.public(), slug=slug)
    return render(request, "policies/placeholder.html", {"object": obj})


def policy(request, company_slug, slug):
    obj = get_object_or_404(Policy.objects.public(), company__slug=company_slug, slug=slug)
    return render(request, "policies/placeholder.html", {"object": obj})


def gap(request, slug):
    obj = get_object_or_404(Gap.objects.public(), slug=slug)
    return render(request, "policies/placeholder.html", {"object": obj})


def source(request, pk):
    obj = get_object_or_404(Source.objects.public(), pk=pk)
    return render(request, "policies/placeholder.html", {"object": obj})


def topic(request, slug):
    obj = get_object_or_404(Topic, slug=slug)
    return render(request, "policies/placeholder.html", {"object": obj})


def record(request, kind, pk):
    raise Http404("Record pages arrive with the public site.")
