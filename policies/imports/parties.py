"""Who a USAspending row is about: the awarding agency and the recipient company.

Agencies are matched by official code, then by name (case and spacing ignored: older files
write names in UPPER CASE); a new one is created as a draft, the sub-agency nested under
its agency, for staff to check and publish.

Recipients are matched to companies only through what staff recorded: a CompanyAlias
(UEI, DUNS or name, keyed by `CompanyAlias.make_key`) or the company's own name (by
`normalise_name`, so "MICROSOFT CORPORATION" and "Microsoft Corp." agree). The recipient
is tried first, then its parent. An unknown recipient creates nothing: the contract is
imported without a vendor and the recipient is listed in the report for staff to map with
an alias; importing the file again then fills the vendor in. This never creates a
duplicate company, and never a public one.
"""

from django.utils.text import slugify

from ..models import Agency, AliasScheme, Company, CompanyAlias
from ..models.organisations import normalise_name

_SMALL_WORDS = {"and", "of", "the", "for", "on", "in", "to", "a", "an", "at", "by"}


def agency_name_key(name):
    return " ".join(name.casefold().split())


def readable_name(name):
    """'U.S. IMMIGRATION AND CUSTOMS ENFORCEMENT' → 'U.S. Immigration and Customs Enforcement'."""
    if not name.isupper():
        return name
    words = name.lower().split()
    return " ".join(
        w if (i and w in _SMALL_WORDS) else w[:1].upper() + w[1:] for i, w in enumerate(words)
    ).replace("U.s.", "U.S.")


class AgencyDirectory:
    """Finds or creates the agency a row was awarded by. `create` is called for new ones."""

    def __init__(self, create):
        self._create = create
        self.by_code = {}
        self.by_name = {}
        for pk, code, name in Agency.objects.values_list("pk", "code", "name"):
            if code:
                self.by_code[code] = pk
            self.by_name.setdefault(agency_name_key(name), pk)

    def resolve(self, row):
        """The id of the sub-agency if the row names one, else of the agency."""
        top = self._find_or_create(row.agency_code, row.agency_name, None)
        if not row.sub_agency_name or agency_name_key(row.sub_agency_name) == agency_name_key(
            row.agency_name
        ):
            return top
        return self._find_or_create(row.sub_agency_code, row.sub_agency_name, top)

    def _find_or_create(self, code, name, parent_id):
        pk = (self.by_code.get(code) if code else None) or self.by_name.get(agency_name_key(name))
        if pk is None:
            pk = self._create(
                Agency(
                    slug=_unique_slug(readable_name(name)),
                    name=readable_name(name),
                    code=code if code and code not in self.by_code else "",
                    parent_id=parent_id,
                    jurisdiction="United States",
                )
            )
        if code:
            self.by_code.setdefault(code, pk)
        self.by_name.setdefault(agency_name_key(name), pk)
        return pk


def _unique_slug(name):
    base = slugify(name)[:45] or "agency"
    slug, n = base, 2
    while Agency.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


class CompanyDirectory:
    """Maps recipients to companies through aliases and company names (read only)."""

    def __init__(self):
        self.aliases = {
            (scheme, key): company_id
            for scheme, key, company_id in CompanyAlias.objects.values_list("scheme", "key", "company_id")
        }
        names = {}
        for pk, name in Company.objects.values_list("pk", "name"):
            names.setdefault(normalise_name(name), set()).add(pk)
        self.names = {key: next(iter(ids)) for key, ids in names.items() if key and len(ids) == 1}

    def find(self, party):
        for scheme, value in (
            (AliasScheme.UEI, party.uei),
            (AliasScheme.DUNS, party.duns),
            (AliasScheme.NAME, party.name),
        ):
            if not value:
                continue
            pk = self.aliases.get((scheme, CompanyAlias.make_key(scheme, value)))
            if pk:
                return pk
        return self.names.get(normalise_name(party.name)) if party.name else None

    def resolve(self, recipient, parent):
        """`(company id or None, how)`: the recipient's company, else its parent's."""
        pk = self.find(recipient)
        if pk:
            return pk, "recipient"
        if parent.name or parent.uei or parent.duns:
            pk = self.find(parent)
            if pk:
                return pk, "recipient parent"
        return None, ""
