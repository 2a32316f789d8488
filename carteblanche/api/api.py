"""The public and partner HTTP API: one NinjaAPI, one router per app, JSON errors naming the field."""

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError

from carteblanche.api.validation import field_errors, summary
from carteblanche.directory.api import router as directory_router
from carteblanche.observatory.api import router as observatory_router
from carteblanche.orientation.api import router as orientation_router
from carteblanche.referrals.api import router as referrals_router
from carteblanche.rights.answers import french_path
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
    """Say which field is wrong and why, in French, in one message and in detail (422, nothing done)."""
    details = field_errors(exc.errors)
    match = getattr(request, "resolver_match", None)
    # The rights API's keys are English; its message names the fields as a French reader does.
    name = french_path if match and (match.url_name or "").startswith("rights_") else (lambda path: path)
    message = summary(details, name) or "Requête invalide."
    return api.create_response(request, {"message": message, "errors": details}, status=422)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """django-ninja's own errors, as it answers them, except an unreadable body: said in French."""
    if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
        message = "Le corps de la requête n'est pas un JSON valide."
        body = {"message": message, "errors": [{"field": "", "message": message}]}
        return api.create_response(request, body, status=400)
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


api.add_router("/territoires", territories_router)
api.add_router("/offre", directory_router)
api.add_router("/orientation", orientation_router)
api.add_router("/droits", rights_router)
api.add_router("/accompagnement", referrals_router)
api.add_router("/observatoire", observatory_router)
