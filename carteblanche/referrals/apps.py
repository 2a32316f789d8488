from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "carteblanche.referrals"
    label = "referrals"
