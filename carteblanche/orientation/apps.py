from django.apps import AppConfig


class OrientationConfig(AppConfig):
    name = "carteblanche.orientation"
    label = "orientation"
