"""Anonymise case files closed for longer than REFERRALS_RETENTION_DAYS (meant for a daily cron/systemd timer)."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from carteblanche.referrals.actions import anonymise_case
from carteblanche.referrals.models import CaseFile


class Command(BaseCommand):
    help = "Anonymise les dossiers clos depuis plus que la durée de conservation (REFERRALS_RETENTION_DAYS)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Compte sans rien modifier.")
        parser.add_argument("--days", type=int, default=None, help="Durée de conservation (jours), sinon le réglage.")

    def handle(self, *args, **options) -> None:
        days = options["days"] if options["days"] is not None else settings.REFERRALS_RETENTION_DAYS
        if days < 0:
            self.stderr.write("--days doit être positif.")
            return
        limit = timezone.now() - timedelta(days=days)
        due = CaseFile.objects.filter(state=CaseFile.State.CLOSED, closed_at__lt=limit, anonymised_at__isnull=True)
        count = due.count()
        if options["dry_run"]:
            self.stdout.write(f"{count} dossier(s) clos avant le {limit:%d/%m/%Y} seraient anonymisés (simulation).")
            return
        for case in due.iterator():
            anonymise_case(case=case)
        self.stdout.write(f"{count} dossier(s) anonymisé(s) (conservation : {days} jours).")
