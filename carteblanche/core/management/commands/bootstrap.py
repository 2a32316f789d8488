"""Set up a fresh database: migrate, then load every shipped dataset in order (and prepare OpenFisca)."""

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand

# Each app contributes one idempotent loader; missing ones are skipped.
LOADERS = [
    "load_territories",  # communes, EPCIs, departments, the default living area
    "load_needs",  # the catalogue of needs (démarches, life events)
    "load_offer",  # the shipped Cahors service offer
    "load_mobility",  # on-demand transport zones, solidarity mobility, GTFS samples
    "load_local_aids",  # local aids catalogue (rights)
    "prepare_openfisca",  # OpenFisca-France's parsed parameters kept on disk: a fast first start (rights)
]


class Command(BaseCommand):
    help = "Migre la base et charge les données livrées (communes, offre de service, besoins, mobilité, aides locales)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--no-migrate", action="store_true")
        parser.add_argument("--demo", action="store_true", help="Crée aussi les comptes de démonstration.")

    def handle(self, *args, **options) -> None:
        verbosity = options["verbosity"]
        if not options["no_migrate"]:
            call_command("migrate", verbosity=max(verbosity - 1, 0), interactive=False)
        available = get_commands()
        # The demo also computes the observatory's indicators once (servers schedule the command daily).
        demo = ["load_demo_accounts", "load_demo_stewards", "compute_indicators"]
        loaders = LOADERS + (demo if options["demo"] else [])
        for name in loaders:
            if name in available:
                if verbosity:
                    self.stdout.write(f"→ {name}")
                call_command(name, verbosity=verbosity)
