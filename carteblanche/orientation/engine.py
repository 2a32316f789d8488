"""The orientation engine: a person's situation + candidate offers -> a ranked, explained plan.

Pure module (no Django): dataclasses in, dataclasses out, so it is easy to test, to call from
the CLI and the API, and to benchmark. Weights and tables live in `scoring.py`; the French
texts in `explain.py`; travel comes from `MobilityContext.trips`; opening hours from
`directory/hours.py` (public holidays honoured).

Hard rules (each has a test in tests/orientation/test_engine_rules.py):
1. no online-only option for someone without internet, unless paired with accompaniment;
2. no car trip for someone without a car, nor a "driven" trip outside the driver's windows;
3. no option closed during all of the person's availability (unknown hours are shown as
   "à confirmer", ranked lower, never as open);
4. no service whose eligibility (age, publics, zone) excludes the person;
5. every option's travel time is explained by its mode.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import lru_cache
from typing import cast

from carteblanche.directory.kinds import is_accompaniment
from carteblanche.mobility.travel import (
    MODE_LABELS_FR,
    MobilityContext,
    Mode,
    Point,
    TimeWindow,
    TravelMeans,
    TripPlan,
    TripPlanner,
    crow_km,
)
from carteblanche.orientation import emergency, explain, scoring
from carteblanche.orientation.emergency import Safety
from carteblanche.orientation.opening import open_windows
from carteblanche.orientation.scoring import Digital, OptionKind
from carteblanche.territories.geo import PARIS

# Who helps with other bodies' procedures: France Services (counters and buses) and digital-inclusion
# advisers, named by their operator or their structure's network. A town hall or a social service
# that merely carries the broad thematique "accompagnement aux démarches" is not one of them.


class HoursStatus:
    OPEN = "open"  # known hours, slots listed
    ALWAYS = "always"  # online: any time
    BY_APPOINTMENT = "by_appointment"  # a date to fix with the service
    TO_CONFIRM = "to_confirm"  # hours unknown: "horaires à confirmer"


# ---------------------------------------------------------------- input


@dataclass(frozen=True, slots=True)
class NeedRequest:
    slug: str
    label: str
    thematiques: tuple[str, ...] = ()
    operators: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    # Competent bodies (competence.py, from the needs catalogue): who decides, who only helps, and
    # whether only the services the catalogue links to the need can take the application.
    deciders: tuple[str, ...] = ()
    helpers: tuple[str, ...] = ()
    listed_only: bool = False
    lines_only: bool = False  # answered by the national emergency lines only (no service, no place)


@dataclass(frozen=True, slots=True)
class Location:
    """A place that receives the public, or a stop of an itinerant line."""

    key: str  # unique, e.g. "place:12" or "stop:5"
    name: str
    point: Point
    commune_code: str
    commune_name: str = ""
    address: str = ""  # "" = unknown, never invented
    hours: str = ""  # OSM opening_hours; "" = unknown
    hours_note: str = ""
    position_approximate: bool = False
    wheelchair_accessible: bool | None = None
    verified_on: str = ""  # ISO date the place was last checked ("" = unknown)


@dataclass(frozen=True, slots=True)
class ChannelOffer:
    id: str
    kind: str  # directory Channel.Kind value: counter, phone, online, callback, home_visit, itinerant, video
    location: Location | None = None  # the counter's place
    stops: tuple[Location, ...] = ()  # itinerant stops (hours = the stop's calendar)
    phone: str = ""
    url: str = ""
    hours: str = ""  # the channel's own hours (overrides the place's for a counter)
    hours_note: str = ""
    appointment_required: bool | None = None
    booking: str = ""
    cost: str = ""
    area_communes: frozenset[str] | None = None  # home visit / call-back area; None = anywhere
    need_slugs: tuple[str, ...] = ()  # () = any need of the service; else only these (e.g. one of two sites)


@dataclass(frozen=True, slots=True)
class ServiceOffer:
    id: str
    name: str
    structure_name: str
    channels: tuple[ChannelOffer, ...]
    operator: str = ""
    operator_name: str = ""
    thematiques: tuple[str, ...] = ()
    need_slugs: tuple[str, ...] = ()  # explicit links from the needs catalogue
    publics: tuple[str, ...] = ()
    zone_eligibilite: tuple[str, ...] = ()  # commune, EPCI or department codes; () = anywhere
    age_min: int | None = None
    age_max: int | None = None
    languages: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    networks: tuple[str, ...] = ()
    conditions: str = ""  # access conditions as the source states them ("" = none stated)
    source: str = ""
    verified_on: str = ""

    @property
    def is_accompaniment(self) -> bool:
        """France Services or digital-inclusion advisers: they help with other bodies' online procedures."""
        return is_accompaniment(self.operator, self.networks)


@dataclass(frozen=True, slots=True)
class PersonSituation:
    home: Point
    commune_code: str
    needs: tuple[NeedRequest, ...]
    now: datetime
    availability: tuple[TimeWindow, ...]  # concrete windows over the horizon (see availability.py)
    means: TravelMeans = field(default_factory=TravelMeans)
    digital: Digital = Digital.AUTONOMOUS
    has_phone: bool = True
    commune_name: str = ""
    epci_code: str = ""
    department_code: str = ""
    age: int | None = None
    publics: tuple[str, ...] = ()
    language: str = "fr"
    urgent: bool = False
    other_place: Point | None = None  # where the person works or can easily go
    other_commune: str = ""
    other_label: str = "votre lieu de travail"
    horizon_days: int = 14
    # When the person is busy (at work, "sauf semaine 8-18"): a slot right after a busy time starts
    # from the other place (work); otherwise from home.
    busy: tuple[TimeWindow, ...] = ()

    @property
    def all_publics(self) -> frozenset[str]:
        """Declared publics plus those implied by age."""
        inferred = set(self.publics)
        if self.age is not None:
            if self.age <= 25:
                inferred.add("jeunes")
            if self.age >= 60:
                inferred.add("seniors")
        return frozenset(inferred)


# ---------------------------------------------------------------- output


@dataclass(frozen=True, slots=True)
class ScoreLine:
    criterion: str
    label: str
    value: float  # 0..1
    weight: float
    points: float
    reason: str


@dataclass(frozen=True, slots=True)
class Travel:
    mode: Mode
    minutes: float  # one way, door to door
    text: str  # plain French: mode + time (hard rule 5)
    origin_label: str = "chez vous"
    line: str = ""
    booking_rule: str = ""
    cost_eur: float | None = None
    constraints: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Option:
    rank: int
    kind: OptionKind
    title: str
    needs: tuple[str, ...]  # need slugs covered
    need_labels: tuple[str, ...]
    services: tuple[str, ...]  # service names
    service_ids: tuple[str, ...]
    structure: str
    hours_status: str
    slots: tuple[TimeWindow, ...]
    score: float
    breakdown: tuple[ScoreLine, ...]
    explanation: str
    how: str  # what to do, in one or two sentences
    location: Location | None = None
    phone: str = ""
    url: str = ""
    booking: str = ""
    cost: str = ""
    travel: Travel | None = None
    documents: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    helped_by: str = ""  # the accompaniment structure, for accompanied / video-at-counter options
    sources: tuple[str, ...] = ()
    competent_for: tuple[str, ...] = ()  # needs for which this option is the deciding body (or takes the application)
    # The oldest verification date (ISO) of the option's services and place: the renderer
    # flags the option "à vérifier" when it is older than the freshness rule allows.
    checked_on: str = ""


@dataclass(frozen=True, slots=True)
class Finding:
    """Something the person should know that is not an option, e.g. 'no way to get there'."""

    kind: str  # unreachable | uncovered_need | excluded
    text: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Plan:
    options: tuple[Option, ...]
    needs: tuple[NeedRequest, ...]
    uncovered: tuple[str, ...]  # need slugs with no option
    findings: tuple[Finding, ...]
    generated_at: datetime
    considered: int = 0  # options scored before selection (agent view)
    safety: Safety | None = None  # urgent need: the national lines, said first (emergency.py)


# ---------------------------------------------------------------- rules


def eligibility_problem(service: ServiceOffer, person: PersonSituation) -> str | None:
    """Why the service excludes the person (hard rule 4), or None."""
    if person.age is not None:
        if service.age_min is not None and person.age < service.age_min:
            return f"réservé aux personnes de {service.age_min} ans et plus"
        if service.age_max is not None and person.age > service.age_max:
            return f"réservé aux personnes de {service.age_max} ans et moins"
    restricted = set(service.publics) - {"tous-publics"}
    publics = person.all_publics
    if restricted and "tous-publics" not in service.publics and publics and not (restricted & publics):
        return "réservé à un autre public (" + ", ".join(sorted(restricted)) + ")"
    if service.zone_eligibilite:
        mine = {person.commune_code, person.epci_code, person.department_code} - {""}
        if not (mine & set(service.zone_eligibilite)):
            return "réservé aux habitants d'un autre secteur"
    return None


def eligibility_warnings(service: ServiceOffer, person: PersonSituation) -> list[str]:
    """Conditions we could not check because the person did not say (not a reason to exclude)."""
    warnings = []
    if person.age is None and (service.age_min is not None or service.age_max is not None):
        low = service.age_min if service.age_min is not None else 0
        high = f"{service.age_max} ans" if service.age_max is not None else "plus"
        warnings.append(f"Réservé aux personnes de {low} à {high}.")
    restricted = set(service.publics) - {"tous-publics"}
    if restricted and "tous-publics" not in service.publics and not person.all_publics:
        warnings.append("Pour certains publics seulement : " + ", ".join(sorted(restricted)) + ".")
    return warnings


def covered_needs(service: ServiceOffer, needs: Sequence[NeedRequest]) -> tuple[str, ...]:
    """The person's needs this service answers: an explicit catalogue link, or a shared thematique
    with the right operator (France Services and digital-inclusion advisers help with any operator)."""
    covered = []
    themes = set(service.thematiques)
    for need in needs:
        if need.lines_only:
            continue
        linked = need.slug in service.need_slugs
        if need.listed_only and not service.is_accompaniment:
            # Only the services the catalogue names (e.g. the nine town halls with an ID-card recueil
            # device) or the deciding body itself: any other town hall cannot take the application.
            if linked or (service.operator and service.operator in need.deciders):
                covered.append(need.slug)
            continue
        right_operator = not need.operators or service.operator in need.operators or service.is_accompaniment
        if linked or (themes & set(need.thematiques) and right_operator):
            covered.append(need.slug)
    return tuple(covered)


def is_competent(service: ServiceOffer, need: NeedRequest) -> bool:
    """Does this service decide the need (or take its application)? Helpers (France Services, digital
    advisers, the need's listed helpers) never do. Without deciders in the catalogue, a service the
    catalogue links to the need is taken as competent."""
    if service.is_accompaniment or (service.operator and service.operator in need.helpers):
        return False
    if service.operator and service.operator in need.deciders:
        return True
    linked = need.slug in service.need_slugs
    if need.listed_only:
        return linked
    return linked and (not need.deciders or not service.operator)


def generalist_is_local(
    service: ServiceOffer, person: PersonSituation, distance: Callable[[Point], float] | None = None
) -> bool:
    """A generalist (France Services, digital-inclusion adviser) of the person's own area: one of its
    counters or stops within GENERALIST_NEAR_KM of home, or an area or zone naming the person's commune.
    `distance`: km from home to a point (the plan's cache); great-circle when not given."""
    distance = distance or (lambda point: crow_km(person.home, point))
    mine = {person.commune_code, person.epci_code} - {""}
    if mine & set(service.zone_eligibilite):
        return True
    for channel in service.channels:
        if channel.area_communes is not None and person.commune_code in channel.area_communes:
            return True
        points = [channel.location] if channel.location is not None else list(channel.stops)
        if any(distance(p.point) <= scoring.GENERALIST_NEAR_KM for p in points):
            return True
    return False


def service_relevance(service: ServiceOffer, kind: OptionKind) -> tuple[float, str]:
    """Is this the right body for the need? (the "relevance" criterion; see scoring.py)"""
    if service.is_accompaniment and kind in scoring.REMOTE_KINDS:
        value, reason = scoring.RELEVANCE_LOCAL_GENERALIST, "aide généraliste de votre secteur, à distance"
    elif service.is_accompaniment:
        value, reason = scoring.RELEVANCE_IN_PERSON, "reçu sur place près de chez vous"
    else:
        who = service.operator_name or service.structure_name
        value, reason = scoring.RELEVANCE_OWN, f"organisme de la demande ({who})"
    if service.conditions and value > scoring.RELEVANCE_CONDITIONAL:
        value, reason = scoring.RELEVANCE_CONDITIONAL, explain.CONDITIONAL_REASON
    return value, reason


def allowed_trip(trip: TripPlan, means: TravelMeans, *, has_phone: bool = True) -> bool:
    """Hard rule 2, checked again here whatever the mobility model returns. Without a phone, nothing
    that must be booked by phone (on-demand transport, a volunteer driver)."""
    modes = {trip.mode} | {leg.mode for leg in (*trip.outbound, *trip.inbound)}
    if not has_phone and modes & {Mode.ON_DEMAND, Mode.SOLIDARITY}:
        return False
    if Mode.CAR in modes and not means.has_car:
        return False
    if Mode.DRIVEN in modes and not means.driver_windows:
        return False
    if Mode.PUBLIC_TRANSPORT in modes and not means.public_transport:
        return False
    if Mode.ON_DEMAND in modes and not means.on_demand:
        return False
    return not (Mode.SOLIDARITY in modes and not means.solidarity)


def intersect(slots: Iterable[TimeWindow], windows: Sequence[TimeWindow], min_minutes: int) -> list[TimeWindow]:
    """Open slots ∩ free windows, both sorted by start."""
    out = []
    windows = list(windows)
    j = 0
    for slot in slots:
        while j < len(windows) and windows[j].end <= slot.start:
            j += 1
        k = j
        while k < len(windows) and windows[k].start < slot.end:
            start, end = max(slot.start, windows[k].start), min(slot.end, windows[k].end)
            if end - start >= timedelta(minutes=min_minutes):
                out.append(TimeWindow(start, end))
            k += 1
    return out


class _Distances:
    """Great-circle km from home to the points of one plan, each computed once: a place is met again
    and again (one draft per service, the accompaniment search, the nearest-places sort)."""

    __slots__ = ("_home", "_km")

    def __init__(self, home: Point) -> None:
        self._home = home
        self._km: dict[tuple[float, float], float] = {}

    def __call__(self, point: Point) -> float:
        key = (point.latitude, point.longitude)  # services of one place may carry equal, distinct points
        found = self._km.get(key)
        if found is None:
            found = self._km[key] = crow_km(self._home, point)
        return found


# ---------------------------------------------------------------- drafts


@dataclass
class _Draft:
    key: str
    kind: OptionKind
    needs: set[str] = field(default_factory=set)
    services: list[ServiceOffer] = field(default_factory=list)
    location: Location | None = None
    hours_rule: str = ""
    appointment: bool = False
    phone: str = ""
    url: str = ""
    booking: str = ""
    cost: str = ""
    helped_by: str = ""
    hours_note: str = ""
    call_before: str = ""  # a number to call before going (hours unknown)
    # (service id, need) reached through the service's own channel, not through a helper's counter:
    # only these can make the option the competent body for the need.
    direct: set[tuple[str, str]] = field(default_factory=set)

    def add(self, service: ServiceOffer, needs: Iterable[str], *, direct: bool = True) -> None:
        if service not in self.services:
            self.services.append(service)
        needs = tuple(needs)
        self.needs.update(needs)
        if direct:
            self.direct.update((service.id, need) for need in needs)


# Several ways to use one place merge into one option; its kind is the strongest of them.
_KIND_PRECEDENCE = {
    OptionKind.ITINERANT: 4,
    OptionKind.COUNTER: 3,
    OptionKind.VIDEO_AT_COUNTER: 2,
    OptionKind.ACCOMPANIED: 1,
}


class Engine:
    """Plans for one situation at a time; holds the mobility context (timetables may be big)."""

    def __init__(self, mobility: MobilityContext | None = None) -> None:
        self.mobility = mobility or MobilityContext()

    # ---- public

    def plan(self, person: PersonSituation, offers: Sequence[ServiceOffer]) -> Plan:
        findings: list[Finding] = []
        drafts: dict[str, _Draft] = {}
        distance = _Distances(person.home)
        safety = emergency.safety_for([n.slug for n in person.needs], urgent=person.urgent)
        helpers = self._accompaniment_locations(person, offers, distance)
        for service in offers:
            needs = covered_needs(service, person.needs)
            if not needs:
                continue
            problem = eligibility_problem(service, person)
            if problem:
                findings.append(Finding("excluded", f"{service.name} : {problem}.", service.id))
                continue
            for channel in service.channels:
                channel_needs = tuple(n for n in needs if not channel.need_slugs or n in channel.need_slugs)
                if channel_needs:
                    self._add_channel(drafts, person, service, channel, channel_needs, helpers, distance)
        if safety is not None:
            drafts = self._without_safety_conflicts(drafts, safety, findings)
        options, unreachable = self._evaluate(person, list(drafts.values()), distance)
        findings.extend(unreachable)
        places = _application_places(person, drafts.values(), distance)
        selected = _with_application_warnings(person, self._select(person, options), places)
        ranked = tuple(
            replace(
                option,
                rank=rank,
                explanation=explain.option_explanation(option, rank, person),
                how=explain.option_how(option),
            )
            for rank, option in enumerate(selected, start=1)
        )
        covered = {slug for option in ranked for slug in option.needs}
        if safety is not None:  # an urgent need is answered by its national lines first
            covered |= set(emergency.urgent_needs([n.slug for n in person.needs], urgent=person.urgent))
        uncovered = tuple(need.slug for need in person.needs if need.slug not in covered)
        for need in person.needs:
            if need.slug in uncovered:
                findings.append(Finding("uncovered_need", explain.uncovered_text(need.label), need.slug))
        return Plan(
            options=ranked,
            needs=person.needs,
            uncovered=uncovered,
            findings=tuple(findings),
            generated_at=person.now,
            considered=len(options),
            safety=safety,
        )

    @staticmethod
    def _without_safety_conflicts(
        drafts: dict[str, _Draft], safety: Safety, findings: list[Finding]
    ) -> dict[str, _Draft]:
        """The national lines are said first, not repeated as options; someone leaving a violent home
        gets nothing at the home (no home visit, no video call from home)."""
        numbers = {line.number for line in safety.lines}
        kept = {}
        for key, draft in drafts.items():
            if draft.kind in scoring.PHONE_KINDS and draft.phone.replace(" ", "") in numbers:
                continue
            if safety.no_home and draft.kind in (OptionKind.HOME_VISIT, OptionKind.VIDEO):
                findings.append(Finding("excluded", explain.NO_HOME_TEXT, key))
                continue
            kept[key] = draft
        return kept

    # ---- building drafts

    def _accompaniment_locations(
        self, person: PersonSituation, offers: Sequence[ServiceOffer], distance: _Distances
    ) -> list[tuple[ServiceOffer, Location, str]]:
        """Nearby places where an adviser helps with online procedures (France Services, digital inclusion)."""
        found: dict[str, tuple[float, ServiceOffer, Location, str]] = {}
        for service in offers:
            if not service.is_accompaniment or eligibility_problem(service, person):
                continue
            for channel in service.channels:
                locations: Iterable[Location] = ()
                if channel.kind == "counter" and channel.location:
                    locations = [channel.location]
                elif channel.kind == "itinerant":
                    locations = channel.stops
                for location in locations:
                    km = distance(location.point)
                    if km > scoring.MAX_DISTANCE_KM:
                        continue
                    rule = channel.hours if channel.kind == "counter" and channel.hours else location.hours
                    if location.key not in found or km < found[location.key][0]:
                        found[location.key] = (km, service, location, rule)
        nearest = sorted(found.values(), key=lambda item: (item[0], item[2].key))[:3]
        return [(service, location, rule) for _, service, location, rule in nearest]

    def _add_channel(
        self,
        drafts: dict[str, _Draft],
        person: PersonSituation,
        service: ServiceOffer,
        channel: ChannelOffer,
        needs: tuple[str, ...],
        helpers: list[tuple[ServiceOffer, Location, str]],
        distance: _Distances,
    ) -> None:
        def draft(key: str, kind: OptionKind, **fields) -> _Draft:
            existing = drafts.get(key)
            if existing is None:
                existing = drafts[key] = _Draft(key=key, kind=kind, **fields)
            elif _KIND_PRECEDENCE.get(kind, 0) > _KIND_PRECEDENCE.get(existing.kind, 0):
                existing.kind = kind
                for name, value in fields.items():
                    if value or name != "helped_by":
                        setattr(existing, name, value)
            elif fields.get("helped_by") and not existing.helped_by:
                existing.helped_by = fields["helped_by"]
            return existing

        kind = channel.kind
        # A generalist's remote channels only from the person's own area (never any France Services
        # of the department): calling a counter 60 km away is not an answer.
        remote_ok = not service.is_accompaniment or generalist_is_local(service, person, distance)
        if kind == "online":
            if person.digital != Digital.NO_INTERNET and remote_ok:  # hard rule 1
                draft(f"online:{channel.url or channel.id}", OptionKind.ONLINE, url=channel.url).add(service, needs)
            if person.digital != Digital.AUTONOMOUS:
                for helper, location, rule in helpers:
                    d = draft(
                        f"place:{location.key}",
                        OptionKind.ACCOMPANIED,
                        location=location,
                        hours_rule=rule,
                        url=channel.url,
                        helped_by=helper.structure_name,
                    )
                    d.add(service, needs, direct=False)
        elif kind == "video":
            if person.digital == Digital.AUTONOMOUS and remote_ok:
                draft(
                    f"video:{channel.id}", OptionKind.VIDEO, hours_rule=channel.hours, appointment=True, url=channel.url
                ).add(service, needs)
            else:
                for helper, location, rule in helpers:
                    draft(
                        f"place:{location.key}",
                        OptionKind.VIDEO_AT_COUNTER,
                        location=location,
                        hours_rule=rule,
                        appointment=True,
                        helped_by=helper.structure_name,
                    ).add(service, needs, direct=False)
        elif kind in ("phone", "callback"):
            if not person.has_phone or not channel.phone or not remote_ok:
                return
            if channel.area_communes is not None and person.commune_code not in channel.area_communes:
                return
            option_kind = OptionKind.PHONE if kind == "phone" else OptionKind.CALLBACK
            d = draft(
                f"{kind}:{channel.phone}",
                option_kind,
                phone=channel.phone,
                hours_rule=channel.hours,
                appointment=kind == "callback",
                booking=channel.booking,
                cost=channel.cost,
                hours_note=channel.hours_note,
            )
            d.add(service, needs)
        elif kind == "home_visit":
            if channel.area_communes is not None and person.commune_code not in channel.area_communes:
                return
            if not remote_ok or not person.has_phone:  # asking for a visit takes a call
                return
            draft(
                f"home:{service.structure_name}",
                OptionKind.HOME_VISIT,
                hours_rule=channel.hours,
                appointment=True,
                phone=channel.phone,
                booking=channel.booking,
                hours_note=channel.hours_note,
            ).add(service, needs)
        elif kind == "counter" and channel.location is not None:
            location = channel.location
            if distance(location.point) > scoring.MAX_DISTANCE_KM:
                return
            if not person.has_phone and channel.appointment_required and not books_in_person(channel.booking):
                return  # the appointment is made by phone and no in-person way is given
            draft(
                f"place:{location.key}",
                OptionKind.COUNTER,
                location=location,
                hours_rule=channel.hours or location.hours,
                appointment=bool(channel.appointment_required),
                phone=channel.phone,
                booking=channel.booking,
                hours_note=channel.hours_note or location.hours_note,
                helped_by="",
                call_before=channel.phone or _service_phone(service),
            ).add(service, needs)
        elif kind == "itinerant":
            stops = sorted(channel.stops, key=lambda s: (distance(s.point), s.key))
            for stop in stops[: scoring.ITINERANT_STOPS_TRIED]:
                if distance(stop.point) > scoring.MAX_DISTANCE_KM:
                    continue
                draft(
                    f"place:{stop.key}",
                    OptionKind.ITINERANT,
                    location=stop,
                    hours_rule=stop.hours,
                    phone=channel.phone,
                    booking=channel.booking,
                    hours_note=stop.hours_note,
                    call_before=channel.phone or _service_phone(service),
                ).add(service, needs)

    # ---- evaluating drafts

    def _evaluate(
        self, person: PersonSituation, drafts: list[_Draft], distance: _Distances | None = None
    ) -> tuple[list[Option], list[Finding]]:
        distance = distance or _Distances(person.home)
        options: list[Option] = []
        unreachable: list[Finding] = []
        slot_cache: dict[str, list[TimeWindow] | None] = {}
        physical = sorted(
            (d for d in drafts if d.kind in scoring.PHYSICAL_KINDS and d.location is not None),
            key=lambda d: (distance(cast(Location, d.location).point), d.key),
        )
        kept = {d.key for d in physical[: scoring.PHYSICAL_DRAFTS_EVALUATED]}
        planners = self._planners(person) if kept else []
        office = free_in_office_hours(person)
        for draft in sorted(drafts, key=lambda d: d.key):
            if draft.kind in scoring.PHYSICAL_KINDS and draft.key not in kept:
                continue  # bounded work: only the nearest places are routed
            option = self._evaluate_one(person, draft, slot_cache, unreachable, planners, office)
            if option is not None:
                options.append(option)
        return options, unreachable

    def _free_slots(
        self, person: PersonSituation, rule: str, cache: dict[str, list[TimeWindow] | None]
    ) -> list[TimeWindow] | None:
        """Open ∩ free windows over the horizon; None when the hours are unknown."""
        if rule not in cache:
            opened = open_windows(rule, person.now, person.horizon_days)
            cache[rule] = None if opened is None else intersect(opened, person.availability, scoring.MIN_SLOT_MINUTES)
        return cache[rule]

    def _evaluate_one(
        self,
        person: PersonSituation,
        draft: _Draft,
        slot_cache: dict[str, list[TimeWindow] | None],
        unreachable: list[Finding],
        planners: Sequence[tuple[TripPlanner, str]] = (),
        office_hours_free: bool = True,
    ) -> Option | None:
        kind = draft.kind
        travel: Travel | None = None
        warnings: list[str] = []
        slots: list[TimeWindow]
        if kind == OptionKind.ONLINE or (kind in scoring.PHONE_KINDS and draft.hours_rule.strip() == "24/7"):
            status, slots = HoursStatus.ALWAYS, []  # a 24/7 line is open now, whatever the person's free time
        else:
            free = self._free_slots(person, draft.hours_rule, slot_cache)
            if free is None:
                status = HoursStatus.BY_APPOINTMENT if draft.appointment else HoursStatus.TO_CONFIRM
                slots = []
            elif not free:
                return None  # hard rule 3: closed during all of the person's availability
            else:
                status, slots = HoursStatus.OPEN, free
            if status == HoursStatus.TO_CONFIRM and kind in scoring.PHYSICAL_KINDS:
                if not office_hours_free:
                    # Free only evenings or weekends: a place whose hours are unknown is probably closed
                    # then; said plainly, not offered as possible.
                    assert draft.location is not None
                    text = explain.probably_closed_text(draft.location.name, draft.call_before)
                    unreachable.append(Finding("probably_closed", text, draft.location.key))
                    return None
                if draft.call_before:
                    warnings.append(explain.CALL_BEFORE_TEXT.format(phone=draft.call_before))
            if status == HoursStatus.TO_CONFIRM:
                warnings.append("Horaires à confirmer avant de vous déplacer ou d'appeler.")
        if kind in scoring.PHYSICAL_KINDS:
            assert draft.location is not None
            windows = slots if slots else list(person.availability)
            found: list[tuple[TimeWindow, TripPlan, str]] = []
            for index, window in enumerate(windows):
                tries = scoring.TRIP_WINDOWS_TRIED * (2 if found else 1)
                if len(found) >= scoring.SLOTS_SHOWN or index >= tries:
                    break
                trip = self._best_trip(person, draft.location, window, planners)
                if trip is not None:
                    found.append((window, *trip))
            if not found:
                unreachable.append(
                    Finding("unreachable", explain.unreachable_text(draft.location, person), draft.location.key)
                )
                return None
            _, best_trip, best_origin = min(found, key=lambda item: _trip_key(item[1]))
            travel = _travel(best_trip, best_origin)
            if status == HoursStatus.OPEN:
                # Only the slots this very trip serves: "driven by a neighbour" never on a day she cannot drive.
                slots = [w for w, trip, origin in found if trip.mode == best_trip.mode and origin == best_origin]
        elif kind == OptionKind.HOME_VISIT:
            travel = None
        slots = slots[: scoring.SLOTS_SHOWN]
        if draft.location is not None and draft.location.position_approximate:
            warnings.append("Adresse précise non connue : le lieu est placé au centre de la commune.")
        for service in draft.services:
            warnings.extend(eligibility_warnings(service, person))
            if service.conditions and all(s.conditions for s in draft.services):
                warnings.append(f"Condition ({service.operator_name or service.structure_name}) : {service.conditions}")
        breakdown = self._score(person, draft, status, slots, travel)
        score = round(sum(line.points for line in breakdown), 1)
        documents = _documents(person, draft)
        need_labels = tuple(n.label for n in person.needs if n.slug in draft.needs)
        competent = tuple(
            need.slug
            for need in person.needs
            if need.slug in draft.needs
            and kind not in (OptionKind.ACCOMPANIED, OptionKind.VIDEO_AT_COUNTER)
            and any((s.id, need.slug) in draft.direct and is_competent(s, need) for s in draft.services)
        )
        option = Option(
            rank=0,
            kind=kind,
            title=explain.option_title(kind, draft.services, draft.location, draft.helped_by),
            needs=tuple(n.slug for n in person.needs if n.slug in draft.needs),
            need_labels=need_labels,
            services=tuple(s.name for s in draft.services),
            service_ids=tuple(s.id for s in draft.services),
            structure=draft.services[0].structure_name,
            hours_status=status,
            slots=tuple(slots),
            score=score,
            breakdown=breakdown,
            explanation="",
            how="",
            location=draft.location,
            phone=draft.phone,
            url=draft.url,
            booking=draft.booking,
            cost=draft.cost,
            travel=travel,
            documents=documents,
            warnings=tuple(dict.fromkeys(warnings)),
            helped_by=draft.helped_by,
            sources=tuple(dict.fromkeys(_source(s) for s in draft.services if s.source)),
            competent_for=competent,
            checked_on=_oldest_check(draft),
        )
        return option  # "how" is written for the selected options only (plan)

    def _planners(self, person: PersonSituation) -> list[tuple[TripPlanner, str]]:
        """One trip planner per origin (home, other place) for this plan: work shared by every place and slot."""
        origins = [(person.home, person.commune_code, "chez vous")]
        if person.other_place is not None:
            origins.append((person.other_place, person.other_commune, person.other_label))
        return [
            (self.mobility.planner(origin=origin, origin_commune=commune, means=person.means), label)
            for origin, commune, label in origins
        ]

    def _best_trip(
        self,
        person: PersonSituation,
        location: Location,
        window: TimeWindow,
        planners: Sequence[tuple[TripPlanner, str]] = (),
    ) -> tuple[TripPlan, str] | None:
        best: tuple[TripPlan, str] | None = None
        free_since = _free_since(person, window.start)
        origins = _origins_at(person, free_since)
        for index, (planner, label) in enumerate(planners or self._planners(person)):
            if index not in origins:
                continue
            trips = planner.trips(destination=location.point, destination_commune=location.commune_code, window=window)
            for trip in trips:
                if not allowed_trip(trip, person.means, has_phone=person.has_phone):
                    continue
                if free_since is not None:  # the person leaves once free: the trip must leave time there
                    arrival = max(window.start, free_since + timedelta(minutes=trip.door_to_door_minutes))
                    if arrival + timedelta(minutes=scoring.MIN_SLOT_MINUTES) > window.end:
                        continue
                if best is None or _trip_key(trip) < _trip_key(best[0]):
                    best = (trip, label)
        return best

    # ---- scoring

    def _score(
        self,
        person: PersonSituation,
        draft: _Draft,
        status: str,
        slots: Sequence[TimeWindow],
        travel: Travel | None,
    ) -> tuple[ScoreLine, ...]:
        w = _weights(person.urgent)

        fit = scoring.CHANNEL_FIT[person.digital].get(draft.kind, 0.0)
        fit_reason = f"{scoring.OPTION_LABELS_FR[draft.kind]} pour une personne « {person.digital.value} »"
        if draft.kind == OptionKind.HOME_VISIT:
            mobile = person.means.has_car and not person.means.reduced_mobility
            if mobile and (person.age is None or person.age < scoring.HOME_VISIT_AGE):
                fit *= scoring.HOME_VISIT_FIT_WHEN_MOBILE
                fit_reason += " qui peut se déplacer"
        needs = len(draft.needs) / max(1, len(person.needs))
        if travel is None:
            travel_score, travel_reason = 1.0, "pas de trajet"
        else:
            travel_score = travel_value(travel.minutes, travel.mode)
            travel_reason = f"{round(travel.minutes)} min {MODE_LABELS_FR[travel.mode]}"
        if status == HoursStatus.ALWAYS:
            soon, soon_reason = scoring.SOON_ALWAYS, "à tout moment"
            hours, hours_reason = scoring.HOURS_KNOWN, "pas d'horaires"
        elif status == HoursStatus.BY_APPOINTMENT:
            soon, soon_reason = scoring.SOON_BY_APPOINTMENT, "date à fixer"
            hours, hours_reason = scoring.HOURS_BY_APPOINTMENT, "sur rendez-vous"
        elif status == HoursStatus.TO_CONFIRM and draft.kind in scoring.PHYSICAL_KINDS and draft.call_before:
            # Hours unknown but a call settles it ("appelez avant"): the place is ranked by its reach, never
            # hidden behind farther places whose hours are known.
            soon, soon_reason = scoring.SOON_CALL_BEFORE, "horaires inconnus : appeler avant"
            hours, hours_reason = scoring.HOURS_CALL_BEFORE, "horaires à demander par téléphone"
        elif status == HoursStatus.TO_CONFIRM and draft.kind in scoring.REMOTE_KINDS:
            soon, soon_reason = scoring.SOON_TO_CONFIRM_REMOTE, "horaires inconnus (un appel suffit pour savoir)"
            hours, hours_reason = scoring.HOURS_TO_CONFIRM_REMOTE, "horaires à confirmer"
        elif status == HoursStatus.TO_CONFIRM:
            soon, soon_reason = scoring.SOON_TO_CONFIRM, "horaires inconnus"
            hours, hours_reason = scoring.HOURS_TO_CONFIRM, "horaires à confirmer"
        else:
            days = (slots[0].start - person.now).total_seconds() / 86400 if slots else person.horizon_days
            soon = max(0.0, 1.0 - max(0.0, days) / person.horizon_days)
            soon_reason = f"premier créneau dans {math.floor(max(0.0, days))} jour(s)"
            hours, hours_reason = scoring.HOURS_KNOWN, "horaires connus"
        if person.language == "fr":
            language, language_reason = scoring.LANGUAGE_SPOKEN, "français"
        elif any(person.language in s.languages for s in draft.services):
            language, language_reason = scoring.LANGUAGE_SPOKEN, f"parle « {person.language} »"
        else:
            language, language_reason = scoring.LANGUAGE_UNKNOWN, f"« {person.language} » non indiqué"
        relevance, relevance_reason = max(
            (service_relevance(service, draft.kind) for service in draft.services), key=lambda item: item[0]
        )
        values = {
            "fit": (fit, fit_reason),
            "relevance": (relevance, relevance_reason),
            "needs": (needs, f"{len(draft.needs)} demande(s) sur {len(person.needs)}"),
            "travel": (travel_score, travel_reason),
            "soon": (soon, soon_reason),
            "hours": (hours, hours_reason),
            "language": (language, language_reason),
        }
        return tuple(
            ScoreLine(
                criterion=name,
                label=scoring.CRITERIA_LABELS_FR[name],
                value=round(value, 3),
                weight=round(w[name], 2),
                points=round(value * w[name], 2),
                reason=reason,
            )
            for name, (value, reason) in values.items()
        )

    # ---- selection

    def _select(self, person: PersonSituation, options: list[Option]) -> list[Option]:
        """At most MAX_OPTIONS, in this order: the deciding bodies first — for each need in the order
        asked, its best competent option, then (second round) the best option of another deciding
        body of that need (so a tie-break never cuts the Mission locale, and a second need never
        pushes the first need's body out of the first two) —, then the best option of each need
        still uncovered, then the best scores; at most MAX_SAME_KIND options of one kind."""
        ordered = sorted(options, key=lambda o: (-o.score, o.kind.value, o.title))
        chosen: list[Option] = []
        per_kind: dict[OptionKind, int] = {}

        def kind_full(option: Option) -> bool:
            return per_kind.get(option.kind, 0) >= scoring.MAX_SAME_KIND

        def take(option: Option) -> None:
            chosen.append(option)
            per_kind[option.kind] = per_kind.get(option.kind, 0) + 1

        def body(option: Option) -> str:
            return option.structure

        competent_first: list[Option] = []
        for round_ in range(scoring.COMPETENT_PER_NEED):
            for need in person.needs:
                bodies = {body(o) for o in competent_first if need.slug in o.competent_for}
                if round_ >= 1 and not bodies:
                    continue
                for option in ordered:
                    if len(chosen) >= scoring.MAX_OPTIONS:
                        break
                    if need.slug not in option.competent_for or option in chosen or kind_full(option):
                        continue
                    if body(option) in bodies:
                        continue  # the second round is for another body
                    take(option)
                    competent_first.append(option)
                    break
        uncovered = [n.slug for n in person.needs if not any(n.slug in o.needs for o in chosen)]
        for slug in list(uncovered):
            if slug not in uncovered:
                continue
            for option in ordered:
                if slug in option.needs and option not in chosen and not kind_full(option):
                    take(option)
                    uncovered = [s for s in uncovered if s not in option.needs]
                    break
        for option in ordered:
            if len(chosen) >= scoring.MAX_OPTIONS:
                break
            if option not in chosen and not kind_full(option):
                take(option)
        chosen = chosen[: scoring.MAX_OPTIONS]
        rest = sorted((o for o in chosen if o not in competent_first), key=lambda o: (-o.score, o.kind.value, o.title))
        return [o for o in competent_first if o in chosen] + rest


def _application_places(
    person: PersonSituation, drafts: Iterable[_Draft], distance: _Distances
) -> dict[str, list[str]]:
    """For each need whose application only listed places take (ID cards), the names of those places,
    nearest first — reachable or not, so a helper can always say where the application goes."""
    found: dict[str, list[tuple[float, str]]] = {}
    for need in person.needs:
        if not need.listed_only:
            continue
        for draft in drafts:
            if draft.location is None or draft.kind not in scoring.PHYSICAL_KINDS or need.slug not in draft.needs:
                continue
            if any((s.id, need.slug) in draft.direct and is_competent(s, need) for s in draft.services):
                found.setdefault(need.slug, []).append((distance(draft.location.point), draft.location.name))
    return {slug: [name for _, name in sorted(places)] for slug, places in found.items()}


def _with_application_warnings(
    person: PersonSituation, selected: list[Option], places: dict[str, list[str]]
) -> list[Option]:
    """A place that only helps (France Services...) with a need whose application only some places take
    (ID cards: the nine equipped town halls) says so, and names the nearest places that take it."""
    out = []
    for option in selected:
        extra = []
        for need in person.needs:
            if not need.listed_only or need.slug not in option.needs or need.slug in option.competent_for:
                continue
            if option.kind in scoring.REMOTE_KINDS and option.kind != OptionKind.HOME_VISIT:
                continue  # a phone line or website is not presented as a place
            names = list(dict.fromkeys(places.get(need.slug, ())))[:2]
            where = ", ".join(names) if names else explain.LISTED_PLACES_FALLBACK
            extra.append(explain.HELPER_ONLY_TEXT.format(where=where))
        out.append(replace(option, warnings=(*option.warnings, *extra)) if extra else option)
    return out


def free_in_office_hours(person: PersonSituation) -> bool:
    """Is the person free on a weekday between OFFICE_START and OFFICE_END (long enough for a visit)?
    If not (free only evenings or weekends), places with unknown hours are probably closed then."""
    for window in person.availability:
        start, end = window.start.astimezone(PARIS), window.end.astimezone(PARIS)
        if start.weekday() >= 5:
            continue
        day_start = start.replace(hour=scoring.OFFICE_START_HOUR, minute=0, second=0, microsecond=0)
        day_end = start.replace(hour=scoring.OFFICE_END_HOUR, minute=0, second=0, microsecond=0)
        if min(end, day_end) - max(start, day_start) >= timedelta(minutes=scoring.OFFICE_MIN_MINUTES):
            return True
    return False


def _free_since(person: PersonSituation, moment: datetime) -> datetime | None:
    """Start of the person's free window that contains `moment` (None when outside every window)."""
    for window in person.availability:
        if window.start <= moment < window.end:
            return window.start
    return None


def _origins_at(person: PersonSituation, free_since: datetime | None) -> frozenset[int]:
    """Which origins (0 = home, 1 = the other place) a trip may start from: from the other place
    right after a busy time (leaving work), from home otherwise; both when the person gave no busy time."""
    if person.other_place is None:
        return frozenset({0})
    if not person.busy:
        return frozenset({0, 1})
    leaving_work = free_since is not None and any(
        abs((busy.end - free_since).total_seconds()) <= 60 for busy in person.busy
    )
    return frozenset({1}) if leaving_work else frozenset({0})


@lru_cache(maxsize=2)
def _weights(urgent: bool) -> dict[str, float]:
    """The criteria's weights rescaled to 100 (urgent: "soon" counts URGENT_SOON_FACTOR times)."""
    w = dict(scoring.WEIGHTS)
    if urgent:
        w["soon"] *= scoring.URGENT_SOON_FACTOR
    total = sum(w.values())
    return {name: weight * 100.0 / total for name, weight in w.items()}


def travel_value(minutes: float, mode: Mode) -> float:
    """The "travel" value: short and easy. A 6-minute walk beats a 3-minute volunteer ride to book."""
    return max(0.0, 1.0 - minutes / scoring.TRAVEL_MINUTES_ZERO) * scoring.MODE_EASE.get(mode, 0.7)


def _trip_key(trip: TripPlan) -> tuple[float, float]:
    """Best trip first: the highest travel value, then the shortest."""
    return (-round(travel_value(trip.door_to_door_minutes, trip.mode), 9), trip.door_to_door_minutes)


def _travel(trip: TripPlan, origin_label: str) -> Travel:
    first = trip.outbound[0] if trip.outbound else None
    lines = [leg.line for leg in trip.outbound if leg.line]
    booking = "; ".join(dict.fromkeys(leg.booking_rule for leg in trip.outbound if leg.booking_rule))
    return Travel(
        mode=trip.mode,
        minutes=trip.door_to_door_minutes or (first.minutes if first else 0.0),
        text=explain.travel_text(trip, origin_label),
        origin_label=origin_label,
        line=", ".join(dict.fromkeys(lines)),
        booking_rule=booking,
        cost_eur=trip.cost_eur,
        constraints=trip.constraints,
    )


def _documents(person: PersonSituation, draft: _Draft) -> tuple[str, ...]:
    """What to bring: the documents of the needs this option answers (the catalogue's list, made for the
    démarche), or, when a need lists none, those of the services linked to it; without repeats, at most
    MAX_DOCUMENTS; "et les pièces demandées par le service" when a linked service asks for more."""
    asked = [need for need in person.needs if need.slug in draft.needs]
    docs: list[str] = [d for need in asked for d in need.documents]
    linked = [s for s in draft.services if any(need.slug in s.need_slugs for need in asked)]
    if not docs:  # the need lists none: those of the services the catalogue links to it
        docs = [d for service in linked for d in service.documents]
    more = any(d not in docs for service in linked for d in service.documents)
    unique: list[str] = []
    for doc in dict.fromkeys(d.strip() for d in docs if d and d.strip()):
        key = doc.casefold()
        if any(key in kept.casefold() for kept in unique):
            continue  # "le livret de famille" is already in "le livret de famille ou l'acte de mariage"
        unique = [kept for kept in unique if kept.casefold() not in key] + [doc]
    if len(unique) > scoring.MAX_DOCUMENTS or (more and unique):
        return (*unique[: scoring.MAX_DOCUMENTS], scoring.MORE_DOCUMENTS_FR)
    return tuple(unique)


def books_in_person(booking: str) -> bool:
    """Does the booking rule give a way to make the appointment without a phone (at the desk, online)?"""
    text = booking.casefold()
    return any(words in text for words in scoring.IN_PERSON_BOOKING_WORDS)


def _service_phone(service: ServiceOffer) -> str:
    """The service's phone line, if any (to call before going when hours are unknown)."""
    return next((c.phone for c in service.channels if c.kind == "phone" and c.phone), "")


def _oldest_check(draft: _Draft) -> str:
    """The oldest known verification date of the records behind an option (ISO dates sort as text)."""
    dates = [s.verified_on for s in draft.services if s.verified_on]
    if draft.location is not None and draft.location.verified_on:
        dates.append(draft.location.verified_on)
    return min(dates, default="")


def _source(service: ServiceOffer) -> str:
    return f"{service.source} ({service.verified_on})" if service.verified_on else service.source


def plan(person: PersonSituation, offers: Sequence[ServiceOffer], mobility: MobilityContext | None = None) -> Plan:
    """Convenience wrapper: one plan with a fresh engine."""
    return Engine(mobility).plan(person, offers)
