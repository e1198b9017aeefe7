"""The Open Terms Archive terms types (v2.2.0, EUPL-1.2): the vocabulary for policy kinds.

Copied from ../shared/formats/opentermsarchive-terms-types.json; the aliases let the
policy importer map a directory name such as "Terms of Use" to its standard type.
"""

TERMS_TYPES = {
    "Terms of Service": ("Terms and Conditions", "Terms of Use"),
    "Privacy Policy": (),
    "Imprint": ("Legal Notice",),
    "Trackers Policy": ("Cookies Policy",),
    "Developer Terms": ("Developer Policy", "Developer Agreement"),
    "Community Guidelines": ("Community Standards",),
    "Deceased Users": (),
    "Acceptable Use Policy": ("Fair Use Policy", "Acceptable Usage Policy"),
    "Restricted Use Policy": ("Limited Use Policy", "Restriction Policy"),
    "Commercial Terms": (),
    "Copyright Claims Policy": ("Copyright Infringement Policy", "Intellectual Property Policy"),
    "Law Enforcement Guidelines": ("Legal Process Guidelines",),
    "Human Rights Policy": (),
    "In-App Purchases Policy": (),
    "Review Guidelines": (),
    "Brand Guidelines": ("Branding Policies", "Trademark Usage Guidelines"),
    "Quality Guidelines": ("Quality standards",),
    "Data Controller Agreement": (),
    "Data Processor Agreement": ("Data Processing Agreement",),
    "User Consent Policy": (),
    "Closed Captioning Policy": (
        "Closed Captioning Guidelines",
        "Captioning Policy",
        "Closed Captioning Standards",
    ),
    "Seller Warranty": (),
    "Single Sign-On Policy": (),
    "Vulnerability Disclosure Policy": ("Security Disclosure Policy",),
    "Live Policy": (),
    "Complaints Policy": (),
    "Conditions of Carriage": ("Transport Conditions",),
    "General Conditions of Sale": (),
    "Marketplace Buyers Conditions": (),
    "Marketplace Sellers Conditions": ("Seller Agreement",),
    "Ranking Parameters Description": (),
    "Premium Partner Conditions": ("Premium Partner Program",),
    "Platform to Business Notice": (),
    "Business Mediation Policy": (),
    "Business Privacy Policy": (),
    "Editorial Policy": ("Editorial Guidelines",),
    "Anti-corruption Policy": ("Anti-bribery Policy",),
    "Accessibility Statement": ("Accessibility Policy",),
    "Hyperlinks Policy": ("Links Policy", "Linking Policy", "External Links Policy", "Outgoing Links Policy"),
    "Whistleblower Policy": ("Whistleblower Protections",),
    "Affiliate Agreement": ("Affiliate Policy",),
    "Service Level Agreement": ("Service Level Addendum",),
    "Content Monetisation Policy": ("Content Monetization Policy",),
    "Advertising Content Policy": ("Ads policies", "Ads content policies"),
}

TERMS_TYPE_CHOICES = [(name, name) for name in TERMS_TYPES] + [("Other", "Other")]


def terms_type_for(name):
    """The standard terms type for `name` or one of its aliases; None if unknown."""
    wanted = name.strip().casefold()
    for standard, aliases in TERMS_TYPES.items():
        if wanted == standard.casefold() or wanted in (a.casefold() for a in aliases):
            return standard
    return None
