"""Writes of the orientation app: keep the person's answers and the plan shown to them."""

from __future__ import annotations

from django.db import transaction

from carteblanche.core.models import Situation
from carteblanche.core.situations import save_situation_section
from carteblanche.orientation.engine import Plan
from carteblanche.orientation.models import SavedPlan
from carteblanche.orientation.render import plan_to_dict, plan_to_sms, plan_to_text
from carteblanche.orientation.selectors import OrientationRequest


def orientation_answers(request: OrientationRequest, need_slugs: list[str]) -> dict:
    """The "orientation" section of the shared situation (docs/orientation.md lists its keys)."""
    return {
        "needs": need_slugs,
        "free_text": request.besoin_libre,
        "travel": {
            "car": request.voiture,
            "does_not_drive": request.ne_conduit_pas,
            "driven": request.conduit_par_proche,
            "driven_when": request.conduit_quand,
            "public_transport": request.transport_en_commun,
            "on_demand": request.transport_a_la_demande,
            "solidarity": request.mobilite_solidaire,
            "reduced_mobility": request.mobilite_reduite,
        },
        "digital": request.numerique,
        "phone": request.telephone,
        "availability": request.disponibilites,
        "urgency": request.urgent,
        "other_commune": request.autre_commune,
        "publics": request.publics,
    }


@transaction.atomic
def save_plan(
    *,
    situation: Situation,
    request: OrientationRequest,
    plan: Plan,
    commune_code: str,
    agent: bool = False,
    origin: str = "",
) -> SavedPlan:
    """Store the answers in the shared situation ("profile" + "orientation") and the plan snapshot."""
    profile = {"commune_code": commune_code, "language": request.langue or "fr"}
    if request.age is not None:
        profile["age"] = request.age
    save_situation_section(situation=situation, section="profile", data=profile)
    save_situation_section(
        situation=situation, section="orientation", data=orientation_answers(request, [n.slug for n in plan.needs])
    )
    snapshot = plan_to_dict(plan)
    snapshot["origin"] = origin
    snapshot["sms"] = plan_to_sms(plan)
    snapshot["text"] = plan_to_text(plan)
    return SavedPlan.objects.create(
        situation=situation, plan=snapshot, request=request.to_json(), created_by_agent=agent
    )
