"""Load the local aids catalogue (rights/data/local_aids.json): idempotent, all-or-nothing."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from carteblanche.rights.actions import load_local_aids

DEFAULT_FILE = Path(__file__).resolve().parents[2] / "data" / "local_aids.json"


class Command(BaseCommand):
    help = "Load or update the local aids (Région, Département, EPCI, commune) from a JSON file."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(DEFAULT_FILE))
        parser.add_argument("--dry-run", action="store_true", help="Check the file, write nothing.")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            entries = json.loads(path.read_text(encoding="utf-8"))["aids"]
        except (OSError, ValueError, KeyError) as exc:
            raise CommandError(f"{path}: fichier illisible ({exc})") from exc
        report = load_local_aids(entries=entries, dry_run=options["dry_run"])
        if report["errors"]:
            raise CommandError("Rien n'a été chargé :\n" + "\n".join(report["errors"]))
        if options["verbosity"]:
            verb = "à charger" if options["dry_run"] else "chargées"
            self.stdout.write(
                f"{report['created'] + report['updated']} aides locales {verb} "
                f"({report['created']} nouvelles, {report['updated']} mises à jour)."
            )
