"""Import a GTFS zip (validate first; write only with --apply, all or nothing)."""

from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify
from tqdm import tqdm

from carteblanche.mobility.actions import import_feed
from carteblanche.mobility.gtfs import GtfsError, parse_gtfs


class Command(BaseCommand):
    help = "Vérifie un fichier GTFS (zip) et, avec --apply, le charge (il remplace le réseau du même --slug)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", help="Archive GTFS (.zip)")
        parser.add_argument("--apply", action="store_true", help="Écrire en base (sinon : vérification seule).")
        parser.add_argument("--slug", help="Identifiant du réseau (par défaut : nom du fichier).")
        parser.add_argument("--name", default="", help="Nom affiché du réseau (par défaut : agency_name).")
        parser.add_argument("--source-url", default="", help="Page de publication du jeu de données.")
        parser.add_argument("--licence", default="", help="Licence du jeu de données (ex. ODbL).")
        parser.add_argument("--fare-eur", help="Prix d'un trajet sur tout le réseau, si le GTFS ne le donne pas.")
        parser.add_argument("--fare-source", default="", help="Source de --fare-eur (obligatoire avec lui).")

    def handle(self, *args, **options) -> None:
        path = Path(options["path"])
        slug = slugify(options["slug"] or path.stem)
        if not slug:
            raise CommandError("--slug : identifiant vide ; donnez par exemple --slug evidence-grand-cahors")
        fare = None
        if options["fare_eur"] is not None:
            try:
                fare = Decimal(options["fare_eur"])
            except InvalidOperation:
                raise CommandError(
                    f"--fare-eur : nombre attendu (ex. 0 ou 1.50), reçu « {options['fare_eur']} »"
                ) from None
            if fare < 0:
                raise CommandError("--fare-eur : le prix ne peut pas être négatif")
            if not options["fare_source"]:
                raise CommandError("--fare-source : dites d'où vient le prix donné par --fare-eur")
        quiet = options["verbosity"] == 0

        def progress(label: str):
            return lambda it: tqdm(it, desc=label, unit=" lignes", disable=quiet, file=self.stderr._out)

        try:
            parsed = parse_gtfs(path, progress=progress("Lecture de stop_times.txt"))
        except GtfsError as exc:
            lines = "\n".join(f"  - {p}" for p in exc.problems)
            raise CommandError(
                f"Le fichier GTFS {path.name} n'est pas chargé ({len(exc.problems)} problème(s)) :\n{lines}"
            ) from None
        summary = (
            f"{len(parsed.stops)} arrêts, {len(parsed.routes)} lignes, {len(parsed.trips)} courses, "
            f"{parsed.n_stop_times} horaires, {len(parsed.services)} calendriers"
        )
        if parsed.frequency_templates:
            summary += (
                f" (dont {parsed.frequency_trips} courses dépliées depuis frequencies.txt "
                f"à partir de {parsed.frequency_templates} courses modèles)"
            )
        if not options["apply"]:
            self.stdout.write(f"GTFS valide : {summary}. Rien n'est écrit (ajoutez --apply).")
            return
        feed = import_feed(
            parsed=parsed,
            slug=slug,
            name=options["name"],
            source_url=options["source_url"],
            licence=options["licence"],
            fare_eur=fare,
            fare_source=options["fare_source"],
            progress=progress("Écriture des horaires"),
        )
        self.stdout.write(self.style.SUCCESS(f"Réseau « {feed.name} » ({slug}) chargé : {summary}."))
