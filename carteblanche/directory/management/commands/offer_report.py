"""Print the offer coverage report (JSON): per need family, completeness, freshness and reach without a car."""

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from carteblanche.directory.coverage import offer_report
from carteblanche.mobility.context import get_mobility_context
from carteblanche.territories.models import Territory
from carteblanche.territories.selectors import default_territory


class Command(BaseCommand):
    help = "Rapport de couverture de l'offre (JSON) : par famille de besoins, complétude, fraîcheur, accès sans voiture"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--territory", help="Identifiant (slug) du territoire ; par défaut celui du réglage.")
        parser.add_argument(
            "--date", help="Jour de référence AAAA-MM-JJ (fraîcheur, jour des trajets) ; aujourd'hui par défaut."
        )

    def handle(self, *args, **options) -> None:
        territory = (
            Territory.objects.filter(slug=options["territory"]).first() if options["territory"] else default_territory()
        )
        if territory is None:
            name = options["territory"] or "par défaut"
            raise CommandError(f"Territoire inconnu « {name} » : lancez load_territories.")
        try:
            today = date.fromisoformat(options["date"]) if options["date"] else None
        except ValueError as exc:
            raise CommandError(f"--date : date AAAA-MM-JJ attendue, reçu « {options['date']} ».") from exc
        report = offer_report(territory=territory, mobility=get_mobility_context(), today=today)
        self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
