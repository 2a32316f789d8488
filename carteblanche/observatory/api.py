"""HTTP API of the observatory app (mounted under /api/observatoire): aggregated open data only."""

from dataclasses import dataclass
from datetime import date

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from carteblanche.observatory import opendata, selectors
from carteblanche.observatory.suppression import MIN_CELL
from carteblanche.territories.models import Territory
from carteblanche.territories.selectors import default_territory

router = Router(tags=["observatory"])


class IndicatorOut(Schema):
    slug: str
    label: str
    unit: str
    definition: str
    method: str
    source: str


class ValuesOut(Schema):
    indicator: IndicatorOut
    territory: str
    month: str
    small_cells: str
    rows: list[dict]


class ObservatoryErrorOut(Schema):
    message: str
    errors: list[dict]


class ValuesQuery(Schema):
    territoire: str = ""
    mois: str = ""
    famille: str = ""
    profil: str = ""


@router.get("/indicateurs", response=list[IndicatorOut], summary="Indicators of the observatory and their definitions")
def list_indicators(request: HttpRequest):
    return list(selectors.definitions().values())


@router.get(
    "/indicateurs/{slug}",
    response={200: ValuesOut, 404: ObservatoryErrorOut, 422: ObservatoryErrorOut},
    summary="Stored values of one indicator for a territory and month (no personal data, small cells hidden)",
)
def indicator_values(request: HttpRequest, slug: str, query: Query[ValuesQuery]):
    found = resolve(slug, query.territoire, query.mois)
    if isinstance(found, Problem):
        return Status(
            found.status, {"message": found.message, "errors": [{"field": found.field, "message": found.message}]}
        )
    territory, period = found
    wanted = {name: value for name, value in (("famille", query.famille), ("profil", query.profil)) if value}
    return {
        "indicator": selectors.definitions()[slug],
        "territory": territory.slug,
        "month": f"{period:%Y-%m}",
        "small_cells": f"Les effectifs de personnes inférieurs à {MIN_CELL} sont masqués (null).",
        "rows": [row for row in opendata.rows(slug, territory.slug, period) if _matches(row, wanted)],
    }


def _matches(row: dict, wanted: dict[str, str]) -> bool:
    return all(row.get(name) == value for name, value in wanted.items())


@dataclass(frozen=True)
class Problem:
    status: int
    field: str
    message: str


def resolve(slug: str, territory_slug: str, month: str) -> tuple[Territory, date] | Problem:
    """(territory, month) of a request, or why it cannot be answered (in French, naming the field)."""
    if slug not in selectors.definitions():
        return Problem(404, "indicateur", f"Indicateur inconnu : « {slug} ».")
    territory = Territory.objects.filter(slug=territory_slug).first() if territory_slug else default_territory()
    if territory is None:
        return Problem(404, "territoire", f"Territoire inconnu : « {territory_slug} ».")
    if month:
        try:
            period = date.fromisoformat(f"{month}-01")
        except ValueError:
            return Problem(422, "mois", f"mois : « {month} » n'est pas un mois au format AAAA-MM.")
    else:
        period = selectors.latest_period(territory.slug, slug)
        if period is None:
            return Problem(404, "mois", f"Aucune valeur de cet indicateur n'est encore calculée pour {territory.name}.")
    return territory, period
