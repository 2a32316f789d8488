"""The default territory's hard cases for reading a typed commune, computed from the shipped data.

Every surface's tests (pages, API, command) go through these lists, so a commune added to or
removed from the territory changes what is tested, not whether it is.
"""

from collections import defaultdict

from carteblanche.territories.models import Commune
from carteblanche.territories.selectors import default_territory

# Written down from the COG 2026 data, to check the computed list (the issue named the first ten).
HOMONYMS = [
    "Beauregard",
    "Boissières",
    "Cras",
    "Cézac",
    "Escamps",
    "Fontanes",
    "Lherm",
    "Montfaucon",
    "Pradines",
    "Saillac",
    "Saint-Médard",
]
# The territory's 13 postcodes and how many communes of France carry each (COG 2026).
POSTCODES = {
    "46000": 1,
    "46090": 18,
    "46140": 12,
    "46150": 15,
    "46170": 4,
    "46230": 11,
    "46240": 8,
    "46260": 11,
    "46300": 14,
    "46310": 7,
    "46330": 12,
    "46360": 6,
    "46800": 5,
}


def territory_homonyms() -> dict[str, Commune]:
    """Name -> the territory's commune, for every commune whose name another commune of France bears."""
    local = list(default_territory().communes.select_related("department"))
    keys = {c.search_key for c in local}
    shared = defaultdict(int)
    for key in Commune.objects.filter(search_key__in=keys).values_list("search_key", flat=True):
        shared[key] += 1
    return {c.name: c for c in local if shared[c.search_key] > 1}


def territory_postcodes() -> dict[str, list[Commune]]:
    """Postcode -> every commune of France carrying it, for each postcode of the territory."""
    codes = {p for c in default_territory().communes.all() for p in c.postcodes}
    found: dict[str, list[Commune]] = {code: [] for code in codes}
    for commune in Commune.objects.filter(department_id="46"):
        for code in commune.postcodes:
            if code in found:
                found[code].append(commune)
    return found
