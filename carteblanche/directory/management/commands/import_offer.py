"""Import an offer file: dry run with a diff by default, `--apply` to write (all-or-nothing)."""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from carteblanche.directory.actions import import_offer
from carteblanche.directory.importers import READERS
from carteblanche.directory.importers.base import ImportFileError


class Command(BaseCommand):
    help = (
        "Importe une offre de service (data·inclusion JSON, CSV modèle, France Services GeoJSON). "
        "Sans --apply : simulation et différences, rien n'est écrit."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("format", choices=sorted(READERS))
        parser.add_argument("path")
        parser.add_argument("--apply", action="store_true", help="Écrit en base (sinon simulation).")
        parser.add_argument("--source", help="Nom de la source (remplace celui du fichier).")
        parser.add_argument(
            "--skip-invalid", action="store_true", help="Écrit les lignes valides même si d'autres sont rejetées."
        )
        parser.add_argument(
            "--prune",
            action="store_true",
            help="Supprime ce que les sources du fichier avaient et que le fichier n'a plus (fichier sans rejet).",
        )

    def handle(self, *args, **options) -> None:
        verbosity = options["verbosity"]

        def progress(items):
            return tqdm(items, desc="import", unit="enr.", disable=verbosity == 0, file=self.stderr._out)

        try:
            diff = import_offer(
                file_format=options["format"],
                path=options["path"],
                apply=options["apply"],
                source=options["source"],
                skip_invalid=options["skip_invalid"],
                prune=options["prune"],
                progress=progress,
            )
        except ImportFileError as exc:
            raise CommandError(f"Fichier rejeté, rien n'a été écrit — {exc}") from exc
        for rejection in diff.rejected:
            self.stderr.write(f"REJETÉ {rejection}")
        for change in diff.changes:
            if verbosity >= 2 or change.startswith("= "):  # what is left out is always said
                self.stdout.write(change)
        self.stdout.write(diff.summary())
        if diff.written:
            self.stdout.write(self.style.SUCCESS("Import écrit en base."))
        elif options["apply"] and options["prune"]:
            raise CommandError(
                f"{len(diff.rejected)} enregistrement(s) rejeté(s) : rien n'a été écrit. --prune demande un fichier "
                "sans rejet (un enregistrement rejeté n'est pas absent du fichier) : corrigez-le d'abord."
            )
        elif options["apply"]:
            raise CommandError(
                f"{len(diff.rejected)} enregistrement(s) rejeté(s) : rien n'a été écrit "
                "(corrigez le fichier ou relancez avec --skip-invalid)."
            )
        else:
            self.stdout.write("Simulation : rien n'a été écrit (ajoutez --apply pour écrire).")
