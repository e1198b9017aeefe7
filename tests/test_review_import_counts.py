"""The home page's kept counts after an import that stops half-way (review of 20766fb)."""

import pytest

from policies import counts
from tests import factories as f
from tests.usaspending_files import AWARDS_286, award, csv_file


def _fresh_counts():
    return {name: records().count() for name, records in counts._kinds().items()}


@pytest.mark.django_db(transaction=True)
def test_an_interrupted_import_leaves_the_home_page_counts_exact(monkeypatch):
    """Batches committed, then Ctrl-C: the run is logged with update() (no signal) and the
    counts kept in PublicCount stay those from before the import, for good."""
    from policies.imports import usaspending
    from policies.imports.report import ImportReport
    from policies.imports.usaspending import ImportOptions, import_files

    top = f.agency(code="070", name="Department of Homeland Security")
    f.agency(code="7012", name="U.S. Immigration and Customs Enforcement", parent=top)
    f.company(name="EXAMPLE CLOUD 0042 LLC")
    before = _fresh_counts()
    assert dict(counts.read()) == before

    def stopped(self):
        raise KeyboardInterrupt

    monkeypatch.setattr(usaspending.DownloadImport, "finish", stopped)
    name = "FY2025_070_Contracts_Full_20250301_1.csv"
    with pytest.raises(KeyboardInterrupt):
        import_files(
            [csv_file(name, AWARDS_286, [award("P1"), award("P2")])],
            ImportOptions(publish=True),
            ImportReport(),
        )
    fresh = _fresh_counts()
    assert fresh["contracts"] == before["contracts"] + 2  # published, and public
    assert dict(counts.read()) == fresh
