"""HTTP API of the rights app (mounted under /api/droits by carteblanche.api.api). Thin over actions."""

from __future__ import annotations

import re
import uuid

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from carteblanche.core.situations import SESSION_KEY
from carteblanche.rights.actions import record_simulation_read, run_simulation
from carteblanche.rights.answers import AnswerErrors, parse_household
from carteblanche.rights.models import Simulation
from carteblanche.rights.selectors import commune_exists, simulation_visible_to
from carteblanche.territories.api import commune_out
from carteblanche.territories.selectors import resolve_commune

router = Router(tags=["rights"])


class PersonIn(Schema):
    relation: str
    birth_date: str
    activity: str = "inactif"
    salary_net: float = 0
    salary_taxable: float | None = None
    recent_salary_net: list[float] | None = None
    unemployment_net: float = 0
    pension_gross: float = 0
    disability_rate: float | str = 0
    schooling: str = "inconnue"
    rsdae: bool | str = "no"
    ass_work_history: bool | str = "no"
    driving_licence: bool | str = "unknown"
    same_salary: str = "yes"


class HouseholdIn(Schema):
    commune_code: str = ""  # INSEE code; or `commune`, as a person types it
    commune: str = Field("", max_length=100, description="Nom, code postal ou « Nom (46) », si pas de code INSEE.")
    persons: list[PersonIn]
    housing_status: str = ""
    rent: float = 0
    rent_charges: str = "excluded"
    charges: float = 0
    widowed: bool | str = "no"
    child_support: str = "no"
    child_support_amount: float = 0
    farm_scheme: bool = False
    recently_isolated: bool = False
    benefits_received: list[str] = []
    month: str | None = None


class ErrorOut(Schema):
    message: str
    errors: list[dict] = []
    candidates: list[dict] = []  # an ambiguous `commune`: the communes to choose from


def _error(message: str, errors: list[dict] | None = None) -> dict:
    return {"message": message, "errors": errors or []}


def simulation_json(simulation: Simulation) -> dict:
    outputs = simulation.outputs or {}
    return {
        "id": str(simulation.pk),
        "month": simulation.month,
        "openfisca_france_version": simulation.openfisca_france_version,
        "duration_ms": simulation.duration_ms,
        "batch_size": outputs.get("batch_size"),
        "benefits": list((outputs.get("benefits") or {}).values()),
        "local_aids": outputs.get("local_aids", []),
        "assumptions": simulation.inputs.get("assumptions", []),
        "inputs": simulation.inputs,
    }


@router.post("/simulations", response={200: dict, 422: ErrorOut, 503: ErrorOut}, url_name="rights_simulate")
def simulate(request: HttpRequest, payload: HouseholdIn, response: HttpResponse):
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
    if month is not None and not re.fullmatch(r"20\d\d-(0[1-9]|1[0-2])", month):
        return Status(
            422, _error("month: format AAAA-MM attendu.", [{"field": "month", "message": "format AAAA-MM attendu"}])
        )
    try:
        parsed = parse_household(data, today=timezone.localdate(), commune_exists=commune_exists)
    except AnswerErrors as exc:
        return Status(422, _error(str(exc), exc.errors))
    simulation = run_simulation(parsed=parsed, user=request.user, mode=Simulation.Mode.API, month=month)
    if simulation.error:
        return Status(503, _error(simulation.error))
    phases = getattr(simulation, "phases_ms", {})
    response["Server-Timing"] = ", ".join(f"{name};dur={ms}" for name, ms in phases.items())
    return Status(200, simulation_json(simulation))


@router.get("/simulations/{simulation_id}", response={200: dict, 404: ErrorOut}, url_name="rights_simulation")
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
