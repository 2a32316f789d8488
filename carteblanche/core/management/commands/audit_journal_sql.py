"""Print (or run) the PostgreSQL statements that take the audit journal away from the application's role."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from carteblanche.core.journal_roles import journal_owner_statements, render


class Command(BaseCommand):
    help = (
        "PostgreSQL : affiche le SQL qui donne la table du journal à un rôle propriétaire distinct "
        "(le rôle de l'application ne garde que INSERT et SELECT). --execute l'exécute (droits d'administrateur)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--app-role", required=True, help="Rôle PostgreSQL de l'application.")
        parser.add_argument("--owner-role", default="carteblanche_journal", help="Rôle propriétaire du journal.")
        parser.add_argument("--execute", action="store_true", help="Exécute au lieu d'afficher.")

    def handle(self, *args, **options) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("Réservé à PostgreSQL (la base configurée est " + connection.vendor + ").")
        try:
            statements = journal_owner_statements(app_role=options["app_role"], owner_role=options["owner_role"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        with connection.cursor() as cursor:
            raw = cursor.connection
            if not options["execute"]:
                self.stdout.write(render(statements, raw))
                return
            for statement in statements:
                cursor.execute(statement)
        self.stdout.write(self.style.SUCCESS(f"Journal confié à {options['owner_role']}."))
