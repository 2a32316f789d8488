"""Warm a server process's search before its first request: offer index, need matching, offer cache.

Why: after a restart the first search paid for the k-d index build, loading the compiled k-nearest
walk, the need matcher's set-up and the first services read (0.8 s on a quiet machine, 14.6 s on a
loaded one). Reads only: nothing is counted or stored.
"""

from __future__ import annotations

from django.template.loader import get_template

from carteblanche.directory.models import Need, Place
from carteblanche.territories.models import Commune

TEMPLATES = ("directory/search.html", "directory/results.html")


def sample_query() -> tuple[Commune, Need] | None:
    """A commune that has a place and a need of the catalogue, or None on an empty offer."""
    place = Place.objects.select_related("commune").order_by("pk").first()
    need = Need.objects.order_by("pk").first()
    if place is None or place.commune is None or need is None:
        return None
    return place.commune, need


def warm_up() -> None:
    """Run one search by need and one by free text, as the results page does, and compile its templates."""
    from carteblanche.core.process_cache import one_token_read
    from carteblanche.directory import search_index, selectors

    search_index.get_offer_index()
    query = sample_query()
    if query is not None:
        commune, need = query
        with one_token_read():
            selectors.search_highlights(selectors.search_services(commune=commune, need=need))
            selectors.search_services(commune=commune, text=need.label)
    for name in TEMPLATES:
        get_template(name)
