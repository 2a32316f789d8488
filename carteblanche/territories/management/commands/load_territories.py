"""Load every French commune, EPCI and department, then declare the default living area."""

from django.core.management.base import BaseCommand
from tqdm import tqdm

from carteblanche.territories.actions import CAHORS_LIVING_AREA, declare_territory, load_communes


class Command(BaseCommand):
    help = "Charge les communes (COG 2026) et déclare le bassin de vie de Cahors."

    def handle(self, *args, **options) -> None:
        with tqdm(total=34969, unit="communes", disable=options["verbosity"] == 0) as bar:
            counts = load_communes(progress=bar.update)
        territory = declare_territory(**CAHORS_LIVING_AREA)
        population = sum(c.population or 0 for c in territory.communes.all())
        self.stdout.write(
            f"{counts['communes']} communes ({counts['communes_without_point']} sans point de référence), "
            f"{counts['epcis']} EPCI, {counts['departments']} départements. "
            f"{territory.name} : {territory.communes.count()} communes, {population} habitants."
        )
