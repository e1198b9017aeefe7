"""Adversarial audit of the staff admin: no 500s, no half writes, no silent overwrites,
no change without its reason, no action beyond a user's permissions."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from policies import models as m
from tests import factories as f
from tests.admin_support import admin_url, editor, form_data, reviewer, staff_user
from tests.test_gaps_triage import _signals

pytestmark = pytest.mark.django_db


def _inline_prefix(data, model_name):
    return next(k for k in data if k.endswith("-TOTAL_FORMS") and model_name in k)[: -len("-TOTAL_FORMS")]


def _add_inline_row(data, prefix, **values):
    n = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(n + 1)
    for name, value in values.items():
        data[f"{prefix}-{n}-{name}"] = value


# -- permissions ------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["dismiss_signals", "confirm_into_gap", "merge_into_gap"])
def test_a_staff_user_who_may_only_view_signals_cannot_triage_them(client, action):
    case, signals = _signals()
    gap = f.gap(case.company, case.commitment)
    viewer = staff_user("viewer")
    viewer.user_permissions.add(Permission.objects.get(codename="view_signal"))
    client.force_login(viewer)
    client.post(admin_url(m.Signal, "changelist"), {
        "action": action, ACTION_CHECKBOX_NAME: [s.pk for s in signals], "apply": "1",
        "change_reason": "Not a finding", "title": "T", "narrative": "N", "severity": "medium",
        "gap": gap.pk,
    })
    assert set(m.Signal.objects.values_list("status", flat=True)) == {"open"}
    assert m.Gap.objects.count() == 1


def test_the_import_log_cannot_be_deleted_from_the_admin(client):
    # The runs and the keys they saw drive the "vanished from the source" checks; nothing in
    # the admin may delete them (and they keep no history to delete with a reason).
    run = m.ImportRun.objects.create(kind="awards", download_name="Example", seen_on="2026-01-05")
    for user in (reviewer(), staff_user("root", superuser=True)):
        client.force_login(user)
        assert client.get(admin_url(run, "delete")).status_code in (302, 403)
        client.post(admin_url(run, "delete"), {"post": "yes", "change_reason": "Tidy"})
        client.post(admin_url(m.ImportRun, "changelist"), {
            "action": "delete_selected", ACTION_CHECKBOX_NAME: [run.pk], "post": "yes", "change_reason": "x",
        })
    assert m.ImportRun.objects.filter(pk=run.pk).exists()


# -- form errors, never a 500 -----------------------------------------------------------------


def test_clearing_the_correction_note_of_a_retraction_is_a_form_error(client):
    record = f.statement(status="retracted", correction_note="The figure was wrong.")
    client.force_login(reviewer())
    page = client.get(admin_url(record))
    response = client.post(admin_url(record), form_data(page, correction_note="", change_reason="Tidy"))
    assert response.status_code == 200
    assert "correction_note" in response.context["adminform"].form.errors
    record.refresh_from_db()
    assert (record.correction_note, record.revision) == ("The figure was wrong.", 1)


def test_citing_one_source_twice_at_the_same_place_is_a_form_error(client):
    record = f.statement(status="draft", cited=False)
    src = f.source()
    f.cite(record, src, locator="p. 1")
    client.force_login(editor())
    page = client.get(admin_url(record))

    data = form_data(page, change_reason="Another citation")
    prefix = _inline_prefix(data, "citation")
    _add_inline_row(data, prefix, source=str(src.pk), locator="p. 1", quote="Again.")
    response = client.post(admin_url(record), data)
    assert response.status_code == 200
    assert "already cited" in response.content.decode()

    data = form_data(page, change_reason="Two new citations")
    new = f.source()
    _add_inline_row(data, prefix, source=str(new.pk), locator="", quote="One.")
    _add_inline_row(data, prefix, source=str(new.pk), locator="", quote="Two.")
    response = client.post(admin_url(record), data)
    assert response.status_code == 200
    assert "already cited" in response.content.decode()
    assert record.citations.count() == 1
    record.refresh_from_db()
    assert record.revision == 1  # nothing of the parent was saved either


def test_a_citation_added_elsewhere_meanwhile_is_reported_not_a_500(client):
    record = f.statement(status="draft")
    src = f.source()
    client.force_login(editor())
    page = client.get(admin_url(record))
    f.cite(record, src, locator="p. 2")  # by someone else, on the Citation page
    data = form_data(page, change_reason="Cited the report")
    _add_inline_row(data, _inline_prefix(data, "citation"), source=str(src.pk), locator="p. 2", quote="Q")
    response = client.post(admin_url(record), data)
    assert response.status_code == 200
    assert "already cited" in response.content.decode()


def test_an_agency_cannot_be_its_own_parent(client):
    agency = f.agency(status="draft")
    client.force_login(editor())
    page = client.get(admin_url(agency))
    response = client.post(admin_url(agency), form_data(page, parent=str(agency.pk), change_reason="x"))
    assert response.status_code == 200
    assert "parent" in response.context["adminform"].form.errors
    agency.refresh_from_db()
    assert agency.parent_id is None


def test_an_agency_cannot_be_put_under_its_own_sub_agency(client):
    top = f.agency(status="draft", name="Example Department")
    middle = f.agency(status="draft", name="Example Bureau", parent=top)
    bottom = f.agency(status="draft", name="Example Office", parent=middle)
    client.force_login(editor())
    page = client.get(admin_url(top))
    response = client.post(admin_url(top), form_data(page, parent=str(bottom.pk), change_reason="x"))
    assert response.status_code == 200
    assert "cannot also be its parent" in str(response.context["adminform"].form.errors["parent"])
    top.refresh_from_db()
    assert top.parent_id is None


def test_an_alias_that_duplicates_another_or_has_no_key_is_a_form_error(client):
    company = f.company(status="draft")
    alias = m.CompanyAlias(company=company, scheme="name", value="Example Widgets Inc")
    alias._change_reason = "Test data"
    alias.save()
    client.force_login(editor())
    add = admin_url(m.CompanyAlias, "add")
    page = client.get(add)
    for value in ("EXAMPLE WIDGETS, INC.", "!!!"):
        data = form_data(page, company=str(company.pk), scheme="name", value=value, change_reason="Alias")
        response = client.post(add, data)
        assert response.status_code == 200
        assert "value" in response.context["adminform"].form.errors
    assert m.CompanyAlias.objects.count() == 1

    # The same through the company's inline rows (two new rows with one key, too).
    page = client.get(admin_url(company))
    data = form_data(page, change_reason="Aliases")
    prefix = _inline_prefix(data, "alias")
    _add_inline_row(data, prefix, scheme="name", value="Example Widgets Inc.")
    response = client.post(admin_url(company), data)
    assert response.status_code == 200
    data = form_data(page, change_reason="Aliases")
    _add_inline_row(data, prefix, scheme="ticker", value="EXW")
    _add_inline_row(data, prefix, scheme="ticker", value="exw")
    response = client.post(admin_url(company), data)
    assert response.status_code == 200
    assert m.CompanyAlias.objects.count() == 1


def test_a_policy_version_file_holding_nul_bytes_is_refused(client):
    client.force_login(editor())
    policy = f.policy()
    url = reverse("admin:policies_importrun_policy_version")
    upload = SimpleUploadedFile("terms.txt", b"We do not\x00 allow it.", "text/plain")
    response = client.post(url, {"policy": policy.pk, "effective_on": "2024-01-02", "file": upload})
    assert response.status_code == 200
    assert "file" in response.context["form"].errors
    assert not m.PolicyVersion.objects.exists()


# -- reasons on everything a change touches ---------------------------------------------------


def test_deleting_a_record_keeps_the_reason_on_the_rows_deleted_with_it(client):
    record = f.statement(status="draft")
    citation = f.cite(record)
    user = reviewer()
    client.force_login(user)
    client.post(admin_url(record, "delete"), {"post": "yes", "change_reason": "Duplicate entry"})
    assert not m.Statement.objects.filter(pk=record.pk).exists()
    row = m.Citation.history.get(id=citation.pk, history_type="-")
    assert (row.history_change_reason, row.history_user) == ("Duplicate entry", user)


def test_bulk_deletion_keeps_the_reason_on_the_rows_deleted_with_each_record(client):
    records = [f.statement(status="draft") for _ in range(2)]
    citations = [f.cite(r) for r in records]
    client.force_login(reviewer())
    client.post(admin_url(m.Statement, "changelist"), {
        "action": "delete_selected", ACTION_CHECKBOX_NAME: [r.pk for r in records], "post": "yes",
        "change_reason": "Duplicates",
    })
    assert not m.Statement.objects.exists()
    reasons = m.Citation.history.filter(id__in=[c.pk for c in citations], history_type="-")
    assert list(reasons.values_list("history_change_reason", flat=True)) == ["Duplicates"] * 2


# -- no silent overwrite ----------------------------------------------------------------------


def test_an_inline_row_changed_elsewhere_is_not_silently_overwritten(client):
    record = f.statement(status="draft")
    citation = f.cite(record, quote="Original quote.")
    client.force_login(editor("bob"))
    page = client.get(admin_url(record))

    citation.refresh_from_db()
    citation.quote = "Alice's corrected quote."
    citation._change_reason = "Corrected the quote"
    citation.save()  # on the Citation's own page: the statement's revision does not move

    data = form_data(page, change_reason="Bob edits")
    key = next(k for k, v in data.items() if v == "Original quote.")
    data[key] = "Bob's quote."
    refused = client.post(admin_url(record), data)
    assert refused.status_code == 200
    html = refused.content.decode()
    assert "Someone else saved this row" in html and "Bob&#x27;s quote." in html
    citation.refresh_from_db()
    assert citation.quote == "Alice's corrected quote."
    record.refresh_from_db()
    assert record.revision == 1

    retry = client.post(admin_url(record), form_data(refused))  # a deliberate overwrite
    assert retry.status_code == 302
    citation.refresh_from_db()
    assert citation.quote == "Bob's quote."


def test_an_inline_row_left_alone_is_not_written_back_over_a_change_made_elsewhere(client):
    # Django compares a posted row with the database at save time, so a row the user never
    # touched but someone else corrected meanwhile looks "changed" and would be written back.
    record = f.statement(status="draft", speaker="A spokesperson")
    citation = f.cite(record, quote="Original quote.")
    client.force_login(editor())
    page = client.get(admin_url(record))
    citation.quote = "Corrected elsewhere."
    citation._change_reason = "Corrected"
    citation.save()
    response = client.post(admin_url(record), form_data(page, speaker="The spokesperson", change_reason="x"))
    assert response.status_code == 200
    assert "Someone else saved this row" in response.content.decode()
    citation.refresh_from_db()
    assert citation.quote == "Corrected elsewhere."


def test_publishing_refuses_a_record_changed_since_the_reviewer_opened_the_page(client):
    record = f.statement(status="draft", quote="Reviewed words.")
    f.cite(record)
    client.force_login(reviewer())
    url = admin_url(record, "publish")
    page = client.get(url)
    assert page.status_code == 200

    record.quote = "Words the reviewer never read."
    record._change_reason = "Edited meanwhile"
    record.save()

    seen = page.context["form"]["revision_seen"].value()
    data = {"change_reason": "Checked against the sources", "revision_seen": seen}
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "Words the reviewer never read." in refused.content.decode()
    record.refresh_from_db()
    assert record.editorial_status == "draft"

    done = client.post(url, {**data, "revision_seen": refused.context["form"]["revision_seen"].value()})
    assert done.status_code == 302
    record.refresh_from_db()
    assert record.editorial_status == "published"


# -- revert -----------------------------------------------------------------------------------


def test_a_revert_keeps_the_fields_the_user_may_not_edit(client):
    # A signal's status, gap and triage reason move only through triage (confirm, merge,
    # dismiss); reverting its history must not reopen a dismissed signal behind triage's back.
    case, signals = _signals()
    signal = signals[0]
    first = signal.history.earliest()
    from policies.gaps import triage

    triage.dismiss([signal], reason="Not a finding")
    client.force_login(editor())
    url = admin_url(signal, "simple_history", first.history_id)
    client.post(url, form_data(client.get(url), change_reason="Undo"))
    signal.refresh_from_db()
    assert (signal.status, signal.triage_reason) == ("dismissed", "Not a finding")


def test_a_revert_opened_before_another_save_is_refused(client):
    record = f.statement(status="draft", speaker="A spokesperson")
    first = record.history.get()
    record.speaker = "The chief executive"
    record._change_reason = "Named the speaker"
    record.save()
    client.force_login(editor())
    url = admin_url(record, "simple_history", first.history_id)
    page = client.get(url)
    record.quote = "Corrected meanwhile."
    record._change_reason = "Corrected the quote"
    record.save()
    refused = client.post(url, form_data(page, change_reason="Back to the first version"))
    assert refused.status_code == 200
    assert "Someone else saved this record" in refused.content.decode()
    record.refresh_from_db()
    assert (record.speaker, record.quote) == ("The chief executive", "Corrected meanwhile.")


# -- gap evidence -----------------------------------------------------------------------------


def _add_evidence(client, gap, content_type, object_id):
    page = client.get(admin_url(gap))
    data = form_data(page, change_reason="Added evidence")
    _add_inline_row(data, _inline_prefix(data, "evidence"), content_type=str(content_type.pk),
                    object_id=str(object_id), note="")
    return client.post(admin_url(gap), data)


def test_gap_evidence_must_be_an_existing_record_of_a_kind_the_public_pages_show(client):
    from django.contrib.auth.models import User
    from django.contrib.contenttypes.models import ContentType

    gap = f.gap()
    user = reviewer()
    client.force_login(user)
    # A staff account as "evidence" broke the public gap page (and would name staff there).
    refused = _add_evidence(client, gap, ContentType.objects.get_for_model(User), user.pk)
    assert refused.status_code == 200
    missing = _add_evidence(client, gap, ContentType.objects.get_for_model(m.Statement), 99999)
    assert missing.status_code == 200
    assert "There is no statement #99999" in missing.content.decode()
    assert not m.GapEvidence.objects.exists()
    statement = f.statement()
    statement_type = ContentType.objects.get_for_model(m.Statement)
    assert _add_evidence(client, gap, statement_type, statement.pk).status_code == 302
    assert m.GapEvidence.objects.get().record == statement
    client.logout()
    assert client.get(gap.get_absolute_url()).status_code == 200


def test_a_citation_or_reply_cannot_point_at_a_staff_account_or_a_missing_record(client):
    from django.contrib.auth.models import User
    from django.contrib.contenttypes.models import ContentType

    user = reviewer()
    client.force_login(user)
    user_type = ContentType.objects.get_for_model(User)
    statement_type = ContentType.objects.get_for_model(m.Statement)
    citation = {"source": f.source().pk, "quote": "Q", "locator": "", "change_reason": "Cited"}
    company = f.company()
    reply = {
        "company": company.pk, "asked_on": "2026-01-01", "deadline_on": "2026-01-15", "channel": "email",
        "question": "Any comment?", "outcome": "pending", "change_reason": "Asked",
    }
    for model, data in ((m.Citation, citation), (m.RightOfReply, reply)):
        for content_type, object_id in ((user_type, user.pk), (statement_type, 99999)):
            response = client.post(
                admin_url(model, "add"), {**data, "content_type": content_type.pk, "object_id": object_id}
            )
            assert response.status_code == 200, model
    assert not m.Citation.objects.filter(content_type=user_type).exists()
    assert not m.RightOfReply.objects.exists()
    statement = f.statement()
    ok = client.post(admin_url(m.RightOfReply, "add"), {**reply, "content_type": statement_type.pk,
                                                        "object_id": statement.pk})
    assert ok.status_code == 302


def test_deleting_an_inline_row_changed_elsewhere_meanwhile_is_refused(client):
    record = f.statement(status="draft", cited=False)
    citation = f.cite(record, quote="Original quote.")
    f.cite(record, quote="Another.")
    client.force_login(editor())
    page = client.get(admin_url(record))
    citation.quote = "Corrected elsewhere."
    citation._change_reason = "Corrected"
    citation.save()
    data = form_data(page, change_reason="Removed a citation")
    key = next(k for k, v in data.items() if v == "Original quote.")
    data[key.replace("-quote", "-DELETE")] = "on"
    refused = client.post(admin_url(record), data)
    assert refused.status_code == 200
    assert "Someone else saved this row" in refused.content.decode()
    assert m.Citation.objects.filter(pk=citation.pk).exists()


def test_the_history_page_of_a_malformed_id_is_not_found(client):
    client.force_login(reviewer())
    assert client.get(admin_url(m.Statement, "changelist") + "abc/history/").status_code == 404
    assert client.get(admin_url(m.Signal, "changelist") + "1x/history/").status_code == 404


# -- rows of a public record ------------------------------------------------------------------


def test_an_editor_cannot_change_or_delete_the_citation_of_a_public_record_on_its_own_page(client):
    # Editors change drafts; a public record changes only through a reviewer. Its citations'
    # quoted passages are public too, and deleting its only citation left a published record
    # citing nothing.
    record = f.statement(status="published", cited=False)
    citation = f.cite(record, quote="Original.")
    client.force_login(editor())
    assert client.get(admin_url(citation)).status_code == 200  # read-only
    data = {"source": citation.source_id, "content_type": citation.content_type_id, "object_id": record.pk,
            "quote": "Editor's words.", "locator": "", "change_reason": "x"}
    assert client.post(admin_url(citation), data).status_code == 403
    deleted = client.post(admin_url(citation, "delete"), {"post": "yes", "change_reason": "x"})
    assert deleted.status_code == 403
    citation.refresh_from_db()
    assert citation.quote == "Original."

    # Nor add one to it, nor move a draft's citation onto it.
    draft = f.statement(status="draft", cited=False)
    moved = f.cite(draft, quote="Draft's.")
    page = client.get(admin_url(moved))
    response = client.post(admin_url(moved), form_data(page, object_id=str(record.pk), change_reason="x"))
    assert response.status_code == 200
    added = client.post(admin_url(m.Citation, "add"), {
        "source": f.source().pk, "content_type": page.context["adminform"].form["content_type"].value(),
        "object_id": record.pk, "quote": "New.", "locator": "p. 9", "change_reason": "x",
    })
    assert added.status_code == 200
    assert list(record.citations.values_list("quote", flat=True)) == ["Original."]

    # A reviewer may.
    client.force_login(reviewer())
    page = client.get(admin_url(citation))
    fixed = client.post(admin_url(citation), form_data(page, quote="Fixed.", change_reason="Typo"))
    assert fixed.status_code == 302


def test_an_editor_cannot_change_an_alias_of_a_public_company_or_a_clause_of_a_public_version(client):
    company = f.company(status="published")
    alias = m.CompanyAlias(company=company, scheme="name", value="Example Widgets Inc")
    alias._change_reason = "Test data"
    alias.save()
    version = f.policy_version(status="published")
    commitment = f.commitment(version.policy)
    clause = m.CommitmentClause(commitment=commitment, version=version, text="We do not.", stance="prohibits")
    clause._change_reason = "Test data"
    clause.save()
    client.force_login(editor())
    for row, field, value in ((alias, "value", "Example Gadgets Inc"), (clause, "text", "We might.")):
        assert client.post(admin_url(row), {field: value, "change_reason": "x"}).status_code == 403
        row.refresh_from_db()
        assert getattr(row, field) != value


def test_a_contract_whose_route_is_not_reported_is_saved_without_an_intermediary(client):
    # "Route not reported" is the default; the form asked for a reseller for it, so no such
    # contract (most imported and seeded ones) could be edited at all.
    contract = f.contract(status="draft", route="unknown")
    client.force_login(editor())
    page = client.get(admin_url(contract))
    saved = client.post(admin_url(contract), form_data(page, title="Cloud storage", change_reason="Title"))
    assert saved.status_code == 302
    contract.refresh_from_db()
    assert contract.title == "Cloud storage"
    # And an intermediary on an unreported route is a form error, not a refusal by the database.
    page = client.get(admin_url(contract))
    reseller = f.company()
    data = form_data(page, intermediary=str(reseller.pk), change_reason="x")
    refused = client.post(admin_url(contract), data)
    assert refused.status_code == 200
    assert "intermediary" in refused.context["adminform"].form.errors


def test_every_seeded_record_saves_unchanged_from_its_admin_page(client):
    # A rule in a form stricter than the data (routes not reported, sources citing sources)
    # makes a record impossible to edit; every page must save as it stands.
    from django.contrib import admin

    from policies.seed import load_seed

    load_seed()
    client.force_login(staff_user("root", superuser=True))
    refused = []
    for model in admin.site._registry:
        if model._meta.app_label != "policies":
            continue
        for obj in model._default_manager.all()[:3]:
            page = client.get(admin_url(obj))
            assert page.status_code == 200, (model, obj.pk)
            assert client.get(admin_url(obj, "history")).status_code == 200, (model, obj.pk)
            if not page.context.get("has_change_permission"):
                continue
            response = client.post(admin_url(obj), {**form_data(page), "change_reason": "Audit"})
            if response.status_code != 302:
                refused.append((model.__name__, obj.pk, response.status_code))
    assert refused == []


def test_a_public_record_keeps_at_least_one_citation(client):
    record = f.statement(status="published", cited=False)
    only = f.cite(record, quote="The only one.")
    client.force_login(reviewer())
    # In the record's own form...
    page = client.get(admin_url(record))
    data = form_data(page, change_reason="Removed the citation")
    key = next(k for k, v in data.items() if v == "The only one.")
    data[key.replace("-quote", "-DELETE")] = "on"
    refused = client.post(admin_url(record), data)
    assert refused.status_code == 200
    assert "at least one citation" in refused.content.decode()
    # ... on the citation's page, and in a bulk deletion.
    client.post(admin_url(only, "delete"), {"post": "yes", "change_reason": "Removed"})
    client.post(admin_url(m.Citation, "changelist"), {
        "action": "delete_selected", ACTION_CHECKBOX_NAME: [only.pk], "post": "yes",
        "change_reason": "Removed",
    })
    assert m.Citation.objects.filter(pk=only.pk).exists()
    # With another citation it may go.
    f.cite(record, quote="Another.")
    client.post(admin_url(only, "delete"), {"post": "yes", "change_reason": "Duplicate"})
    assert not m.Citation.objects.filter(pk=only.pk).exists()


# -- imports and staff edits ------------------------------------------------------------------


def test_a_contract_form_opened_before_an_import_updated_it_is_refused(client):
    from tests.usaspending_files import AWARDS_286, award, csv_bytes

    name = "Contracts_PrimeAwardSummaries_2026-01-05_H10M00S00_1.csv"
    url = reverse("admin:policies_importrun_usaspending")
    client.force_login(editor())
    first = SimpleUploadedFile(name, csv_bytes(AWARDS_286, [award("P1")]), "text/csv")
    assert client.post(url, {"files": first, "reason": "January"}).status_code == 200
    contract = m.Contract.objects.get()
    page = client.get(admin_url(contract))

    later = name.replace("2026-01-05", "2026-02-05")
    rows = [award("P1", total_obligated_amount="17000.00")]
    update = SimpleUploadedFile(later, csv_bytes(AWARDS_286, rows))
    assert "1 updated" in client.post(url, {"files": update, "reason": "February"}).content.decode()

    refused = client.post(admin_url(contract), form_data(page, title="Storage", change_reason="Title"))
    assert refused.status_code == 200
    assert "Someone else saved this record" in refused.content.decode()
    contract.refresh_from_db()
    assert str(contract.amount) == "17000.00"


def test_a_policy_version_saved_meanwhile_for_the_same_date_is_a_form_error(client, monkeypatch):
    # Two uploads for one date at once: the second passes the "same day" check, then the
    # database's one-version-per-date rule refuses it.
    from django.db import IntegrityError

    import policies.admin.imports as upload_page

    def racing_import(*args, **kwargs):
        raise IntegrityError("policy_version_one_per_effective_date")

    monkeypatch.setattr(upload_page, "import_version", racing_import)
    client.force_login(editor())
    policy = f.policy()
    upload = SimpleUploadedFile("terms.txt", b"We do not allow it.", "text/plain")
    url = reverse("admin:policies_importrun_policy_version")
    response = client.post(url, {"policy": policy.pk, "effective_on": "2024-01-02", "file": upload})
    assert response.status_code == 200
    assert "saved meanwhile" in str(response.context["form"].errors)


def test_an_editor_cannot_bulk_delete_the_citations_of_a_public_record(client):
    record = f.statement(status="published", cited=False)
    citations = [f.cite(record, quote=f"Passage {i}.") for i in range(2)]
    client.force_login(editor())
    client.post(admin_url(m.Citation, "changelist"), {
        "action": "delete_selected", ACTION_CHECKBOX_NAME: [c.pk for c in citations], "post": "yes",
        "change_reason": "Tidy",
    })
    assert record.citations.count() == 2
