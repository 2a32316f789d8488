"""Load the operators and the needs catalogue shipped in carteblanche/directory/data (idempotent)."""

from django.core.management.base import BaseCommand, CommandError

from carteblanche.directory.catalogue import CatalogueError, load_catalogue


class Command(BaseCommand):
    help = "Charge les opérateurs et le catalogue des besoins (démarches) livrés avec le projet."

    def handle(self, *args, **options) -> None:
        try:
            counts = load_catalogue()
        except CatalogueError as exc:
            raise CommandError(str(exc)) from exc
        if options["verbosity"]:
            self.stdout.write(
                f"Opérateurs : {counts.operators_created} créés, {counts.operators_updated} mis à jour. "
                f"Besoins : {counts.needs_created} créés, {counts.needs_updated} mis à jour."
            )
