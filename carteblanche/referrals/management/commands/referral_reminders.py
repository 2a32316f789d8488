"""Reminders to receiving structures and escalation to the coordinators (meant for a cron/systemd timer).

Run every working day (e.g. 08:00). A referral past its acknowledgement or answer target gets
at most one reminder per day to the receiving structure's agents; past the answer target it is
escalated once to the territory coordinators. Idempotent within a day.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from carteblanche.referrals.models import Referral
from carteblanche.referrals.notifications import coordinators, notify_structure, notify_users
from carteblanche.referrals.selectors import stuck_referrals


class Command(BaseCommand):
    help = "Relance les structures en retard sur leurs délais et alerte le coordinateur (à lancer chaque jour ouvré)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Affiche sans rien envoyer.")

    def handle(self, *args, **options) -> None:
        now = timezone.now()
        reminded = escalated = 0
        rows = stuck_referrals(now=now)
        for row in rows:
            referral: Referral = row["referral"]
            url = reverse("referrals:referral_detail", args=[referral.pk])
            what = "l'accusé de réception" if row["overdue"] == "acknowledge" else "la réponse"
            if options["dry_run"]:
                self.stdout.write(f"{referral.pk} → {referral.to_structure.name} : {what} en retard")
                continue
            with transaction.atomic():
                locked = Referral.objects.select_for_update().get(pk=referral.pk)
                if locked.last_reminder_at is None or locked.last_reminder_at < now - timedelta(hours=20):
                    notify_structure(
                        structure_id=locked.to_structure_id,
                        text=f"Relance : {what} est en retard pour l'orientation « {locked.need_label} »",
                        url=url,
                        referral=locked,
                    )
                    Referral.objects.filter(pk=locked.pk).update(last_reminder_at=now)
                    reminded += 1
                if row["overdue"] == "answer" and locked.escalated_at is None:
                    notify_users(
                        users=coordinators(),
                        text=f"Orientation sans réponse dans le délai : {locked.from_structure.name} → "
                        f"{locked.to_structure.name} ({locked.need_label})",
                        url=reverse("referrals:stuck"),
                        referral=locked,
                    )
                    Referral.objects.filter(pk=locked.pk).update(escalated_at=now)
                    escalated += 1
        self.stdout.write(f"{len(rows)} en retard, {reminded} relance(s), {escalated} alerte(s) au coordinateur.")
