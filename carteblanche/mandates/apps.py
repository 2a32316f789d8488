from django.apps import AppConfig


class MandatesConfig(AppConfig):
    name = "carteblanche.mandates"
    label = "mandates"
    verbose_name = "mandats"
