"""Load the shipped on-demand transport and solidarity mobility offers (idempotent)."""

import json
from decimal import Decimal
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction

from carteblanche.mobility.models import OnDemandService, SolidarityOffer

DATA = Path(__file__).resolve().parents[2] / "data" / "offers-cahors.json"
FIELDS = (
    "source_url",
    "name",
    "operator_name",
    "area_label",
    "epci_codes",
    "commune_codes",
    "department_codes",
    "booking_phone",
    "booking_url",
    "booking_days_before",
    "booking_deadline",
    "notes",
)


LISTS = ("epci_codes", "commune_codes", "department_codes", "destination_commune_codes", "weekdays", "hours")
NULLABLE = ("booking_days_before", "booking_deadline")


def _defaults(entry: dict, extra: tuple[str, ...]) -> dict:
    """Every field, absent ones reset to unknown, so that removing a fact from the file removes it here."""
    values = {f: entry.get(f, [] if f in LISTS else None if f in NULLABLE else "") for f in FIELDS + extra}
    values["cost_eur"] = Decimal(entry["cost_eur"]) if entry.get("cost_eur") is not None else None
    values["active"] = entry.get("active", True)  # false: the offer has ended (kept for the record, never used)
    return values


class Command(BaseCommand):
    help = "Charge les offres de transport à la demande et de mobilité solidaire du territoire de Cahors."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        data = json.loads(DATA.read_text(encoding="utf-8"))
        for model, key in ((OnDemandService, "on_demand"), (SolidarityOffer, "solidarity")):
            shipped = {(e["source"], e["source_id"]) for e in data[key]}
            for pk, source, source_id in model.objects.filter(source="carteblanche-territoire").values_list(
                "pk", "source", "source_id"
            ):
                if (source, source_id) not in shipped:
                    model.objects.filter(pk=pk).delete()
        for entry in data["on_demand"]:
            OnDemandService.objects.update_or_create(
                source=entry["source"],
                source_id=entry["source_id"],
                defaults=_defaults(entry, ("destination_commune_codes", "weekdays", "hours")),
            )
        for entry in data["solidarity"]:
            SolidarityOffer.objects.update_or_create(
                source=entry["source"], source_id=entry["source_id"], defaults=_defaults(entry, ("kind",))
            )
        if options["verbosity"] > 1:
            self.stdout.write(f"{len(data['on_demand'])} TAD, {len(data['solidarity'])} offres solidaires.")
