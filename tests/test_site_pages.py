"""The public pages: what they show, what they never show, and how they fail."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from policies import models as m
from tests import factories as f
from tests.site_data import company_with_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def record():
    return company_with_record(n=2)


def get_ok(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def all_public_urls(data):
    company, gap, policy = data["company"], data["gap"], data["policy"]
    statement = m.Statement.objects.filter(company=company).first()
    source = statement.citations.first().source
    return [
        reverse("policies:home"), reverse("policies:companies"), reverse("policies:agencies"),
        reverse("policies:gaps"),
        reverse("policies:topics"), reverse("policies:changes"), reverse("policies:search") + "?q=Example",
        company.get_absolute_url(), data["agency"].get_absolute_url(), policy.get_absolute_url(),
        gap.get_absolute_url(), source.get_absolute_url(), data["topic"].get_absolute_url(),
        reverse("policies:record", args=["statement", statement.pk]),
        reverse("policies:record", args=["product", data["product"].pk]),
        reverse("policies:history", args=["company", company.pk]),
        reverse("policies:feed-changes"), reverse("policies:feed-gaps"),
        reverse("policies:feed-company", args=[company.slug]),
        reverse("policies:feed-topic", args=[data["topic"].slug]),
    ]


def test_every_public_page_renders(client, record):
    for url in all_public_urls(record):
        get_ok(client, url)


def test_the_company_page_shows_words_deeds_and_the_gap_together(client, record):
    html = get_ok(client, record["company"].get_absolute_url())
    assert "What it says" in html and "What it does" in html
    assert "No mass surveillance" in html
    assert '<svg class="chart"' in html
    assert "Data stored (TB)" in html
    assert "Storage tripled despite the commitment" in html
    assert "Video Indexer" in html and "Face detection" in html
    assert "Commitment weakened" in html
    assert "Right of reply: asked on 5 January 2026" in html
    assert reverse("policies:history", args=["company", record["company"].pk]) in html


def test_the_timeline_is_in_event_time_order_with_sources_one_click_away(client, record):
    html = get_ok(client, record["company"].get_absolute_url())
    timeline = html[html.index('id="timeline"'):]
    assert timeline.index("Storage contract 0") < timeline.index("Storage contract 1")
    source = m.Statement.objects.filter(company=record["company"]).first().citations.first().source
    assert f'href="{source.get_absolute_url()}"' in timeline


def test_event_dates_are_shown_no_more_precisely_than_known(client, record):
    f.statement(record["company"], made_on=datetime.date(2025, 7, 1), made_precision="month",
                quote="Monthly precision.")
    html = get_ok(client, record["company"].get_absolute_url())
    assert "July 2025" in html
    assert "1 July 2025" not in html


def test_drafts_and_embargoed_records_never_appear(client, record):
    company = record["company"]
    f.statement(company, status="draft", quote="DRAFT-STATEMENT-TEXT")
    f.employee_action(company, title="EMBARGOED-ACTION",
                      embargo_until=datetime.date.today() + datetime.timedelta(days=30))
    f.contract(record["agency"], vendor=company, status="draft", title="DRAFT-CONTRACT")
    draft_company = f.company(status="draft", name="DRAFT-COMPANY")
    for url in all_public_urls(record) + [reverse("policies:search") + "?q=DRAFT"]:
        html = client.get(url).content.decode()
        for secret in ("DRAFT-STATEMENT-TEXT", "EMBARGOED-ACTION", "DRAFT-CONTRACT", "DRAFT-COMPANY"):
            assert secret not in html, (secret, url)
    assert client.get(draft_company.get_absolute_url()).status_code == 404
    action = m.EmployeeAction.objects.get(title="EMBARGOED-ACTION")
    assert client.get(reverse("policies:record", args=["employeeaction", action.pk])).status_code == 404


def test_retracted_records_are_shown_as_corrections(client, record):
    f.statement(record["company"], status="retracted", quote="Withdrawn words.",
                correction_note="The quote was misattributed.")
    html = get_ok(client, record["company"].get_absolute_url())
    assert "Withdrawn words." in html
    assert "The quote was misattributed." in html


def test_staff_names_emails_and_internal_notes_never_appear(client, record):
    editor = get_user_model().objects.create_user("jane.editor", "jane@example.org", "pw-123456789012",
                                                  first_name="Jane", last_name="Editorson")
    company = record["company"]
    company.internal_notes = "SECRET-INTERNAL-NOTE"
    company._change_reason = "Clarified the summary"
    company.summary = "A fictional cloud provider."
    company.save()
    company.history.filter(history_id=company.history.latest().history_id).update(history_user=editor)
    for url in all_public_urls(record):
        html = client.get(url).content.decode()
        for secret in ("SECRET-INTERNAL-NOTE", "jane.editor", "jane@example.org", "Editorson"):
            assert secret not in html, (secret, url)


def test_the_agency_page_rolls_totals_up_through_resellers_and_families(client):
    agency = f.agency()
    parent = f.company(name="Example Cloud Parent")
    child = f.company(name="Example Cloud Federal")
    reseller = f.company(name="Example Reseller")
    link = m.CompanyRelationship(parent=parent, child=child, kind="subsidiary", editorial_status="published")
    link._change_reason = "Test"
    link.save()
    f.contract(agency, vendor=parent, amount=Decimal("100"))
    f.contract(agency, vendor=child, amount=Decimal("50"))
    f.contract(agency, vendor=parent, intermediary=reseller, route="reseller", amount=Decimal("25"))
    html = get_ok(client, agency.get_absolute_url())
    row = html[html.index("Example Cloud Parent</a>"):]
    row = row[: row.index("</tr>")]
    assert "USD 175" in row
    assert "Example Cloud Federal" in row and "Example Reseller" in row


def test_the_policy_page_diffs_any_two_versions_and_calls_out_commitment_changes(client, record):
    versions = list(m.PolicyVersion.objects.filter(policy=record["policy"]).order_by("effective_on"))
    url = record["policy"].get_absolute_url() + f"?from={versions[0].pk}&to={versions[1].pk}"
    html = get_ok(client, url)
    assert "<del>0:</del>" in html or "<del>0:" in html
    assert "<ins>1:</ins>" in html or "<ins>1:" in html
    assert "Commitment weakened" in html


@pytest.mark.parametrize("query", ["?from=abc&to=1", "?from=999999&to=1", "?from=1"])
def test_bad_diff_parameters_are_a_400_not_a_500(client, record, query):
    assert client.get(record["policy"].get_absolute_url() + query).status_code == 400


ODD_QUERIES = ["?page=abc", "?page=99999", "?page=-1", "?q=%00", "?q=a%00b", "?open_gaps=yes"]


@pytest.mark.parametrize("query", ODD_QUERIES)
def test_bad_directory_parameters_never_fail(client, record, query):
    assert client.get(reverse("policies:companies") + query).status_code == 200


@pytest.mark.parametrize("query", ["?topic=no-such-topic", "?agency=%00", "?topic=" + "x" * 300])
def test_an_unknown_directory_filter_is_a_400(client, record, query):
    assert client.get(reverse("policies:companies") + query).status_code == 400


def test_the_directory_filters_by_topic_agency_and_open_gaps(client, record):
    other = f.company(name="Example Unrelated Cloud")
    topic, agency = record["topic"], record["agency"]
    for query in (f"?topic={topic.slug}", f"?agency={agency.slug}", "?open_gaps=1"):
        html = get_ok(client, reverse("policies:companies") + query)
        assert record["company"].name in html
        assert other.name not in html
    html = get_ok(client, reverse("policies:companies") + f"?agency={agency.slug}")
    assert f'<option value="{agency.slug}" selected>' in html  # the form shows the filter in use
    assert html.count(" selected>") == 2  # that agency, and the sort order


def test_the_gap_page_shows_commitment_evidence_and_reply_state(client, record):
    html = get_ok(client, record["gap"].get_absolute_url())
    assert "No mass surveillance" in html
    assert "Storage contract" in html
    assert "Awaiting reply" in html


def test_the_source_page_lists_what_cites_it_and_its_archive(client, record):
    src = f.source(archive_url="https://web.archive.org/web/20260217120000/https://example.org/a")
    statement = m.Statement.objects.filter(company=record["company"]).first()
    f.cite(statement, src, quote="The passage.")
    html = get_ok(client, src.get_absolute_url())
    assert "Wayback Machine" in html
    assert reverse("policies:record", args=["statement", statement.pk]) in html


def test_record_pages_have_a_permalink_cite_this_and_history(client, record):
    statement = m.Statement.objects.filter(company=record["company"]).first()
    url = reverse("policies:record", args=["statement", statement.pk])
    html = get_ok(client, url)
    assert "Cite this" in html and "@misc{tracker-statement-" in html
    assert url in html
    assert reverse("policies:history", args=["statement", statement.pk]) in html


def test_kinds_with_their_own_page_redirect_from_the_permalink(client, record):
    response = client.get(reverse("policies:record", args=["company", record["company"].pk]))
    assert response.status_code == 302
    assert response["Location"] == record["company"].get_absolute_url()


def test_an_unknown_record_kind_is_a_404(client):
    assert client.get("/records/user/1/").status_code == 404


def test_public_history_shows_reasons_diffs_and_roles(client, record):
    company = record["company"]
    company.summary = "A changed summary."
    company._change_reason = "Corrected the summary from the annual report"
    company.save()
    html = get_ok(client, reverse("policies:history", args=["company", company.pk]))
    assert "Corrected the summary from the annual report" in html
    assert "<ins>" in html
    assert "Tracker (automated)" in html or "Editorial team" in html


def test_draft_versions_never_reach_the_public_history(client):
    company = f.company(status="draft", summary="DRAFT-WORDING")
    company.summary = "Published wording."
    company.editorial_status = "published"
    company._change_reason = "Publish"
    company.save()
    html = get_ok(client, reverse("policies:history", args=["company", company.pk]))
    assert "DRAFT-WORDING" not in html
    assert "Published wording." in html


def test_recent_changes_lists_public_changes_only(client, record):
    f.statement(record["company"], status="draft", quote="Hidden", speaker="DRAFT-SPEAKER")
    html = get_ok(client, reverse("policies:changes"))
    assert record["company"].name in html
    assert "DRAFT-SPEAKER" not in html


def test_pages_link_the_stylesheet_and_carry_no_inline_style_or_script(client, record):
    for url in all_public_urls(record)[:12]:
        html = client.get(url).content.decode()
        assert "<script" not in html
        assert " style=" not in html and "<style" not in html


def test_the_directory_sorts_by_open_gaps_and_refuses_an_unknown_order(client):
    from tests import factories as f

    quiet = f.company(name="Aardvark Example Cloud")
    busy = f.company(name="Zebra Example Cloud")
    f.gap(company_obj=busy)
    by_gaps = client.get("/companies/?sort=gaps").content.decode()
    assert by_gaps.index("Zebra Example Cloud") < by_gaps.index(quiet.name)
    by_name = client.get("/companies/").content.decode()
    assert by_name.index(quiet.name) < by_name.index("Zebra Example Cloud")
    assert client.get("/companies/?sort=shoe-size").status_code == 400


def test_a_gap_card_points_to_the_company_response_on_the_gap_page(client, record):
    gap = record["gap"]
    m.RightOfReply.objects.all().delete()  # no request on record: the card shows the response's state
    gap.company_response = "We do not comment on individual customers."
    gap._change_reason = "Response received"
    gap.save()
    html = client.get(record["company"].get_absolute_url()).content.decode()
    assert f'href="{gap.get_absolute_url()}#reply-heading"' in html
    assert "recorded below" not in html
    assert 'id="reply-heading"' in client.get(gap.get_absolute_url()).content.decode()



def test_the_agencies_page_lists_public_agencies_with_their_contracts(client):
    dhs = f.agency(name="Example Department of Oversight", code="7100")
    bureau = f.agency(name="Example Bureau of Records", code="7101", parent=dhs)
    f.contract(bureau, title="Records storage")
    f.contract(bureau, title="Records analytics", status="draft")
    f.agency(name="Example Draft Agency", status="draft")
    html = get_ok(client, reverse("policies:agencies"))
    assert f'href="{bureau.get_absolute_url()}"' in html and f'href="{dhs.get_absolute_url()}"' in html
    assert "Example Draft Agency" not in html
    assert "part of Example Department of Oversight · 1 published contract<" in html
    assert html.count("1 published contract<") == 2  # the department counts its bureau's


def test_an_agency_page_names_its_parent_only_when_the_parent_is_public(client):
    """A published bureau of a department still in draft says nothing of the department
    (its name was shown as "Part of ..." until a review found it)."""
    department = f.agency(
        name="Example Draft Department", code="7200", status="draft", jurisdiction="US federal"
    )
    bureau = f.agency(name="Example Public Bureau", code="7201", parent=department, jurisdiction="US federal")
    html = get_ok(client, bureau.get_absolute_url())
    assert "Example Draft Department" not in html and "Part of" not in html
    assert "US federal" in html
    department.editorial_status = "published"
    department._change_reason = "Published"
    department.save()
    html = get_ok(client, bureau.get_absolute_url())
    assert f'Part of <a href="{department.get_absolute_url()}">Example Draft Department</a>' in html


def test_the_timeline_links_a_public_agency_and_leaves_out_a_contract_with_a_draft_one(
    client, django_capture_on_commit_callbacks
):
    """A published contract whose agency is still a draft (an import creates new agencies as
    drafts) is not public until the agency is: the exports' rule, and the site's. (The home
    page's counts are recounted when a change commits: policies/counts.py.)"""
    with django_capture_on_commit_callbacks(execute=True):
        company = f.company()
        public = f.agency(name="Example Public Agency")
        draft = f.agency(name="Example Draft Agency", status="draft")
        f.contract(public, vendor=company, title="Contract with a public agency")
        f.contract(draft, vendor=company, title="Contract with a draft agency")
    html = get_ok(client, company.get_absolute_url())
    assert f'<a href="{public.get_absolute_url()}">Example Public Agency</a>' in html
    assert "Example Draft Agency" not in html and "Contract with a draft agency" not in html
    assert "Contract with a draft agency" not in get_ok(client, "/changes/")
    assert "<strong>1</strong> contracts" in get_ok(client, "/")
    draft.editorial_status = "published"
    draft._change_reason = "Published"
    with django_capture_on_commit_callbacks(execute=True):
        draft.save()
    html = get_ok(client, company.get_absolute_url())
    assert "Contract with a draft agency" in html and f'href="{draft.get_absolute_url()}"' in html
    assert "Contract with a draft agency" in get_ok(client, "/changes/")
    assert "<strong>2</strong> contracts" in get_ok(client, "/")


def test_the_agency_page_shows_the_gaps_its_purchases_are_evidence_in(client, record):
    html = get_ok(client, record["agency"].get_absolute_url())
    assert f'href="{record["gap"].get_absolute_url()}"' in html
    gap = record["gap"]
    gap.editorial_status = "draft"
    gap._change_reason = "Back to draft"
    gap.save()
    assert record["gap"].get_absolute_url() not in get_ok(client, record["agency"].get_absolute_url())
    other = f.agency(name="Example Unrelated Agency")
    assert "gaps-heading" not in get_ok(client, other.get_absolute_url())


def test_the_agency_page_runs_the_same_queries_with_and_without_gaps(client, record):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = record["agency"].get_absolute_url()
    get_ok(client, url)
    with CaptureQueriesContext(connection) as with_gap:
        get_ok(client, url)
    m.Gap.objects.all().delete()
    with CaptureQueriesContext(connection) as without:
        html = get_ok(client, url)
    assert "gaps-heading" not in html
    assert len(without) == len(with_gap)
