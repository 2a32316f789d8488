"""Writes for territories: load the shipped commune file, declare a territory."""

import csv
import gzip
from collections.abc import Callable
from pathlib import Path

from django.db import transaction

from carteblanche.territories.models import Commune, Department, Epci, Territory
from carteblanche.territories.normalize import normalize_name

DATA_DIR = Path(__file__).resolve().parent / "data"


@transaction.atomic
def load_communes(*, data_dir: Path = DATA_DIR, progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """(Re)load departments, EPCIs and communes from the shipped files. Idempotent."""
    with (data_dir / "departements-2026.csv").open() as handle:
        departments = [
            Department(code=r["code"], name=r["name"], region_code=r["region"]) for r in csv.DictReader(handle)
        ]
    with (data_dir / "epci-2026.csv").open() as handle:
        epcis = [Epci(code=r["code"], name=r["name"], kind=r["kind"]) for r in csv.DictReader(handle)]
    Department.objects.bulk_create(
        departments, update_conflicts=True, unique_fields=["code"], update_fields=["name", "region_code"]
    )
    Epci.objects.bulk_create(epcis, update_conflicts=True, unique_fields=["code"], update_fields=["name", "kind"])
    communes = []
    with gzip.open(data_dir / "communes-2026.csv.gz", "rt", newline="") as handle:
        for row in csv.DictReader(handle):
            communes.append(
                Commune(
                    code=row["code"],
                    name=row["name"],
                    department_id=row["department"],
                    region_code=row["region"],
                    epci_id=row["epci"] or None,
                    population=int(row["population"]) if row["population"] else None,
                    postcodes=row["postcodes"].split() if row["postcodes"] else [],
                    latitude=float(row["lat"]) if row["lat"] else None,
                    longitude=float(row["lon"]) if row["lon"] else None,
                    search_key=normalize_name(row["name"]),
                )
            )
    batch = 2000
    for start in range(0, len(communes), batch):
        Commune.objects.bulk_create(
            communes[start : start + batch],
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=[
                "name",
                "department",
                "region_code",
                "epci",
                "population",
                "postcodes",
                "latitude",
                "longitude",
                "search_key",
            ],
        )
        if progress:
            progress(min(batch, len(communes) - start))
    return {
        "departments": len(departments),
        "epcis": len(epcis),
        "communes": len(communes),
        "communes_without_point": sum(1 for c in communes if c.latitude is None),
    }


@transaction.atomic
def declare_territory(
    *,
    slug: str,
    name: str,
    epci_codes: list[str] = (),
    department_codes: list[str] = (),
    commune_codes: list[str] = (),
    description: str = "",
    source: str = "",
) -> Territory:
    """Create or update a territory from EPCI, department and commune codes; unknown codes are refused."""
    unknown_epcis = set(epci_codes) - set(Epci.objects.filter(code__in=epci_codes).values_list("code", flat=True))
    unknown_departments = set(department_codes) - set(
        Department.objects.filter(code__in=department_codes).values_list("code", flat=True)
    )
    unknown_communes = set(commune_codes) - set(
        Commune.objects.filter(code__in=commune_codes).values_list("code", flat=True)
    )
    problems = []
    if unknown_epcis:
        problems.append(f"EPCI inconnu(s) : {', '.join(sorted(unknown_epcis))}")
    if unknown_departments:
        problems.append(f"département(s) inconnu(s) : {', '.join(sorted(unknown_departments))}")
    if unknown_communes:
        problems.append(f"commune(s) inconnue(s) : {', '.join(sorted(unknown_communes))}")
    if problems:
        raise ValueError("; ".join(problems))
    territory, _ = Territory.objects.update_or_create(
        slug=slug,
        defaults={
            "name": name,
            "epci_codes": list(epci_codes),
            "department_codes": list(department_codes),
            "commune_codes": list(commune_codes),
            "description": description,
            "source": source,
        },
    )
    members = (
        Commune.objects.filter(epci_id__in=epci_codes)
        | Commune.objects.filter(department_id__in=department_codes)
        | Commune.objects.filter(code__in=commune_codes)
    )
    territory.communes.set(members.distinct())
    return territory


CAHORS_LIVING_AREA = {
    "slug": "bassin-de-vie-cahors",
    "name": "Bassin de vie de Cahors (Carte Blanche)",
    "epci_codes": ["200023737", "200039519", "244600532", "244600573"],
    "description": (
        "Les communes du Grand Cahors, du Quercy Blanc, du Pays de Lalbenque-Limogne et du Causse de "
        "Labastide-Murat, telles qu'elles figurent dans le découpage administratif 2026."
    ),
    "source": "https://www.modernisation.gouv.fr/actualites/experimentation-carte-blanche-cahors-le-defi-relever-est-choisi",
}
