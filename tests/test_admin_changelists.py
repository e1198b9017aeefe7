"""Every changelist runs a fixed number of queries: the same for 1 row and for 50."""

import datetime
import warnings

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import UnorderedObjectListWarning
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from policies import models as m
from tests import factories as f
from tests.admin_support import admin_url, reviewer

pytestmark = pytest.mark.django_db

# The domain model's records, each with its own admin page. Inline-only link tables
# (statement topics, contract products, gap evidence, ...) are edited on their parent's
# page; computed signals and imports have admin modules of their own.
EXPECTED = {
    "company", "companyalias", "companyrelationship", "agency", "product", "topic", "capability",
    "source", "citation", "policy", "policyversion", "commitment", "commitmentclause", "statement",
    "employeeaction", "contract", "observation", "gap", "rightofreply", "redaction",
}


def _saved(obj, reason="Test data"):
    obj._change_reason = reason
    obj.save()
    return obj


class Builders:
    """One new row per call for each registered model, sharing parents so 50 rows stay cheap."""

    def __init__(self):
        self.n = 0
        self.company = f.company()
        self.agency = f.agency()
        self.policy = f.policy(self.company)
        self.commitment = f.commitment(self.policy)
        self.source = f.source()

    def next(self):
        self.n += 1
        return self.n

    def company_(self):
        return f.company(cited=False)

    def companyalias(self):
        return _saved(m.CompanyAlias(company=self.company, value=f"Alias {self.next()}"))

    def companyrelationship(self):
        return _saved(m.CompanyRelationship(parent=self.company, child=f.company(cited=False)))

    def agency_(self):
        return f.agency(cited=False)

    def product(self):
        n = self.next()
        return _saved(m.Product(company=self.company, slug=f"product-{n}", name=f"Product {n}"))

    def topic(self):
        return f.topic()

    def capability(self):
        n = self.next()
        return _saved(m.Capability(slug=f"capability-{n}", name=f"Capability {n}"))

    def source_(self):
        return f.source()

    def citation(self):
        return f.cite(self.company, self.source, locator=f"p. {self.next()}")

    def policy_(self):
        return f.policy(self.company, cited=False)

    def policyversion(self):
        return f.policy_version(
            self.policy, cited=False, effective_on=datetime.date(2000, 1, 1) + datetime.timedelta(self.next())
        )

    def commitment_(self):
        return f.commitment(self.policy, cited=False)

    def commitmentclause(self):
        clause = m.CommitmentClause(commitment=self.commitment, version=self.policyversion(), text="No.")
        return _saved(clause)

    def statement(self):
        return f.statement(self.company, cited=False)

    def employeeaction(self):
        return f.employee_action(self.company, cited=False)

    def contract(self):
        return f.contract(self.agency, self.company, cited=False)

    def observation(self):
        return f.observation(self.company, self.agency, cited=False)

    def gap(self):
        return f.gap(self.company, self.commitment, cited=False)

    def rightofreply(self):
        return _saved(
            m.RightOfReply(
                company=self.company,
                content_type=ContentType.objects.get_for_model(m.Company),
                object_id=self.company.pk,
                asked_on=datetime.date(2025, 1, 1),
                deadline_on=datetime.date(2025, 1, 8),
                channel="email",
            )
        )

    def redaction(self):
        return _saved(
            m.Redaction(
                content_type=ContentType.objects.get_for_model(m.Company),
                object_id=self.company.pk,
                field_name="summary",
                reason="Test",
            )
        )

    def build(self, model):
        name = model._meta.model_name
        # A trailing underscore where the plain name is taken by a shared parent row.
        method = getattr(self, name + "_", None) or getattr(self, name)
        return method()


def _registered():
    return sorted(
        (model for model in admin.site._registry if model._meta.app_label == "policies"),
        key=lambda model: model._meta.model_name,
    )


def _changelist_queries(client, model):
    # Steady state: a first request fills the process's content type cache (one query
    # any running server makes once), so measure the second.
    client.get(admin_url(model, "changelist"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(admin_url(model, "changelist"))
    assert response.status_code == 200
    return len(queries), response


def test_every_record_kind_has_an_admin_page():
    registered = {model._meta.model_name for model in admin.site._registry}
    assert EXPECTED - registered == set()


@pytest.mark.parametrize(
    "model",
    [m for m in _registered() if m._meta.model_name in EXPECTED],
    ids=lambda model: model._meta.model_name,
)
def test_the_changelist_runs_as_many_queries_for_50_rows_as_for_1(client, model):
    builders = Builders()
    client.force_login(reviewer())
    builders.build(model)
    one, _ = _changelist_queries(client, model)
    for _ in range(49):
        builders.build(model)
    fifty, response = _changelist_queries(client, model)
    assert response.context["cl"].result_count >= 50
    assert fifty == one, f"{model.__name__}: {one} queries for 1 row, {fifty} for 50"


def test_the_statement_changelist_query_count_is_pinned(client, django_assert_num_queries):
    builders = Builders()
    for _ in range(50):
        builders.statement()
    client.force_login(reviewer())
    client.get(admin_url(m.Statement, "changelist"))  # warm the content type cache, as a server is
    # 1 session, 2 user, 3-4 the user's own and group permissions, 5-6 the choices of the
    # topic and company filters, 7 count of filtered rows, 8 count of all rows, 9 the page of
    # statements joined to company and agency, with citation counts.
    with django_assert_num_queries(PINNED_STATEMENT_QUERIES):
        client.get(admin_url(m.Statement, "changelist"))


PINNED_STATEMENT_QUERIES = 9



def test_the_company_autocomplete_pages_through_companies_in_name_order(client):
    # Without an explicit order the annotated (GROUP BY) queryset is unordered, and
    # paginating it can show a company twice or skip one.
    client.force_login(reviewer())
    for name in ["Example Cloud C", "Example Cloud A", "Example Cloud B"]:
        f.company(name=name)
    params = {"app_label": "policies", "model_name": "statement", "field_name": "company", "term": ""}
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnorderedObjectListWarning)
        response = client.get(reverse("admin:autocomplete"), params)
    assert response.status_code == 200
    names = [r["text"] for r in response.json()["results"]]
    assert len(names) >= 3 and names == sorted(names)
