"""The memoised period arithmetic changes no result: the project (with it) equals stock OpenFisca."""

import pytest

from carteblanche.core import runtime
from tests.rights.households import HOUSEHOLDS
from tests.rights.test_openfisca_equality import compute_directly


@pytest.fixture(scope="module")
def stock_results(tax_benefit_system):
    """Every test household computed directly with openfisca-core's own period arithmetic."""
    runtime.unpatch_openfisca()
    try:
        return compute_directly(tax_benefit_system)
    finally:
        runtime.patch_openfisca()


def test_the_system_is_built_with_the_speedups(tax_benefit_system):
    assert runtime.openfisca_patched()


def test_uninstall_restores_openfisca_core():
    from openfisca_core.periods import DateUnit, Instant, Period, instant_

    runtime.patch_openfisca()  # idempotent: whether or not this process built the system yet
    installed_offset = instant_.Instant.offset
    runtime.unpatch_openfisca()
    try:
        assert instant_.Instant.offset is not installed_offset
        assert instant_.Instant.offset.__module__ == "openfisca_core.periods.instant_"
        stock = (
            Instant((2024, 1, 31)).offset(1, DateUnit.MONTH),
            Period((DateUnit.YEAR, Instant((2024, 2, 29)), 1)).stop,
        )
    finally:
        runtime.patch_openfisca()
    leap_year = Period((DateUnit.YEAR, Instant((2024, 2, 29)), 1))
    memo = (Instant((2024, 1, 31)).offset(1, DateUnit.MONTH), leap_year.stop)
    assert memo == stock == (Instant((2024, 2, 29)), Instant((2025, 2, 27)))


@pytest.mark.parametrize("name", sorted(HOUSEHOLDS))
def test_project_with_speedups_equals_stock_openfisca(name, project_results, stock_results):
    for code, expected in stock_results[name].items():
        result = project_results[name][code]
        if code == "css_gratuite":
            assert result.eligible == bool(expected), code
        else:
            assert result.amount == pytest.approx(expected, abs=0.01), code
