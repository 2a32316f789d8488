"""The public and partner HTTP API: one NinjaAPI, one router per app, JSON errors naming the field."""

import json
from pathlib import Path
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError

from carteblanche.api.validation import field_errors, summary
from carteblanche.appointments.api import router as appointments_router
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


_MESSAGES = json.loads((Path(__file__).resolve().parent / "data" / "validation_messages_fr.json").read_text("utf-8"))


def french_message(error: dict) -> str:
    """The French message of one pydantic error (data/validation_messages_fr.json).

    A message written by the project's own validators (value_error, assertion_error) is kept as is,
    without pydantic's English prefix.
    """
    kind = error.get("type", "")
    context = dict(error.get("ctx") or {})
    if kind in ("value_error", "assertion_error") and context.get("error"):
        return str(context["error"])
    template = _MESSAGES["messages"].get(kind)
    if template is None:
        return _MESSAGES["default"]
    try:
        return template.format(**{key: _plain(value) for key, value in context.items()})
    except (KeyError, IndexError, ValueError):
        return _MESSAGES["default"]


def _plain(value: Any) -> str:
    """Pydantic's `expected` reads "'a', 'b' or 'c'": say it in French."""
    return str(value).replace(" or ", " ou ")


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """Say which field is wrong and why, in French, in one message and in detail (422, nothing done)."""
    details = field_errors(exc.errors, message_of=french_message)
    match = getattr(request, "resolver_match", None)
    # The rights API's keys are English; its message names the fields as a French reader does.
    name = french_path if match and (match.url_name or "").startswith("rights_") else (lambda path: path)
    message = summary(details, name) or "Requête invalide."
    return api.create_response(request, {"message": message, "errors": details}, status=422)


_HTTP_ERRORS = {
    400: "Corps de la requête illisible : envoyez du JSON valide (UTF-8).",
    401: "Clé d'API absente ou invalide : envoyez l'en-tête « Authorization: Bearer <clé> ».",
    403: "Accès refusé.",
    404: "Introuvable.",
    405: "Méthode non autorisée pour cette adresse.",
    429: "Trop de requêtes : réessayez plus tard.",
}


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """django-ninja's own errors (unreadable body, missing key…), in French and in the project's format."""
    message = _HTTP_ERRORS.get(exc.status_code, "Requête refusée.")
    return api.create_response(request, {"message": message, "errors": []}, status=exc.status_code)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"message": _HTTP_ERRORS[404], "errors": []}, status=404)


api.add_router("/territoires", territories_router)
api.add_router("/offre", directory_router)
api.add_router("/orientation", orientation_router)
api.add_router("/droits", rights_router)
api.add_router("/accompagnement/rendez-vous", appointments_router)
api.add_router("/accompagnement", referrals_router)
api.add_router("/observatoire", observatory_router)
