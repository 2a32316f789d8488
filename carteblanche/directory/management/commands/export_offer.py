"""Export the offer as data·inclusion JSON, the CSV template or GeoJSON."""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from carteblanche.directory.exports import export_csv, export_datainclusion, export_geojson
from carteblanche.directory.models import Service, Structure


class Command(BaseCommand):
    help = "Exporte l'offre de service (datainclusion, csv ou geojson) dans un fichier (« - » : sortie standard)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("format", choices=["datainclusion", "csv", "geojson"])
        parser.add_argument("path")
        parser.add_argument("--source", help="N'exporte que cette source.")

    def handle(self, *args, **options) -> None:
        structures = Structure.objects.all()
        services = Service.objects.all()
        if options["source"]:
            structures = structures.filter(source=options["source"])
            services = services.filter(source=options["source"])
        if options["format"] == "csv":
            text = export_csv(structures, services)
        else:
            export = export_datainclusion if options["format"] == "datainclusion" else export_geojson
            text = json.dumps(export(structures, services), ensure_ascii=False, indent=1, default=str) + "\n"
        if options["path"] == "-":
            sys.stdout.write(text)
        else:
            Path(options["path"]).write_text(text, encoding="utf-8")
            if options["verbosity"]:
                self.stdout.write(f"Export {options['format']} écrit dans {options['path']}.")
