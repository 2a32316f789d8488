"""Per-process cache of the engine's `ServiceOffer`s built from the directory.

Why: building a ServiceOffer from the ORM (service, structure, operator, channels, places,
itinerant stops, areas, linked needs) was most of an API plan's time (~40 services, hundreds of
model instances per plan) although the offer rarely changes. Each offer is kept per process and
forgotten:
- all at once when a directory row is saved or deleted in this process (signals, many-to-many
  links included) or when the offer index is rebuilt (its version check sees the changes made
  by other processes to services, places, channels and stops);
- one by one after ``CARTEBLANCHE_ORIENTATION_OFFER_CACHE_SECONDS`` (default 60 s; 0 turns the
  cache off), so that what the signals cannot see (another process editing a structure, an
  operator or a need; ``QuerySet.update``) shows within that time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping

from django.conf import settings
from django.db.models.signals import m2m_changed, post_delete, post_save

from carteblanche.directory.models import Channel, ItinerantStop, Need, Operator, Place, Service, Structure
from carteblanche.orientation.engine import ServiceOffer
from carteblanche.territories.models import Commune

_lock = threading.Lock()
# service pk -> (built at, generation, the service row's version, offer)
_entries: dict[int, tuple[float, int, object, ServiceOffer]] = {}
_generation = 0
_index_seen: object | None = None  # the offer index the entries were built under


def ttl_seconds() -> float:
    return float(getattr(settings, "CARTEBLANCHE_ORIENTATION_OFFER_CACHE_SECONDS", 60.0))


def invalidate(**_: object) -> None:
    """Forget every cached offer (a signal receiver too)."""
    global _generation
    with _lock:
        _generation += 1
        _entries.clear()


def offers(
    versions: Mapping[int, object],
    build: Callable[[list[int]], dict[int, ServiceOffer]],
    *,
    index: object | None = None,
) -> dict[int, ServiceOffer]:
    """The offers of these services: cached ones, and `build(missing pks)` for the others.

    `versions`: service pk -> its row's version (``updated_at``): a service deleted and created
    again under the same pk (a test database rolled back) is not taken for the old one.
    `index`: the offer index in use; a different one than last time means the offer changed.
    """
    global _index_seen
    wanted = list(versions)
    ttl = ttl_seconds()
    if ttl <= 0:
        return build(wanted)
    if index is not None and index is not _index_seen:
        invalidate()
        _index_seen = index
    now = time.monotonic()
    generation = _generation
    found: dict[int, ServiceOffer] = {}
    missing = []
    for pk in wanted:
        entry = _entries.get(pk)
        if entry is not None and entry[1] == generation and entry[2] == versions[pk] and now - entry[0] < ttl:
            found[pk] = entry[3]
        else:
            missing.append(pk)
    if missing:
        built = build(missing)
        with _lock:
            if _generation == generation:  # nothing changed while building: keep them
                for pk, offer in built.items():
                    _entries[pk] = (now, generation, versions.get(pk), offer)
        found.update(built)
    return found


for _model in (Service, Channel, Place, ItinerantStop, Structure, Operator, Need, Commune):
    post_save.connect(invalidate, sender=_model, dispatch_uid=f"orientation-offers-save-{_model.__name__}")
    post_delete.connect(invalidate, sender=_model, dispatch_uid=f"orientation-offers-delete-{_model.__name__}")
for _through in (Service.needs.through, Channel.area_communes.through, Need.operators.through):
    m2m_changed.connect(invalidate, sender=_through, dispatch_uid=f"orientation-offers-m2m-{_through.__name__}")
