"""Daily (cron): mark mandates past their end as expired; each use checks the end date too."""

from django.core.management.base import BaseCommand

from carteblanche.mandates.actions import expire_due


class Command(BaseCommand):
    help = "Expire mandates past their end date."

    def handle(self, *args, **options):
        self.stdout.write(f"{expire_due()} mandat(s) expiré(s)")
