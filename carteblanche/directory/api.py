"""HTTP API of the directory (mounted under /api/offre): needs, search, details, exports.

Thin over `selectors`; errors are JSON naming the field: 422 for a bad value, 404 for an
unknown commune (with close suggestions), need or record.
"""

from datetime import date

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Field, Query, Router, Status

from carteblanche.core import process_cache
from carteblanche.directory import schemas, selectors
from carteblanche.directory.forms import open_on_problem
from carteblanche.directory.models import Need, Place, Service, Structure
from carteblanche.stewardship.counters import SEARCH, count_shown
from carteblanche.territories.api import commune_out
from carteblanche.territories.models import Commune

router = Router(tags=["directory"])


class AmbiguousCommuneOut(schemas.DirectoryErrorOut):
    """422: several communes fit (a shared postcode, a name borne elsewhere several times), or the
    answers are invalid; `candidates` lists the communes, each `label` is unambiguous."""

    candidates: list[dict] = Field(default_factory=list)


def _error(field: str, message: str) -> dict:
    return {"message": f"{field}: {message}", "errors": [{"field": field, "message": message}]}


@router.get("/besoins", response=list[schemas.NeedOut], summary="Catalogue des besoins")
def needs(request: HttpRequest):
    return [schemas.need_out(need) for need in Need.objects.prefetch_related("operators").order_by("label")]


@router.get("/besoins/{slug}", response={200: schemas.NeedOut, 404: schemas.DirectoryErrorOut}, summary="Un besoin")
def need(request: HttpRequest, slug: str):
    found = Need.objects.prefetch_related("operators").filter(slug=slug).first()
    if found is None:
        return Status(404, _error("slug", f"besoin inconnu « {slug} ». La liste est à /api/offre/besoins."))
    return Status(200, schemas.need_out(found))


@router.get(
    "/services",
    response={
        200: schemas.SearchOut,
        404: schemas.CommuneNotFoundOut,
        422: AmbiguousCommuneOut,
    },
    summary="Chercher des services près d'une commune",
)
def search(
    request: HttpRequest,
    commune: str = Query(
        ...,
        min_length=1,
        max_length=100,
        description="Nom, code postal ou code INSEE, ou « Nom (code postal) » / « Nom (46) ». Un code postal ou "
        "un nom que portent plusieurs communes donne une erreur 422 qui les liste (`candidates`).",
    ),
    besoin: str | None = Query(None, max_length=80, description="Identifiant d'un besoin du catalogue."),
    texte: str | None = Query(None, max_length=200, description="Le besoin en mots libres."),
    canal: list[schemas.ChannelKind] = Query([], description="Façons d'être reçu (plusieurs possibles)."),
    ouvert_le: date | None = Query(None, description="Ouvert ce jour-là (AAAA-MM-JJ)."),
    accessible: bool | None = Query(None, description="Lieu accessible en fauteuil roulant."),
    langue: schemas.Language | None = Query(None, description="Langue parlée (code ISO 639-1, ou 'lsf')."),
    age: int | None = Query(None, ge=0, le=120, description="Âge de la personne, pour l'éligibilité."),
    limite: int = Query(20, ge=1, le=100),
):
    """Same filters as the page: nearest places first, then services reachable without travelling."""
    problem = open_on_problem(ouvert_le)
    if problem:
        return Status(422, _error("ouvert_le", problem))
    with process_cache.one_token_read():  # commune, need and search read the offer's token once
        answer = selectors.resolve_search_commune(commune)
        found_commune = answer.commune
        if answer.ambiguous:
            body = _error("commune", answer.message())
            body["candidates"] = [commune_out(c) for c in answer.candidates]
            return Status(422, body)
        if found_commune is None:
            body = _error("commune", answer.message())
            body["suggestions"] = [commune_out(c) for c in answer.suggestions]
            return Status(404, body)
        need_obj = None
        if besoin:
            need_obj = selectors.need_by_slug(besoin)
            if need_obj is None:
                return Status(422, _error("besoin", f"besoin inconnu « {besoin} ». La liste est à /api/offre/besoins."))
        found = selectors.search_services(
            commune=found_commune,
            need=need_obj,
            text=texte,
            channel_kinds=[kind.value for kind in canal],
            open_on=ouvert_le,
            accessible=accessible,
            language=langue.value if langue else None,
            age=age,
            limit=limite,
        )
        count_shown(SEARCH, (result.service.pk for result in found.results))
        return HttpResponse(search_json(found, commune_out(found_commune)), content_type=_JSON)


_JSON = "application/json; charset=utf-8"  # as Ninja's JSON renderer says


def search_json(found: selectors.SearchResult, commune: dict) -> str:
    """The search as the API's JSON, rendered as Ninja renders it, without validating it again.

    `schemas.search_out` already builds what `SearchOut` describes; validating ~100 nested
    objects through pydantic cost more than the search itself. A test checks that both give
    the same bytes.
    """
    from carteblanche.api.api import api  # the project's API, whose renderer answers every route

    return api.renderer.render(None, schemas.search_out(found, commune), response_status=200)


@router.get(
    "/services/{service_id}",
    response={200: schemas.ServiceDetailOut, 404: schemas.DirectoryErrorOut, 422: schemas.DirectoryErrorOut},
    summary="Un service, ses canaux et horaires",
)
def service(request: HttpRequest, service_id: int, commune: str | None = None):
    near = Commune.objects.filter(code=commune).first() if commune else None
    try:
        detail = selectors.get_service_detail(service_id, commune=near)
    except Service.DoesNotExist:
        return Status(404, _error("service_id", f"aucun service n°{service_id}."))
    return Status(200, schemas.service_detail_out(detail))


@router.get(
    "/lieux/{place_id}",
    response={200: schemas.PlaceDetailOut, 404: schemas.DirectoryErrorOut, 422: schemas.DirectoryErrorOut},
    summary="Un lieu",
)
def place(request: HttpRequest, place_id: int):
    try:
        detail = selectors.get_place_detail(place_id)
    except Place.DoesNotExist:
        return Status(404, _error("place_id", f"aucun lieu n°{place_id}."))
    return Status(200, schemas.place_detail_out(detail))


@router.get(
    "/structures/{structure_id}",
    response={200: schemas.StructureDetailOut, 404: schemas.DirectoryErrorOut, 422: schemas.DirectoryErrorOut},
    summary="Une structure",
)
def structure(request: HttpRequest, structure_id: int):
    try:
        detail = selectors.get_structure_detail(structure_id)
    except Structure.DoesNotExist:
        return Status(404, _error("structure_id", f"aucune structure n°{structure_id}."))
    return Status(200, schemas.structure_detail_out(detail))


@router.get("/export/data-inclusion.json", summary="Export data·inclusion (schéma v1)")
def export_datainclusion(request: HttpRequest):
    from carteblanche.directory import exports

    structures, services = selectors.services_for_export()
    return JsonResponse(exports.export_datainclusion(structures, services), json_dumps_params={"ensure_ascii": False})


@router.get("/export/offre.csv", summary="Export CSV de l'offre")
def export_csv(request: HttpRequest):
    from carteblanche.directory import exports

    structures, services = selectors.services_for_export()
    response = HttpResponse(exports.export_csv(structures, services), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="offre.csv"'
    return response


@router.get("/export/offre.geojson", summary="Export GeoJSON des lieux")
def export_geojson(request: HttpRequest):
    from carteblanche.directory import exports

    structures, services = selectors.services_for_export()
    return JsonResponse(
        exports.export_geojson(structures, services),
        content_type="application/geo+json",
        json_dumps_params={"ensure_ascii": False},
    )
