"""Load the shipped Cahors offer from the repository's data files — idempotent upsert, all-or-nothing.

The files are read by the same importers as any territory's files (`import_offer`):
`data/cahors_offer.json` (data·inclusion, hand-curated: each record names its source URL, the
date that source states or was consulted, and who curated it) and
`data/france_services_lot_2021.geojson` (the Lot's features of the national France Services file,
as published). The curated file goes first: its Grand Cahors bus replaces the national file's copy.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from carteblanche.directory.actions import import_offer
from carteblanche.directory.importers.base import ImportFileError

DATA = Path(__file__).resolve().parents[2] / "data"
OFFER_FILES = (
    ("datainclusion", DATA / "cahors_offer.json"),
    ("france-services", DATA / "france_services_lot_2021.geojson"),
)


class Command(BaseCommand):
    help = "Charge l'offre de service livrée pour le bassin de vie de Cahors (fichiers du dépôt)."

    def handle(self, *args, **options) -> None:
        summaries = []
        with transaction.atomic():
            for file_format, path in OFFER_FILES:
                try:
                    diff = import_offer(file_format=file_format, path=path, apply=True)
                except ImportFileError as exc:
                    raise CommandError(f"{path.name} : {exc}") from exc
                if not diff.written:
                    raise CommandError(
                        f"Offre livrée invalide ({path.name}) : " + "; ".join(str(r) for r in diff.rejected[:10])
                    )
                summaries.append(f"{path.name} : " + diff.summary().replace("\n", " ; "))
        if options["verbosity"]:
            self.stdout.write("\n".join(summaries))
