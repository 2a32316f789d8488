"""Compute and store the observatory's indicators of a territory for a month (scheduled daily)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from carteblanche.observatory.actions import compute_indicators
from carteblanche.territories.models import Territory
from carteblanche.territories.selectors import default_territory


class Command(BaseCommand):
    help = "Calcule les indicateurs de l'observatoire d'un territoire pour un mois (à planifier chaque jour)."

    def add_arguments(self, parser):
        parser.add_argument("--territory", help="slug du territoire (par défaut : le territoire par défaut)")
        parser.add_argument("--period", help="un jour du mois à calculer, AAAA-MM-JJ (par défaut : aujourd'hui)")

    def handle(self, *args, **options):
        if options["territory"]:
            territory = Territory.objects.filter(slug=options["territory"]).first()
            if territory is None:
                raise CommandError(f"Territoire inconnu : « {options['territory']} ».")
        else:
            territory = default_territory()
            if territory is None:
                raise CommandError("Aucun territoire : lancez d'abord « manage.py bootstrap ».")
        period = None
        if options["period"]:
            try:
                period = date.fromisoformat(options["period"])
            except ValueError:
                raise CommandError(f"--period : « {options['period']} » n'est pas une date AAAA-MM-JJ.") from None

        def show(run):
            self.stdout.write(f"[{run.done_steps}/{run.total_steps}] {run.step}")

        run = compute_indicators(
            territory=territory, period=period, progress=show if options["verbosity"] > 1 else None
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"{run.values_written} valeurs enregistrées pour {territory.name}, mois {run.period:%m/%Y}."
            )
        )
