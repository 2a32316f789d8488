"""HTTP API of the territories app (mounted under /api/territoires): tolerant commune lookup."""

import re

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from carteblanche.territories.models import Commune
from carteblanche.territories.selectors import default_territory, find_communes, suggest_communes

router = Router(tags=["territories"])

# "Cahors (46000)", as the search page's autocomplete writes it.
_TRAILING_CODE = re.compile(r"\s*\([^)]*\)\s*$")


class CommuneOut(Schema):
    code: str
    name: str
    label: str
    department: str
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


def commune_out(commune: Commune) -> dict:
    postcode = commune.postcodes[0] if commune.postcodes else commune.department_id
    return {
        "code": commune.code,
        "name": commune.name,
        "label": f"{commune.name} ({postcode})",
        "department": commune.department_id,
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

    Communes of the default territory come first.
    """
    text = _TRAILING_CODE.sub("", q) or q
    territory = default_territory()
    local = find_communes(text, limit=limit, territory=territory) if territory is not None else []
    anywhere = find_communes(text, limit=limit) or suggest_communes(text, limit=limit)
    found = local + [commune for commune in anywhere if commune not in local]
    return [commune_out(commune) for commune in found[:limit]]


@router.get("/communes/{code}", response={200: CommuneOut, 404: NotFoundOut}, summary="Une commune par code INSEE")
def commune(request: HttpRequest, code: str):
    found = Commune.objects.select_related("epci").filter(code=code.upper()).first()
    if found is not None:
        return Status(200, commune_out(found))
    close = find_communes(code, limit=5) or suggest_communes(code)
    message = f"Commune inconnue : « {code} » n'est pas un code INSEE de commune."
    return Status(
        404,
        {
            "message": message,
            "errors": [{"field": "code", "message": message}],
            "suggestions": [commune_out(c) for c in close],
        },
    )
