"""The home page's kept counts (policies.PublicCount) and backup/restore (review of 20766fb)."""

import pytest
from django.core.management import call_command

from policies import counts
from tests import factories as f


@pytest.mark.django_db
def test_a_restore_is_not_refused_because_the_home_page_was_shown_first(tmp_path, client):
    """A fresh, migrated database whose home page was shown (a health check, a visitor)
    holds PublicCount rows: derived data, not records, and no reason to refuse a restore."""
    f.company()
    path = tmp_path / "b.jsonl"
    call_command("backup", str(path), verbosity=0)
    from tests.test_backup_restore import _empty_the_database

    _empty_the_database()
    assert client.get("/").status_code == 200  # fills policies.PublicCount
    call_command("restore", str(path), verbosity=0)
    assert dict(counts.read())["companies"] == 1
