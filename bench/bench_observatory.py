"""Benchmark of the observatory's reach indicator. Prints JSON.

    .venv/bin/python bench/bench_observatory.py [--baseline-sample 300] [--max-communes N]

National: every commune of France (34,875 with a reference point) x every need family (the
synthetic offer's 30 thematiques) x the 3 travel profiles, on the synthetic national offer
(110,000 places, 330,000 services), with `reach.access_matrices` — the function the
`compute_indicators` command runs — given, per family, the 3 nearest places of a k-d tree within
MAX_CROW_KM. The mobility context is the road and walking model (no national GTFS feed is shipped:
public transport is left out at this scale, and said so in the output). Time and peak memory.

Baseline, in the same run: the straightforward way, one orientation plan (`Engine.plan`) per commune,
family and profile, whose best option gives the reach; measured on a random sample of triples and
extrapolated to all of them (the ratio quoted is extrapolated baseline / measured reach).

Cahors: the shipped territory recomputed end to end (`compute_indicators`, all indicators, stored),
on a SQLite database bootstrapped with the shipped data; and the reach step alone.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
from scipy.spatial import cKDTree

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import synthetic  # noqa: E402
from bench_orientation import SyntheticCatalogue  # noqa: E402

from carteblanche.mobility.travel import MobilityContext, Point, TimeWindow  # noqa: E402
from carteblanche.observatory import reach  # noqa: E402
from carteblanche.orientation.engine import Engine, NeedRequest, PersonSituation  # noqa: E402
from carteblanche.orientation.scoring import Digital  # noqa: E402
from carteblanche.territories.geo import PARIS  # noqa: E402

WINDOW = TimeWindow(datetime(2026, 3, 10, 9, tzinfo=PARIS), datetime(2026, 3, 10, 12, tzinfo=PARIS))
NEAREST = 3
EARTH_KM = 6371.0088


def unit_vectors(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    la, lo = np.radians(lat), np.radians(lon)
    return np.column_stack((np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)))


def families_of(offer: synthetic.SyntheticOffer):
    """Per thematique: the Reachable summary and the place indexes of its destinations."""
    by_theme = offer.services_of_theme()
    families, places_of = [], []
    for t in range(len(offer.thematiques)):
        services = by_theme[t]
        places = offer.service_place[services]
        located = services[places >= 0]
        place_ids = np.unique(offer.service_place[located])
        kinds = offer.service_kind[located]
        itinerant = offer.service_place[located][kinds == synthetic.CHANNEL_KINDS.index("itinerant")]
        remote = services[places < 0]
        remote_kinds = {synthetic.REMOTE_KINDS[k] for k in offer.service_kind[remote]}
        destinations = tuple(
            (
                Point(float(offer.place_lat[p]), float(offer.place_lon[p])),
                str(offer.commune_codes[offer.place_commune[p]]),
            )
            for p in place_ids
        )
        families.append(
            reach.Reachable(
                destinations=destinations,
                stop_communes=frozenset(str(offer.commune_codes[offer.place_commune[p]]) for p in itinerant),
                home_anywhere=False,
                home_communes=frozenset(),
                phone="phone" in remote_kinds,
                internet="online" in remote_kinds,
            )
        )
        places_of.append(place_ids)
    return families, places_of


def nearest_destinations(offer, areas_xyz: np.ndarray, families, places_of) -> list[np.ndarray]:
    """Per family: for each commune, the positions (in the family's destinations) of its NEAREST places
    within MAX_CROW_KM (-1 = none)."""
    chord = 2 * np.sin(reach.MAX_CROW_KM / EARTH_KM / 2)
    out = []
    for places in places_of:
        tree = cKDTree(unit_vectors(offer.place_lat[places], offer.place_lon[places]))
        k = min(NEAREST, len(places))
        _dist, idx = tree.query(areas_xyz, k=k, distance_upper_bound=chord)
        idx = idx.reshape(len(areas_xyz), k)
        out.append(np.where(idx >= len(places), -1, idx))
    return out


def national(max_communes: int | None) -> dict:
    t0 = time.perf_counter()
    offer = synthetic.generate(max_communes=max_communes)
    areas = [
        reach.Area(str(c), str(c), Point(float(a), float(o)), int(p))
        for c, a, o, p in zip(
            offer.commune_codes, offer.commune_lat, offer.commune_lon, offer.commune_population, strict=True
        )
    ]
    setup_s = time.perf_counter() - t0
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    t1 = time.perf_counter()
    families, places_of = families_of(offer)
    xyz = unit_vectors(offer.commune_lat, offer.commune_lon)
    nearest = nearest_destinations(offer, xyz, families, places_of)
    index_s = time.perf_counter() - t1

    def nearby(area: int, family: int):
        destinations = families[family].destinations
        return [destinations[i] for i in nearest[family][area] if i >= 0]

    context = MobilityContext()
    t2 = time.perf_counter()
    served = {}
    matrices = reach.access_matrices(areas, families, list(reach.Profile), context, WINDOW, nearby=nearby)
    for profile, matrix in matrices.items():
        served[profile.value] = round(
            sum(reach.population_share(areas, row, 20, in_person=True).ratio or 0 for row in matrix) / len(matrix), 4
        )
    reach_s = time.perf_counter() - t2
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "offer": synthetic.describe(offer),
        "communes": len(areas),
        "families": len(families),
        "profiles": len(reach.Profile),
        "accesses": len(areas) * len(families) * len(reach.Profile),
        "public_transport": "left out (no national GTFS feed shipped); road, walking, driven trips only",
        "setup_s": round(setup_s, 2),
        "index_s": round(index_s, 2),
        "reach_s": round(reach_s, 2),
        "total_s": round(index_s + reach_s, 2),
        "target_s": 60,
        "peak_rss_growth_mb": round((rss_after - rss_before) / 1024, 1),
        "mean_share_in_person_20min_by_profile": served,
        "_offer": offer,
        "_areas": areas,
        "_families": families,
    }


def baseline(result: dict, sample: int, seed: int = 7) -> dict:
    """One orientation plan per (commune, family, profile) on a random sample, extrapolated."""
    offer, areas, families = result.pop("_offer"), result.pop("_areas"), result.pop("_families")
    catalogue = SyntheticCatalogue(offer)
    by_theme = offer.services_of_theme()
    rng = random.Random(seed)
    engine = Engine(MobilityContext())
    now = datetime(2026, 3, 9, 8, tzinfo=PARIS)
    elapsed = 0.0
    for _ in range(sample):
        area = areas[rng.randrange(len(areas))]
        family = rng.randrange(len(families))
        profile = rng.choice(list(reach.Profile))
        theme = offer.thematiques[family]
        need = NeedRequest(slug=theme, label=theme, thematiques=(theme,))
        person = PersonSituation(
            home=area.point,
            commune_code=area.code,
            needs=(need,),
            now=now,
            availability=(WINDOW,),
            means=reach.PROFILE_MEANS[profile],
            digital=Digital.AUTONOMOUS if reach.PROFILE_INTERNET[profile] else Digital.NO_INTERNET,
        )
        started = time.perf_counter()
        # The straightforward plan looks at every service of the family within reach (no spatial index).
        services = by_theme[family]
        places = offer.service_place[services]
        lat = np.where(places >= 0, offer.place_lat[np.maximum(places, 0)], area.point.latitude)
        lon = np.where(places >= 0, offer.place_lon[np.maximum(places, 0)], area.point.longitude)
        near = services[(np.abs(lat - area.point.latitude) < 0.5) & (np.abs(lon - area.point.longitude) < 0.7)]
        offers = [catalogue.service(int(s) + 1) for s in near]
        engine.plan(person, offers)
        elapsed += time.perf_counter() - started
    per_access = elapsed / sample
    extrapolated = per_access * result["accesses"]
    return {
        "method": "one Engine.plan per (commune, family, profile) over the family's services within ~50 km",
        "sample": sample,
        "per_access_ms": round(per_access * 1000, 2),
        "extrapolated_total_s": round(extrapolated, 1),
        "ratio_baseline_over_reach": round(extrapolated / result["reach_s"], 1) if result["reach_s"] else None,
    }


def cahors() -> dict:
    """The shipped territory end to end on a throwaway SQLite database."""
    import tempfile

    db = Path(tempfile.mkdtemp()) / "bench.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("bootstrap", verbosity=0)
    from carteblanche.observatory.actions import compute_indicators, need_families, reach_values
    from carteblanche.orientation.selectors import all_service_offers, get_mobility
    from carteblanche.territories.selectors import default_territory

    territory = default_territory()
    offers, context, families = all_service_offers(), get_mobility(), need_families()
    started = time.perf_counter()
    reach_values(territory, date.today().replace(day=1), offers=offers, context=context, families=families)
    reach_only = time.perf_counter() - started
    started = time.perf_counter()
    run = compute_indicators(territory=territory, offers=offers, context=context)
    total = time.perf_counter() - started
    return {
        "communes": territory.communes.count(),
        "families": len(families),
        "reach_s": round(reach_only, 3),
        "all_indicators_stored_s": round(total, 3),
        "values": run.values_written,
        "target_s": 1,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--baseline-sample", type=int, default=300)
    parser.add_argument("--max-communes", type=int, default=None)
    parser.add_argument("--skip-cahors", action="store_true")
    args = parser.parse_args()
    result = national(args.max_communes)
    out = {
        "bench": "observatory_reach",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "date": (date.today() - timedelta(days=0)).isoformat(),
        "national": result,
    }
    out["baseline"] = baseline(result, args.baseline_sample)
    if not args.skip_cahors:
        out["cahors"] = cahors()
    print(json.dumps(out, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
