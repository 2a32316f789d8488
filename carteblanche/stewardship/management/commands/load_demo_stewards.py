"""A demo data steward for the freshness campaigns (development and end-to-end tests only)."""

import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand, CommandError

from carteblanche.accounts.management.commands.load_demo_accounts import DEMO_PASSWORD

USERNAME = "gestion.offre"


class Command(BaseCommand):
    help = "Crée le compte de démonstration du gestionnaire de l'offre — jamais en production."

    def handle(self, *args, **options) -> None:
        production = os.environ.get("DJANGO_SETTINGS_MODULE", "").endswith(".prod") or (
            settings.SESSION_COOKIE_SECURE and not settings.DEBUG
        )
        if production:
            raise CommandError("Comptes de démonstration refusés : réglages de production.")
        user, _ = get_user_model().objects.get_or_create(
            username=USERNAME,
            defaults={
                "first_name": "Martin",
                "last_name": "Delpech",
                "email": f"{USERNAME}@demo.carteblanche.localhost",
            },
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.user_permissions.add(
            Permission.objects.get(codename="manage_campaigns", content_type__app_label="stewardship")
        )
        if options["verbosity"]:
            self.stdout.write(f"{USERNAME} : gestionnaire de l'offre, mot de passe : {DEMO_PASSWORD}")
