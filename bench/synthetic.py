"""A deterministic synthetic national-scale service offer, for benchmarks only.

Every French commune with a reference point (34,875 of 34,969: the 94 of the overseas
collectivities have none) receives places in proportion to its population, scattered
around its point; services sit at one place each (a few are remote-only) and carry one
to three of 30 data·inclusion thematiques drawn from a Zipf-like law, so a few
thematiques are very common and most are rare, as in the real offer. Same seed, same
offer, same queries.
"""

from __future__ import annotations

import csv
import gzip
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
COMMUNES_CSV = ROOT / "carteblanche" / "territories" / "data" / "communes-2026.csv.gz"

SEED = 20260101
N_PLACES = 110_000
N_SERVICES = 330_000
N_THEMATIQUES = 30
REMOTE_SHARE = 0.01  # services reachable only by phone / online (e.g. a department's phone line)
ZIPF_EXPONENT = 1.1
SCATTER_KM = 1.5  # standard deviation of a place's offset from its commune's point

# Plausible rules in the OpenStreetMap syntax; "" means "hours unknown", as in real data.
OPENING_HOURS = (
    "Mo-Fr 09:00-12:00,13:30-17:00; PH off",
    "Mo-Fr 08:30-12:30; PH off",
    "Mo,Tu,Th,Fr 09:00-12:00,14:00-16:30; PH off",
    "Tu,Th 14:00-17:00; PH off",
    "Mo-Sa 09:00-12:00; PH off",
    "We[1] 09:00-12:00",
    "",
)
CHANNEL_KINDS = ("counter", "counter", "counter", "itinerant")
REMOTE_KINDS = ("phone", "online")


@dataclass(frozen=True)
class SyntheticOffer:
    thematiques: tuple[str, ...]
    commune_codes: np.ndarray  # str
    commune_lat: np.ndarray
    commune_lon: np.ndarray
    commune_population: np.ndarray
    place_commune: np.ndarray  # index into the commune arrays
    place_lat: np.ndarray
    place_lon: np.ndarray
    place_hours: np.ndarray  # index into OPENING_HOURS
    place_wheelchair: np.ndarray  # bool
    service_place: np.ndarray  # index into the place arrays, -1 for remote-only
    service_theme_ptr: np.ndarray  # CSR: thematiques of service i are theme_ids[ptr[i]:ptr[i+1]]
    service_theme_ids: np.ndarray  # index into `thematiques`
    service_kind: np.ndarray  # index into CHANNEL_KINDS (located) or REMOTE_KINDS (remote)

    @property
    def n_places(self) -> int:
        return len(self.place_lat)

    @property
    def n_services(self) -> int:
        return len(self.service_place)

    def services_of_theme(self) -> dict[int, np.ndarray]:
        """Theme index -> sorted service indexes having it."""
        counts = np.diff(self.service_theme_ptr)
        owner = np.repeat(np.arange(self.n_services), counts)
        order = np.argsort(self.service_theme_ids, kind="stable")
        themes = self.service_theme_ids[order]
        bounds = np.searchsorted(themes, np.arange(len(self.thematiques) + 1))
        return {t: owner[order[bounds[t] : bounds[t + 1]]] for t in range(len(self.thematiques))}

    def theme_counts(self) -> dict[str, int]:
        return {self.thematiques[t]: len(s) for t, s in self.services_of_theme().items()}


def read_communes() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    codes, lats, lons, pops = [], [], [], []
    with gzip.open(COMMUNES_CSV, "rt", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if not row["lat"] or not row["lon"]:
                continue  # the overseas collectivities' communes have no reference point
            codes.append(row["code"])
            lats.append(float(row["lat"]))
            lons.append(float(row["lon"]))
            pops.append(int(row["population"] or 0))
    return np.array(codes), np.array(lats), np.array(lons), np.array(pops, dtype=np.int64)


def pick_thematiques(rng: np.random.Generator) -> tuple[str, ...]:
    from data_inclusion.schema.v1 import Thematique

    values = sorted(t.value for t in Thematique)
    chosen = rng.choice(len(values), size=N_THEMATIQUES, replace=False)
    return tuple(values[i] for i in chosen)  # order = popularity rank


def zipf_weights(n: int) -> np.ndarray:
    weights = 1.0 / np.arange(1, n + 1) ** ZIPF_EXPONENT
    return weights / weights.sum()


def scatter(rng: np.random.Generator, lat: np.ndarray, lon: np.ndarray, sigma_km: float):
    dlat = rng.normal(0.0, sigma_km, len(lat)) / 111.2
    dlon = rng.normal(0.0, sigma_km, len(lat)) / (111.2 * np.cos(np.radians(lat)))
    return np.clip(lat + dlat, -89.9, 89.9), ((lon + dlon + 180.0) % 360.0) - 180.0


def generate(
    seed: int = SEED, n_places: int = N_PLACES, n_services: int = N_SERVICES, *, max_communes: int | None = None
) -> SyntheticOffer:
    rng = np.random.default_rng(seed)
    codes, c_lat, c_lon, pop = read_communes()
    if max_communes is not None:  # smaller offers for quick runs
        keep = rng.choice(len(codes), size=max_communes, replace=False)
        keep.sort()
        codes, c_lat, c_lon, pop = codes[keep], c_lat[keep], c_lon[keep], pop[keep]
    thematiques = pick_thematiques(rng)

    weight = pop + 1.0  # every commune can host a place
    place_commune = rng.choice(len(codes), size=n_places, p=weight / weight.sum())
    # Every commune with more than 2,000 inhabitants has at least one place (its town hall, say).
    big = np.flatnonzero(pop > 2000)
    place_commune[: len(big)] = big
    place_commune.sort()
    p_lat, p_lon = scatter(rng, c_lat[place_commune], c_lon[place_commune], SCATTER_KM)
    place_hours = rng.choice(len(OPENING_HOURS), size=n_places)
    place_wheelchair = rng.random(n_places) < 0.6

    remote = rng.random(n_services) < REMOTE_SHARE
    service_place = rng.integers(0, n_places, size=n_services)
    service_place[remote] = -1
    n_themes = rng.choice([1, 2, 3], size=n_services, p=[0.7, 0.25, 0.05])
    ptr = np.concatenate(([0], np.cumsum(n_themes)))
    weights = zipf_weights(N_THEMATIQUES)
    theme_ids = np.empty(ptr[-1], dtype=np.int64)
    draws = rng.choice(N_THEMATIQUES, size=(n_services, 3), p=weights)
    for i in range(3):  # distinct thematiques per service; collisions re-drawn by shifting
        rows = np.flatnonzero(n_themes > i)
        col = draws[rows, i]
        for j in range(i):
            clash = col == draws[rows, j]
            col = np.where(clash, (col + 1 + j) % N_THEMATIQUES, col)
        draws[rows, i] = col
        theme_ids[ptr[rows] + i] = col
    kinds = np.where(remote, rng.integers(0, len(REMOTE_KINDS), n_services), rng.integers(0, 4, n_services))
    return SyntheticOffer(
        thematiques=thematiques,
        commune_codes=codes,
        commune_lat=c_lat,
        commune_lon=c_lon,
        commune_population=pop,
        place_commune=place_commune,
        place_lat=p_lat,
        place_lon=p_lon,
        place_hours=place_hours,
        place_wheelchair=place_wheelchair,
        service_place=service_place,
        service_theme_ptr=ptr,
        service_theme_ids=theme_ids,
        service_kind=kinds,
    )


def queries(offer: SyntheticOffer, n: int = 2000, seed: int = SEED + 1) -> list[tuple[float, float, str]]:
    """Query points across France weighted by population (with a little scatter), random thematique."""
    return [(lat, lon, theme) for lat, lon, theme, _ in queries_with_communes(offer, n, seed)]


def queries_with_communes(
    offer: SyntheticOffer, n: int = 2000, seed: int = SEED + 1
) -> list[tuple[float, float, str, str]]:
    """The same queries, each with the code of the commune its point was drawn around."""
    rng = np.random.default_rng(seed)
    weight = offer.commune_population + 1.0
    picked = rng.choice(len(offer.commune_codes), size=n, p=weight / weight.sum())
    lat, lon = scatter(rng, offer.commune_lat[picked], offer.commune_lon[picked], 2.0)
    themes = rng.integers(0, len(offer.thematiques), size=n)
    return [
        (float(a), float(b), offer.thematiques[t], str(offer.commune_codes[c]))
        for a, b, t, c in zip(lat, lon, themes, picked, strict=True)
    ]


def describe(offer: SyntheticOffer) -> dict:
    counts = sorted(offer.theme_counts().values(), reverse=True)
    return {
        "seed": SEED,
        "communes": len(offer.commune_codes),
        "places": offer.n_places,
        "services": offer.n_services,
        "remote_only_services": int((offer.service_place < 0).sum()),
        "thematiques": len(offer.thematiques),
        "services_per_thematique_max": counts[0],
        "services_per_thematique_median": int(np.median(counts)),
        "services_per_thematique_min": counts[-1],
        "thematiques_per_service_mean": round(float(np.diff(offer.service_theme_ptr).mean()), 3),
        "earth_radius_km": 6371.0088,
        "scatter_km": SCATTER_KM,
        "zipf_exponent": ZIPF_EXPONENT,
        "check": math.isfinite(float(offer.place_lat.sum())),
    }
