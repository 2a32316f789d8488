"""Ranking: the order of remote services, and the one-glance summary of a search."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from carteblanche.directory.models import Channel
from carteblanche.directory.search.results import ChannelView, SearchResult, ServiceResult
from carteblanche.directory.search_engine import RemoteOffices

# The phone line of a local office farther than this is not offered as a way to reach the service.
LOCAL_LINE_KM = 30.0


def rank_remote(
    remote_ids: Iterable[int],
    offices: RemoteOffices,
    lat: float | None,
    lon: float | None,
    *,
    linked: set[int],
    operator_ids: set[str],
) -> list[int]:
    """Remote services in the order shown: linked to the need, national lines, the need's operators,
    then local offices' lines by distance; the line of an office more than 30 km away is left out."""
    nearest_office: dict[int, float] = {}
    if lat is not None and lon is not None:
        nearest_office = offices.nearest_office_km(lat, lon, LOCAL_LINE_KM)
    ordered = []
    for service_id in remote_ids:
        office = None
        if lat is not None and offices.has_office(service_id):
            office = nearest_office.get(service_id)
            if office is None or office > LOCAL_LINE_KM:
                continue  # a distant office's own line is not the person's contact
        matches = offices.operator(service_id) in operator_ids
        name = offices.name(service_id)
        ordered.append((service_id not in linked, office is not None, not matches, office or 0.0, name, service_id))
    ordered.sort()
    return [item[-1] for item in ordered]


@dataclass(frozen=True, slots=True)
class Highlights:
    """What a hurried reader needs first; the page lists every result below.

    Martine's survivor's pension near Cieurac listed 14 counters (up to 70 km away) before the
    pension fund's own phone line: the summary puts that line, the nearest place and the place
    open soonest at the top, each linking to its full card.
    """

    without_trip: ServiceResult | None  # the need's own operator first
    phone: ChannelView | None  # its first phone line
    online: ChannelView | None  # its first online procedure
    nearest: ServiceResult | None
    soonest: ServiceResult | None  # among the nearest few, open first; None when it is the nearest


SOONEST_AMONG = 5


def search_highlights(found: SearchResult) -> Highlights:
    """The one-glance summary of a search (pure: picks among the results already computed)."""
    remote = found.remote
    without_trip = next((r for r in remote if r.operator_matches_need), remote[0] if remote else None)
    channels = without_trip.channels if without_trip is not None else []
    nearest = found.nearby[0] if found.nearby else None
    opening = [r for r in found.nearby[:SOONEST_AMONG] if r.next_opening is not None]
    soonest = min(opening, key=lambda r: (r.next_opening.start, r.distance_km or 0.0)) if opening else None
    return Highlights(
        without_trip=without_trip,
        phone=next((view for view in channels if view.kind == Channel.Kind.PHONE and view.channel.phone), None),
        online=next((view for view in channels if view.kind == Channel.Kind.ONLINE and view.channel.url), None),
        nearest=nearest,
        soonest=None if soonest is nearest else soonest,
    )
