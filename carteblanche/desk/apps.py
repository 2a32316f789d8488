from django.apps import AppConfig


class DeskConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "carteblanche.desk"
    verbose_name = "Guichet (agent augmenté)"
