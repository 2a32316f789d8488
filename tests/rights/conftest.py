"""Rights fixtures: one OpenFisca-France system per test session (built once, shared)."""

import pytest


@pytest.fixture(scope="session")
def tax_benefit_system():
    from carteblanche.rights.openfisca_adapter import get_tax_benefit_system

    return get_tax_benefit_system()


@pytest.fixture(scope="session")
def project_results(tax_benefit_system):
    """The project's results for every test household, computed in ONE vectorised batch."""
    from datetime import date

    from carteblanche.rights.answers import parse_household
    from carteblanche.rights.openfisca_adapter import simulate
    from tests.rights.households import HOUSEHOLDS, MONTH

    parsed = {
        name: parse_household(answers, today=date(2026, 10, 1), commune_exists=lambda code: True)
        for name, answers in HOUSEHOLDS.items()
    }
    results = simulate([p.household for p in parsed.values()], month=MONTH)
    return dict(zip(parsed, results, strict=True))
