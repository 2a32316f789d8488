"""Process-wide runtime changes, each switched by a setting and consistent with the others."""

import gc
import sys

from carteblanche.core import runtime


def test_releasing_frozen_objects_keeps_the_survivors_frozen(settings):
    """The directory dropping its previous offer cache must not unfreeze OpenFisca's system."""
    settings.CARTEBLANCHE_GC_FREEZE = True
    survivors = [[i] for i in range(1000)]  # another subsystem's long-lived objects
    try:
        gc.collect()
        runtime.freeze()
        frozen = gc.get_freeze_count()
        assert frozen >= len(survivors)
        runtime.release_frozen()
        assert gc.get_freeze_count() >= len(survivors)  # frozen again after the collection
    finally:
        gc.unfreeze()
    assert survivors[-1] == [999]


def test_freezing_is_switched_off_by_its_setting(settings):
    settings.CARTEBLANCHE_GC_FREEZE = False
    try:
        assert runtime.freeze() is False
        assert gc.get_freeze_count() == 0
        runtime.release_frozen()
        assert gc.get_freeze_count() == 0
    finally:
        gc.unfreeze()


def test_the_switch_interval_follows_its_setting(settings):
    before = sys.getswitchinterval()
    try:
        sys.setswitchinterval(0.005)
        settings.CARTEBLANCHE_SWITCH_INTERVAL_MS = 0
        runtime.shorten_switch_interval()
        assert sys.getswitchinterval() == 0.005
        settings.CARTEBLANCHE_SWITCH_INTERVAL_MS = 1
        runtime.shorten_switch_interval()
        assert sys.getswitchinterval() <= 0.001
    finally:
        sys.setswitchinterval(before)


def test_openfisca_patches_follow_their_setting(settings):
    was_patched = runtime.openfisca_patched()
    runtime.unpatch_openfisca()
    try:
        settings.CARTEBLANCHE_OPENFISCA_SPEEDUPS = False
        assert runtime.patch_openfisca() is False
        assert not runtime.openfisca_patched()
        settings.CARTEBLANCHE_OPENFISCA_SPEEDUPS = True
        assert runtime.patch_openfisca() is True
        assert runtime.openfisca_patched()
    finally:
        if not was_patched:
            runtime.unpatch_openfisca()


# --- the disk cache of OpenFisca's parsed parameters -------------------------------------------


def _parameter_tree(root):
    (root / "prestations").mkdir(parents=True)
    (root / "prestations" / "montant.yaml").write_text(
        "description: Montant\nvalues:\n  2020-01-01:\n    value: 100\n  2024-01-01:\n    value: 120\n"
    )
    (root / "taux.yaml").write_text("description: Taux\nvalues:\n  2020-01-01:\n    value: 0.5\n")
    return root


def _system():
    from openfisca_core.taxbenefitsystems import TaxBenefitSystem
    from openfisca_france.entities import entities

    return TaxBenefitSystem(entities)


def _loaded(path):
    system = _system()
    system.load_parameters(str(path))
    return system.parameters.get_at_instant("2025-01-01")


def test_parsed_parameters_are_kept_on_disk_and_read_back(settings, tmp_path, monkeypatch):
    from openfisca_core.parameters import helpers

    runtime.patch_openfisca()
    settings.CARTEBLANCHE_OPENFISCA_CACHE_DIR = str(tmp_path / "cache")
    tree = _parameter_tree(tmp_path / "parameters")
    parsed = _loaded(tree)
    assert (parsed.prestations.montant, parsed.taux) == (120, 0.5)
    (cache_file,) = (tmp_path / "cache").glob("parameters-*.pickle")
    assert cache_file.stat().st_mode & 0o777 == 0o644  # readable by a server running as another user

    def no_parsing(path):
        raise AssertionError(f"{path} parsed again")

    monkeypatch.setattr(helpers, "_load_yaml_file", no_parsing)
    again = _loaded(tree)
    assert (again.prestations.montant, again.taux) == (120, 0.5)


def test_a_changed_parameter_file_is_parsed_again(settings, tmp_path):
    import os

    runtime.patch_openfisca()
    settings.CARTEBLANCHE_OPENFISCA_CACHE_DIR = str(tmp_path / "cache")
    tree = _parameter_tree(tmp_path / "parameters")
    assert _loaded(tree).prestations.montant == 120
    montant = tree / "prestations" / "montant.yaml"
    montant.write_text(montant.read_text() + "  2025-01-01:\n    value: 130\n")
    os.utime(montant, ns=(1_900_000_000_000_000_000, 1_900_000_000_000_000_000))
    assert _loaded(tree).prestations.montant == 130  # not the cached 120
    assert len(list((tmp_path / "cache").glob("parameters-*.pickle"))) == 2


def test_an_unreadable_cache_is_parsed_again_and_rewritten(settings, tmp_path, caplog):
    runtime.patch_openfisca()
    settings.CARTEBLANCHE_OPENFISCA_CACHE_DIR = str(tmp_path / "cache")
    tree = _parameter_tree(tmp_path / "parameters")
    _loaded(tree)
    (cache_file,) = (tmp_path / "cache").glob("parameters-*.pickle")
    cache_file.write_bytes(b"not a pickle")
    assert _loaded(tree).prestations.montant == 120
    assert "unreadable" in caplog.text
    assert cache_file.read_bytes() != b"not a pickle"
    assert _loaded(tree).taux == 0.5


def test_the_cache_is_off_when_its_setting_is_empty_or_its_directory_unwritable(settings, tmp_path):
    runtime.patch_openfisca()
    tree = _parameter_tree(tmp_path / "parameters")
    settings.CARTEBLANCHE_OPENFISCA_CACHE_DIR = ""
    assert _loaded(tree).prestations.montant == 120
    assert not (tmp_path / "cache").exists()
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    settings.CARTEBLANCHE_OPENFISCA_CACHE_DIR = str(blocked / "cache")  # cannot be created
    assert _loaded(tree).prestations.montant == 120
