"""Demo agents for the shipped structures (development and end-to-end tests only).

Each demo structure is looked up in the loaded offer (by operator code or name); when the offer
does not have it, a minimal structure named for the demo is created (no address, no phone: the
Truth rule). Every account has the documented password DEMO_PASSWORD (see docs/referrals.md).
"""

import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q

from carteblanche.accounts.models import Membership

DEMO_PASSWORD = "demo-carte-blanche-2026"  # noqa: S105 — documented, development only

# key: (name if created, operator codes, name fragments that must all appear)
STRUCTURES = {
    # Grand Cahors has no fixed France Services office in the shipped data: its agents run the bus.
    "fs-cahors": ("Bus France Services du Grand Cahors", ("grand-cahors", "france-services"), ("bus france services",)),
    "fs-catus": ("France Services Catus", ("france-services",), ("france services", "catus")),
    "carsat": (
        "Assurance retraite Midi-Pyrénées (Carsat)",
        ("carsat", "cnav", "assurance-retraite", "carsat-mp"),
        ("retraite",),
    ),
    "departement": (
        "Département du Lot — solidarités",
        ("departement-lot", "cd46", "departement-46", "departement"),
        ("département",),
    ),
    "caf": ("Caf du Lot", ("caf", "caf-lot", "caf46"), ("caf",)),
    "mission-locale": ("Mission locale du Lot", ("mission-locale",), ("mission locale",)),
}

# username, first name, last name, role, structure key (None for territory roles)
ACCOUNTS = [
    ("agent.cahors", "Camille", "Delmas", Membership.Role.AGENT, "fs-cahors"),
    ("agent.catus", "Julien", "Bessières", Membership.Role.AGENT, "fs-catus"),
    ("responsable.cahors", "Nathalie", "Lafon", Membership.Role.MANAGER, "fs-cahors"),
    ("agent.carsat", "Sophie", "Vidal", Membership.Role.AGENT, "carsat"),
    ("agent.departement", "Karim", "Mercadier", Membership.Role.AGENT, "departement"),
    ("agent.caf", "Élodie", "Garrigues", Membership.Role.AGENT, "caf"),
    ("agent.missionlocale", "Léa", "Pélissié", Membership.Role.AGENT, "mission-locale"),
    ("coordinateur", "Pierre", "Lacombe", Membership.Role.COORDINATOR, None),
    ("referent.donnees", "Isabelle", "Cayrou", Membership.Role.DATA_STEWARD, None),
]


def find_structure(key: str):
    from carteblanche.directory.models import Structure

    name, operator_codes, fragments = STRUCTURES[key]
    candidates = Structure.objects.all()
    by_operator = candidates.filter(operator__code__in=operator_codes)
    query = Q()
    for fragment in fragments:
        query &= Q(name__icontains=fragment)
    for queryset in (by_operator.filter(query), candidates.filter(query)):
        found = queryset.order_by("name").first()
        if found is not None:
            return found, False
    structure, created = Structure.objects.get_or_create(
        source="carteblanche-demo", source_id=key, defaults={"name": name}
    )
    return structure, created


class Command(BaseCommand):
    help = "Crée les comptes de démonstration (agents, coordinateur) — jamais en production."

    def handle(self, *args, **options) -> None:
        production = os.environ.get("DJANGO_SETTINGS_MODULE", "").endswith(".prod") or (
            settings.SESSION_COOKIE_SECURE and not settings.DEBUG
        )
        if production:
            raise CommandError("Comptes de démonstration refusés : réglages de production.")
        with transaction.atomic():
            structures = {key: find_structure(key) for key in STRUCTURES}
            User = get_user_model()
            for username, first, last, role, key in ACCOUNTS:
                user, _ = User.objects.get_or_create(
                    username=username,
                    defaults={
                        "first_name": first,
                        "last_name": last,
                        "email": f"{username}@demo.carteblanche.localhost",
                    },
                )
                user.set_password(DEMO_PASSWORD)
                user.save()
                structure = structures[key][0] if key else None
                Membership.objects.get_or_create(user=user, structure=structure, role=role)
        if options["verbosity"]:
            for key, (structure, created) in structures.items():
                state = "créée (démo)" if created else "trouvée dans l'offre"
                self.stdout.write(f"{key}: {structure.name} — {state}")
            self.stdout.write(f"{len(ACCOUNTS)} comptes, mot de passe : {DEMO_PASSWORD}")
