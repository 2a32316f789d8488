"""The openfisca-core speedups (`core.runtime.patch_openfisca`) change no result: the project equals stock OpenFisca."""

import pytest

from carteblanche.core import runtime
from tests.rights.households import HOUSEHOLDS, MONTH
from tests.rights.test_openfisca_equality import compute_directly


@pytest.fixture(scope="module")
def stock_system(tax_benefit_system):
    """OpenFisca-France built by stock openfisca-core: parsed from the YAML files (no disk cache)."""
    from openfisca_france import CountryTaxBenefitSystem

    runtime.unpatch_openfisca()
    try:
        return CountryTaxBenefitSystem()
    finally:
        runtime.patch_openfisca()


@pytest.fixture(scope="module")
def stock_results(stock_system):
    """Every test household computed directly by stock openfisca-core: its own period arithmetic,
    parameters built whole at each instant, on the system parsed from the YAML files."""
    runtime.unpatch_openfisca()
    try:
        return compute_directly(stock_system)
    finally:
        runtime.patch_openfisca()


@pytest.mark.parametrize("instant", ["2012-07-01", "2021-01-01", f"{MONTH}-01"])
def test_parameters_read_when_used_equal_the_whole_tree(instant, tax_benefit_system, stock_system):
    """Every parameter, at an instant, read through the lazy nodes of the (cached) project system
    equals the tree stock openfisca-core builds whole from the YAML files."""
    runtime.unpatch_openfisca()
    try:
        stock = stock_system.parameters.get_at_instant(instant)
        assert type(stock).__name__ == "ParameterNodeAtInstant"
        expected = repr(stock)
    finally:
        runtime.patch_openfisca()
    lazy = tax_benefit_system.parameters.get_at_instant(instant)
    assert type(lazy).__name__ == "LazyParameterNodeAtInstant"
    assert "_children" not in vars(lazy)  # nothing built before it is read
    assert lazy.prestations_sociales is not None and "_children" in vars(lazy)
    assert repr(lazy) == expected
    assert len(expected) > 100_000


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


def test_a_missing_parameter_is_still_an_error(tax_benefit_system):
    from openfisca_core.errors import ParameterNotFoundError

    node = tax_benefit_system.parameters.get_at_instant(f"{MONTH}-01")
    with pytest.raises(ParameterNotFoundError):
        node.prestations_sociales.no_such_parameter  # noqa: B018
    with pytest.raises(ParameterNotFoundError):
        node["no_such_branch"]


def test_threads_reading_a_node_at_once_all_see_its_children():
    """The warm-up and a request may read the same node at the same moment: neither may miss a child."""
    import threading

    runtime.patch_openfisca()
    first_read, reader_done = threading.Event(), threading.Event()

    class Slow:
        calls = 0

        def _get_at_instant(self, instant):
            Slow.calls += 1
            if Slow.calls == 1:  # the first builder stops half-way while another thread reads
                first_read.set()
                reader_done.wait(5)
            return 1.0

    class Leaf:
        def _get_at_instant(self, instant):
            return 2.0

    class Node:
        name = "node"
        children = {"slow": Slow(), "leaf": Leaf()}

    lazy = runtime._lazy_node_at_instant(Node(), "2026-01-01")
    seen = {}
    builder = threading.Thread(target=lambda: seen.setdefault("builder", lazy.leaf))
    builder.start()
    first_read.wait(5)
    seen["reader"] = (lazy.leaf, lazy["slow"], list(lazy))
    reader_done.set()
    builder.join(5)
    assert seen == {"builder": 2.0, "reader": (2.0, 1.0, ["slow", "leaf"])}


def test_a_read_that_missed_while_another_thread_built_the_children_finds_them():
    """The window the warm-up and a request hit on a server: the attribute was missing when looked up,
    another thread then built the children, and only then `__getattr__` runs."""
    runtime.patch_openfisca()

    class Leaf:
        def _get_at_instant(self, instant):
            return 2.0

    class Node:
        name = "node"
        children = {"leaf": Leaf()}

    lazy = runtime._lazy_node_at_instant(Node(), "2026-01-01")
    assert list(lazy) == ["leaf"]  # built by "another thread"
    assert type(lazy).__getattr__(lazy, "leaf") == 2.0
