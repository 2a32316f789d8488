"""`search_services`: from a commune and a need to the services that can help, nearest first.

The nearest places of the need's services (great-circle distance from the commune's reference
point, from the offer index), the services reachable without travelling (phone, online,
call-back, home visit) and the itinerant stops near the commune, each with its next opening
and how to contact it. Unknown facts stay unknown: no hours means "horaires non communiqués",
never "closed".
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Sequence
from datetime import date, datetime

from carteblanche.core.process_cache import one_token_read
from carteblanche.directory.models import Channel, Need, Service
from carteblanche.directory.search import filters as rules
from carteblanche.directory.search import slots
from carteblanche.directory.search.cache import current as offer_cache
from carteblanche.directory.search.loading import (
    LightRows,
    Loader,
    channels_of,
    itinerant_stops,
    need_facts,
    operator_services,
)
from carteblanche.directory.search.ranking import rank_remote
from carteblanche.directory.search.results import SearchResult, ServiceResult
from carteblanche.directory.search_engine import Candidate
from carteblanche.directory.search_index import get_offer_snapshot
from carteblanche.territories.models import Commune

# Below this score a free-text match is not trusted to pick the need on its own.
MIN_TEXT_SCORE = 0.2


def match_text(text: str, *, limit: int = 5) -> list[tuple[Need, float]]:
    """Free text to catalogue needs, best first (the catalogue's matcher)."""
    from carteblanche.directory.needs_matching import match_needs

    return list(match_needs(text, limit=limit))


def _resolve_need(need: Need | str | None) -> Need | None:
    if need is None or isinstance(need, Need):
        return need
    return Need.objects.get(slug=need)


@one_token_read()  # the offer cache and the index: one read of the offer's token
def search_services(
    *,
    commune: Commune,
    need: Need | str | None = None,
    text: str | None = None,
    channel_kinds: Sequence[str] | None = None,
    open_on: date | None = None,
    accessible: bool | None = None,
    language: str | None = None,
    age: int | None = None,
    at: datetime | None = None,
    limit: int = 20,
) -> SearchResult:
    """Services for a need (or free text matched to the catalogue) near a commune.

    `need` may be a Need or its slug (Need.DoesNotExist when unknown). Without need nor text,
    every service is a candidate. `nearby` is sorted by distance, `remote` (no trip needed)
    puts the need's own operators first.
    """
    moment = slots.local_now(at)
    need_obj = _resolve_need(need)
    text = (text or "").strip()
    matched: list[tuple[Need, float]] = []
    if need_obj is None and text:
        matched = match_text(text)
        if matched and matched[0][1] >= MIN_TEXT_SCORE:
            need_obj = matched[0][0]
    thematiques = list(need_obj.thematiques) if need_obj is not None else None
    asked = rules.Filters(
        commune=commune,
        kinds=frozenset(channel_kinds or ()),
        open_on=open_on,
        accessible=accessible,
        language=(language or "").strip().lower() or None,
        age=age,
    )

    result = SearchResult(
        commune=commune,
        need=need_obj,
        text=text,
        matched_needs=matched,
        thematiques=thematiques or [],
        nearby=[],
        remote=[],
        at=moment,
        commune_without_point=not commune.has_point,
    )
    if need_obj is None and text:
        return result  # the text matched nothing: say so rather than list everything
    if thematiques is not None and not thematiques:
        return result

    cache = offer_cache()
    need_operators, need_services = need_facts(need_obj, cache) if need_obj is not None else ([], frozenset())
    result.need_operators = need_operators
    operator_ids = set(need_operators)
    by_operators: frozenset[int] | set[int] = set()
    if thematiques and operator_ids:
        # The need's operators may file it under other thematiques (a France Services counter helps
        # with a France Travail registration): look there too, the relevance step keeps only them.
        by_operators, operator_themes = operator_services(operator_ids, cache)
        thematiques = sorted(set(thematiques) | operator_themes)
    snapshot = get_offer_snapshot()
    index, offices = snapshot.index, snapshot.remote_offices
    themes = sorted(index.thematiques) if thematiques is None else list(thematiques)
    lat, lon = (commune.latitude, commune.longitude) if commune.has_point else (None, None)
    nearest: list[Candidate] = []
    itinerant: dict[int, float] = {}  # service -> its nearest stop (km), nearest first
    if lat is not None and lon is not None:
        nearest = [c for c in index.nearest(themes, lat, lon, k=max(limit * 10, 100)) if c.place_id is not None]
        for stop in index.stops_within(themes, lat, lon, rules.NEARBY_STOP_KM):
            itinerant.setdefault(stop.service_id, stop.distance_km)
    remote_ids = index.remote(themes)
    linked: set[int] = set()
    if need_obj is not None:
        ids = {c.service_id for c in nearest} | set(remote_ids) | set(itinerant)
        linked = need_services & ids
        relevant = linked | (by_operators & ids)
        if relevant:  # broad thematiques: keep the need's own operators and linked services
            nearest = [c for c in nearest if c.service_id in relevant]
            remote_ids = [service_id for service_id in remote_ids if service_id in relevant]
            itinerant = {service_id: km for service_id, km in itinerant.items() if service_id in relevant}
    remote_order = rank_remote(remote_ids, offices, lat, lon, linked=linked, operator_ids=operator_ids)
    nearby_order = list(dict.fromkeys(c.service_id for c in nearest))
    itinerant_order = list(itinerant)
    # One batch of queries for what is most likely shown; more only when filters reject a lot.
    first = limit * 3 // 2 + 2 if asked.any else limit + 2
    reach = math.inf  # the stops farther than the limit-th nearest place rarely enter the list
    if len(nearby_order) >= limit:
        reach = next(c.distance_km for c in nearest if c.service_id == nearby_order[limit - 1])
    likely_stops = [service_id for service_id in itinerant_order[:first] if itinerant[service_id] <= reach]
    loader = Loader(cache)
    loader.load([*nearby_order[:first], *likely_stops, *remote_order[:first]])

    counted: dict[str, set[int]] = {
        rules.INELIGIBLE: set(),
        rules.ACCESSIBILITY_UNKNOWN: set(),
        rules.HOURS_UNKNOWN: set(),
    }

    def build(service: Service, place_id: int | None, distance: float | None, remote: bool) -> ServiceResult | None:
        candidate = rules.shown(
            commune, channels_of(service), itinerant_stops(service), place_id=place_id, remote=remote
        )
        reason = rules.rejection(asked, service, candidate)
        if reason is not None:
            counted.get(reason, set()).add(service.id)
            return None
        channels = [slots.channel_view(channel, moment) for channel in candidate.channels]
        stops = [slots.stop_view(stop, commune, moment, km) for stop, km in candidate.stops]
        primary = [view for view in channels if view.kind == Channel.Kind.COUNTER] or [
            view for view in channels if view.is_timed
        ]
        openings = [view.next_opening for view in primary if view.next_opening is not None]
        if stops and distance is None:
            distance = stops[0].distance_km
        return ServiceResult(
            service=service,
            structure=service.structure,
            place=candidate.place,
            distance_km=distance,
            next_opening=min(openings, key=lambda slot: slot.start) if openings else None,
            hours_known=any(view.hours_known for view in primary),
            channels=channels,
            stops=stops,
            remote=remote,
            operator_matches_need=service.operator_id in operator_ids,
        )

    # With filters, the light rows of the next candidates are judged first (the same rules as
    # `build`): only those that may be shown are loaded in full.
    light = LightRows(cache) if asked.light_rows_decide else None

    def light_rejects(
        service_id: int, place_id: int | None, window: Callable[[], list[tuple[int, int | None]]], remote: bool = False
    ) -> bool:
        """Whether its light rows reject the service (counted as `build` counts); the rows of the next
        candidates (`window()`) are fetched together, and those that may be shown loaded in full."""
        if not light.fetched(service_id):
            chunk = window()
            light.fetch(i for i, _place in chunk)
            loader.load([i for i, place in chunk if _verdict(light, asked, i, place, remote) is None])
        reason = _verdict(light, asked, service_id, place_id, remote)
        if reason is None:
            return False
        counted.get(reason, set()).add(service_id)
        return True

    seen: set[int] = set()
    nearby_position = {service_id: position for position, service_id in enumerate(nearby_order)}
    size = _Growing(first)
    for position, candidate in enumerate(nearest):
        if candidate.service_id in seen:
            continue
        if (
            light is not None
            and not loader.tried(candidate.service_id)
            and light_rejects(
                candidate.service_id,
                candidate.place_id,
                lambda position=position: [
                    (c.service_id, c.place_id) for c in size.next(nearest, position) if c.service_id not in seen
                ],
            )
        ):
            continue
        service = loader.get(candidate.service_id, nearby_order, nearby_position[candidate.service_id], first)
        if service is None:
            continue
        built = build(service, candidate.place_id, candidate.distance_km, remote=False)
        if built is not None:  # one result per service: its nearest place that passes the filters
            seen.add(candidate.service_id)
            result.nearby.append(built)
        if len(result.nearby) >= limit:
            break
    # Itinerant services near the commune, nearest stop first, until none can enter the first `limit`.
    distances = sorted(r.distance_km for r in result.nearby)
    extra: list[ServiceResult] = []
    # Stops and remote channels have no place: only these filters reject them.
    light_check = light is not None and asked.without_place
    size = _Growing(first)
    for position, service_id in enumerate(itinerant_order):
        if len(distances) >= limit and distances[limit - 1] < itinerant[service_id] - 1e-9:
            break
        if service_id in seen:
            continue
        if (
            light_check
            and not loader.tried(service_id)
            and light_rejects(
                service_id,
                None,
                lambda position=position: [(i, None) for i in size.next(itinerant_order, position) if i not in seen],
            )
        ):
            continue
        service = loader.get(service_id, itinerant_order, position, first)
        built = build(service, None, None, remote=False) if service is not None else None
        if built is not None and built.stops:
            seen.add(service_id)
            extra.append(built)
            bisect.insort(distances, built.distance_km)
    extra.sort(key=lambda r: r.service.id)  # equal distances: places first, then stops by service id
    result.nearby = sorted(
        result.nearby + extra, key=lambda r: r.distance_km if r.distance_km is not None else math.inf
    )[:limit]

    size = _Growing(first)
    for position, service_id in enumerate(remote_order):  # also those listed nearby: here, their ways without a trip
        if (
            light_check
            and not loader.tried(service_id)
            and light_rejects(
                service_id, None, lambda position=position: [(i, None) for i in size.next(remote_order, position)], True
            )
        ):
            continue
        service = loader.get(service_id, remote_order, position, first)
        built = build(service, None, None, remote=True) if service is not None else None
        if built is not None:
            result.remote.append(built)
            if len(result.remote) >= limit:
                break
    shown = {r.service.id for r in result.results}
    result.excluded_ineligible = len(counted[rules.INELIGIBLE] - shown)
    result.excluded_inaccessible_unknown = len(counted[rules.ACCESSIBILITY_UNKNOWN] - shown)
    result.excluded_unknown_hours = len(counted[rules.HOURS_UNKNOWN] - shown)
    return result


def _verdict(
    light: LightRows, asked: rules.Filters, service_id: int, place_id: int | None, remote: bool = False
) -> str | None:
    """`rules.rejection` on the service's light rows; None (load it, let `build` decide) when it has none."""
    rows = light.rows(service_id)
    if rows is None:
        return None
    service, channels, stops = rows
    return rules.rejection(
        asked, service, rules.shown(asked.commune, channels, stops, place_id=place_id, remote=remote)
    )


class _Growing:
    """Windows of the next candidates, four times longer each time (few queries when filters reject a lot)."""

    def __init__(self, first: int) -> None:
        self.size = first

    def next(self, items: list, position: int) -> list:
        window = items[position : position + self.size]
        self.size *= 4
        return window
