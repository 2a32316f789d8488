"""The observatory's open data: stored values as flat rows, with no personal data and small cells hidden.

Counts of people (referrals, survey answers, known claimants) under `MIN_CELL` are hidden, within a
row and across the rows of one breakdown, so that no published total gives a hidden cell back
(secondary suppression). Population and service counts describe no person and are published whole.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from carteblanche.observatory.models import IndicatorValue
from carteblanche.observatory.suppression import HIDDEN, is_small, share_or_none, suppress_row

REFERRAL_COUNTS = (
    "sent",
    "accuse_dans_le_delai",
    "reponse_dans_le_delai",
    "acceptees",
    "refusees",
    "reorientees",
    "expirees",
)


def rows(indicator: str, territory_slug: str, period: date) -> list[dict[str, Any]]:
    values = list(
        IndicatorValue.objects.filter(indicator=indicator, territory_slug=territory_slug, period=period).order_by(
            "area_kind", "area_code", "key"
        )
    )
    shape = {
        "acces": _reach,
        "fraicheur": _freshness,
        "suivi-orientations": _referrals,
        "satisfaction": _satisfaction,
        "non-recours": _non_take_up,
        "capacite": _capacity,
        "besoins-non-couverts": _unmet,
        "demarches-guichet": _procedures,
    }[indicator]
    return shape(values)


def _base(value: IndicatorValue) -> dict[str, Any]:
    return {
        "mois": f"{value.period:%Y-%m}",
        "zone_type": value.area_kind,
        "zone_code": value.area_code,
        "zone_nom": value.area_name,
        **value.dims,
    }


def _reach(values: list[IndicatorValue]) -> list[dict[str, Any]]:
    out = []
    for value in values:
        row = _base(value)
        if value.area_kind == "commune":
            row |= {"population": value.extra.get("population"), "trajet_le_plus_court_min": _round(value.value)}
            row |= {f"acces_{threshold}min": way for threshold, way in sorted(value.extra.get("ways", {}).items())}
        else:
            row |= {"part": _round(value.value, 4), "habitants_servis": value.numerator, "habitants": value.denominator}
        out.append(row)
    return out


def _freshness(values: list[IndicatorValue]) -> list[dict[str, Any]]:
    return [
        _base(v) | {"part_recente": _round(v.value, 4), "services_recents": v.numerator, "services": v.denominator}
        for v in values
    ]


def _capacity(values: list[IndicatorValue]) -> list[dict[str, Any]]:
    return [_base(v) | {"heures_pour_1000_habitants": _round(v.value, 2)} | v.extra for v in values]


def _procedures(values: list[IndicatorValue]) -> list[dict[str, Any]]:
    """Counts of procedures, not of people; small counts are hidden like every other count."""
    return [_base(v) | {"demarches": HIDDEN if is_small(v.value) else v.value} for v in values]


def _unmet(values: list[IndicatorValue]) -> list[dict[str, Any]]:
    """Counts of requests, not of people; still, small counts are hidden like every count of answers."""
    out = []
    for value in values:
        counts = suppress_row(
            {"aucune": value.extra.get("aucune", 0), "a_confirmer": value.extra.get("a_confirmer", 0)}
        )
        total = HIDDEN if is_small(value.denominator) else value.denominator
        out.append(_base(value) | {"demandes": total} | counts)
    return out


def _by_breakdown(values: list[IndicatorValue], base_count: str) -> dict[str, dict[int, float | None]]:
    """Per breakdown ("partenaire", "besoin"…), the base count of each row after suppression across rows."""
    groups: dict[str, dict[int, float]] = defaultdict(dict)
    for index, value in enumerate(values):
        groups[value.dims.get("par", "")][index] = value.extra.get(base_count, 0)
    kept: dict[str, dict[int, float | None]] = {}
    for group, counts in groups.items():
        if group == "tous":
            kept[group] = {i: (HIDDEN if is_small(c) else c) for i, c in counts.items()}
        else:
            kept[group] = {int(i): c for i, c in suppress_row({str(i): c for i, c in counts.items()}).items()}
    return kept


def _referrals(values: list[IndicatorValue]) -> list[dict[str, Any]]:
    kept = _by_breakdown(values, "sent")
    out = []
    for index, value in enumerate(values):
        base = kept[value.dims.get("par", "")][index]
        counts = {name: value.extra.get(name, 0) for name in REFERRAL_COUNTS}
        if base is HIDDEN:
            counts = dict.fromkeys(counts, HIDDEN)
        else:
            counts = {"sent": base} | suppress_row({k: v for k, v in counts.items() if k != "sent"})
        row = _base(value) | counts
        if base is not HIDDEN:
            row["delai_median_reponse_jours"] = value.extra.get("delai_median_reponse_jours")
        out.append(row)
    return out


def _satisfaction(values: list[IndicatorValue]) -> list[dict[str, Any]]:
    kept = _by_breakdown(values, "reponses")
    out = []
    for index, value in enumerate(values):
        answers = kept[value.dims.get("par", "")][index]
        row = _base(value) | {"reponses": answers}
        if answers is HIDDEN:
            row |= {"part_satisfaits": HIDDEN, "part_reponse_obtenue": HIDDEN}
        else:
            row |= {
                "part_satisfaits": _round(share_or_none(value.extra.get("satisfaits", 0), answers), 4),
                "part_reponse_obtenue": _round(share_or_none(value.extra.get("reponse_obtenue", 0), answers), 4),
            }
        out.append(row)
    return out


def _non_take_up(values: list[IndicatorValue]) -> list[dict[str, Any]]:
    out = []
    for value in values:
        known = value.extra.get("beneficiaires_connus")
        out.append(
            _base(value)
            | {
                "menages_estimes_eligibles": _round(value.value, 1),
                "menages": value.denominator,
                "part_eligible_estimee": _round(value.extra.get("part_eligible"), 4),
                "mois_simule": value.extra.get("mois_simule"),
                "beneficiaires_connus": HIDDEN if is_small(known) else known,
                "source_beneficiaires": value.extra.get("source_beneficiaires"),
            }
        )
    return out


def _round(number: float | None, digits: int = 0) -> float | None:
    if number is None:
        return None
    return round(number, digits) if digits else round(number)


# Columns whose empty value means "hidden" (not "not computable"): CSV writes "secret" there.
SUPPRESSIBLE = frozenset(
    {
        *REFERRAL_COUNTS,
        "reponses",
        "part_satisfaits",
        "part_reponse_obtenue",
        "beneficiaires_connus",
        "demandes",
        "aucune",
        "a_confirmer",
    }
)
