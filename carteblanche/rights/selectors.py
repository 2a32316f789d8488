"""Reads of the rights app: communes, how to claim a benefit, matching local aids, stored simulations."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Q

from carteblanche.rights import prefill
from carteblanche.rights.models import Simulation
from carteblanche.rights.openfisca_adapter import BENEFITS_BY_CODE, BenefitResult, HouseholdInput
from carteblanche.rights.rules import evaluate, household_facts

OPERATOR_NAMES = {
    "caf": "la CAF du Lot",
    "msa": "la MSA Midi-Pyrénées Nord",
    "cpam": "la CPAM du Lot (Assurance maladie)",
    "assurance-retraite": "la Carsat (Assurance retraite)",
    "france-travail": "France Travail",
    "etat": "l'État",
    "education-nationale": "l'établissement scolaire de l'enfant",
    "departement": "le Département du Lot",
}


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


@dataclass
class ClaimPlan:
    """How to claim one benefit: online procedure, the directory's services, documents."""

    operator_code: str
    operator_name: str
    online_url: str
    info_url: str
    documents: tuple[str, ...]
    services: list[dict[str, Any]] = field(default_factory=list)

    @property
    def fallback(self) -> str:
        return f"Renseignez-vous auprès de {self.operator_name}."


def claim_plan(code: str, operator_code: str, *, commune_code: str = "") -> ClaimPlan:
    """The online procedure and the directory's services of the paying operator (or covering the need)."""
    benefit = BENEFITS_BY_CODE[code]
    plan = ClaimPlan(
        operator_code=operator_code,
        operator_name=OPERATOR_NAMES.get(operator_code, operator_code),
        online_url=benefit.teleservice,
        info_url=benefit.link,
        documents=benefit.documents,
    )
    try:
        from carteblanche.directory.models import Service

        codes: set[str] = set()
        if commune_code:
            context = commune_context(commune_code)
            codes = {commune_code, commune_code[:2], context["epci"]} - {""}
        query = Q(operator_id=operator_code)
        if benefit.needs:
            query |= Q(needs__slug__in=benefit.needs)
        services = sorted(
            Service.objects.filter(query)
            .select_related("structure")
            .prefetch_related("channels__place__commune")
            .distinct()[:40],
            # the paying operator's own services first, then the nearest generalist help
            key=lambda service: (service.operator_id != operator_code, service.name),
        )
        rows = []
        for service in services:
            zone = set(service.zone_eligibilite or [])
            if zone and codes and not zone & codes:  # commune, EPCI or department codes
                continue
            channels = []
            for channel in service.channels.all():
                channels.append(
                    {
                        "kind": channel.get_kind_display(),
                        "place": channel.place.name if channel.place_id else "",
                        "address": (channel.place.address or "adresse non communiquée") if channel.place_id else "",
                        "commune": channel.place.commune.name if channel.place_id else "",
                        "phone": channel.phone,
                        "url": channel.url,
                        "hours": channel.effective_opening_hours or "horaires non communiqués",
                    }
                )
            rows.append({"name": service.name, "structure": service.structure.name, "channels": channels})
        plan.services = rows[:3]
    except Exception:  # the directory may be empty or not migrated yet: the fallback text is shown
        plan.services = []
    return plan


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
        "level": aid.get_level_display(),
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
    """Case-file privacy: the person's own browser session, or an authenticated agent (audited)."""
    if session_situation_id and simulation.situation_id and str(simulation.situation_id) == str(session_situation_id):
        return True
    # Accounts are agents' accounts only (no public accounts): any authenticated user is an agent.
    return bool(user is not None and user.is_authenticated)


# --- told once: answers already given elsewhere -------------------------------------------------


def _commune_label(code: str) -> str:
    from carteblanche.directory.selectors import commune_label
    from carteblanche.territories.models import Commune

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
