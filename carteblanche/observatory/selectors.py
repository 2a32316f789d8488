"""Reads of the observatory: stored indicator values shaped for pages, exports and promises."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.db.models import Max

from carteblanche.observatory import maps, reach
from carteblanche.observatory.models import AreaKind, ComputationRun, IndicatorValue

DATA_DIR = Path(__file__).resolve().parent / "data"


def dims_key(dims: dict[str, Any]) -> str:
    """The canonical text of a breakdown, so one breakdown is one key."""
    return ";".join(f"{name}={dims[name]}" for name in sorted(dims))


@lru_cache(maxsize=1)
def definitions() -> dict[str, dict]:
    data = json.loads((DATA_DIR / "indicators.json").read_text(encoding="utf-8"))
    return {entry["slug"]: entry for entry in data["indicators"]}


def latest_period(territory_slug: str, indicator: str | None = None) -> date | None:
    values = IndicatorValue.objects.filter(territory_slug=territory_slug)
    if indicator:
        values = values.filter(indicator=indicator)
    return values.aggregate(latest=Max("period"))["latest"]


def last_run(territory_slug: str) -> ComputationRun | None:
    return ComputationRun.objects.filter(territory_slug=territory_slug).first()


def families(territory_slug: str, period: date) -> list[tuple[str, str]]:
    """(slug, label) of the need families that have reach values, in label order."""
    rows = IndicatorValue.objects.filter(
        indicator="fraicheur", territory_slug=territory_slug, period=period
    ).values_list("dims", "extra")
    found = {
        dims["famille"]: extra.get("label", dims["famille"]) for dims, extra in rows if dims["famille"] != "toutes"
    }
    return sorted(found.items(), key=lambda item: item[1])


# --------------------------------------------------------------------------- reach

WAY_CLASSES = [
    maps.MapClass(reach.Way.HERE.value, "permanence dans la commune", "#000091"),
    maps.MapClass(reach.Way.TRIP.value, "trajet dans le délai", "#6a6af4"),
    maps.MapClass(reach.Way.HOME.value, "visite à domicile seulement", "#cacafb"),
    maps.MapClass(reach.Way.REMOTE.value, "à distance seulement", "#ececfe", pattern="hatch"),
    maps.MapClass(reach.Way.NONE.value, "aucun service", "#ffffff", pattern="cross"),
]


@dataclass
class ReachRow:
    code: str
    name: str
    population: int
    minutes: float | None
    way: str
    way_label: str
    epci: str

    @property
    def in_person(self) -> bool:
        return self.way in (reach.Way.HERE, reach.Way.TRIP, reach.Way.HOME)


@dataclass
class ReachView:
    period: date
    family: str
    profile: str
    threshold: int
    rows: list[ReachRow]
    shares: list[dict[str, Any]]  # per area: name, kind, population, sur_place and total shares
    left_out: list[ReachRow] = field(default_factory=list)

    def map_svg(self, title: str) -> str:
        labels = {
            row.code: row.way_label
            + ("" if row.minutes is None else f" ; trajet le plus court : {round(row.minutes)} min")
            for row in self.rows
        }
        return maps.render({row.code: row.way for row in self.rows}, WAY_CLASSES, title=title, labels=labels)


def reach_view(territory_slug: str, *, family: str, profile: str, threshold: int, period: date) -> ReachView:
    base = {"famille": family, "profil": profile}
    communes = IndicatorValue.objects.filter(
        indicator="acces",
        territory_slug=territory_slug,
        period=period,
        area_kind=AreaKind.COMMUNE,
        key=dims_key(base),
    ).order_by("area_name")
    labels = {c.key: c.label for c in WAY_CLASSES}
    rows = []
    for value in communes:
        way = value.extra.get("ways", {}).get(str(threshold), reach.Way.NONE.value)
        rows.append(
            ReachRow(
                value.area_code,
                value.area_name,
                int(value.extra.get("population", 0)),
                value.value,
                way,
                labels.get(way, way),
                value.extra.get("epci", ""),
            )
        )
    shares = []
    aggregates = IndicatorValue.objects.filter(
        indicator="acces",
        territory_slug=territory_slug,
        period=period,
        area_kind__in=[AreaKind.TERRITORY, AreaKind.EPCI],
        dims__famille=family,
        dims__profil=profile,
        dims__seuil=threshold,
    )
    by_area: dict[tuple[str, str], dict[str, Any]] = {}
    for value in aggregates:
        entry = by_area.setdefault(
            (value.area_kind, value.area_code),
            {
                "kind": value.area_kind,
                "code": value.area_code,
                "name": value.area_name,
                "population": value.denominator,
            },
        )
        entry[value.dims["mesure"].replace("-", "_")] = value.value
    shares = sorted(by_area.values(), key=lambda e: (e["kind"] != AreaKind.TERRITORY, e["name"]))
    left_out = sorted((r for r in rows if not r.in_person), key=lambda r: (-r.population, r.name))
    return ReachView(period, family, profile, threshold, rows, shares, left_out)


def series(
    territory_slug: str, indicator: str, dims: dict[str, Any], *, area_kind: str = AreaKind.TERRITORY
) -> list[IndicatorValue]:
    """Values of one breakdown over the months, oldest first (the trend)."""
    return list(
        IndicatorValue.objects.filter(
            indicator=indicator, territory_slug=territory_slug, area_kind=area_kind, key=dims_key(dims)
        ).order_by("period")
    )


# --------------------------------------------------------------------------- promises


@dataclass
class PromiseState:
    slug: str
    text: str
    personas: list[str]
    indicator: str
    dims: dict[str, Any]
    ratio: list[str] | None
    initial: float | None
    initial_date: date | None
    target: float
    target_date: date
    current: float | None = None
    current_period: date | None = None
    trend: list[tuple[date, float | None]] = field(default_factory=list)
    verdict: str = "pas encore mesurée"
    progress: float | None = None
    source: str = ""


def promise_value(value: IndicatorValue, ratio: list[str] | None) -> float | None:
    """The promise's figure from a stored value: the value itself, or a ratio of two of its counts."""
    if ratio is None:
        return value.value
    top, bottom = (value.extra.get(name) for name in ratio)
    if not bottom:
        return None
    return top / bottom


def verdict(
    *,
    initial: float | None,
    initial_date: date | None,
    target: float,
    target_date: date,
    current: float | None,
    today: date,
) -> tuple[str, float | None]:
    """(« tenue » / « pas encore » / « en risque » / « pas encore mesurée », progress 0–1 from initial to target)."""
    if current is None:
        return "pas encore mesurée", None
    if current >= target:
        return "tenue", 1.0
    if initial is None or initial_date is None or target <= initial:
        return "pas encore", None
    progress = max(0.0, (current - initial) / (target - initial))
    span = (target_date - initial_date).days
    expected = 1.0 if span <= 0 else min(1.0, max(0.0, (today - initial_date).days / span))
    return ("pas encore" if progress >= expected else "en risque"), progress


def promises(territory_slug: str, *, today: date) -> list[PromiseState]:
    data = json.loads((DATA_DIR / "promises.json").read_text(encoding="utf-8"))
    states = []
    for entry in data["promises"]:
        if entry.get("territory", territory_slug) != territory_slug:
            continue
        state = PromiseState(
            slug=entry["slug"],
            text=entry["text"],
            personas=entry.get("personas", []),
            indicator=entry["indicator"],
            dims=entry["dims"],
            ratio=entry.get("ratio"),
            initial=entry.get("initial"),
            initial_date=date.fromisoformat(entry["initial_date"]) if entry.get("initial_date") else None,
            target=entry["target"],
            target_date=date.fromisoformat(entry["target_date"]),
            source=entry.get("source", ""),
        )
        values = series(territory_slug, state.indicator, state.dims)
        state.trend = [(v.period, promise_value(v, state.ratio)) for v in values]
        measured = [(period, figure) for period, figure in state.trend if figure is not None]
        if measured:
            state.current_period, state.current = measured[-1]
        state.verdict, state.progress = verdict(
            initial=state.initial,
            initial_date=state.initial_date,
            target=state.target,
            target_date=state.target_date,
            current=state.current,
            today=today,
        )
        states.append(state)
    return states


def reach_summary(territory_slug: str, period: date, *, threshold: int = 20) -> list[dict[str, Any]]:
    """Per need family: the territory's share reached in person within the threshold, per profile
    (keys voiture, sans_voiture, sans_voiture_sans_internet)."""
    rows = IndicatorValue.objects.filter(
        indicator="acces",
        territory_slug=territory_slug,
        period=period,
        area_kind=AreaKind.TERRITORY,
        dims__seuil=threshold,
        dims__mesure="sur-place",
    )
    labels = dict(families(territory_slug, period))
    table: dict[str, dict[str, Any]] = {}
    for value in rows:
        family = value.dims["famille"]
        entry = table.setdefault(family, {"slug": family, "label": labels.get(family, family)})
        entry[value.dims["profil"].replace("-", "_")] = value.value
    return sorted(table.values(), key=lambda e: e["label"])


def freshness_table(territory_slug: str, period: date) -> list[IndicatorValue]:
    return list(
        IndicatorValue.objects.filter(indicator="fraicheur", territory_slug=territory_slug, period=period).order_by(
            "area_name", "key"
        )
    )


def breakdown_table(territory_slug: str, indicator: str, period: date) -> list[IndicatorValue]:
    """Follow-through or satisfaction rows of the month: all first, then per partner, need, channel."""
    order = {"tous": 0, "partenaire": 1, "besoin": 2, "canal": 3}
    rows = IndicatorValue.objects.filter(indicator=indicator, territory_slug=territory_slug, period=period)
    return sorted(rows, key=lambda v: (order.get(v.dims.get("par"), 9), v.area_name))


def non_take_up_table(territory_slug: str, period: date) -> list[IndicatorValue]:
    return list(
        IndicatorValue.objects.filter(indicator="non-recours", territory_slug=territory_slug, period=period).order_by(
            "area_name", "key"
        )
    )


@lru_cache(maxsize=1)
def national_non_take_up() -> dict[str, dict]:
    """DREES national rates by benefit code (context for the local estimates)."""
    data = json.loads((DATA_DIR / "national_non_take_up.json").read_text(encoding="utf-8"))
    return {entry["benefit"]: entry for entry in data["rates"]}


CAPACITY_CLASSES = [
    maps.MapClass("10+", "10 h ou plus", "#000091"),
    maps.MapClass("5-10", "de 5 à 10 h", "#6a6af4"),
    maps.MapClass("2-5", "de 2 à 5 h", "#cacafb"),
    maps.MapClass("0-2", "moins de 2 h", "#ececfe", pattern="hatch"),
    maps.MapClass("0", "aucun guichet à 20 minutes", "#ffffff", pattern="cross"),
]


def capacity_class(score: float | None) -> str:
    if not score:
        return "0"
    if score < 2:
        return "0-2"
    if score < 5:
        return "2-5"
    return "5-10" if score < 10 else "10+"


def capacity_view(territory_slug: str, *, profile: str, period: date) -> dict[str, Any]:
    values = IndicatorValue.objects.filter(
        indicator="capacite", territory_slug=territory_slug, period=period, dims__profil=profile
    )
    communes = sorted((v for v in values if v.area_kind == AreaKind.COMMUNE), key=lambda v: v.area_name)
    total = next((v for v in values if v.area_kind == AreaKind.TERRITORY), None)
    labels = {c.key: c.label for c in CAPACITY_CLASSES}
    svg = maps.render(
        {v.area_code: capacity_class(v.value) for v in communes},
        CAPACITY_CLASSES,
        title="Heures d'ouverture de guichets généralistes pour 1 000 habitants, à 20 minutes",
        labels={v.area_code: f"{v.value:.1f} h pour 1 000 habitants" for v in communes},
    )
    rows = [{"value": v, "label": labels[capacity_class(v.value)]} for v in communes]
    return {"rows": rows, "total": total, "map_svg": svg}


def unmet_this_week(territory_slug: str, *, today: date) -> list[dict[str, Any]]:
    """The last 7 days' plans and searches that found nothing usable, by commune and need (counts only)."""
    from datetime import timedelta

    from django.db.models import Sum

    from carteblanche.directory.models import Need
    from carteblanche.observatory.models import AnswerCount
    from carteblanche.territories.models import Territory

    territory = Territory.objects.filter(slug=territory_slug).first()
    if territory is None:
        return []
    names = dict(territory.communes.values_list("code", "name"))
    rows = (
        AnswerCount.objects.filter(
            day__gt=today - timedelta(days=7),
            day__lte=today,
            commune_code__in=list(names),
            outcome__in=["aucune", "a-confirmer"],
        )
        .values("commune_code", "need_slug", "outcome")
        .annotate(n=Sum("count"))
    )
    labels = dict(Need.objects.values_list("slug", "label"))
    table: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        entry = table.setdefault(
            (row["commune_code"], row["need_slug"]),
            {
                "commune": names[row["commune_code"]],
                "need": labels.get(row["need_slug"], row["need_slug"]),
                "aucune": 0,
                "a_confirmer": 0,
            },
        )
        entry["aucune" if row["outcome"] == "aucune" else "a_confirmer"] += row["n"]
    return sorted(table.values(), key=lambda e: (-(e["aucune"] + e["a_confirmer"]), e["commune"], e["need"]))
