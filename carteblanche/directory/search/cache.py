"""The offer cache shared by searches (the `search offer` entry of `core.process_cache`).

What searches loaded from one version of the offer: services in full (with structure,
operator, channels, places, communes, stops, covered communes), the light rows the filters
read, each need's operators and linked services, the services of a set of operators, the
need and commune lookups of the API. Valid while the offer's token is the same (the
registry's rule), so a cached record is exactly what reading the database again would give.
A new token starts a new, empty cache (a new object: a search still holding the old one
cannot fill the new one with older rows). Cached instances are shared between searches and
never modified. Bounded by `CARTEBLANCHE_SEARCH_CACHE_SIZE` (0 turns it off): the oldest
entries go first.

On servers (`CARTEBLANCHE_SEARCH_CACHE_PREFILL`, and `core.serving` says this process serves
requests), each new version is prefilled in a background thread (`prefill_offer_cache`).
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Iterable

from django.conf import settings
from django.db import connections, models, router

from carteblanche.core import process_cache, runtime, serving
from carteblanche.directory.models import Channel, ItinerantStop, Need, Place, Service
from carteblanche.directory.search.loading import LightRow, services_with_channels
from carteblanche.territories.selectors import CommuneAnswer

logger = logging.getLogger(__name__)


class OfferCache:
    """What searches loaded from one version of the offer (see the module's docstring)."""

    def __init__(self, db: str, size: int) -> None:
        self.db, self.size = db, size
        self.services: dict[int, Service | None] = {}  # None: not in the database
        self.light: dict[int, LightRow | None] = {}
        self.needs: dict[str, tuple[list[str], frozenset[int]]] = {}
        self.need_objects: dict[str, Need | None] = {}
        self.communes: dict[str, CommuneAnswer] = {}
        self.operator_services: dict[frozenset[str], tuple[frozenset[int], frozenset[str]]] = {}

    def keep(self, store: dict, key: object, value: object) -> None:
        if len(store) >= self.size:
            for old in list(itertools.islice(store, max(1, self.size // 10))):
                del store[old]
        store[key] = value


def _size() -> int:
    return int(settings.CARTEBLANCHE_SEARCH_CACHE_SIZE)


def _new_cache() -> OfferCache:
    return OfferCache(router.db_for_read(Service), _size())


def _after_build(cache: OfferCache) -> None:
    if settings.CARTEBLANCHE_SEARCH_CACHE_PREFILL and serving.is_serving():
        _start_prefill(cache)


SEARCH_OFFER = process_cache.register("search offer", _new_cache, when_untracked=lambda: None, after_build=_after_build)


def current() -> OfferCache | None:
    """The cache of the offer as it is now; None when caching is off or changes cannot be seen."""
    size = _size()
    if size <= 0:
        return None
    cache = SEARCH_OFFER.get()
    if cache is not None and cache.size != size:  # the bound changed (tests, benchmarks): start again
        SEARCH_OFFER.forget()
        cache = SEARCH_OFFER.get()
    return cache


# --- prefill: the whole offer loaded once per version, for servers ----------------------------

PREFILL_BATCH = 1024
_prefill_lock = threading.Lock()
_prefill_thread: threading.Thread | None = None
_prefilled_before = False


def prefill_offer_cache(cache: OfferCache | None = None) -> int:
    """Load every service of the offer into `cache` (the current one by default), up to its bound.

    Why: a search that meets services not loaded yet reads them (0.2 ms each, 20-60 per
    answer at national scale): the first pass over the country had a p99 of 7 ms against
    3.5 ms once loaded. Stops when the offer changes (the cache is replaced) or the bound is
    reached. The loaded objects are moved out of the garbage collector's sight after each batch
    (`runtime.freeze`): ~26 tracked objects per service made every full collection walk them
    (0.1-0.4 s pauses at national scale, and a prefill 2.5 times slower). Returns the number of
    services loaded.
    """
    global _prefilled_before
    cache = cache if cache is not None else current()
    if cache is None:
        return 0
    db = cache.db
    if _prefilled_before:
        runtime.release_frozen()  # the previous version's cache was frozen: let the collector free it
    ids = list(Service.objects.using(db).order_by("pk").values_list("pk", flat=True))
    shared: dict[tuple[type, object], models.Model] = {}
    loaded = 0
    for start in range(0, len(ids), PREFILL_BATCH):
        if SEARCH_OFFER.peek() is not cache or len(cache.services) >= cache.size:
            break
        chunk = [i for i in ids[start : start + PREFILL_BATCH] if i not in cache.services]
        chunk = chunk[: cache.size - len(cache.services)]
        if not chunk:
            continue
        services = services_with_channels(chunk)
        _share_relations(services.values(), shared)
        for service_id in chunk:
            cache.services[service_id] = services.get(service_id)
        loaded += len(chunk)
        runtime.freeze()  # each batch at once: collections during the prefill would walk it again and again
    _prefilled_before = True
    return loaded


def _share_relations(services: Iterable[Service], shared: dict[tuple[type, object], models.Model]) -> None:
    """One instance per structure, operator, place and commune across the loaded services.

    Each row of a query brings its own instance of a related record: a place with three
    services was held three times, each with its own commune. Cached instances are read-only,
    so sharing them changes no answer and saves memory (measured in docs/bench.md).
    """

    def one(obj: models.Model, field: models.ForeignKey) -> models.Model | None:
        related = field.get_cached_value(obj, None)
        if related is None:
            return None
        kept = shared.setdefault((type(related), related.pk), related)
        if kept is not related:
            field.set_cached_value(obj, kept)
        return kept if kept is related else None  # a first sight: its own relations still to share

    for service in services:
        one(service, _SERVICE_STRUCTURE)
        one(service, _SERVICE_OPERATOR)
        for channel in service._search_channels:
            place = one(channel, _CHANNEL_PLACE)
            if place is not None:
                one(place, _PLACE_COMMUNE)
            for stop in channel._search_stops:
                one(stop, _STOP_COMMUNE)


_SERVICE_STRUCTURE = Service._meta.get_field("structure")
_SERVICE_OPERATOR = Service._meta.get_field("operator")
_CHANNEL_PLACE = Channel._meta.get_field("place")
_PLACE_COMMUNE = Place._meta.get_field("commune")
_STOP_COMMUNE = ItinerantStop._meta.get_field("commune")


def _start_prefill(cache: OfferCache) -> None:
    """Prefill `cache` in a background thread; a newer cache makes a running prefill stop."""
    global _prefill_thread

    def run() -> None:
        try:
            with _prefill_lock:  # one prefill at a time: a stale one stops at its next batch
                prefill_offer_cache(cache)
        except Exception:  # the searches load what they need anyway
            logger.exception("prefilling the offer cache failed")
        finally:
            connections.close_all()  # this thread's own connections

    _prefill_thread = threading.Thread(target=run, name="offer-cache-prefill", daemon=True)
    _prefill_thread.start()


def wait_for_prefill(timeout: float = 300.0) -> None:
    """Wait for a background prefill in progress, if any (benchmarks, tests)."""
    thread = _prefill_thread
    if thread is not None:
        thread.join(timeout)
