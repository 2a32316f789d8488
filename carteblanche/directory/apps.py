from django.apps import AppConfig
from django.db.models.signals import post_migrate


class DirectoryConfig(AppConfig):
    name = "carteblanche.directory"
    label = "directory"

    def ready(self) -> None:
        from carteblanche.directory.offer_version import _after_migrate

        # Every migrate (re)installs the offer-version triggers: SQLite drops them when it rebuilds a table.
        post_migrate.connect(_after_migrate, sender=self, dispatch_uid="directory-offer-version-triggers")
