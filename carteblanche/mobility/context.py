"""The process-wide MobilityContext: a cache of the process-cache registry, like the offer's.

Its tables (GTFS timetables, on-demand transport, solidarity mobility) are watched by the offer's
token (`directory.offer_version.WATCHED`): any write to them, by any process and any means,
changes the token, and the next plan rebuilds the context. Before 6 Dec it had its own rule
(signals in this process, a fingerprint query re-read every 30 s for the others).
"""

from carteblanche.core import process_cache
from carteblanche.mobility.selectors import (
    load_on_demand_offers,
    load_solidarity_offers,
    load_timetable,
    urban_commune_codes,
)
from carteblanche.mobility.travel import MobilityContext


def _build() -> MobilityContext:
    return MobilityContext(
        timetable=load_timetable(),
        on_demand=load_on_demand_offers(),
        solidarity=load_solidarity_offers(),
        urban_communes=urban_commune_codes(),
    )


_CONTEXT = process_cache.register("mobility context", _build, per_offer=True)


def get_mobility_context(*, refresh: bool = False) -> MobilityContext:
    """The shared context for the data as it is now; `refresh` rebuilds it whatever the token says."""
    if refresh:
        _CONTEXT.forget()
    return _CONTEXT.get()


def built_mobility_context() -> MobilityContext | None:
    """The context kept now, without building one (warm-up checks)."""
    return _CONTEXT.peek()


def forget_mobility_context() -> None:
    """Drop the kept context: the next call builds it (tests)."""
    _CONTEXT.forget()
