"""How to cite a record of the tracker: a permalink, plain text and BibTeX."""

import re
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from .kinds import KIND_LABELS, record_title, record_url


@dataclass
class Citation:
    permalink: str
    text: str
    bibtex: str


def _bibtex_escape(text):
    return re.sub(r"([{}\\&%$#_])", r"\\\1", text)


def cite(kind, record, today=None):
    """The citation of `record` (of `kind`) at its current revision."""
    today = today or timezone.localdate()
    permalink = settings.SITE_URL + record_url(kind, record.pk)
    title = record_title(record)
    label = KIND_LABELS[kind]
    changed = timezone.localtime(record.updated_at).date()
    revision = getattr(record, "revision", 1)
    text = (
        f"{settings.SITE_NAME}. “{title}” ({label.lower()} {record.pk}, revision {revision}, "
        f"last changed {changed:%d %B %Y}). {permalink} (accessed {today:%d %B %Y})."
    )
    bibtex = "\n".join(
        [
            f"@misc{{tracker-{kind}-{record.pk},",
            f"  author       = {{{{{_bibtex_escape(settings.SITE_NAME)}}}}},",
            f"  title        = {{{_bibtex_escape(title)}}},",
            f"  year         = {{{changed.year}}},",
            f"  howpublished = {{\\url{{{permalink}}}}},",
            f"  note         = {{{label} {record.pk}, revision {revision}, accessed {today.isoformat()}}},",
            "}",
        ]
    )
    return Citation(permalink, text, bibtex)
