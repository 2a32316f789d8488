from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "carteblanche.accounts"
    label = "accounts"
