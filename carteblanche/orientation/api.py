"""HTTP API of the orientation app (mounted under /api/orientation by carteblanche.api.api)."""

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from carteblanche.orientation.render import plan_to_dict, plan_to_sms
from carteblanche.orientation.selectors import (
    OrientationInputError,
    OrientationRequest,
    commune_json,
    compute_plan,
    origin_text,
)
from carteblanche.stewardship.counters import PLAN, count_shown

router = Router(tags=["orientation"])


class SituationIn(Schema):
    commune: str = Field(..., description="Nom, code postal ou code INSEE de la commune.", examples=["Cieurac"])
    besoins: list[str] = Field(default_factory=list, description="Identifiants (slugs) du catalogue des besoins.")
    besoin_libre: str = Field("", description="Le besoin dit avec les mots de la personne.")
    voiture: bool = Field(False, description="A une voiture et le permis.")
    ne_conduit_pas: bool = False
    conduit_par_proche: bool = False
    conduit_quand: str = Field("", description="Quand un proche peut conduire, ex. « mardi 9-12 ».")
    transport_en_commun: bool = True
    transport_a_la_demande: bool = True
    mobilite_solidaire: bool = True
    mobilite_reduite: bool = False
    numerique: Literal["autonomous", "online_with_help", "no_internet"] = "autonomous"
    telephone: bool = True
    disponibilites: str = Field("", description="Ex. « mardi 9-12 », « sauf semaine 8-18 ». Vide : tous les jours.")
    langue: str = "fr"
    urgent: bool = False
    age: int | None = Field(None, ge=0, le=120)
    publics: list[str] = Field(default_factory=list, description="Publics data·inclusion, ex. « jeunes ».")
    autre_commune: str = ""
    latitude: float | None = Field(
        None, ge=-90, le=90, description="Position dans la commune, si connue (avec longitude). Non conservée."
    )
    longitude: float | None = Field(None, ge=-180, le=180)
    maintenant: datetime | None = Field(None, description="Date de départ du plan (par défaut : maintenant).")


class ProblemOut(Schema):
    field: str
    message: str
    suggestions: list[str] = []


class OrientationErrorOut(Schema):
    message: str
    errors: list[ProblemOut]


@router.post(
    "/plan",
    response={200: dict[str, Any], 422: OrientationErrorOut},
    summary="Plan d'orientation pour une situation",
    description="Jusqu'à cinq options classées et expliquées (canal, lieu, créneaux, trajet, pièces, points).",
)
def post_plan(request: HttpRequest, payload: SituationIn):
    data = payload.dict()
    now = data.pop("maintenant")
    latitude, longitude = data.pop("latitude"), data.pop("longitude")
    if (latitude is None) != (longitude is None):
        missing = "longitude" if longitude is None else "latitude"
        message = "Donnez la latitude et la longitude ensemble, ou aucune des deux."
        return Status(422, {"message": f"{missing}: {message}", "errors": [{"field": missing, "message": message}]})
    position = (latitude, longitude) if latitude is not None else None
    try:
        plan, person = compute_plan(OrientationRequest(**data, position=position), now=now)
    except OrientationInputError as exc:
        problems = [{"field": p.field, "message": p.message, "suggestions": list(p.suggestions)} for p in exc.problems]
        return Status(422, {"message": str(exc), "errors": problems})
    count_shown(PLAN, (sid for option in plan.options for sid in option.service_ids))
    result = plan_to_dict(plan)
    result["origin"] = origin_text(person, from_position=position is not None)
    result["commune"] = commune_json(person)
    result["sms"] = plan_to_sms(result)
    return Status(200, result)
