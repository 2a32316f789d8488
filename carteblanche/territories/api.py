"""HTTP API of the territories app (mounted under /api/territoires): tolerant commune lookup."""

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from carteblanche.territories.models import Commune
from carteblanche.territories.selectors import (
    commune_display,
    commune_label,
    default_territory,
    find_communes,
    resolve_commune,
)

router = Router(tags=["territories"])


class CommuneOut(Schema):
    code: str
    name: str
    label: str
    display: str
    department: str
    department_name: str
    epci: str | None
    epci_name: str | None
    postcodes: list[str]
    population: int | None
    latitude: float | None
    longitude: float | None


class TerritoryErrorOut(Schema):
    message: str
    errors: list[dict]


class NotFoundOut(Schema):
    message: str
    errors: list[dict]
    suggestions: list[CommuneOut]


class UnresolvedOut(Schema):
    """422: which commune is meant cannot be told: `candidates` to choose from, or close `suggestions`."""

    message: str
    errors: list[dict]
    candidates: list[CommuneOut] = []
    suggestions: list[CommuneOut] = []


def commune_out(commune: Commune) -> dict:
    return {
        "code": commune.code,
        "name": commune.name,
        "label": commune_label(commune),
        "display": commune_display(commune),
        "department": commune.department_id,
        "department_name": commune.department.name,
        "epci": commune.epci_id,
        "epci_name": commune.epci.name if commune.epci_id else None,
        "postcodes": commune.postcodes or [],
        "population": commune.population,
        "latitude": commune.latitude,
        "longitude": commune.longitude,
    }


@router.get("/communes", response={200: list[CommuneOut], 422: TerritoryErrorOut}, summary="Chercher une commune")
def communes(
    request: HttpRequest,
    q: str = Query(..., min_length=1, max_length=100, description="Nom, code postal ou code INSEE, tel que tapé."),
    limit: int = Query(10, ge=1, le=50),
):
    """Tolerant to accents, hyphens, 'St'/'Saint', case and postcodes; close spellings when nothing matches.

    What `/communes/resoudre` would answer comes first (the commune, or the candidates to choose
    from), then other communes starting the same way, the default territory's first.
    """
    answer = resolve_commune(q)
    found = [answer.commune] if answer.commune else list(answer.candidates)
    name = q.split("(")[0] if answer.reason == "label" else q
    territory = default_territory()
    local = find_communes(name, limit=limit, territory=territory) if territory is not None else []
    found += [c for c in local + find_communes(name, limit=limit) + list(answer.suggestions) if c not in found]
    return [commune_out(commune) for commune in found[:limit]]


@router.get(
    "/communes/resoudre",
    response={200: CommuneOut, 422: UnresolvedOut},
    summary="La commune que désigne un texte tapé",
)
def resolve(
    request: HttpRequest,
    q: str = Query(
        ...,
        min_length=1,
        max_length=100,
        description="Nom, code postal, code INSEE, « Nom (46) » ou « Nom (46230) ». Les communes du territoire "
        "passent avant leurs homonymes ; un code postal ou un nom que portent plusieurs communes donne une "
        "erreur 422 qui les liste (`candidates`).",
    ),
):
    """The same reading as every page, API and command of Carte Blanche (one resolver)."""
    answer = resolve_commune(q)
    if answer.commune is not None:
        return Status(200, commune_out(answer.commune))
    message = answer.message()
    return Status(
        422,
        {
            "message": message,
            "errors": [{"field": "q", "message": message}],
            "candidates": [commune_out(c) for c in answer.candidates],
            "suggestions": [commune_out(c) for c in answer.suggestions],
        },
    )


@router.get("/communes/{code}", response={200: CommuneOut, 404: NotFoundOut}, summary="Une commune par code INSEE")
def commune(request: HttpRequest, code: str):
    found = Commune.objects.select_related("department", "epci").filter(code=code.upper()).first()
    if found is not None:
        return Status(200, commune_out(found))
    answer = resolve_commune(code)
    close = [answer.commune] if answer.commune else list(answer.choices)
    message = f"Commune inconnue : « {code} » n'est pas un code INSEE de commune."
    return Status(
        404,
        {
            "message": message,
            "errors": [{"field": "code", "message": message}],
            "suggestions": [commune_out(c) for c in close],
        },
    )
