"""Rebuild data/cahors_offer.json: the curated records plus the Lot features of France Services 2021.

A maintainer's tool (needs `bootstrap` first); `load_offer` only reads the JSON it writes.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction

from carteblanche.directory import cahors_offer
from carteblanche.directory.exports import export_datainclusion
from carteblanche.directory.importers import france_services
from carteblanche.directory.importers.base import write_offer
from carteblanche.directory.models import Service, Structure
from carteblanche.territories.selectors import default_territory

FS_FILE = (
    Path(__file__).resolve().parents[5] / "shared" / "data" / "france_services_2021.geojson"
)  # ../shared beside the checkout
OUTPUT = Path(__file__).resolve().parents[2] / "data" / "cahors_offer.json"


class Command(BaseCommand):
    help = "Reconstruit data/cahors_offer.json (outil de mainteneur)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--france-services", default=str(FS_FILE))

    def handle(self, *args, **options) -> None:
        features = json.loads(Path(options["france_services"]).read_text(encoding="utf-8"))["features"]
        bus = cahors_offer.FRANCE_SERVICES_BUS_ID  # curated with its 26 stops instead
        lot = [
            f
            for f in features
            if str(f["properties"].get("DEPARTEMENT")) == "46" and str(f["properties"]["MATRICULE"]) != bus
        ]
        with transaction.atomic():
            batch = france_services.parse(lot)
            write_offer(batch, apply=True)
            source = france_services.SOURCE
            exported = export_datainclusion(
                Structure.objects.filter(source=source), Service.objects.filter(source=source)
            )
            transaction.set_rollback(True)
        territory = default_territory()
        communes = sorted(territory.communes.values_list("code", "name"))
        structures, services = cahors_offer.curated(communes)
        data = {
            "structures": exported["structures"] + structures,
            "services": exported["services"] + services,
        }
        OUTPUT.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        self.stdout.write(f"{len(data['structures'])} structures, {len(data['services'])} services -> {OUTPUT}")
