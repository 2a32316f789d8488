"""Derive the compact commune file shipped in the project from ../shared/data.

Sources (Licence Ouverte 2.0): @etalab/decoupage-administratif 6.0.0 (COG 2026) for
communes, EPCIs and departments; communes_centroids.csv (IGN ADMIN EXPRESS contours)
for one reference point per commune. Run: python scripts/build_territory_data.py
"""

import csv
import gzip
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data"
OUT = ROOT / "carteblanche" / "territories" / "data"


def main() -> None:
    communes = json.loads((SHARED / "decoupage-administratif-6.0.0-communes.json").read_text())
    epcis = json.loads((SHARED / "decoupage-administratif-6.0.0-epci.json").read_text())
    departments = json.loads((SHARED / "decoupage-administratif-6.0.0-departements.json").read_text())
    points = {}
    with (SHARED / "communes_centroids.csv").open() as handle:
        for row in csv.DictReader(handle):
            points[row["code_insee"]] = (row["lat"], row["lon"])
    epci_of = {m["code"]: e["code"] for e in epcis for m in e["membres"]}

    with gzip.open(OUT / "communes-2026.csv.gz", "wt", newline="", compresslevel=9) as handle:
        writer = csv.writer(handle)
        writer.writerow(["code", "name", "department", "region", "epci", "population", "postcodes", "lat", "lon"])
        for commune in communes:
            if commune["type"] != "commune-actuelle":
                continue
            lat, lon = points.get(commune["code"], ("", ""))
            writer.writerow(
                [
                    commune["code"],
                    commune["nom"],
                    commune["departement"],
                    commune["region"],
                    epci_of.get(commune["code"], ""),
                    commune.get("population", ""),
                    " ".join(commune.get("codesPostaux", [])),
                    lat,
                    lon,
                ]
            )
    with (OUT / "epci-2026.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["code", "name", "kind"])
        for epci in epcis:
            writer.writerow([epci["code"], epci["nom"], epci["type"]])
    with (OUT / "departements-2026.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["code", "name", "region"])
        for department in departments:
            writer.writerow([department["code"], department["nom"], department["region"]])
    print("written to", OUT)


if __name__ == "__main__":
    main()
