from django.apps import AppConfig


class RightsConfig(AppConfig):
    name = "carteblanche.rights"
    label = "rights"
