"""The public and partner HTTP API: one NinjaAPI, one router per app, JSON errors naming the field."""

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError

from carteblanche.appointments.api import router as appointments_router
from carteblanche.directory.api import router as directory_router
from carteblanche.observatory.api import router as observatory_router
from carteblanche.orientation.api import router as orientation_router
from carteblanche.referrals.api import router as referrals_router
from carteblanche.rights.api import router as rights_router
from carteblanche.territories.api import router as territories_router

api = NinjaAPI(
    title="Carte Blanche API",
    version="1",
    description="Offre de service public, orientation, droits et accompagnement du territoire.",
    urls_namespace="api",
)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """Say which field is wrong and why, in one message and in detail."""
    details = []
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", []) if part not in ("body", "query", "path", "payload")]
        details.append({"field": ".".join(location), "message": error.get("msg", "invalide")})
    message = "; ".join(f"{d['field']}: {d['message']}" for d in details) or "Requête invalide."
    return api.create_response(request, {"message": message, "errors": details}, status=422)


api.add_router("/territoires", territories_router)
api.add_router("/offre", directory_router)
api.add_router("/orientation", orientation_router)
api.add_router("/droits", rights_router)
api.add_router("/accompagnement/rendez-vous", appointments_router)
api.add_router("/accompagnement", referrals_router)
api.add_router("/observatoire", observatory_router)
