"""Batch mode: simulate synthetic households of a territory, store likely-eligible counts per commune."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from carteblanche.rights.actions import store_eligibility_estimates
from carteblanche.rights.openfisca_adapter import current_month, simulate
from carteblanche.rights.population import households_in, synthesize


class Command(BaseCommand):
    help = "Estimate the likely-eligible households per benefit and commune of a territory (OpenFisca-France)."

    def add_arguments(self, parser):
        parser.add_argument("--territory", default="bassin-de-vie-cahors")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--month", default=None, help="AAAA-MM (default: this month)")
        parser.add_argument("--sample", type=int, default=200, help="Synthetic households simulated per commune.")
        parser.add_argument("--chunk", type=int, default=2000, help="Households per vectorised simulation.")

    def handle(self, *args, **options):
        from carteblanche.territories.models import Territory

        territory = Territory.objects.filter(slug=options["territory"]).first()
        if territory is None:
            raise CommandError(f"Territoire inconnu : « {options['territory']} ».")
        if options["sample"] < 1 or options["chunk"] < 1:
            raise CommandError("--sample et --chunk doivent être positifs.")
        month = options["month"] or current_month(timezone.localdate())
        today = timezone.localdate()
        communes = list(territory.communes.order_by("code"))
        households, owners = [], []
        for commune in communes:
            count = min(options["sample"], households_in(commune.population or 0))
            for household in synthesize(commune.code, count, seed=options["seed"], today=today):
                households.append(household)
                owners.append(commune.code)
        started = time.perf_counter()
        results = []
        progress = tqdm(total=len(households), unit="foyer", disable=options["verbosity"] == 0)
        for start in range(0, len(households), options["chunk"]):
            chunk = households[start : start + options["chunk"]]
            results += simulate(chunk, month=month)
            progress.update(len(chunk))
        progress.close()
        seconds = time.perf_counter() - started
        stored = store_eligibility_estimates(
            territory_slug=territory.slug,
            communes=communes,
            owners=owners,
            results=results,
            month=month,
            seed=options["seed"],
        )
        if options["verbosity"]:
            self.stdout.write(
                f"{len(households)} foyers simulés en {seconds:.1f} s ({len(households) / seconds:.0f} foyers/s), "
                f"{stored} estimations enregistrées pour {len(communes)} communes ({month})."
            )
