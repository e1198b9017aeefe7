"""Adversarial audit of the public site: every public URL pattern, hostile input, private data.

`build_private_world()` adds to the seed data everything that must stay in the admin
(a staff member's identity, drafts of every kind, an embargoed employee action,
internal notes, a draft source cited by a public record, a record published and then
withdrawn, draft-time change reasons, redacted text). The tests request every
public URL pattern (tracker/urls.py, policies/urls.py) with valid ids and slugs,
with the ids and slugs of private records, with hostile query strings and with
other methods, and check: no 500, no private marker in any body (pages, feeds,
downloads), 404 for what is private, 405 for methods a page does not take.

Runs on SQLite by default and on PostgreSQL with DATABASE_URL (NUL bytes, casts).
"""

import datetime
from urllib.parse import quote

import pytest
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from policies import models as m
from tests import factories as f

pytestmark = pytest.mark.django_db

# Every marker is a string no public page may ever contain (checked case-insensitively).
MARKERS = {
    "staff first name": "Quillemonte",
    "staff last name": "Brackwater",
    "staff username": "zq-audit-staffer",
    "staff email": "zq.audit@staff.invalid",
    "internal note": "INTERNALNOTE marzipan",
    "draft company": "DRAFTCO Vantablack",
    "draft company alias": "DRAFTALIAS Penumbra",
    "draft statement": "DRAFTSTMT obsidian",
    "embargoed action": "EMBARGOTITLE heliotrope",
    "embargoed description": "EMBARGODESC chartreuse",
    "embargoed citation": "EMBARGOCITE vermilion",
    "draft policy version": "DRAFTPV sassafras",
    "draft source": "DRAFTSOURCE quokka",
    "draft citation quote": "DRAFTCITEQUOTE narwhal",
    "draft-time reason": "DRAFTREASON tamarind",
    "unpublished company": "UNPUBCO Wombat",
    "draft reply": "DRAFTREPLY axolotl",
    "draft commitment": "DRAFTCOMMIT pangolin",
    "draft product": "DRAFTPRODUCT ocelot",
    "draft agency": "DRAFTAGENCY Nimbus",
    "draft gap": "DRAFTGAP kinkajou",
    "redacted text": "REDACTEDTEXT gossamer",
    "redaction reason": "REDACTIONWHY fennel",
    "statement of a draft company": "ORPHANSTMT capybara",
    "product of a draft company": "ORPHANPRODUCT tapir",
    "action of a draft company": "ORPHANACTION okapi",
}
NOTE = MARKERS["internal note"]


def _as(staff, obj, reason="Edited in the public audit"):
    obj._history_user = staff
    obj._change_reason = reason
    obj.save()
    return obj


def _note(staff, obj):
    obj.internal_notes = NOTE
    return _as(staff, obj)


def build_private_world():
    """Public records edited by a named staff member, and private records of every kind.

    Returns {name: object or id} of what the tests request directly.
    """
    staff = User.objects.create_superuser(
        MARKERS["staff username"], MARKERS["staff email"], "x" * 20,
        first_name=MARKERS["staff first name"], last_name=MARKERS["staff last name"],
    )
    w = {"staff": staff}
    topic = f.topic(slug="audit-topic", name="Audit topic")
    w["topic"] = topic
    company = _note(staff, f.company(name="Audit Example Cloud", slug="audit-example-cloud"))
    w["company"] = company
    agency = _note(staff, f.agency(name="Audit Example Agency", slug="audit-example-agency"))
    w["agency"] = agency
    policy = _note(staff, f.policy(company, title="Audit Use Policy", slug="audit-use-policy"))
    w["policy"] = policy
    v1 = _note(staff, f.policy_version(policy, effective_on=datetime.date(2023, 1, 1),
                                       text="We never allow mass surveillance."))
    v2 = _note(staff, f.policy_version(policy, effective_on=datetime.date(2024, 1, 1),
                                       text="We rarely allow mass surveillance."))
    w["versions"] = (v1, v2)
    commitment = _note(staff, f.commitment(policy, title="No mass surveillance", topics=[topic]))
    m.CommitmentClause(commitment=commitment, version=v1, text="Never.", change="added").save()
    m.CommitmentClause(commitment=commitment, version=v2, text="Rarely.", change="weakened").save()
    statement = _note(staff, f.statement(company, quote="We publish everything we do."))
    m.StatementTopic(statement=statement, topic=topic).save()
    w["statement"] = statement
    contract = _note(staff, f.contract(agency, vendor=company, title="Audit storage contract"))
    w["contract"] = contract
    observation = _note(staff, f.observation(company, agency))
    w["observation"] = observation
    product = _note(staff, m.Product(company=company, slug="audit-product", name="Audit Indexer",
                                     editorial_status="published"))
    f.cite(product)
    w["product"] = product
    gap = _note(staff, f.gap(company, commitment, title="Audit gap", slug="audit-gap"))
    w["gap"] = gap
    public_action = _note(staff, f.employee_action(company, title="Audit open letter"))
    w["action"] = public_action
    source = _note(staff, f.source(title="Audit Report"))
    f.cite(statement, source)
    w["source"] = source
    reply = _as(staff, m.RightOfReply(
        company=company, content_type=ContentType.objects.get_for_model(gap), object_id=gap.pk,
        asked_on=datetime.date(2025, 1, 5), deadline_on=datetime.date(2025, 1, 12),
        channel="email to the press office", editorial_status="published", internal_notes=NOTE,
    ))
    w["reply"] = reply

    # Drafts of every kind, on public parents.
    draft_company = f.company(status="draft", name=MARKERS["draft company"], slug="draftco-vantablack")
    m.CompanyAlias(company=draft_company, value=MARKERS["draft company alias"]).save()
    w["draft_company"] = draft_company
    w["draft_statement"] = f.statement(company, status="draft", quote=MARKERS["draft statement"])
    w["draft_version"] = f.policy_version(
        policy, status="draft", effective_on=datetime.date(2025, 1, 1),
        text=MARKERS["draft policy version"], change_summary=MARKERS["draft policy version"],
    )
    draft_commitment = f.commitment(policy, status="draft", title=MARKERS["draft commitment"],
                                    topics=[topic], slug="draft-commitment")
    m.CommitmentClause(commitment=draft_commitment, version=v2, text=MARKERS["draft commitment"]).save()
    w["draft_commitment"] = draft_commitment
    w["draft_product"] = f.cite(_as(staff, m.Product(
        company=company, slug="draft-product", name=MARKERS["draft product"]))).record
    draft_agency = f.agency(status="draft", name=MARKERS["draft agency"], slug="draftagency-nimbus",
                            abbreviation="DRAFTAGENCY")
    w["draft_agency"] = draft_agency
    w["draft_gap"] = f.gap(company, commitment, status="draft", title=MARKERS["draft gap"],
                           slug="draftgap-kinkajou", narrative=MARKERS["draft gap"])
    w["draft_reply"] = _as(staff, m.RightOfReply(
        company=company, content_type=ContentType.objects.get_for_model(gap), object_id=gap.pk,
        asked_on=datetime.date(2025, 2, 5), deadline_on=datetime.date(2025, 2, 12),
        channel="email", response=MARKERS["draft reply"], question=MARKERS["draft reply"],
    ))
    # A draft record citing a public source (the source page lists who cites it).
    f.cite(w["draft_statement"], source, quote=MARKERS["draft citation quote"])
    # A draft source cited by a public record.
    draft_source = f.source(status="draft", title=MARKERS["draft source"], publisher=MARKERS["draft source"])
    f.cite(statement, draft_source, quote="A passage.")
    f.cite(gap, draft_source, quote="A passage.")
    w["draft_source"] = draft_source
    # An embargoed (published) employee action, evidence of the public gap, citing a public source.
    embargoed = f.employee_action(
        company, title=MARKERS["embargoed action"], description=MARKERS["embargoed description"],
        embargo_until=datetime.date.today() + datetime.timedelta(days=365), internal_notes=NOTE,
    )
    m.EmployeeActionTopic(employee_action=embargoed, topic=topic).save()
    f.cite(embargoed, source, quote=MARKERS["embargoed citation"])
    m.GapEvidence(gap=gap, content_type=ContentType.objects.get_for_model(embargoed),
                  object_id=embargoed.pk, note=MARKERS["embargoed action"]).save()
    w["embargoed"] = embargoed
    # Published records that point at drafts: a draft agency, a draft maker, a draft reseller,
    # a draft subsidiary; published records of a draft company.
    f.contract(draft_agency, vendor=company, title="Contract with an unpublished agency")
    f.contract(agency, vendor=draft_company, title="Contract with an unpublished maker")
    f.contract(agency, vendor=company, intermediary=draft_company, route="reseller",
               title="Contract through an unpublished reseller")
    f.cite(_as(staff, m.CompanyRelationship(parent=company, child=draft_company, kind="subsidiary",
                                            editorial_status="published")))
    w["orphan_statement"] = f.statement(draft_company, quote=MARKERS["statement of a draft company"])
    m.StatementTopic(statement=w["orphan_statement"], topic=topic).save()
    orphan_product = f.cite(_as(staff, m.Product(
        company=draft_company, slug="orphan-product", name=MARKERS["product of a draft company"],
        editorial_status="published"))).record
    capability = _as(staff, m.Capability(slug="audit-capability", name="Audit capability"))
    _as(staff, m.CapabilityTopic(capability=capability, topic=topic))
    _as(staff, m.ProductCapability(product=orphan_product, capability=capability))
    w["orphan_product"] = orphan_product
    w["orphan_action"] = f.employee_action(draft_company, title=MARKERS["action of a draft company"])
    w["orphan_observation"] = f.observation(draft_company, agency,
                                            note=MARKERS["statement of a draft company"])
    # A record saved as a draft with a reason, then published: the draft-time reason stays private.
    late = f.statement(company, status="draft", quote="Published later.")
    late.quote = "Published later, reworded."
    _as(staff, late, MARKERS["draft-time reason"])
    late.editorial_status = "published"
    _as(staff, late, "Published after review")
    w["late_statement"] = late
    # A company that was published, then taken back to draft.
    unpublished = f.company(name=MARKERS["unpublished company"], slug="unpubco-wombat")
    unpublished.editorial_status = "draft"
    _as(staff, unpublished, "Taken down for legal review")
    w["unpublished_company"] = unpublished
    # Redacted text on a public statement.
    exposed = f.statement(company, quote=f"Said by {MARKERS['redacted text']} in a meeting.")
    from policies.redaction import redact

    redact(exposed, "quote", user=staff, reason="Names a private person")
    w["redacted"] = exposed
    return w


def _private_ids(w):
    """(kind, pk) of records the public must not reach."""
    return [
        ("company", w["draft_company"].pk), ("company", w["unpublished_company"].pk),
        ("statement", w["draft_statement"].pk), ("policyversion", w["draft_version"].pk),
        ("commitment", w["draft_commitment"].pk), ("product", w["draft_product"].pk),
        ("agency", w["draft_agency"].pk), ("gap", w["draft_gap"].pk),
        ("rightofreply", w["draft_reply"].pk), ("source", w["draft_source"].pk),
        ("employeeaction", w["embargoed"].pk),
    ]


@pytest.fixture
def world(settings, tmp_path):
    settings.EXPORTS_ROOT = tmp_path / "exports"
    from policies.seed import load_seed

    load_seed()
    return build_private_world()


def _text(response):
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode("utf-8", "replace")


def _leaks(text, url=""):
    """The private markers found in a response (no page is exempt)."""
    low = text.lower()
    return [what for what, marker in MARKERS.items() if marker.lower() in low]


def public_urls(w):
    """{url name: [urls]}: every public URL pattern with real ids and slugs."""
    company, policy, gap, statement = w["company"], w["policy"], w["gap"], w["statement"]
    v1, v2 = w["versions"]
    record_kinds = [("statement", statement), ("employeeaction", w["action"]), ("contract", w["contract"]),
                    ("observation", w["observation"]), ("product", w["product"]),
                    ("rightofreply", w["reply"]),
                    ("company", company), ("gap", gap), ("source", w["source"]), ("policyversion", v2),
                    ("statement", w["redacted"]), ("statement", w["late_statement"])]
    return {
        "home": ["/"],
        "companies": ["/companies/", "/companies/?sort=gaps&open_gaps=1",
                      f"/companies/?topic={w['topic'].slug}",
                      f"/companies/?agency={w['agency'].slug}&q=audit"],
        "company": [company.get_absolute_url(), company.get_absolute_url() + "?page=2",
                    company.get_absolute_url() + f"?as_of={datetime.date.today()}"],
        "agencies": ["/agencies/"],
        "agency": [w["agency"].get_absolute_url()],
        "policy": [policy.get_absolute_url(), policy.get_absolute_url() + f"?from={v1.pk}&to={v2.pk}"],
        "gaps": ["/gaps/"],
        "gap": [gap.get_absolute_url(), "/gaps/microsoft-ice-no-mass-surveillance/"],
        "method": ["/method/"],
        "source": [w["source"].get_absolute_url()],
        "topics": ["/topics/"],
        "topic": [w["topic"].get_absolute_url()],
        "record": [reverse("policies:record", args=[k, r.pk]) for k, r in record_kinds],
        "history": [reverse("policies:history", args=[k, r.pk]) for k, r in record_kinds],
        "changes": ["/changes/"],
        "search": [f"/search/?q={quote(marker[:-2])}" for marker in MARKERS.values()]
        + ["/search/?q=audit", "/search/?q=surveillance"],
        "exports": ["/exports/"],
        "exports-download": [
            f"/exports/download/?table={t}&format={fmt}{extra}"
            for t in ("company", "statement", "employee_action", "source", "citation", "policy_version",
                      "contract", "agency", "product", "gap", "right_of_reply", "company_relationship",
                      "company_alias", "commitment")
            for fmt in ("csv", "jsonl")
            for extra in ("", "&history=1", f"&company={company.slug}")
        ],
        "release-file": ["/exports/releases/1/data.zip", "/exports/releases/../../etc/passwd"],
        "feed-changes": ["/feeds/changes/"],
        "feed-gaps": ["/feeds/gaps/"],
        "feed-company": [f"/feeds/companies/{company.slug}/"],
        "feed-topic": [f"/feeds/topics/{w['topic'].slug}/"],
        "robots": ["/robots.txt"],
        "sitemap": ["/sitemap.xml"],
    }


def private_urls(w):
    """URLs of private records and slugs: each must be a 404."""
    urls = [reverse(f"policies:{view}", args=[kind, pk]) for kind, pk in _private_ids(w)
            for view in ("record", "history")]
    for key in ("orphan_statement", "orphan_product", "orphan_action", "orphan_observation"):
        kind = w[key]._meta.model_name
        urls += [reverse("policies:record", args=[kind, w[key].pk]),
                 reverse("policies:history", args=[kind, w[key].pk])]
    urls += [
        "/companies/draftco-vantablack/", "/companies/unpubco-wombat/", "/agencies/draftagency-nimbus/",
        "/gaps/draftgap-kinkajou/", f"/sources/{w['draft_source'].pk}/",
        "/feeds/companies/draftco-vantablack/",
        "/feeds/companies/unpubco-wombat/", "/companies/draftco-vantablack/policies/audit-use-policy/",
        "/records/nokind/1/", "/records/statement/99999999999999999999999/", "/topics/nope/",
    ]
    return urls


def test_every_public_url_pattern_is_audited(world):
    from policies.urls import urlpatterns

    assert {p.name for p in urlpatterns} == set(public_urls(world))


def test_no_public_url_fails_or_shows_anything_private(world):
    """Every pattern, then every page they link to (bounded): no 500, no private marker anywhere."""
    from tests.crawl import crawl

    start = [u for urls in public_urls(world).values() for u in urls]
    result = crawl(Client(raise_request_exception=False), start=start, limit=700)
    assert [(u, p.status) for u, p in result.pages.items() if p.status >= 500] == []
    leaks = [(u, _leaks(p.text, u)) for u, p in result.pages.items() if _leaks(p.text, u)]
    assert leaks == []
    for urls in public_urls(world).values():  # the starting points themselves answer
        for url in urls:
            if "etc/passwd" not in url and "releases/1/" not in url:
                assert result.pages[url].status in (200, 302), url


def test_private_records_and_slugs_are_not_found(world):
    client = Client(raise_request_exception=False)
    answers = {url: client.get(url) for url in private_urls(world)}
    assert {url: r.status_code for url, r in answers.items() if r.status_code != 404} == {}
    assert [url for url, r in answers.items() if _leaks(_text(r))] == []


def test_a_draft_agency_is_an_unknown_filter_in_the_directory(world):
    client = Client(raise_request_exception=False)
    assert client.get("/companies/?agency=draftagency-nimbus").status_code == 400
    assert client.get("/companies/?agency=audit-example-agency").status_code == 200


HOSTILE = {
    "as_of": ["x", "2024-02-30", "0001-01-01", "1900-01-01", "9999-12-31", "2024-1-1", "20240101",
              "99999999999999999999", "-1", "2024-01-01T00:00", "2024\x00-01-01", " ", "2024-01-01\n"],
    "page": ["0", "-1", "1e9", "x", "9" * 400, "1000000000", "", "٣"],
    "sort": ["gaps", "-name", "x", "__class__", "name,gaps"],
    "q": ["x" * 10_000, "a\x00b", "\x00", "日本語 データ", "' OR 1=1 --", ".*[(", "%_", "\\", "<script>",
          "!:*&|"],
    "topic": ["nope", "../", "a" * 100, "\x00"],
    "agency": ["nope", "draftagency-nimbus", "\x00"],
    "from": ["x", "-1", "99999999999999999999", "2024-02-30", "\x00"],
    "to": ["x", "0", "2024-13-01"],
    "company": ["draftco-vantablack", "unpubco-wombat", "\x00", "x" * 500],
    "table": ["nope", "../company", "\x00", "company"],
    "format": ["zip", "xml", "\x00", "jsonl"],
    "history": ["1", "yes", "\x00"],
    "open_gaps": ["1", "x"],
}


def test_hostile_query_strings_get_a_clear_answer_not_a_500(world):
    client = Client(raise_request_exception=False)
    paths = {urls[0].split("?")[0] for name, urls in public_urls(world).items() if name != "release-file"}
    paths |= {"/exports/download/?table=company", "/companies/audit-example-cloud/policies/audit-use-policy/"}
    failures = []
    for i, path in enumerate(sorted(paths)):
        joiner = "&" if "?" in path else "?"
        for j, (name, values) in enumerate(HOSTILE.items()):
            # Two values per page and parameter, rotated: every value meets several pages.
            for value in {values[(i + j + k) % len(values)] for k in range(2)}:
                response = client.get(f"{path}{joiner}{quote(name)}={quote(value)}")
                text = _text(response)
                if response.status_code >= 500 or _leaks(text, path):
                    failures.append((path, name, value[:30], response.status_code))
        # Repeated parameters: the last one wins, never a crash.
        response = client.get(f"{path}{joiner}as_of=x&as_of=2024-01-01&page=1&page=x")
        if response.status_code >= 500:
            failures.append((path, "repeated", "", response.status_code))
    assert failures == []


def test_malformed_or_future_as_of_is_a_400_with_a_reason(world):
    client = Client(raise_request_exception=False)
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    for path in (world["company"].get_absolute_url(), world["gap"].get_absolute_url(),
                 world["policy"].get_absolute_url()):
        for value in ("x", "2024-02-30", "2024-1-1", tomorrow.isoformat(), "2024\x00-01-01"):
            response = client.get(path, {"as_of": value})
            assert response.status_code == 400, (path, value)
            assert "YYYY-MM-DD" in _text(response), (path, value)
        # Before the record existed: not found, not an error.
        assert client.get(path, {"as_of": "1900-01-01"}).status_code == 404


WRITE_METHODS = ("post", "put", "patch", "delete")


def test_public_pages_answer_get_and_head_and_refuse_writes_with_405(world):
    client = Client(raise_request_exception=False)
    wrong = []
    for name, urls in public_urls(world).items():
        if name == "release-file":
            continue
        url = urls[0]
        get = client.get(url)
        head = client.head(url)
        if head.status_code != get.status_code or _text(head):
            wrong.append((url, "head", head.status_code))
        for method in WRITE_METHODS:
            response = getattr(client, method)(url)
            if response.status_code != 405 or set(response["Allow"].split(", ")) != {"GET", "HEAD"}:
                wrong.append((url, method, response.status_code))
    assert wrong == []


def test_right_of_reply_has_a_record_page_and_a_history(world):
    """It cites nothing (no `citations`): the record page used to fail with a 500."""
    client = Client()
    for view in ("record", "history"):
        response = client.get(reverse(f"policies:{view}", args=["rightofreply", world["reply"].pk]))
        assert response.status_code == 200
        assert b"email to the press office" in response.content


def test_published_records_of_drafts_are_not_shown_anywhere(world):
    """A statement of a company taken back to draft, a contract with a draft agency, maker or
    reseller: not public (as in the exports), and the draft's name is never printed."""
    client = Client()
    pages = [world["company"].get_absolute_url(), world["agency"].get_absolute_url(),
             world["topic"].get_absolute_url(), world["source"].get_absolute_url(),
             "/search/?q=ORPHANSTMT", "/search/?q=capybara", "/agencies/"]
    for url in pages:
        assert _leaks(_text(client.get(url)), url) == [], url


def test_an_embargo_added_after_triage_hides_the_signal_that_quotes_the_action(world):
    from policies.models import Signal
    from policies.seed import attach_signals_to_seeded_gaps, seeded_gap_slugs

    attach_signals_to_seeded_gaps(seeded_gap_slugs())
    signal = Signal.objects.filter(rule="unanswered_employees", status__in=("confirmed", "merged")).first()
    action = signal.evidence.get().record
    gap_url = signal.gap.get_absolute_url()
    client = Client()
    assert action.title in _text(client.get(gap_url))
    action.embargo_until = datetime.date.today() + datetime.timedelta(days=30)
    _as(world["staff"], action, "Embargoed to protect the people who raised it")
    page = _text(client.get(gap_url))
    assert action.title not in page
    assert "Employees raised a concern" not in page


def test_every_hostile_path_segment_is_a_404_not_a_500(world):
    client = Client(raise_request_exception=False)
    for tail in ("%00", "%ff", "..%2f", "a" * 300, "%e2%82", "x/y/z"):
        for prefix in ("/companies/", "/agencies/", "/gaps/", "/topics/", "/feeds/companies/",
                       "/records/statement/", "/history/company/", "/exports/releases/1/"):
            assert client.get(prefix + tail + "/").status_code == 404, (prefix, tail)
