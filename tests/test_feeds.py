"""The Atom feeds parse with a real feed parser and carry the expected entries."""

import feedparser
import pytest
from django.urls import reverse

from tests import factories as f

pytestmark = pytest.mark.django_db


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    return feed


def titles(feed):
    return [entry.title for entry in feed.entries]


def test_the_recent_changes_feed_lists_public_changes_with_reasons():
    from django.test import Client

    company = f.company(name="Example Feed Cloud")
    f.company(name="Example Draft Cloud", status="draft")
    feed = parse(Client(), reverse("policies:feed-changes"))
    assert any("Example Feed Cloud" in t for t in titles(feed))
    assert not any("Example Draft Cloud" in t for t in titles(feed))
    entry = next(e for e in feed.entries if "Example Feed Cloud" in e.title)
    assert entry.summary == "Test data"
    assert entry.author == "Tracker (automated)"
    assert reverse("policies:history", args=["company", company.pk]) in entry.link


def test_the_company_feed_lists_only_that_company(client):
    mine, other = f.company(), f.company()
    f.statement(mine, speaker="Example Speaker Mine")
    f.statement(other, speaker="Example Speaker Other")
    feed = parse(client, reverse("policies:feed-company", args=[mine.slug]))
    assert feed.feed.title.endswith(mine.name)
    assert any("Example Speaker Mine" in t for t in titles(feed))
    assert not any("Example Speaker Other" in t for t in titles(feed))


def test_the_topic_feed_lists_records_on_the_topic(client):
    topic = f.topic()
    pol = f.policy()
    f.commitment(pol, title="Example On-topic Commitment", topics=[topic])
    f.commitment(pol, title="Example Off-topic Commitment")
    feed = parse(client, reverse("policies:feed-topic", args=[topic.slug]))
    assert any("Example On-topic Commitment" in t for t in titles(feed))
    assert not any("Off-topic" in t for t in titles(feed))


def test_the_new_gaps_feed_lists_public_gaps_and_hides_drafts(client):
    f.gap(title="Example Public Gap")
    f.gap(title="Example Draft Gap", status="draft")
    feed = parse(client, reverse("policies:feed-gaps"))
    assert any("Example Public Gap" in t for t in titles(feed))
    assert not any("Example Draft Gap" in t for t in titles(feed))


def test_embargoed_employee_actions_stay_out_of_every_feed(client):
    import datetime

    company = f.company()
    f.employee_action(company, title="Example Embargoed Letter",
                      embargo_until=datetime.date.today() + datetime.timedelta(days=10))
    for url in (reverse("policies:feed-changes"), reverse("policies:feed-company", args=[company.slug])):
        assert not any("Embargoed" in t for t in titles(parse(client, url)))


def test_an_unknown_company_feed_is_a_404(client):
    assert client.get(reverse("policies:feed-company", args=["no-such-company"])).status_code == 404
