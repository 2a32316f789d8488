from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "carteblanche.directory"
    label = "directory"
