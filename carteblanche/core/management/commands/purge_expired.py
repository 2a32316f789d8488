"""Delete expired personal data (situations, rights simulations, saved plans, API replays): daily timer."""

from django.core.management.base import BaseCommand

from carteblanche.core.retention import purge_expired, retention_limits

LABELS = {
    "situations": "situation(s) expirée(s)",
    "simulations": "simulation(s) de droits",
    "plans": "plan(s) d'orientation enregistré(s)",
    "idempotency": "réponse(s) d'API gardée(s) pour les nouvelles tentatives",
}


class Command(BaseCommand):
    help = (
        "Supprime les données personnelles dont la durée de conservation est passée "
        "(RETENTION_SITUATION_DAYS_AFTER_EXPIRY, RETENTION_RIGHTS_SIMULATION_DAYS, "
        "RETENTION_ORIENTATION_PLAN_DAYS, REFERRALS_IDEMPOTENCY_HOURS)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Compte sans rien supprimer.")

    def handle(self, *args, **options) -> None:
        counts = purge_expired(dry_run=options["dry_run"])
        from django.utils import timezone

        limits = retention_limits(timezone.now())
        verb = "seraient supprimé(e)s (simulation)" if options["dry_run"] else "supprimé(e)s"
        for kind, count in counts.items():
            self.stdout.write(f"{count} {LABELS[kind]} {verb} (avant le {limits[kind]:%d/%m/%Y %H:%M}).")
