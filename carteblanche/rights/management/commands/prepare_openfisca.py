"""Build OpenFisca-France once, so that its parsed parameters are on disk before the first start."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand

from carteblanche.rights.openfisca_adapter import get_tax_benefit_system


class Command(BaseCommand):
    help = (
        "Construit OpenFisca-France une fois : ses paramètres analysés sont gardés sur disque "
        "(CARTEBLANCHE_OPENFISCA_CACHE_DIR), le premier démarrage du serveur n'a plus à lire ses 4 000 fichiers."
    )

    def handle(self, *args, **options) -> None:
        if not (settings.CARTEBLANCHE_OPENFISCA_SPEEDUPS and settings.CARTEBLANCHE_OPENFISCA_CACHE_DIR):
            if options["verbosity"]:
                self.stdout.write("Cache des paramètres d'OpenFisca désactivé : rien à préparer.")
            return
        started = time.perf_counter()
        get_tax_benefit_system()
        if options["verbosity"]:
            self.stdout.write(
                f"OpenFisca-France prêt en {time.perf_counter() - started:.1f} s "
                f"(paramètres dans {settings.CARTEBLANCHE_OPENFISCA_CACHE_DIR})."
            )
