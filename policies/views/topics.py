"""Topic pages: the commitments, statements, employee actions, gaps and products on a topic."""

from django.shortcuts import get_object_or_404, render

from ..asof import linked_public_q
from ..listings import public_gaps
from ..models import Commitment, EmployeeAction, Product, Statement, Topic


def topic_list(request):
    return render(request, "policies/topics.html", {"topics": Topic.objects.all()})


def topic(request, slug):
    obj = get_object_or_404(Topic, slug=slug)
    # Queries: topic (1), commitments, statements, employee actions, gaps (+1 replies), products: 1 each.
    context = {
        "topic": obj,
        "commitments": Commitment.objects.public().filter(linked_public_q(Commitment), topics=obj)
        .select_related("policy__company").distinct(),
        "statements": Statement.objects.public().filter(linked_public_q(Statement), topics=obj)
        .select_related("company").distinct(),
        "actions": EmployeeAction.objects.public().filter(linked_public_q(EmployeeAction), topics=obj)
        .select_related("company").distinct(),
        "gaps": public_gaps().filter(commitment__topics=obj).distinct(),
        "products": Product.objects.public().filter(capabilities__topics=obj)
        .filter(linked_public_q(Product)).select_related("company").distinct(),
    }
    return render(request, "policies/topic.html", context)
