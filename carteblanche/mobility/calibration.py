"""Published distances and travel times the road model is checked against. Pure module.

Points are the commune reference points shipped with the territories data (centroids), so part
of the error is the gap between a centroid and the village centre a source measured from.
`python -m carteblanche.mobility.calibration` prints the table quoted in docs/mobility.md.
"""

from dataclasses import dataclass

from carteblanche.mobility.travel import CAR_ACCESS_MINUTES, RURAL, Point, crow_km, road_km, road_minutes

# Commune reference points (INSEE code, name, latitude, longitude) from communes-2026.csv.gz.
PLACES: dict[str, tuple[str, float, float]] = {
    "46042": ("Cahors", 44.45084, 1.44053),
    "46064": ("Catus", 44.55807, 1.34112),
    "46264": ("Saint-Denis-Catus", 44.56935, 1.38786),
    "46211": ("Nuzéjouls", 44.53693, 1.37330),
    "46205": ("Montgesty", 44.57515, 1.29329),
    "46280": ("Saint-Médard", 44.53896, 1.29516),
    "46080": ("Crayssac", 44.51674, 1.33036),
    "46095": ("Espère", 44.51411, 1.37054),
    "46046": ("Calamane", 44.51999, 1.41017),
    "46316": ("Thédirac", 44.59945, 1.32046),
    "46070": ("Cieurac", 44.37056, 1.49819),
    "46109": ("Fontanes", 44.32479, 1.49092),
    "46148": ("Lalbenque", 44.33330, 1.56515),
    "46127": ("Gourdon", 44.73485, 1.37690),
    "31555": ("Toulouse", 43.59604, 1.43209),
    "46320": ("Tour-de-Faure", 44.47571, 1.68727),
    "46171": ("Lherm", 44.56996, 1.24069),
    "46007": ("Arcambal", 44.45465, 1.54783),
    "46191": ("Mercuès", 44.49756, 1.38920),
    "46172": ("Pern-Lhospitalet", 44.34160, 1.41539),
    "46201": ("Montcuq-en-Quercy-Blanc", 44.34268, 1.17142),
    "46009": ("Assier", 44.67215, 1.87432),
    "46102": ("Figeac", 44.60528, 2.02545),
}

FRANCE_VOYAGE_CATUS = "https://www.france-voyage.com/francia-citta/catus-16118.htm"
TRESOR_GRAND_CAHORS = "http://tresordesregions.mgm.fr/epci.php?lepci=Cahors%28Grand%29&dep=46"
TRESOR_LALBENQUE = "http://tresordesregions.mgm.fr/epci.php?region=76&epci=244600532"
TRESOR_GOURDON = "https://tresordesregions.mgm.fr/cant.php?cl=Gourdon&region=73"
FUTURA_LOT = "https://www.futura-sciences.com/magazines/voyage/infos/dossiers/d/voyage-tourisme-lot-1247/page/2/"
CAHORS_BUS = (
    "https://www.occitanie-tribune.com/articles/25646/cahors-visite-du-tarn-et-garonne-pour-le-dispositif-"
    "d-accompagnement-du-bus-france-services"
)
LOTOCAR_RESULTS = "https://www.blogdesbourians.fr/covoiturage-solidaire-et-gratuit-loto-car/"


@dataclass(frozen=True, slots=True)
class Reference:
    origin: str  # INSEE code
    destination: str
    km: float | None  # published distance; `km_kind` says which
    minutes: float | None  # published driving time
    source: str
    km_kind: str = "road"  # "road" (a route planner) or "stated" (a text that does not say how it measured)
    min_minutes: float | None = None  # a published lower bound ("30+ min away")


REFERENCES: tuple[Reference, ...] = (
    # A route planner's distance and time from Catus to its neighbours and to the préfecture.
    Reference("46064", "46042", 17.9, 22, FRANCE_VOYAGE_CATUS),
    Reference("46064", "46264", 4.7, 5, FRANCE_VOYAGE_CATUS),
    Reference("46064", "46211", 5.3, 9, FRANCE_VOYAGE_CATUS),
    Reference("46064", "46205", 5.5, 7, FRANCE_VOYAGE_CATUS),
    Reference("46064", "46280", 5.8, 8, FRANCE_VOYAGE_CATUS),
    Reference("46064", "46080", 6.9, 10, FRANCE_VOYAGE_CATUS),
    Reference("46064", "46095", 7.9, 11, FRANCE_VOYAGE_CATUS),
    Reference("46064", "46046", 7.9, 12, FRANCE_VOYAGE_CATUS),
    Reference("46064", "46316", 7.9, 11, FRANCE_VOYAGE_CATUS),
    # A geographical gazetteer (R. Brunet, Trésor des régions): distances from Cahors, method not stated.
    Reference("46042", "46070", 12, None, TRESOR_GRAND_CAHORS, km_kind="stated"),
    Reference("46042", "46109", 18, None, TRESOR_GRAND_CAHORS, km_kind="stated"),
    Reference("46042", "46148", 18, None, TRESOR_LALBENQUE, km_kind="stated"),
    Reference("46042", "46127", 44, None, TRESOR_GOURDON, km_kind="stated"),
    Reference("46042", "31555", 115, None, FUTURA_LOT, km_kind="stated"),
    # "Some live 30+ min away, e.g. Tour-de-Faure, Lherm" (Grand Cahors France Services bus).
    Reference("46320", "46042", None, None, CAHORS_BUS, min_minutes=30),
    Reference("46171", "46042", None, None, CAHORS_BUS, min_minutes=30),
)

# Lot'Ô car's 8 "lines" (7 to Cahors, 1 Assier -> Figeac); its mean trip was 22 km (first 8 months).
LOTOCAR_LINES: tuple[tuple[str, str], ...] = (
    ("46007", "46042"),
    ("46080", "46042"),
    ("46095", "46042"),
    ("46172", "46042"),
    ("46127", "46042"),
    ("46191", "46042"),
    ("46201", "46042"),
    ("46009", "46102"),
)
LOTOCAR_MEAN_TRIP_KM = 22.0


def _point(code: str) -> Point:
    _, lat, lon = PLACES[code]
    return Point(lat, lon)


@dataclass(frozen=True, slots=True)
class Check:
    reference: Reference
    crow_km: float
    model_km: float
    model_minutes: float  # door to door (driving + CAR_ACCESS_MINUTES)

    @property
    def km_error(self) -> float | None:
        """Relative error of the modelled road distance (model / published - 1)."""
        return None if self.reference.km is None else self.model_km / self.reference.km - 1

    @property
    def minutes_error(self) -> float | None:
        """Relative error of the driving time; a route planner's time has no parking, so neither does this."""
        if self.reference.minutes is None:
            return None
        return (self.model_minutes - CAR_ACCESS_MINUTES) / self.reference.minutes - 1

    @property
    def meets_lower_bound(self) -> bool:
        bound = self.reference.min_minutes
        return bound is None or self.model_minutes >= bound


def checks(*, terrain: str = RURAL) -> list[Check]:
    result = []
    for ref in REFERENCES:
        a, b = _point(ref.origin), _point(ref.destination)
        model_km, model_minutes = road_km(a, b, terrain=terrain), road_minutes(a, b, terrain=terrain)
        result.append(Check(ref, crow_km(a, b), model_km, model_minutes))
    return result


def mean_abs(values: list[float]) -> float:
    return sum(abs(v) for v in values) / len(values)


def summary() -> dict[str, float]:
    """Mean absolute relative errors, per kind of reference, and the Lot'Ô car plausibility check."""
    all_checks = checks()
    road = [c.km_error for c in all_checks if c.reference.km_kind == "road" and c.km_error is not None]
    stated = [c.km_error for c in all_checks if c.reference.km_kind == "stated" and c.km_error is not None]
    minutes = [c.minutes_error for c in all_checks if c.minutes_error is not None]
    lines_km = [road_km(_point(a), _point(b)) for a, b in LOTOCAR_LINES]
    return {
        "road_km_mape": mean_abs(road),
        "road_km_max_error": max(abs(v) for v in road),
        "stated_km_mape": mean_abs(stated),
        "minutes_mape": mean_abs(minutes),
        "minutes_max_error": max(abs(v) for v in minutes),
        "lower_bounds_met": float(all(c.meets_lower_bound for c in all_checks)),
        "lotocar_lines_mean_km": sum(lines_km) / len(lines_km),
    }


if __name__ == "__main__":  # pragma: no cover
    for c in checks():
        ref = c.reference
        bound = f">= {ref.min_minutes}" if ref.min_minutes else ""
        print(
            f"{PLACES[ref.origin][0]:>14} -> {PLACES[ref.destination][0]:<18} crow {c.crow_km:6.1f}"
            f"  model {c.model_km:6.1f} km {c.model_minutes:5.1f} min"
            f"  published {ref.km or '-'} km {ref.minutes or '-'} min {bound}"
        )
    for key, value in summary().items():
        print(f"{key}: {value:.3f}")
