"""Load the shipped Cahors offer (data/cahors_offer.json) — idempotent upsert, all-or-nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from carteblanche.directory.actions import import_offer
from carteblanche.directory.importers.base import ImportFileError

OFFER_FILE = Path(__file__).resolve().parents[2] / "data" / "cahors_offer.json"


class Command(BaseCommand):
    help = "Charge l'offre de service livrée pour le bassin de vie de Cahors."

    def handle(self, *args, **options) -> None:
        try:
            diff = import_offer(file_format="datainclusion", path=OFFER_FILE, apply=True)
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        if not diff.written:
            raise CommandError("Offre livrée invalide : " + "; ".join(str(r) for r in diff.rejected[:10]))
        if options["verbosity"]:
            self.stdout.write(diff.summary().replace("\n", " ; "))
