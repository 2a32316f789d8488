"""Hourly (cron): remind, once, every booking starting within 48 hours, by the channel the person chose."""

from django.core.management.base import BaseCommand

from carteblanche.appointments.actions import send_due_reminders


class Command(BaseCommand):
    help = "Send the 48-hour booking reminders (run hourly)."

    def handle(self, *args, **options):
        self.stdout.write(f"{send_due_reminders()} rappel(s) envoyé(s)")
