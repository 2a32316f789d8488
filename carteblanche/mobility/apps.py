from django.apps import AppConfig


class MobilityConfig(AppConfig):
    name = "carteblanche.mobility"
    label = "mobility"
