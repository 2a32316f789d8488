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
