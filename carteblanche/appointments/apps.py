from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    name = "carteblanche.appointments"
    label = "appointments"
    verbose_name = "rendez-vous"
