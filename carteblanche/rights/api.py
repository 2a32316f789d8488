"""HTTP API of the rights app (mounted under /api/droits by carteblanche.api.api). Thin over actions."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from carteblanche.api.validation import summary
from carteblanche.core.situations import SESSION_KEY
from carteblanche.rights.actions import record_simulation_read, run_simulation
from carteblanche.rights.answers import (
    MAX_PERSONS,
    AnswerErrors,
    french_path,
    month_problem,
    parse_household,
)
from carteblanche.rights.models import Simulation
from carteblanche.rights.selectors import commune_exists, simulation_visible_to, stored_benefits
from carteblanche.territories.api import commune_out
from carteblanche.territories.selectors import resolve_commune

router = Router(tags=["rights"])


# Amounts are JSON numbers: no boolean (true would count as 1 €), no text, no NaN or Infinity
# (Python's JSON reader accepts them; they would reach OpenFisca and fail after the simulation ran).
# Ranges (0 to MAX_AMOUNT, a rate from 0 to 1) are checked with the other answers by parse_household,
# so that every out-of-range answer is reported at once.
Amount = Annotated[float, Field(strict=True, allow_inf_nan=False, description="euros par mois, de 0 à 100 000")]
Rate = Annotated[float, Field(strict=True, allow_inf_nan=False, description="de 0 à 1 (0,8 pour 80 %)")]
StrictBool = Annotated[bool, Field(strict=True)]


class RightsPersonIn(Schema):
    """One person of the household (the rights questionnaire's answers; see docs/rights.md)."""

    relation: str = Field(description="demandeur, conjoint, enfant ou autre")
    birth_date: str = Field(description="date de naissance, AAAA-MM-JJ")
    activity: str = "inactif"
    salary_net: Amount = 0
    salary_taxable: Amount | None = None
    recent_salary_net: Annotated[list[Amount], Field(min_length=3, max_length=3)] | None = None
    unemployment_net: Amount = 0
    pension_gross: Amount = 0
    disability_rate: Rate | Literal["unknown"] = 0
    schooling: str = "inconnue"
    rsdae: bool | str = "no"
    ass_work_history: bool | str = "no"
    driving_licence: bool | str = "unknown"
    same_salary: str = "yes"


class RightsHouseholdIn(Schema):
    """The household's answers; `month` (AAAA-MM) defaults to the current month."""

    commune_code: str = ""  # INSEE code; or `commune`, as a person types it
    commune: str = Field("", max_length=100, description="Nom, code postal ou « Nom (46) », si pas de code INSEE.")
    persons: Annotated[list[RightsPersonIn], Field(max_length=MAX_PERSONS)]
    housing_status: str = ""
    rent: Amount = 0
    rent_charges: str = "excluded"
    charges: Amount = 0
    widowed: bool | str = "no"
    child_support: str = "no"
    child_support_amount: Amount = 0
    farm_scheme: StrictBool | Literal["unknown"] = False
    recently_isolated: StrictBool = False
    benefits_received: list[str] = []
    month: str | None = None


class RightsErrorOut(Schema):
    message: str
    errors: list[dict] = []
    candidates: list[dict] = []  # an ambiguous `commune`: the communes to choose from


def _error(message: str, errors: list[dict] | None = None) -> dict:
    return {"message": message, "errors": errors or []}


def _summary(errors: list[dict]) -> str:
    """The errors in one French line, each field named as a French reader does (`personnes[0].salaire_net`)."""
    return summary(errors, french_path)


def simulation_json(simulation: Simulation) -> dict:
    outputs = simulation.outputs or {}
    return {
        "id": str(simulation.pk),
        "month": simulation.month,
        "openfisca_france_version": simulation.openfisca_france_version,
        "duration_ms": simulation.duration_ms,
        "batch_size": outputs.get("batch_size"),
        "benefits": stored_benefits(simulation),
        "local_aids": outputs.get("local_aids", []),
        "assumptions": simulation.inputs.get("assumptions", []),
        "inputs": simulation.inputs,
    }


@router.post("/simulations", response={200: dict, 422: RightsErrorOut, 503: RightsErrorOut}, url_name="rights_simulate")
def simulate(request: HttpRequest, payload: RightsHouseholdIn, response: HttpResponse):
    """Answers in, likely rights out (amounts from OpenFisca-France), stored for reproduction.

    The `Server-Timing` header says where the request's time went (queue, simulation, write)."""
    data = payload.dict()
    typed_commune = data.pop("commune").strip()
    if typed_commune and not data["commune_code"].strip():
        answer = resolve_commune(typed_commune)
        if answer.commune is None:
            body = _error(f"commune: {answer.message()}", [{"field": "commune", "message": answer.message()}])
            body["candidates"] = [commune_out(c) for c in answer.choices]
            return Status(422, body)
        data["commune_code"] = answer.commune.code
    month = data.pop("month")
    today = timezone.localdate()
    errors = []
    if month is not None and (problem := month_problem(month, today=today)):
        errors.append({"field": "month", "message": problem})
    try:
        parsed = parse_household(data, today=today, commune_exists=commune_exists)
    except AnswerErrors as exc:
        errors += exc.errors
    if errors:
        return Status(422, _error(_summary(errors), errors))
    simulation = run_simulation(parsed=parsed, user=request.user, mode=Simulation.Mode.API, month=month)
    if simulation.error:
        return Status(503, _error(simulation.error))
    phases = getattr(simulation, "phases_ms", {})
    response["Server-Timing"] = ", ".join(f"{name};dur={ms}" for name, ms in phases.items())
    return Status(200, simulation_json(simulation))


@router.get("/simulations/{simulation_id}", response={200: dict, 404: RightsErrorOut}, url_name="rights_simulation")
def get_simulation(request: HttpRequest, simulation_id: uuid.UUID):
    """A stored simulation: for its own session, or for an agent (the read is journaled)."""
    simulation = Simulation.objects.filter(pk=simulation_id).first()
    visible = simulation is not None and simulation_visible_to(
        simulation, user=request.user, session_situation_id=request.session.get(SESSION_KEY)
    )
    if not visible:
        return Status(404, _error("Simulation introuvable."))
    record_simulation_read(simulation=simulation, user=request.user, reason="API")
    return Status(200, simulation_json(simulation))
