"""Reads for orientation: answers -> the engine's situation, candidate offers from the directory, a plan.

Pages, API and CLI all go through `compute_plan`, so bad input gets the same clear messages
everywhere (`OrientationInputError`, one problem per field, with suggestions).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.db.models import Prefetch, Q
from django.utils import timezone

from carteblanche.core.process_cache import one_token_read
from carteblanche.directory.kinds import ACCOMPANIMENT_NETWORKS, ACCOMPANIMENT_OPERATORS
from carteblanche.directory.models import Channel, ItinerantStop, Need, Service
from carteblanche.mobility.travel import MobilityContext, Point, TravelMeans, crow_km
from carteblanche.orientation import competence, offer_cache
from carteblanche.orientation.availability import AvailabilityError, WeeklyAvailability, parse_availability
from carteblanche.orientation.engine import (
    ChannelOffer,
    Engine,
    Location,
    NeedRequest,
    PersonSituation,
    Plan,
    ServiceOffer,
    covered_needs,
)
from carteblanche.orientation.scoring import MAX_DISTANCE_KM, Digital
from carteblanche.territories.geo import PARIS
from carteblanche.territories.models import Commune
from carteblanche.territories.selectors import commune_label, resolve_commune

CANDIDATES_PER_THEME = 40  # nearest (service, place) pairs asked from the offer index


@dataclass(frozen=True, slots=True)
class InputProblem:
    field: str
    message: str
    suggestions: tuple[str, ...] = ()


class OrientationInputError(ValueError):
    """The answers cannot give a plan; each problem names the field and what to change."""

    def __init__(self, problems: list[InputProblem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))
        self.problems = problems


@dataclass(slots=True)
class OrientationRequest:
    """The person's answers, as the form, the API and the CLI collect them (French field names)."""

    commune: str
    besoins: list[str] = field(default_factory=list)  # need slugs from the catalogue
    besoin_libre: str = ""  # free text, matched to the catalogue
    voiture: bool = False  # a car and a driving licence
    ne_conduit_pas: bool = False  # "je ne conduis pas / pas de permis"
    conduit_par_proche: bool = False
    conduit_quand: str = ""  # when someone can drive the person (availability syntax)
    transport_en_commun: bool = True
    transport_a_la_demande: bool = True
    mobilite_solidaire: bool = True
    mobilite_reduite: bool = False
    numerique: str = Digital.AUTONOMOUS.value
    telephone: bool = True
    disponibilites: str = ""
    langue: str = "fr"
    urgent: bool = False
    age: int | None = None
    publics: list[str] = field(default_factory=list)
    autre_commune: str = ""  # where the person works or can easily go
    # A point within the commune, when known (the browser's position, an agent's map click):
    # trips start there instead of the commune's reference point. Used, never stored.
    position: tuple[float, float] | None = None

    def to_json(self) -> dict[str, Any]:
        """The answers kept with a plan; the precise position is left out (minimal personal data)."""
        return {name: getattr(self, name) for name in self.__slots__ if name != "position"}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OrientationRequest:
        return cls(**{k: v for k, v in data.items() if k in cls.__slots__})


# ------------------------------------------------------------------ communes and needs


def resolve_commune_or_problem(text: str, field_name: str) -> tuple[Commune | None, InputProblem | None]:
    """The commune as every surface reads it (`territories.selectors.resolve_commune`), or what to fix."""
    answer = resolve_commune(text)
    if answer.commune is not None and answer.commune.has_point:
        return answer.commune, None
    if answer.commune is not None:
        return None, InputProblem(field_name, f"Nous ne savons pas situer {answer.commune.name} sur la carte.")
    # The choices are labels the resolver reads back to one commune ("Lherm (46150)").
    return None, InputProblem(field_name, answer.message(), tuple(commune_label(c) for c in answer.choices))


def match_free_text(text: str, limit: int = 5) -> list[tuple[Need, float]]:
    """The catalogue's matcher (directory/needs_matching.py): everyday words, old names, typos."""
    from carteblanche.directory.needs_matching import match_needs

    return list(match_needs(text, limit=limit))


def suggest_needs(text: str, limit: int = 3) -> list[Need]:
    """Needs to propose when nothing matched: weaker matches, never one the text rules out."""
    from carteblanche.directory.needs_matching import suggest_needs as suggest

    return suggest(text, limit=limit)


def resolve_needs(slugs: list[str], free_text: str) -> tuple[list[Need], list[InputProblem]]:
    problems: list[InputProblem] = []
    chosen: list[Need] = []
    known = Need.objects.in_bulk([s for s in slugs if s])
    for slug in slugs:
        if not slug:
            continue
        if slug in known:
            chosen.append(known[slug])
        else:
            close = [n.label for n in suggest_needs(slug)]
            hint = " Besoins proches : " + ", ".join(close) + "." if close else ""
            problems.append(
                InputProblem("besoins", f"Le besoin « {slug} » n'est pas dans notre liste.{hint}", tuple(close))
            )
    if free_text.strip():
        matches = match_free_text(free_text)
        if matches:
            best_need, best_score = matches[0]
            chosen.append(best_need)
            # A second need when the text clearly says two things ("réversion et factures").
            for need, score in matches[1:]:
                if score >= max(0.5, best_score * 0.9) and need not in chosen:
                    chosen.append(need)
        else:
            close = [n.label for n in suggest_needs(free_text)]
            message = f"Nous n'avons pas reconnu votre besoin « {free_text.strip()} »."
            message += (
                " Choisissez par exemple : " + ", ".join(close) + "."
                if close
                else " Décrivez-le autrement ou choisissez-le dans la liste."
            )
            problems.append(InputProblem("besoin_libre", message, tuple(close)))
    if not chosen and not problems:
        problems.append(
            InputProblem("besoins", "Dites-nous ce que vous voulez faire : choisissez un besoin ou décrivez-le.")
        )
    unique = list(dict.fromkeys(chosen))
    return unique, problems


def need_request(need: Need) -> NeedRequest:
    """The engine's need, with its competent bodies from the catalogue (competence.py)."""
    bodies = competence.for_need(need.slug)
    return NeedRequest(
        slug=need.slug,
        label=need.label,
        thematiques=tuple(need.thematiques or ()),
        operators=tuple(need.operators.values_list("code", flat=True)),
        documents=tuple(need.documents or ()),
        deciders=bodies.deciders,
        helpers=bodies.helpers,
        listed_only=bodies.listed_only,
        lines_only=bodies.lines_only,
    )


# ------------------------------------------------------------------ the engine's situation

# A given position farther than this from the commune's reference point is taken for a mistake
# (the largest communes of metropolitan France reach about 20 km from their centre).
POSITION_MAX_KM = 25.0


def position_problem(position: tuple[float, float] | None, commune: Commune | None) -> InputProblem | None:
    """Why a given home position cannot be used, or None (also None without a position)."""
    if position is None:
        return None
    lat, lon = position
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        return InputProblem("position", "La position doit être une latitude (-90 à 90) et une longitude (-180 à 180).")
    if commune is None:
        return None
    km = crow_km(Point(lat, lon), Point(commune.latitude, commune.longitude))
    if km > POSITION_MAX_KM:
        return InputProblem(
            "position",
            f"Cette position est à {km:.0f} km du centre de {commune.name} : vérifiez la commune, "
            "ou enlevez la position pour partir du centre de la commune.",
        )
    return None


def commune_json(person: PersonSituation) -> dict[str, str]:
    """Which commune the plan is for (API and command JSON): homonyms elsewhere stay apart."""
    return {"code": person.commune_code, "name": person.commune_name, "department": person.department_code}


def origin_text(person: PersonSituation, *, from_position: bool) -> str:
    """Where the trips start, said plainly (the plan shows it above the options)."""
    if from_position:
        return f"Trajets calculés depuis votre position, à {person.commune_name}."
    return (
        f"Trajets calculés depuis le centre de {person.commune_name} : "
        "donnez votre position pour des temps plus justes."
    )


def build_person(request: OrientationRequest, *, now: datetime | None = None) -> PersonSituation:
    """Validate every answer (all problems at once) and build the engine's input."""
    now = (now or timezone.now()).astimezone(PARIS)
    problems: list[InputProblem] = []
    commune, problem = resolve_commune_or_problem(request.commune, "commune")
    if problem:
        problems.append(problem)
    if problem := position_problem(request.position, commune):
        problems.append(problem)
    other = None
    if request.autre_commune.strip():
        other, problem = resolve_commune_or_problem(request.autre_commune, "autre_commune")
        if problem:
            problems.append(problem)
    needs, need_problems = resolve_needs(request.besoins, request.besoin_libre)
    problems.extend(need_problems)
    availability = driver_windows = busy = ()
    try:
        weekly = parse_availability(request.disponibilites)
        availability = weekly.windows(now)
        busy = WeeklyAvailability(weekly.busy).windows(now) if weekly.busy else ()
    except AvailabilityError as exc:
        problems.append(InputProblem("disponibilites", str(exc)))
    if request.conduit_par_proche or request.conduit_quand.strip():
        try:
            driver_windows = (
                parse_availability(request.conduit_quand).windows(now)
                if request.conduit_quand.strip()
                else availability
            )
        except AvailabilityError as exc:
            problems.append(InputProblem("conduit_quand", str(exc)))
    if request.voiture and request.ne_conduit_pas:
        problems.append(
            InputProblem(
                "voiture",
                "Vous avez indiqué avoir une voiture et le permis, et aussi ne pas conduire. "
                "Gardez une seule des deux réponses.",
            )
        )
    if request.age is not None and not 0 <= request.age <= 120:
        problems.append(InputProblem("age", "L'âge doit être un nombre entre 0 et 120."))
    elif request.age is not None and request.age < 17 and request.voiture:
        problems.append(
            InputProblem("voiture", f"À {request.age} ans on ne peut pas conduire seul. Décochez « voiture ».")
        )
    try:
        digital = Digital(request.numerique)
    except ValueError:
        problems.append(
            InputProblem(
                "numerique", "Choisissez : autonome en ligne, en ligne avec de l'aide, ou pas d'accès à internet."
            )
        )
        digital = Digital.AUTONOMOUS
    if availability == () and not any(p.field == "disponibilites" for p in problems):
        problems.append(
            InputProblem(
                "disponibilites", "Vos disponibilités ne laissent aucun moment libre dans les 14 prochains jours."
            )
        )
    if problems:
        raise OrientationInputError(problems)
    assert commune is not None
    means = TravelMeans(
        has_car=request.voiture and not request.ne_conduit_pas,
        driver_windows=tuple(driver_windows),
        public_transport=request.transport_en_commun,
        on_demand=request.transport_a_la_demande,
        solidarity=request.mobilite_solidaire,
        reduced_mobility=request.mobilite_reduite,
        walk_max_km=1.0 if request.mobilite_reduite else 2.0,
    )
    return PersonSituation(
        home=Point(*request.position) if request.position else Point(commune.latitude, commune.longitude),
        commune_code=commune.code,
        commune_name=commune.name,
        epci_code=commune.epci_id or "",
        department_code=commune.department_id,
        needs=tuple(need_request(n) for n in needs),
        now=now,
        availability=tuple(availability),
        means=means,
        digital=digital,
        has_phone=request.telephone,
        age=request.age,
        publics=tuple(request.publics),
        language=(request.langue or "fr").lower()[:2],
        urgent=request.urgent,
        other_place=Point(other.latitude, other.longitude) if other else None,
        other_commune=other.code if other else "",
        busy=tuple(busy),
    )


# ------------------------------------------------------------------ candidate offers


def _location_from_place(place) -> Location:
    return Location(
        key=f"place:{place.pk}",
        name=place.name,
        point=Point(place.latitude, place.longitude),
        commune_code=place.commune_id,
        commune_name=place.commune.name,
        address=", ".join(p for p in (place.address, place.postcode) if p),
        hours=place.opening_hours,
        hours_note=place.hours_note,
        position_approximate=place.position_approximate,
        wheelchair_accessible=place.wheelchair_accessible,
        verified_on=place.verified_on.isoformat() if place.verified_on else "",
    )


def _location_from_stop(stop: ItinerantStop, service_name: str) -> Location:
    return Location(
        key=f"stop:{stop.pk}",
        name=f"{service_name} — {stop.location_label or stop.commune.name}",
        point=Point(stop.latitude, stop.longitude),
        commune_code=stop.commune_id,
        commune_name=stop.commune.name,
        address=stop.location_label,
        hours=stop.schedule,
        hours_note=stop.schedule_note,
        position_approximate=stop.position_approximate,
    )


def _host(url: str) -> str:
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")


def procedure_hosts() -> dict[str, frozenset[str]]:
    """Web host -> the needs whose online procedure is there (from the needs catalogue)."""
    hosts: dict[str, set[str]] = {}
    for slug, url in Need.objects.exclude(online_procedure_url="").values_list("slug", "online_procedure_url"):
        hosts.setdefault(_host(url), set()).add(slug)
    return {host: frozenset(slugs) for host, slugs in hosts.items()}


def service_to_offer(service: Service, hosts: dict[str, frozenset[str]] | None = None) -> ServiceOffer:
    """A directory Service (with prefetched channels) as the engine's ServiceOffer.

    When a service has several websites (e.g. msa.fr and info-retraite.fr), each one answers only the
    needs whose online procedure the catalogue puts there (if any), so a family benefit is not sent
    to the pension site."""
    channels = []
    all_channels = list(service.channels.all())
    several_sites = sum(1 for c in all_channels if c.kind == "online") > 1
    linked = {n.slug for n in service.needs.all()}
    for channel in all_channels:
        area = frozenset(c.code for c in channel.area_communes.all()) or None
        only: tuple[str, ...] = ()
        if several_sites and channel.kind == "online" and hosts:
            only = tuple(sorted(hosts.get(_host(channel.url), frozenset()) & linked))
        channels.append(
            ChannelOffer(
                id=str(channel.pk),
                kind=channel.kind,
                location=_location_from_place(channel.place) if channel.place_id else None,
                stops=tuple(_location_from_stop(stop, service.name) for stop in channel.stops.all()),
                phone=channel.phone,
                url=channel.url,
                hours=channel.opening_hours,
                hours_note=channel.hours_note,
                appointment_required=channel.appointment_required,
                booking=channel.booking,
                cost=channel.cost,
                area_communes=area,
                need_slugs=only,
            )
        )
    operator = service.operator or service.structure.operator
    return ServiceOffer(
        id=str(service.pk),
        name=service.name,
        structure_name=service.structure.name,
        channels=tuple(channels),
        operator=operator.code if operator else "",
        operator_name=operator.short_name if operator else "",
        thematiques=tuple(service.thematiques or ()),
        need_slugs=tuple(n.slug for n in service.needs.all()),
        publics=tuple(service.publics or ()),
        zone_eligibilite=tuple(service.zone_eligibilite or ()),
        age_min=service.age_min,
        age_max=service.age_max,
        languages=tuple(service.languages or ()),
        documents=tuple(service.documents or ()),
        networks=tuple(service.structure.networks or ()),
        conditions=service.conditions_acces.strip(),
        source=service.source,
        verified_on=service.verified_on.isoformat() if service.verified_on else "",
    )


def _services_queryset():
    stops = ItinerantStop.objects.select_related("commune")  # the service is the channel's: not loaded again
    # Only the codes of a home visit's area (it may list hundreds of communes: no full rows).
    area = Commune.objects.only("code")
    channels = Channel.objects.select_related("place__commune").prefetch_related(
        Prefetch("stops", queryset=stops), Prefetch("area_communes", queryset=area)
    )
    return Service.objects.select_related("structure__operator", "operator").prefetch_related(
        Prefetch("channels", queryset=channels), Prefetch("needs", queryset=Need.objects.only("slug"))
    )


def _offer_index():
    """The directory's offer index when it exists (search work), else None."""
    try:
        from carteblanche.directory.search_index import get_offer_index
    except ImportError:
        return None
    return get_offer_index()


def _accompaniment_near(person: PersonSituation) -> set[int]:
    """Services of France Services / digital-inclusion advisers with a counter or stop in a box of
    MAX_DISTANCE_KM around home: a superset of what the engine may use, so plans are the same with
    and without the offer index (the engine keeps the nearest ones)."""
    lat, lon = person.home.latitude, person.home.longitude
    dlat = MAX_DISTANCE_KM / 111.0
    dlon = MAX_DISTANCE_KM / (111.0 * max(0.01, math.cos(math.radians(min(89.0, abs(lat) + dlat)))))
    who = Q(service__operator__in=ACCOMPANIMENT_OPERATORS) | Q(service__structure__operator__in=ACCOMPANIMENT_OPERATORS)
    for network in sorted(ACCOMPANIMENT_NETWORKS):
        who |= Q(service__structure__networks__icontains=network)
    at_place = Q(place__latitude__range=(lat - dlat, lat + dlat), place__longitude__range=(lon - dlon, lon + dlon))
    at_stop = Q(stops__latitude__range=(lat - dlat, lat + dlat), stops__longitude__range=(lon - dlon, lon + dlon))
    return set(Channel.objects.filter(who & (at_place | at_stop)).values_list("service_id", flat=True).distinct())


def candidate_offers(person: PersonSituation, *, use_index: bool = True) -> list[ServiceOffer]:
    """The services that may answer the person's needs, near them or remote (the one switch point).

    With the offer index: the nearest places of the needs' thematiques, the remote services of
    those thematiques, the nearest accompaniment places, and the services the catalogue links
    to the needs. Without it: every service, filtered here (small territories, tests).
    """
    themes = sorted({t for need in person.needs for t in need.thematiques})
    index = _offer_index() if use_index else None
    if index is not None:
        lat, lon = person.home.latitude, person.home.longitude
        ids: set[int] = set()
        if themes:
            ids |= {
                c.service_id for c in index.nearest(themes, lat, lon, k=CANDIDATES_PER_THEME, max_km=MAX_DISTANCE_KM)
            }
            ids |= set(index.remote(themes))
        ids |= _accompaniment_near(person)
        slugs = [n.slug for n in person.needs]
        linked = set(Service.objects.filter(needs__in=slugs).values_list("pk", flat=True))
        rows = Service.objects.proposable().filter(pk__in=ids | linked)
    else:
        rows = Service.objects.proposable()  # the directory's rule: an ended service is never offered
    versions = dict(rows.values_list("pk", "updated_at"))
    offers = []
    for offer in offer_cache.offers(versions, _build_offers).values():
        if covered_needs(offer, person.needs) or offer.is_accompaniment:
            offers.append(_near_only(offer, person))
    return sorted(offers, key=lambda o: o.id)


def _build_offers(pks: list[int]) -> dict[int, ServiceOffer]:
    """ServiceOffers of these services from the database (what offer_cache keeps)."""
    queryset = _services_queryset()
    if len(pks) <= 500:
        queryset = queryset.filter(pk__in=pks)
    wanted = set(pks)  # many: one pass over the table, no huge IN list
    hosts = procedure_hosts()
    return {service.pk: service_to_offer(service, hosts) for service in queryset if service.pk in wanted}


def _near_only(offer: ServiceOffer, person: PersonSituation) -> ServiceOffer:
    """Drop counters and stops too far to matter (the engine ignores them anyway)."""
    from dataclasses import replace

    kept = []
    for channel in offer.channels:
        if channel.location is not None and crow_km(person.home, channel.location.point) > MAX_DISTANCE_KM:
            continue
        if channel.stops:
            stops = tuple(s for s in channel.stops if crow_km(person.home, s.point) <= MAX_DISTANCE_KM)
            if not stops:
                continue
            channel = replace(channel, stops=stops)
        kept.append(channel)
    return replace(offer, channels=tuple(kept))


def get_mobility() -> MobilityContext:
    """The shared mobility context (timetables, on-demand zones; cached and refreshed by the mobility app)."""
    try:
        from carteblanche.mobility.context import get_mobility_context
    except ImportError:
        return MobilityContext()
    return get_mobility_context()


def compute_plan(
    request: OrientationRequest, *, now: datetime | None = None, use_index: bool = True
) -> tuple[Plan, PersonSituation]:
    """Answers -> plan. Raises OrientationInputError with every problem found."""
    person = build_person(request, now=now)
    with one_token_read():  # the index and the offers: one read of the offer's token
        offers = candidate_offers(person, use_index=use_index)
    return Engine(get_mobility()).plan(person, offers), person


def needs_catalogue() -> list[Need]:
    return list(Need.objects.order_by("label"))


def all_service_offers() -> list[ServiceOffer]:
    """Every service that may be offered, as the engine sees it (the observatory measures reach with
    the plans' own offers and rule)."""
    versions = dict(Service.objects.proposable().values_list("pk", "updated_at"))
    return list(offer_cache.offers(versions, _build_offers).values())
