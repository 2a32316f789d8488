"""Process-wide changes to the Python runtime: all of them here, each switched by a setting.

Each one changes the whole process, so they must agree with each other:

- **Garbage-collector freezing** (`freeze`, `release_frozen`; `CARTEBLANCHE_GC_FREEZE`, default
  on). Long-lived objects (OpenFisca's system, ~700,000 objects; the search's offer cache, ~26
  per service) made every full collection walk them: 0.1-0.5 s pauses. `freeze` moves every
  object alive now out of the collector's sight. `release_frozen` is how a subsystem drops
  frozen objects it no longer needs (the previous version's offer cache): it unfreezes, collects,
  and freezes again what survived, so that the rights system frozen by its warm-up stays frozen
  (before, the directory's `gc.unfreeze()` undid the rights warm-up's freeze).
- **The interpreter's switch interval** (`shorten_switch_interval`;
  `CARTEBLANCHE_SWITCH_INTERVAL_MS`, default 1 ms, 0 leaves Python's 5 ms). Applied when the
  rights micro-batcher starts: a request thread woken with results while the batcher computes the
  next group waited 10-100 ms for the GIL at 5 ms, 1.5-6 ms at 1 ms.
- **Patches of openfisca-core** (`patch_openfisca`; `CARTEBLANCHE_OPENFISCA_SPEEDUPS`, default
  on): memoised period arithmetic, the same results for a quarter less CPU per simulation.
  Profiling a 32-household simulation shows ~52,000 `calculate` calls whose cost is mostly
  interpretive overhead; a large share of it is period arithmetic redone with pendulum dates
  (`Instant.offset`: ~49,000 calls, `Period.stop`: ~45,000). Both are pure functions of immutable
  tuples (`Instant`, `Period` are tuple subclasses), so caching their results cannot change any
  amount; `tests/rights/test_speedups.py` checks it on every test household against stock
  openfisca-core. `unpatch_openfisca()` restores the stock methods (the benchmark measures raw
  OpenFisca without them). Applied when the rights system is built.
"""

from __future__ import annotations

import gc
import sys
import threading


def _setting(name: str, default: object) -> object:
    """A Django setting, or its default where Django is not configured (pure scripts, benchmarks)."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        return getattr(settings, name, default)
    except ImproperlyConfigured:
        return default


# --- the garbage collector -----------------------------------------------------------------

_GC_LOCK = threading.Lock()


def freeze() -> bool:
    """Move every object alive now out of the collector's sight (if the setting allows); True if done."""
    if not _setting("CARTEBLANCHE_GC_FREEZE", True):
        return False
    gc.freeze()
    return True


def release_frozen() -> None:
    """Let the collector free frozen objects that are garbage now, keeping the rest frozen.

    One full collection over everything (its cost is the pause the freeze avoids, paid once).
    """
    with _GC_LOCK:
        was_frozen = gc.get_freeze_count() > 0
        gc.unfreeze()
        gc.collect()
        if was_frozen:
            freeze()


# --- the interpreter's switch interval -----------------------------------------------------


def shorten_switch_interval() -> None:
    """Set the GIL switch interval to the setting's value when it is shorter than the current one."""
    milliseconds = float(_setting("CARTEBLANCHE_SWITCH_INTERVAL_MS", 1.0))
    if milliseconds > 0 and sys.getswitchinterval() > milliseconds / 1000:
        sys.setswitchinterval(milliseconds / 1000)


# --- openfisca-core ------------------------------------------------------------------------


def patch_openfisca() -> bool:
    """Install the memoised period arithmetic if the setting allows (idempotent); True if installed."""
    if not _setting("CARTEBLANCHE_OPENFISCA_SPEEDUPS", True):
        return False
    _patch_openfisca()
    return True


_MAX_ENTRIES = 200_000  # distinct (instant, offset, unit) keys stay in the thousands: a safety bound
_PATCH_LOCK = threading.Lock()
_OPENFISCA_ORIGINAL: dict[str, object] = {}


def openfisca_patched() -> bool:
    return bool(_OPENFISCA_ORIGINAL)


def _patch_openfisca() -> None:
    """Replace `Instant.offset` and `Period.stop` by memoised versions (idempotent, thread-safe)."""
    from openfisca_core.periods import instant_, period_

    with _PATCH_LOCK:
        if _OPENFISCA_ORIGINAL:
            return
        offset = instant_.Instant.offset
        stop = period_.Period.stop.fget
        offsets: dict = {}
        stops: dict = {}

        def memo_offset(self, offset_by, unit):
            key = (self, offset_by, unit)
            try:
                return offsets[key]
            except KeyError:
                pass
            except TypeError:  # an unhashable argument: let openfisca-core handle (and reject) it
                return offset(self, offset_by, unit)
            if len(offsets) > _MAX_ENTRIES:
                offsets.clear()
            result = offsets[key] = offset(self, offset_by, unit)
            return result

        def memo_stop(self):
            try:
                return stops[self]
            except KeyError:
                pass
            if len(stops) > _MAX_ENTRIES:
                stops.clear()
            result = stops[self] = stop(self)
            return result

        memo_offset.__doc__ = offset.__doc__
        memo_stop.__doc__ = stop.__doc__
        _OPENFISCA_ORIGINAL["offset"] = offset
        _OPENFISCA_ORIGINAL["stop"] = period_.Period.stop
        instant_.Instant.offset = memo_offset
        period_.Period.stop = property(memo_stop)


def unpatch_openfisca() -> None:
    """Put the stock openfisca-core methods back."""
    from openfisca_core.periods import instant_, period_

    with _PATCH_LOCK:
        if not _OPENFISCA_ORIGINAL:
            return
        instant_.Instant.offset = _OPENFISCA_ORIGINAL.pop("offset")
        period_.Period.stop = _OPENFISCA_ORIGINAL.pop("stop")
