"""Run the judged evaluation set and print per-situation verdicts and the share that pass, as JSON.

Example:
    manage.py evaluate_answers                 # every situation of orientation/data/evaluation/situations.json
    manage.py evaluate_answers --only martine-reversion-cheque-energie --failed-only
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from carteblanche.orientation.evaluation import SITUATIONS_FILE, EvaluationDataError, evaluate


class Command(BaseCommand):
    help = "Évalue les plans sur l'ensemble de situations jugées et affiche les verdicts (JSON)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--fichier", default=str(SITUATIONS_FILE), help="Fichier des situations (JSON).")
        parser.add_argument("--only", action="append", default=[], metavar="ID", help="Seulement cette situation.")
        parser.add_argument("--failed-only", action="store_true", help="N'affiche que les situations en échec.")

    def handle(self, *args, **options) -> None:
        path = Path(options["fichier"])
        if not path.is_file():
            raise CommandError(f"--fichier : le fichier {path} n'existe pas.")
        try:
            result = evaluate(path, only=set(options["only"]) or None)
        except (EvaluationDataError, ValueError, KeyError) as exc:
            raise CommandError(f"--fichier : {exc}") from exc
        if options["only"] and not result["total"]:
            raise CommandError("--only : aucune situation ne porte cet identifiant.")
        if options["failed_only"]:
            result["situations"] = [s for s in result["situations"] if not s["passed"]]
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=1))
