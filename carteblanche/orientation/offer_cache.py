"""Per-process cache of the engine's `ServiceOffer`s built from the directory.

Why: building a ServiceOffer from the ORM (service, structure, operator, channels, places,
itinerant stops, areas, linked needs) was most of an API plan's time (~40 services, hundreds of
model instances per plan) although the offer rarely changes. The offers are the
`orientation offers` entry of `core.process_cache`: kept while the offer's token is the same
(any write to the directory, by any process and any means, changes it), forgotten all at once
when it changes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from carteblanche.core import process_cache
from carteblanche.orientation.engine import ServiceOffer

# service pk -> (the service row's version, its offer); a new, empty dict for each token.
ORIENTATION_OFFERS: process_cache.ProcessCache[dict[int, tuple[object, ServiceOffer]]] = process_cache.register(
    "orientation offers", dict
)


def invalidate() -> None:
    """Forget every cached offer (tests)."""
    ORIENTATION_OFFERS.forget()


def offers(
    versions: Mapping[int, object], build: Callable[[list[int]], dict[int, ServiceOffer]]
) -> dict[int, ServiceOffer]:
    """The offers of these services: cached ones, and `build(missing pks)` for the others.

    `versions`: service pk -> its row's version (``updated_at``): a service deleted and created
    again under the same pk is not taken for the old one.
    """
    store = ORIENTATION_OFFERS.get()
    found: dict[int, ServiceOffer] = {}
    missing = []
    for pk, version in versions.items():
        entry = store.get(pk)
        if entry is not None and entry[0] == version:
            found[pk] = entry[1]
        else:
            missing.append(pk)
    if missing:
        built = build(missing)
        for pk, offer in built.items():
            store[pk] = (versions.get(pk), offer)
        found.update(built)
    return found
