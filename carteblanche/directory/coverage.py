"""How complete, sourced, fresh and reachable the offer is: the data stewards' coverage report.

Per need family (the catalogue's life events): how many services may be proposed, and which
share of them gives an address, a phone number, opening hours, a source, a source younger than
the freshness limit; then which share of the territory's population has a competent place of
that family in person within 20 and 30 minutes without a car. Reach is the observatory's
(`observatory.reach`, the plans' own rule and mobility model): a service is competent when the
orientation engine would consider it, and a commune is reached when a counter or stop of one is a
trip away within the limit (walking, public transport, on-demand transport, solidarity mobility),
when an itinerant counter stops in it, or when a service visits people at home there.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Prefetch
from django.utils import timezone

from carteblanche.core.freshness import STALE_AFTER_DAYS, is_stale
from carteblanche.directory.models import Channel, ItinerantStop, Need, Service
from carteblanche.mobility.travel import MobilityContext, Point
from carteblanche.observatory import reach
from carteblanche.observatory.actions import reference_window
from carteblanche.orientation.selectors import all_service_offers, need_request
from carteblanche.territories.models import Territory

THRESHOLDS_MINUTES = (20, 30)
WITHOUT_FAMILY = "autres démarches"
TIMED_KINDS = {Channel.Kind.COUNTER, Channel.Kind.PHONE, Channel.Kind.CALLBACK, Channel.Kind.VIDEO}


def _families(needs: list[Need]) -> dict[str, str]:
    return {need.slug: need.life_event or WITHOUT_FAMILY for need in needs}


def _services() -> list[Service]:
    channels = Channel.objects.select_related("place").prefetch_related(
        Prefetch("stops", queryset=ItinerantStop.objects.only("id", "channel_id", "latitude", "longitude", "commune"))
    )
    return list(
        Service.objects.proposable()
        .select_related("structure")
        .prefetch_related(
            Prefetch("channels", queryset=channels), Prefetch("needs", queryset=Need.objects.only("slug"))
        )
        .order_by("pk")
    )


def _has_address(service: Service) -> bool:
    return any(c.kind == Channel.Kind.COUNTER and c.place_id and c.place.address for c in service.channels.all())


def _has_phone(service: Service) -> bool:
    return bool(service.structure.phone) or any(
        c.kind in (Channel.Kind.PHONE, Channel.Kind.CALLBACK) and c.phone for c in service.channels.all()
    )


def _has_hours(service: Service) -> bool:
    for channel in service.channels.all():
        if channel.kind in TIMED_KINDS and channel.effective_opening_hours:
            return True
        if channel.kind == Channel.Kind.ITINERANT and any(stop.schedule for stop in channel.stops.all()):
            return True
    return False


def _share(count: int, total: int) -> float | None:
    return round(count / total, 3) if total else None


def offer_report(
    *,
    territory: Territory,
    mobility: MobilityContext,
    today: date | None = None,
    thresholds: tuple[int, ...] = THRESHOLDS_MINUTES,
) -> dict:
    """The coverage report as plain data (JSON-ready): one row per need family (`families`) and per
    need (`needs`: an identity card is not état civil, though both are "papiers"), and the totals."""
    today = today or timezone.localdate()
    needs = list(Need.objects.prefetch_related("operators").order_by("slug"))
    family_of = _families(needs)
    rows: dict[tuple[str, str], dict] = {}
    for service in _services():
        slugs = sorted(n.slug for n in service.needs.all())
        keys = [("family", f) for f in sorted({family_of[s] for s in slugs}) or [WITHOUT_FAMILY]]
        keys += [("need", slug) for slug in slugs]
        flags = {
            "with_address": _has_address(service),
            "with_phone": _has_phone(service),
            "with_hours": _has_hours(service),
            "with_source": bool(service.source_url),
            "with_fresh_source": service.verified_on is not None and not is_stale(service.verified_on, today),
            "unverified": service.is_unverified,
        }
        for key in keys:
            row = rows.setdefault(key, {"services": 0, **dict.fromkeys(flags, 0)})
            row["services"] += 1
            for name, value in flags.items():
                row[name] += int(value)
    # Reach: the observatory's rule on the engine's offers (the same services and competence as plans).
    requests = {need.slug: need_request(need) for need in needs}
    groups = {key: [requests[need.slug] for need in needs if family_of[need.slug] == key[1]] for key in rows}
    groups.update({key: [requests[key[1]]] for key in rows if key[0] == "need"})
    keys = sorted(rows)
    offers = all_service_offers()
    reachables = [reach.reachable(reach.competent_offers(offers, groups[key])) for key in keys]
    areas = [
        reach.Area(c.code, c.name, Point(c.latitude, c.longitude), c.population or 0, c.epci_id or "")
        for c in territory.communes.exclude(latitude__isnull=True).order_by("code")
    ]
    window = reference_window(today)
    matrix = reach.access_matrix(areas, reachables, reach.Profile.NO_CAR, mobility, window)
    population = sum(area.population for area in areas)

    def line(key: tuple[str, str]) -> dict:
        row, accesses = rows[key], matrix[keys.index(key)]
        total = row["services"]
        return {
            "services": total,
            **{f"share_{name}": _share(row[name], total) for name in row if name.startswith("with_")},
            "unverified": row["unverified"],
            "competent_places": len(reachables[keys.index(key)].destinations),
            **{
                f"population_within_{limit}_min_without_car": _share(
                    reach.population_share(areas, accesses, limit, in_person=True).reached, population
                )
                for limit in thresholds
            },
        }

    labels = {need.slug: need.label for need in needs}
    return {
        "territory": territory.name,
        "population": population,
        "communes": len(areas),
        "computed_on": today.isoformat(),
        "travel_window": [window.start.isoformat(), window.end.isoformat()],
        "travel_means": "sans voiture : à pied, transport en commun, transport à la demande, mobilité solidaire",
        "fresh_source_days": STALE_AFTER_DAYS,
        "services": Service.objects.proposable().count(),
        "ended_services_left_out": Service.objects.ended().count(),
        "families": [{"family": name, **line(("family", name))} for kind, name in sorted(rows) if kind == "family"],
        "needs": [
            {"need": slug, "label": labels.get(slug, slug), "family": family_of.get(slug, WITHOUT_FAMILY), **line(key)}
            for key in sorted(rows, key=lambda k: (family_of.get(k[1], ""), k[1]))
            if key[0] == "need"
            for slug in [key[1]]
        ],
    }
