"""Declare any territory by EPCI, department or commune codes, without code changes."""

from django.core.management.base import BaseCommand, CommandError

from carteblanche.territories.actions import declare_territory


class Command(BaseCommand):
    help = "Déclare un territoire à partir de codes EPCI, départements ou communes."

    def add_arguments(self, parser) -> None:
        parser.add_argument("slug")
        parser.add_argument("name")
        parser.add_argument("--epci", nargs="*", default=[])
        parser.add_argument("--departement", nargs="*", default=[])
        parser.add_argument("--commune", nargs="*", default=[])

    def handle(self, *args, **options) -> None:
        try:
            territory = declare_territory(
                slug=options["slug"],
                name=options["name"],
                epci_codes=options["epci"],
                department_codes=options["departement"],
                commune_codes=options["commune"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{territory.name} : {territory.communes.count()} communes.")
