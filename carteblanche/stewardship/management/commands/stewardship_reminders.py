"""Reminders before the structures' records become stale (meant for a daily cron/systemd timer).

A structure whose structure, place or service record becomes stale within
STEWARDSHIP_REMIND_DAYS_BEFORE days (30), or was never verified, gets a new private link by
e-mail, at most once every STEWARDSHIP_REMINDER_INTERVAL_DAYS days (30). Structures without an
e-mail address are listed with their link, for the steward to call or write to (also on
/gestion-offre/a-verifier/).
"""

from django.core.management.base import BaseCommand

from carteblanche.stewardship.actions import send_reminders


class Command(BaseCommand):
    help = "Envoie les rappels avant que les fiches des structures ne soient périmées (à lancer chaque jour)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Affiche sans rien envoyer ni créer.")

    def handle(self, *args, **options) -> None:
        report = send_reminders(dry_run=options["dry_run"])
        for structure, due_on in report.emailed:
            self.stdout.write(f"courriel : {structure.name} <{structure.email}> (à vérifier dès le {due_on:%d/%m/%Y})")
        if report.without_email:
            self.stdout.write("Sans courriel, à contacter par le gestionnaire :")
        for structure, due_on, url in report.without_email:
            phone = f", tél. {structure.phone}" if structure.phone else ""
            link = f" : {url}" if url else ""
            self.stdout.write(f"  - {structure.name}{phone} (à vérifier dès le {due_on:%d/%m/%Y}){link}")
        verb = "à envoyer" if options["dry_run"] else "envoyé(s)"
        self.stdout.write(
            f"{len(report.emailed)} rappel(s) {verb}, {len(report.without_email)} structure(s) sans courriel."
        )
