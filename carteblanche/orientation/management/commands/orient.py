"""Print an orientation plan from the command line (same rules and messages as the pages and the API).

Example:
    manage.py orient --commune Cieurac --besoin "pension de réversion" --sans-voiture --sans-internet \
        --libre "mardi 9-12"
"""

import json
from datetime import datetime

from django.core.management.base import BaseCommand, CommandError

from carteblanche.directory.models import Need
from carteblanche.orientation.render import plan_to_dict, plan_to_sms, plan_to_text
from carteblanche.orientation.selectors import (
    OrientationInputError,
    OrientationRequest,
    commune_json,
    compute_plan,
    origin_text,
)


class Command(BaseCommand):
    help = "Affiche un plan d'orientation pour une situation (commune, besoin, moyens, disponibilités)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--commune", required=True, help="Nom, code postal ou code INSEE.")
        parser.add_argument(
            "--besoin", action="append", default=[], help="Besoin du catalogue (identifiant) ou dit avec vos mots."
        )
        parser.add_argument("--voiture", action="store_true", help="A une voiture et le permis.")
        parser.add_argument("--sans-voiture", action="store_true", help="Ne conduit pas.")
        parser.add_argument(
            "--conduit-par", default="", metavar="QUAND", help="Un proche peut conduire, ex. 'mardi 9-12'."
        )
        parser.add_argument("--sans-transport-en-commun", action="store_true")
        parser.add_argument("--sans-transport-a-la-demande", action="store_true")
        parser.add_argument("--sans-mobilite-solidaire", action="store_true")
        parser.add_argument("--mobilite-reduite", action="store_true")
        digital = parser.add_mutually_exclusive_group()
        digital.add_argument("--sans-internet", action="store_true")
        digital.add_argument("--internet-avec-aide", action="store_true")
        parser.add_argument("--sans-telephone", action="store_true")
        parser.add_argument("--libre", default="", help="Disponibilités, ex. 'mardi 9-12' ou 'sauf semaine 8-18'.")
        parser.add_argument("--langue", default="fr")
        parser.add_argument("--urgent", action="store_true")
        parser.add_argument("--age", type=int)
        parser.add_argument("--autre-commune", default="")
        parser.add_argument("--position", help="Position dans la commune, « latitude,longitude » (ex. 44.39,1.53).")
        parser.add_argument("--date", help="Date de départ du plan, ISO (par défaut : maintenant).")
        parser.add_argument("--agent", action="store_true", help="Affiche le détail des points.")
        parser.add_argument("--json", action="store_true", help="Sortie JSON (comme l'API).")
        parser.add_argument("--sms", action="store_true", help="Affiche aussi le texte SMS.")

    def handle(self, *args, **options) -> None:
        slugs, free = [], []
        known = set(Need.objects.filter(slug__in=options["besoin"]).values_list("slug", flat=True))
        for value in options["besoin"]:
            (slugs if value in known else free).append(value)
        if options["sans_internet"]:
            digital = "no_internet"
        elif options["internet_avec_aide"]:
            digital = "online_with_help"
        else:
            digital = "autonomous"
        now = None
        if options["date"]:
            try:
                now = datetime.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(
                    f"--date : « {options['date']} » n'est pas une date ISO (ex. 2026-05-11T08:00)."
                ) from exc
        position = None
        if options["position"]:
            try:
                latitude, longitude = (float(part) for part in options["position"].split(","))
            except ValueError as exc:
                raise CommandError(
                    f"--position : « {options['position']} » n'est pas « latitude,longitude » (ex. 44.39,1.53)."
                ) from exc
            position = (latitude, longitude)
        request = OrientationRequest(
            position=position,
            commune=options["commune"],
            besoins=slugs,
            besoin_libre=" et ".join(free),
            voiture=options["voiture"],
            ne_conduit_pas=options["sans_voiture"],
            conduit_par_proche=bool(options["conduit_par"]),
            conduit_quand=options["conduit_par"],
            transport_en_commun=not options["sans_transport_en_commun"],
            transport_a_la_demande=not options["sans_transport_a_la_demande"],
            mobilite_solidaire=not options["sans_mobilite_solidaire"],
            mobilite_reduite=options["mobilite_reduite"],
            numerique=digital,
            telephone=not options["sans_telephone"],
            disponibilites=options["libre"],
            langue=options["langue"],
            urgent=options["urgent"],
            age=options["age"],
            autre_commune=options["autre_commune"],
        )
        try:
            plan, person = compute_plan(request, now=now)
        except OrientationInputError as exc:
            lines = [f"--{_option_name(p.field)} : {p.message}" for p in exc.problems]
            raise CommandError("Impossible de faire le plan :\n" + "\n".join(lines)) from exc
        if options["json"]:
            data = plan_to_dict(plan)
            data["origin"] = origin_text(person, from_position=position is not None)
            data["commune"] = commune_json(person)
            data["sms"] = plan_to_sms(data)
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        text = plan_to_text(plan, agent=options["agent"])
        origin = origin_text(person, from_position=position is not None)
        if plan.safety is not None:  # an urgent need: the emergency lines are the very first line
            head, _, rest = text.partition("\n\n")
            self.stdout.write(head + "\n\n" + origin + "\n" + rest)
        else:
            self.stdout.write(origin)
            self.stdout.write(text)
        if options["sms"]:
            self.stdout.write("SMS :\n" + "\n".join(plan_to_sms(plan_to_dict(plan))))


def _option_name(field: str) -> str:
    return {
        "commune": "commune",
        "position": "position",
        "besoins": "besoin",
        "besoin_libre": "besoin",
        "disponibilites": "libre",
        "conduit_quand": "conduit-par",
        "voiture": "voiture / --sans-voiture",
        "autre_commune": "autre-commune",
        "numerique": "sans-internet",
    }.get(field, field.replace("_", "-"))
