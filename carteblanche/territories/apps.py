from django.apps import AppConfig


class TerritoriesConfig(AppConfig):
    name = "carteblanche.territories"
    label = "territories"
