"""Reads of communes and territories, shared by pages, API and CLI."""

import difflib
import re

from django.conf import settings
from django.db.models import QuerySet

from carteblanche.territories.models import Commune, Territory
from carteblanche.territories.normalize import normalize_name

_POSTCODE = re.compile(r"^\d{5}$")
_INSEE = re.compile(r"^(\d{2}|2A|2B)\d{3}$", re.IGNORECASE)
# "Cieurac (46230)" as the autocomplete writes it, or "Cieurac (46)" as suggestions do: the part in
# brackets tells homonyms apart (twelve communes are called Sainte-Colombe).
_LABEL = re.compile(r"^(?P<name>.*\S)\s*\((?P<where>\d{5}|\d{2,3}|2A|2B)\)$", re.IGNORECASE)


def find_communes(query: str, *, limit: int = 10, territory: Territory | None = None) -> list[Commune]:
    """Communes matching what a person typed: a name (tolerant), a postcode or an INSEE code.

    Exact name matches come first, then prefix matches, biggest population first.
    """
    text = query.strip()
    if not text:
        return []
    base: QuerySet[Commune] = Commune.objects.select_related("department", "epci")
    if territory is not None:
        base = base.filter(territories=territory)
    if _POSTCODE.match(text):
        by_code = list(base.filter(code=text))
        if len(by_code) >= limit:
            return by_code[:limit]  # postcode matches would come after them: no need to scan for them
        by_postcode = [c for c in base.filter(postcodes__icontains=text) if text in c.postcodes]
        seen = {c.code for c in by_code}
        found = by_code + sorted((c for c in by_postcode if c.code not in seen), key=lambda c: -(c.population or 0))
        return found[:limit]
    if _INSEE.match(text):
        found = list(base.filter(code=text.upper()))
        if found:
            return found
    if label := _LABEL.match(text):
        where = label["where"].upper()
        named = base.filter(search_key=normalize_name(label["name"]))
        if len(where) == 5:
            found = [c for c in named if where in c.postcodes]
        else:
            found = list(named.filter(department_id=where))
        if found:
            return found[:limit]
    key = normalize_name(text)
    if not key:
        return []
    exact = list(base.filter(search_key=key).order_by("-population")[:limit])
    prefix = list(base.filter(search_key__startswith=key).exclude(search_key=key).order_by("-population")[: limit * 3])
    words = key.split()
    if len(words) > 1 and not prefix and not exact:
        # "St Gery" also finds "Saint-Géry-Vers" when the words are in the name, not only at its start.
        candidates = base.filter(search_key__contains=words[0])
        for word in words[1:]:
            candidates = candidates.filter(search_key__contains=word)
        prefix = list(candidates.order_by("-population")[: limit * 3])
    return (exact + prefix)[:limit]


def suggest_communes(query: str, *, limit: int = 5) -> list[Commune]:
    """Close spellings for a name that matched nothing (for '404 with suggestions')."""
    key = normalize_name(query)
    if not key:
        return []
    head = key[:2]
    pool = dict(Commune.objects.filter(search_key__startswith=head).values_list("search_key", "code"))
    if len(pool) < 50:
        pool.update(dict(Commune.objects.filter(search_key__contains=key[:3]).values_list("search_key", "code")))
    close = difflib.get_close_matches(key, list(pool), n=limit, cutoff=0.6)
    communes = Commune.objects.in_bulk([pool[name] for name in close])
    return [communes[pool[name]] for name in close if pool[name] in communes]


def resolve_commune(query: str, *, territory: Territory | None = None) -> Commune | None:
    """The single best commune for a query, or None."""
    found = find_communes(query, limit=1, territory=territory)
    return found[0] if found else None


def default_territory() -> Territory | None:
    return Territory.objects.filter(slug=settings.CARTEBLANCHE_DEFAULT_TERRITORY).first()
