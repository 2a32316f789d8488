from django.apps import AppConfig


class StewardshipConfig(AppConfig):
    name = "carteblanche.stewardship"
    label = "stewardship"
    verbose_name = "Mise à jour de l'offre par les structures"
