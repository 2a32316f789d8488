from django.apps import AppConfig


class ObservatoryConfig(AppConfig):
    name = "carteblanche.observatory"
    label = "observatory"
