"""Reads of the rights app: communes, how to claim a benefit, matching local aids, stored simulations."""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.db.models import Q
from django.utils import timezone

from carteblanche.rights import prefill
from carteblanche.rights.models import Simulation
from carteblanche.rights.openfisca_adapter import BENEFITS_BY_CODE, RESULT_RANK, BenefitResult, HouseholdInput
from carteblanche.rights.rules import evaluate, household_facts

OPERATOR_NAMES_FILE = Path(__file__).resolve().parent / "data" / "operator_names.json"


@functools.cache
def _operator_names_data() -> dict[str, Any]:
    return json.loads(OPERATOR_NAMES_FILE.read_text(encoding="utf-8"))


def operator_names_for(commune_code: str) -> dict[str, str]:
    """How a result page names the bodies that pay or decide, for a person of this commune: its
    department's own bodies where the data names them (rights/data/operator_names.json, with
    sources), else generic names ("votre CAF"): a household of the Gironde is never sent to the CAF
    du Lot, and no body is invented."""
    from carteblanche.territories.models import Commune

    data = _operator_names_data()
    department = Commune.objects.filter(code=commune_code).values_list("department_id", flat=True).first()
    own = data["departments"].get(department or "", {}).get("names", {})
    return {**data["default"], **own}


def commune_exists(code: str) -> bool:
    from carteblanche.territories.models import Commune

    return Commune.objects.filter(code=code).exists()


def commune_context(code: str) -> dict[str, str]:
    """EPCI and region codes of a commune, for local-aid rules."""
    from carteblanche.territories.models import Commune

    commune = Commune.objects.filter(code=code).values("epci_id", "region_code", "name").first()
    if not commune:
        return {"epci": "", "region": "", "name": code}
    return {"epci": commune["epci_id"] or "", "region": commune["region_code"], "name": commune["name"]}


PAYING_BODIES = frozenset({"caf", "msa"})  # family and housing benefits: one or the other decides
CLAIM_PLACES_SHOWN = 3
CLAIMING_FILE = Path(__file__).resolve().parent / "data" / "claiming.json"


@functools.cache
def claiming_rules() -> dict[str, dict[str, Any]]:
    """Benefits obtained without a claim (data: rights/data/claiming.json, each with its source)."""
    data = json.loads(CLAIMING_FILE.read_text(encoding="utf-8"))
    return {code: rule for code, rule in data.items() if not code.startswith("_")}


@dataclass(slots=True)
class ClaimPlace:
    """A counter or an itinerant stop where someone helps to claim, with its reach from home."""

    service: str
    structure: str
    name: str
    address: str
    commune: str
    in_commune: bool
    road_km: float
    minutes: float
    itinerant: bool
    crow_km: float | None = None  # as the directory's pages show it (great-circle from the commune)
    channel: Any = None  # the directory's ChannelView (next opening in plain French), for a counter
    stop: Any = None  # the directory's StopView (next visit), for an itinerant stop
    phone: str = ""
    position_approximate: bool = False


@dataclass(slots=True)
class ClaimPlan:
    """How to claim one benefit: the deciding body's remote channels, then the places nearest first."""

    operator_code: str
    operator_name: str
    online_url: str
    info_url: str
    documents: tuple[str, ...]
    automatic: dict[str, Any] | None = None  # paid without a claim (claiming.json)
    remote: list[Any] = field(default_factory=list)  # the deciding body's ChannelViews the person can use
    remote_unusable: list[Any] = field(default_factory=list)  # its channels the person said they cannot use
    places: list[ClaimPlace] = field(default_factory=list)
    online_usable: bool = True
    at: datetime | None = None

    @property
    def fallback(self) -> str:
        return f"Renseignez-vous auprès de {self.operator_name}."

    @property
    def service_names(self) -> list[str]:
        """Every directory service the plan lists (remote channels, then places)."""
        views = [*self.remote, *self.remote_unusable]
        return list(dict.fromkeys([view.channel.service.name for view in views] + [p.service for p in self.places]))


@dataclass(frozen=True, slots=True)
class Abilities:
    """What the person said in orientation about remote channels (unknown: assumed usable)."""

    online: bool = True
    phone: bool = True

    @classmethod
    def from_orientation(cls, answers: dict[str, Any]) -> Abilities:
        return cls(online=answers.get("digital") != "no_internet", phone=answers.get("phone") is not False)

    def can_use(self, kind: str) -> bool:
        if kind == "online":
            return self.online
        if kind in ("phone", "callback"):
            return self.phone
        if kind == "video":
            return self.online
        return True  # home visits


class ClaimFinder:
    """Claim plans for one person: one directory search per need and one trip planner, shared by
    every benefit of a result page."""

    def __init__(self, commune_code: str, *, abilities: Abilities | None = None, at: datetime | None = None) -> None:
        from carteblanche.territories.models import Commune

        self.commune = Commune.objects.filter(code=commune_code).first() if commune_code else None
        self.operator_names = operator_names_for(commune_code)
        self.abilities = abilities or Abilities()
        self.at = at or timezone.now()
        self._searches: dict[str, Any] = {}
        self._linked: dict[str, frozenset[int]] = {}
        self._planner = None

    def _search(self, need: str):
        from carteblanche.directory.selectors import search_services

        if need not in self._searches:
            try:
                self._searches[need] = search_services(commune=self.commune, need=need, at=self.at, limit=20)
            except Exception:  # unknown need, directory not loaded: the fallback text is shown
                self._searches[need] = None
        return self._searches[need]

    def _reach(self, latitude: float, longitude: float, commune_code: str) -> tuple[float, float]:
        """(road km, minutes) with the orientation mobility model: the road figures of plans' trips."""
        from carteblanche.mobility.travel import Point, TravelMeans
        from carteblanche.orientation.selectors import get_mobility

        if self._planner is None:
            home = Point(self.commune.latitude, self.commune.longitude)
            self._planner = get_mobility().planner(origin=home, origin_commune=self.commune.code, means=TravelMeans())
        km, minutes, _walk = self._planner.road(Point(latitude, longitude), commune_code)
        return km, minutes

    def plan(self, code: str, operator_code: str) -> ClaimPlan:
        benefit = BENEFITS_BY_CODE[code]
        plan = ClaimPlan(
            operator_code=operator_code,
            operator_name=self.operator_names.get(operator_code, operator_code),
            online_url=benefit.teleservice,
            info_url=benefit.link,
            documents=benefit.documents,
            automatic=claiming_rules().get(code),
            online_usable=self.abilities.online,
            at=self.at,
        )
        if self.commune is None or not self.commune.has_point:
            return plan
        places: dict[str, ClaimPlace] = {}
        remote_seen: set[int] = set()
        for need in benefit.needs:
            found = self._search(need)
            if found is None:
                continue
            if need not in self._linked:
                self._linked[need] = _linked_service_ids(need)
            linked = self._linked[need]
            for result in found.results:
                service = result.service
                operator = service.operator_id or service.structure.operator_id or ""
                if operator in PAYING_BODIES and operator != operator_code:
                    continue  # the other paying body (MSA for a CAF household, and the reverse)
                if service.pk not in linked:
                    continue  # the catalogue does not link it to this right (e.g. the CAF's childcare search)
                if result.remote:
                    if operator == operator_code:
                        for view in result.channels:
                            if view.channel.pk in remote_seen:
                                continue
                            remote_seen.add(view.channel.pk)
                            usable = self.abilities.can_use(view.kind)
                            (plan.remote if usable else plan.remote_unusable).append(view)
                    continue
                self._add_places(places, result)
        plan.places = sorted(places.values(), key=lambda p: (p.minutes, p.road_km, p.name))[:CLAIM_PLACES_SHOWN]
        return plan

    def _add_places(self, places: dict[str, ClaimPlace], result) -> None:
        service = result.service
        if result.place is not None:
            place = result.place
            counters = [view for view in result.channels if view.kind == "counter"]
            key = f"place:{place.pk}"
            if counters and key not in places:
                km, minutes = self._reach(place.latitude, place.longitude, place.commune_id)
                phones = [view.channel.phone for view in result.channels if view.channel.phone]
                places[key] = ClaimPlace(
                    service=service.name,
                    structure=service.structure.name,
                    name=place.name,
                    address=place.address,
                    commune=place.commune.name,
                    in_commune=place.commune_id == self.commune.code,
                    road_km=km,
                    minutes=minutes,
                    itinerant=False,
                    crow_km=result.distance_km,
                    channel=counters[0],
                    phone=phones[0] if phones else "",
                    position_approximate=place.position_approximate,
                )
        stops = sorted(
            ((*self._reach(v.stop.latitude, v.stop.longitude, v.stop.commune_id), v) for v in result.stops),
            key=lambda item: (item[1], item[0], item[2].stop.pk),
        )
        for km, minutes, view in stops[:1]:  # one stop per itinerant service: its nearest
            stop = view.stop
            key = f"stop:{stop.pk}"
            if key in places:
                continue
            places[key] = ClaimPlace(
                service=service.name,
                structure=service.structure.name,
                name=stop.location_label or stop.commune.name,
                address=stop.location_label,
                commune=stop.commune.name,
                in_commune=view.in_commune,
                road_km=km,
                minutes=minutes,
                itinerant=True,
                crow_km=view.distance_km,
                stop=view,
                position_approximate=stop.position_approximate,
            )


def _linked_service_ids(need: str) -> frozenset[int]:
    from carteblanche.directory.models import Service

    # `proposable()`: the directory's one rule (an ended service is never offered), on top of the search's
    return frozenset(Service.objects.proposable().filter(needs__slug=need).values_list("pk", flat=True))


def claim_plan(
    code: str, operator_code: str, *, commune_code: str = "", abilities: Abilities | None = None
) -> ClaimPlan:
    """How to claim one benefit from a commune (one-off; a result page shares a ClaimFinder)."""
    return ClaimFinder(commune_code, abilities=abilities).plan(code, operator_code)


@dataclass(frozen=True)
class ClaimableRight:
    """A right a person may ask to be accompanied for: a computed benefit, or a right described as
    data (the pension de réversion, a local aid)."""

    code: str
    label: str
    needs: tuple[str, ...]


def claimable_right(code: str) -> ClaimableRight | None:
    """The right named by a result page's "Être accompagné(e)" link: a benefit code, or the slug of an
    active local aid or national right; None for anything else (never an error)."""
    from carteblanche.rights.models import LocalAid

    code = (code or "").strip()[:100]
    if not code:
        return None
    benefit = BENEFITS_BY_CODE.get(code)
    if benefit is not None:
        return ClaimableRight(benefit.code, benefit.label, tuple(benefit.needs))
    if not re.fullmatch(r"[-\w]+", code, re.ASCII):  # not a slug (a NUL byte would fail on PostgreSQL)
        return None
    aid = LocalAid.objects.filter(slug=code, active=True).values("slug", "name", "needs").first()
    if aid is None:
        return None
    return ClaimableRight(aid["slug"], aid["name"], tuple(aid["needs"] or ()))


def matching_local_aids(
    household: HouseholdInput,
    results: dict[str, BenefitResult],
    *,
    on: date,
    received: tuple[str, ...] = (),
) -> list[dict[str, Any]]:
    """Active local aids whose territory covers the commune and whose rule the household meets."""
    from carteblanche.rights.models import LocalAid

    context = commune_context(household.depcom)
    facts = household_facts(
        household, results, on=on, epci=context["epci"], region=context["region"], received=received
    )
    codes = {household.depcom, facts["department"], context["epci"], context["region"]} - {""}
    matched = []
    for aid in LocalAid.objects.filter(active=True).select_related("operator"):
        if aid.territory_codes and not codes.intersection(aid.territory_codes):
            continue
        if not evaluate(aid.conditions or {}, facts):
            continue
        matched.append(local_aid_to_json(aid))
    return matched


def local_aid_to_json(aid) -> dict[str, Any]:
    return {
        "slug": aid.slug,
        "name": aid.name,
        # no territory: a national right described as data (e.g. the pension de réversion)
        "level": aid.get_level_display() if aid.territory_codes else "droit national",
        "national": not aid.territory_codes,
        "needs": list(aid.needs or []),
        "description": aid.description,
        "conditions": aid.conditions_text,
        "amount": float(aid.amount) if aid.amount is not None else None,
        "amount_text": aid.amount_text or ("montant non communiqué" if aid.amount is None else ""),
        "periodicity": aid.periodicity,
        "operator": aid.operator_name,
        "how_to_claim": aid.how_to_claim,
        "claim_url": aid.claim_url,
        "source": aid.source,
        "source_url": aid.source_url,
        "verified_on": aid.verified_on.isoformat() if aid.verified_on else None,
    }


def simulation_visible_to(simulation, *, user, session_situation_id: str | None) -> bool:
    """Case-file privacy: the person's own browser session; an agent of the author's structure; an agent
    of a structure that holds a case file with this simulation's answers, or that the person consented
    to share them with (consent scope "situation"). Agents' reads are journaled by the caller."""
    if session_situation_id and simulation.situation_id and str(simulation.situation_id) == str(session_situation_id):
        return True
    if simulation.created_by_id and getattr(user, "pk", None) == simulation.created_by_id:
        return True  # its author, even without a structure
    from carteblanche.accounts.permissions import structure_ids

    ids = structure_ids(user)
    if not ids:
        return False
    if simulation.created_by_id and structure_ids(simulation.created_by) & ids:
        return True
    from carteblanche.referrals.models import CaseFile
    from carteblanche.referrals.permissions import case_scopes

    linked = Q(simulation_id=simulation.pk)
    if simulation.situation_id:
        linked |= Q(situation_id=simulation.situation_id)
    return any("situation" in case_scopes(user, case) for case in CaseFile.objects.filter(linked))


def reusable_simulation(*, situation, parsed, month: str, mode: str, user) -> Simulation | None:
    """The situation's last simulation when asking again would give the same page: a reload.

    OpenFisca gives the same amounts for the same inputs, month and OpenFisca-France version, so the
    last simulation is reused when all of them, the mode and the author are unchanged, and the local
    aids its results meet today are those it stored (a local aid changed since: computed again).
    Where to claim each right is looked up afresh by the page (`summary_context`)."""
    from carteblanche.rights.answers import simulation_inputs
    from carteblanche.rights.openfisca_adapter import openfisca_france_version

    if situation is None:
        return None
    last = Simulation.objects.filter(situation=situation).order_by("-created_at").first()
    author = user.pk if user is not None and user.is_authenticated else None
    if (
        last is None
        or last.error
        or last.month != month
        or last.mode != mode
        or last.created_by_id != author
        or last.openfisca_france_version != openfisca_france_version()
        or not last.outputs.get("benefits")
        or last.inputs != json.loads(json.dumps(simulation_inputs(parsed)))
    ):
        return None
    results = {
        code: BenefitResult(code=code, amount=b["amount"], eligible=b["eligible"], operator=b["operator"])
        for code, b in last.outputs["benefits"].items()
    }
    on = date.fromisoformat(f"{month}-01")
    local_aids = matching_local_aids(parsed.household, results, on=on, received=parsed.received)
    return last if local_aids == last.outputs.get("local_aids") else None


# --- told once: answers already given elsewhere -------------------------------------------------


def _commune_label(code: str) -> str:
    from carteblanche.territories.models import Commune
    from carteblanche.territories.selectors import commune_label

    commune = Commune.objects.filter(code=code).first() if code else None
    return commune_label(commune) if commune else ""


def known_answers(situation, *, case=None) -> prefill.Steps:
    """The questionnaire's answers already given in the shared situation, a previous simulation of it,
    or the agent's case file (its read is journaled by the caller), each with its source."""
    profile = situation.section("profile") if situation is not None else {}
    from_profile: prefill.Steps = {}
    if profile:
        source = "orientation" if situation.section("orientation") else "profile"
        from_profile = prefill.steps_from_profile(
            profile, commune_label=_commune_label(profile.get("commune_code", "")), source=source
        )
    from_case: prefill.Steps = {}
    if case is not None:
        values = {"commune_code": case.commune_code, "birth_date": case.birth_date and case.birth_date.isoformat()}
        from_case = prefill.steps_from_profile(values, commune_label=_commune_label(case.commune_code), source="case")
    from_simulation: prefill.Steps = {}
    situations = [s for s in (situation, getattr(case, "situation", None)) if s is not None]
    previous = (
        Simulation.objects.filter(situation__in=situations, error="").order_by("-created_at").first()
        if situations
        else None
    )
    if previous is not None:
        household = previous.inputs.get("household") or {}
        from_simulation = prefill.steps_from_household(
            household,
            received=previous.inputs.get("received") or [],
            commune_label=_commune_label(household.get("depcom", "")),
        )
    return prefill.merge(from_profile, from_case, from_simulation)


def stored_benefits(simulation: Simulation) -> list[dict[str, Any]]:
    """A stored simulation's benefits in the order the result page showed them (PostgreSQL's jsonb
    does not keep the order of an object's keys)."""
    benefits = (simulation.outputs.get("benefits") or {}).values()
    return sorted(benefits, key=lambda b: RESULT_RANK.get(b["code"], len(RESULT_RANK)))


def summary_context(simulation: Simulation, commune_code: str) -> dict[str, Any]:
    """A stored simulation's results for the pages: likely rights with where to claim them, local aids."""
    benefits = stored_benefits(simulation)
    likely = [b for b in benefits if b["eligible"]]
    orientation = simulation.situation.section("orientation") if simulation.situation_id else {}
    finder = ClaimFinder(commune_code, abilities=Abilities.from_orientation(orientation))
    for benefit in likely:
        benefit["plan"] = finder.plan(benefit["code"], benefit["operator"])
    not_claimed = [b for b in likely if not b["already_received"]]
    monthly_total = sum(b["amount"] for b in likely if b["periodicity"] == "mensuelle" and b["kind"] == "amount")
    assumptions = simulation.inputs.get("assumptions", [])
    return {
        "simulation": simulation,
        "likely": likely,
        "not_claimed": not_claimed,
        "monthly_total": monthly_total,
        "local_aids": [a for a in simulation.outputs.get("local_aids", []) if not a.get("national")],
        "national_rights": [a for a in simulation.outputs.get("local_aids", []) if a.get("national")],
        "commune_name": commune_context(commune_code)["name"] if commune_code else "",
        "assumptions": assumptions,
        "none_found": not likely,
    }
