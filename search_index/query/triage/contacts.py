"""Where the urgent-care banner sends people: phone numbers per region, from settings.

`settings.URGENT_CARE["REGIONS"]` names the regions whose numbers the site shows, in order
(US and UK by default, `URGENT_CARE_REGIONS` in the environment); `["CONTACTS"]` holds each
region's numbers per kind of banner. A crisis or poison banner also gives the emergency
number, for when the person is hurt or unwell.
"""
from django.conf import settings

from search_index.results import Contact

# Kinds whose banner also lists emergency services after their own help line.
ALSO_EMERGENCY = frozenset({"crisis", "poison", "urgent"})


def region_contacts(region: str, kind: str) -> list[Contact]:
    """The contacts a region lists for a kind of banner ([] when it lists none)."""
    rows = settings.URGENT_CARE["CONTACTS"].get(region, {}).get(kind, [])
    return [Contact(region, action, number, name) for action, number, name in rows]


def contacts_for(kind: str) -> tuple[tuple[Contact, ...], tuple[Contact, ...]]:
    """(the kind's own contacts, emergency services) in the site's regions."""
    regions = settings.URGENT_CARE["REGIONS"]
    own = tuple(c for region in regions for c in region_contacts(region, kind))
    if kind not in ALSO_EMERGENCY:
        return own, ()
    return own, tuple(c for region in regions for c in region_contacts(region, "emergency"))
