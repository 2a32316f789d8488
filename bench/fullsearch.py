"""A thin full search over the offer index: candidates, filters, next opening, serialisation.

Bench-only reference of what a search costs when the nearest services come from the
in-process index: a few primary-key queries, opening hours evaluated with
carteblanche.directory.hours, a JSON-ready dict. The directory's own search selector and API
are measured instead when they exist (see bench/fullsearch_django.py).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime

from django.http import HttpRequest, JsonResponse

from carteblanche.directory import hours
from carteblanche.directory.models import ItinerantStop, Place, Service
from carteblanche.directory.search_index import get_offer_index


def _opens_on(rule: str, day: date, at: datetime) -> bool | None:
    start = datetime.combine(day, datetime.min.time(), tzinfo=hours.PARIS)
    slots = hours.open_slots(rule, max(start, at), days=1)
    return None if slots is None else bool(slots)


def full_search(
    *,
    lat: float,
    lon: float,
    thematiques: Sequence[str],
    at: datetime,
    limit: int = 10,
    accessible: bool | None = None,
    open_on: date | None = None,
) -> dict:
    """The `limit` nearest services (one place each) passing the filters, and remote ones."""
    index = get_offer_index()
    want = limit * 3 if (accessible or open_on) else limit
    # Rules repeat a lot across places: evaluate each distinct rule once per search.
    opens: dict[str, bool | None] = {}
    nexts: dict[str, hours.Slot | None] = {}
    while True:
        candidates = index.nearest(thematiques, lat, lon, k=want, one_per_service=True)
        place_ids = [c.place_id for c in candidates if c.place_id is not None]
        stop_ids = [c.stop_id for c in candidates if c.stop_id is not None]
        places = {
            row[0]: row
            for row in Place.objects.filter(pk__in=place_ids)
            .order_by()
            .values_list("pk", "name", "latitude", "longitude", "opening_hours", "wheelchair_accessible")
        }
        stops = {
            row[0]: row
            for row in ItinerantStop.objects.filter(pk__in=stop_ids)
            .order_by()
            .values_list("pk", "location_label", "latitude", "longitude", "schedule")
        }
        kept = []
        for candidate in candidates:
            if candidate.place_id is not None:
                _, name, plat, plon, rule, wheelchair = places[candidate.place_id]
            else:
                _, name, plat, plon, rule = stops[candidate.stop_id]
                wheelchair = None
            if accessible and wheelchair is not True:
                continue
            if open_on is not None:
                if rule not in opens:
                    opens[rule] = _opens_on(rule, open_on, at)
                if not opens[rule]:
                    continue
            kept.append((candidate, name, plat, plon, rule, wheelchair))
            if len(kept) == limit:
                break
        if len(kept) == limit or len(candidates) < want:
            break
        want *= 4  # the filters removed too many: look further
    remote_ids = index.remote(thematiques)[:limit]
    names = {
        pk: (name, structure)
        for pk, name, structure in Service.objects.filter(pk__in=[c.service_id for c, *_ in kept] + remote_ids)
        .order_by()
        .values_list("pk", "name", "structure__name")
    }
    nearby = []
    for candidate, name, plat, plon, rule, wheelchair in kept:
        if rule not in nexts:
            nexts[rule] = hours.next_opening(rule, at)
        slot = nexts[rule]
        service, structure = names[candidate.service_id]
        nearby.append(
            {
                "service_id": candidate.service_id,
                "service": service,
                "structure": structure,
                "place_id": candidate.place_id,
                "stop_id": candidate.stop_id,
                "place": name or None,
                "latitude": plat,
                "longitude": plon,
                "distance_km": round(candidate.distance_km, 2),
                "hours": rule or None,
                "hours_known": bool(rule),
                "next_opening": None if slot is None else [slot.start.isoformat(), slot.end.isoformat()],
                "wheelchair_accessible": wheelchair,
            }
        )
    remote = [{"service_id": pk, "service": names[pk][0]} for pk in remote_ids]
    return {"thematiques": list(thematiques), "nearby": nearby, "remote": remote}


def search_view(request: HttpRequest) -> JsonResponse:
    """GET /bench/search?lat=&lon=&thematique=[&accessible=1][&ouvert_le=YYYY-MM-DD][&at=ISO]."""
    at = datetime.fromisoformat(request.GET["at"]) if "at" in request.GET else datetime.now(hours.PARIS)
    at = at.astimezone(hours.PARIS) if at.tzinfo else at.replace(tzinfo=hours.PARIS)
    open_on = date.fromisoformat(request.GET["ouvert_le"]) if request.GET.get("ouvert_le") else None
    body = full_search(
        lat=float(request.GET["lat"]),
        lon=float(request.GET["lon"]),
        thematiques=request.GET.getlist("thematique"),
        at=at,
        limit=int(request.GET.get("limite", 10)),
        accessible=request.GET.get("accessible") == "1" or None,
        open_on=open_on,
    )
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})


def serialise(body: dict) -> str:
    return json.dumps(body, ensure_ascii=False)
