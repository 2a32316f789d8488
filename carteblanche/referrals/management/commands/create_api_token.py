"""Create a partner API key for one structure; the key is printed once and only its hash is stored."""

import secrets

from django.core.management.base import BaseCommand, CommandError

from carteblanche.referrals.models import ApiToken, hash_token


class Command(BaseCommand):
    help = "Crée une clé d'API partenaire pour une structure (affichée une seule fois)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("structure_id", type=int)
        parser.add_argument("name", help="Nom du système partenaire, par exemple « logiciel CAF ».")

    def handle(self, *args, **options) -> None:
        from carteblanche.directory.models import Structure

        structure = Structure.objects.filter(pk=options["structure_id"]).first()
        if structure is None:
            raise CommandError(f"Structure {options['structure_id']} introuvable.")
        raw = "cb_" + secrets.token_urlsafe(32)
        ApiToken.objects.create(structure=structure, name=options["name"], prefix=raw[:8], token_hash=hash_token(raw))
        self.stdout.write(f"Clé pour {structure.name} ({options['name']}) : {raw}")
        self.stdout.write("Conservez-la maintenant : elle ne sera plus affichée.")
