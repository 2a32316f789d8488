"""`manage.py prepare_openfisca` (run by `bootstrap`): OpenFisca built once, so its parameters are on disk."""

from io import StringIO

from django.core.management import call_command

from carteblanche.core.management.commands.bootstrap import LOADERS
from carteblanche.rights import openfisca_adapter


def test_bootstrap_prepares_openfisca():
    assert "prepare_openfisca" in LOADERS


def test_it_builds_the_system_and_says_where_its_parameters_are(settings, tmp_path, tax_benefit_system):
    settings.CARTEBLANCHE_OPENFISCA_CACHE_DIR = str(tmp_path)
    out = StringIO()
    call_command("prepare_openfisca", stdout=out)
    assert openfisca_adapter.is_warm()
    assert "OpenFisca-France prêt en" in out.getvalue() and str(tmp_path) in out.getvalue()


def test_it_says_when_the_cache_is_off(settings):
    settings.CARTEBLANCHE_OPENFISCA_CACHE_DIR = ""
    out = StringIO()
    call_command("prepare_openfisca", stdout=out)
    assert "désactivé" in out.getvalue()
