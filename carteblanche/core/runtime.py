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
  Two more, same setting, for the first rights result after a start:
  - *parameters read at an instant when used*: `get_parameters_at_instant` built the whole tree of
    ~9,000 parameters for each of the ~110 months and years a simulation touches (1.8 s of a
    first simulation's 3.1 s); a node now builds its children when one is first read
    (`LazyParameterNodeAtInstant`): the same values, only the ones the formulas read.
  - *parsed parameters kept on disk* (`CARTEBLANCHE_OPENFISCA_CACHE_DIR`, empty: off): parsing
    OpenFisca-France's 4,000 YAML files took 1.1 s of the system's 1.7 s build; the parsed tree is
    pickled once into that directory (`var/cache/openfisca`, the application's own: same trust as
    its `.pyc` files) under a key made of the Python, openfisca-core and country package versions
    and of every parameter file's path, size and modification time, so that a changed file or
    upgrade is parsed again. Read back in 0.1 s.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import os
import pickle
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)


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
_OPENFISCA_ORIGINAL: dict[str, Any] = {}


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

        from openfisca_core.parameters import parameter_node
        from openfisca_core.taxbenefitsystems import tax_benefit_system

        _OPENFISCA_ORIGINAL["node_at_instant"] = parameter_node.ParameterNode._get_at_instant
        _OPENFISCA_ORIGINAL["load_parameters"] = tax_benefit_system.TaxBenefitSystem.load_parameters
        parameter_node.ParameterNode._get_at_instant = _lazy_node_at_instant
        tax_benefit_system.TaxBenefitSystem.load_parameters = _load_parameters_through_cache
        _forget_parameters_at_instant()  # nodes built before the patch stay out of the patched world


def unpatch_openfisca() -> None:
    """Put the stock openfisca-core methods back."""
    from openfisca_core.periods import instant_, period_

    with _PATCH_LOCK:
        if not _OPENFISCA_ORIGINAL:
            return
        from openfisca_core.parameters import parameter_node
        from openfisca_core.taxbenefitsystems import tax_benefit_system

        instant_.Instant.offset = _OPENFISCA_ORIGINAL.pop("offset")
        period_.Period.stop = _OPENFISCA_ORIGINAL.pop("stop")
        parameter_node.ParameterNode._get_at_instant = _OPENFISCA_ORIGINAL.pop("node_at_instant")
        tax_benefit_system.TaxBenefitSystem.load_parameters = _OPENFISCA_ORIGINAL.pop("load_parameters")
        _forget_parameters_at_instant()


def _forget_parameters_at_instant() -> None:
    """Empty openfisca-core's cache of parameters at an instant (its nodes are lazy or not)."""
    from openfisca_core.taxbenefitsystems.tax_benefit_system import TaxBenefitSystem

    TaxBenefitSystem.get_parameters_at_instant.cache_clear()


def _lazy_node_at_instant(node: Any, instant: str) -> Any:
    return _lazy_node_class()(node.name, node, instant)


_LAZY_NODE_CLASS: list[type] = []


def _lazy_node_class() -> type:
    """`ParameterNodeAtInstant` whose children are read at the instant when one is first asked for.

    Stock openfisca-core builds every child, recursively, in the constructor. Here the constructor
    keeps the node; the first access to a child, `_children`, `[]`, iteration or repr builds this
    level exactly as the stock constructor does (children that have no value at the instant left
    out), and the stock methods then run unchanged. Subclass of the stock class: `isinstance`
    checks in openfisca-core still hold.
    """
    if _LAZY_NODE_CLASS:
        return _LAZY_NODE_CLASS[0]
    from openfisca_core.parameters.parameter_node_at_instant import ParameterNodeAtInstant

    class LazyParameterNodeAtInstant(ParameterNodeAtInstant):
        def __init__(self, name: str, node: Any, instant_str: str) -> None:
            self._name = name
            self._instant_str = instant_str
            self._node = node

        def _build_children(self) -> None:
            """Threads may race here (the warm-up and a request): each builds equal children, and
            `_node` goes last, so a node without `_node` always has every child in place."""
            node = self.__dict__.get("_node")
            if node is None:
                return
            children = {}
            for child_name, child in node.children.items():
                child_at_instant = child._get_at_instant(self._instant_str)
                if child_at_instant is not None:
                    children[child_name] = child_at_instant
            self.__dict__.update(children)
            self.__dict__["_children"] = children
            self.__dict__.pop("_node", None)

        def __getattr__(self, key: str) -> Any:
            # Called when the attribute was missing a moment ago: another thread may have built the
            # children since, so look again (once `_node` is gone, every child is in place).
            if not key.startswith("__"):
                if "_node" in self.__dict__:
                    self._build_children()
                try:
                    return self.__dict__[key]
                except KeyError:
                    pass
            return ParameterNodeAtInstant.__getattr__(self, key)

        def __getitem__(self, key: Any) -> Any:
            if "_node" in self.__dict__:
                self._build_children()
            return ParameterNodeAtInstant.__getitem__(self, key)

        def __iter__(self) -> Any:
            if "_node" in self.__dict__:
                self._build_children()
            return ParameterNodeAtInstant.__iter__(self)

        def __repr__(self) -> str:
            if "_node" in self.__dict__:
                self._build_children()
            return ParameterNodeAtInstant.__repr__(self)

    _LAZY_NODE_CLASS.append(LazyParameterNodeAtInstant)
    return LazyParameterNodeAtInstant


def _load_parameters_through_cache(system: Any, path_to_yaml_dir: str) -> None:
    """`TaxBenefitSystem.load_parameters`, the parsed (and preprocessed) tree read from the disk cache."""
    original = _OPENFISCA_ORIGINAL["load_parameters"]
    cache_file = _parameters_cache_file(system, path_to_yaml_dir)
    if cache_file is None:
        return original(system, path_to_yaml_dir)
    try:
        with open(cache_file, "rb") as stream:
            system.parameters = pickle.load(stream)  # noqa: S301  (written by this application, in its own directory)
        return None
    except FileNotFoundError:
        pass
    except Exception:  # unreadable or from another build: parse the YAML again and rewrite it
        logger.warning("OpenFisca parameter cache %s unreadable: parsed again", cache_file, exc_info=True)
    original(system, path_to_yaml_dir)
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=cache_file.parent, prefix=".tmp-", delete=False) as stream:
            pickle.dump(system.parameters, stream, protocol=pickle.HIGHEST_PROTOCOL)
        os.chmod(stream.name, 0o644)  # public data: a server running as another user than `bootstrap` reads it
        os.replace(stream.name, cache_file)  # atomic: a concurrent reader sees the whole file or none
    except OSError:
        logger.warning("OpenFisca parameter cache %s not written", cache_file, exc_info=True)
    return None


def _parameters_cache_file(system: Any, path_to_yaml_dir: str) -> Path | None:
    """Where the parsed tree of this parameter directory is kept, or None (cache off or unknown key)."""
    directory = str(_setting("CARTEBLANCHE_OPENFISCA_CACHE_DIR", "") or "")
    if not directory or not os.path.isdir(path_to_yaml_dir):
        return None
    from importlib import metadata

    key = hashlib.sha256()
    try:
        versions = [metadata.version("openfisca-core"), metadata.version(type(system).__module__.split(".")[0])]
    except (metadata.PackageNotFoundError, ValueError):
        return None
    preprocess = getattr(system, "preprocess_parameters", None)
    preprocess_name = f"{getattr(preprocess, '__module__', '')}.{getattr(preprocess, '__qualname__', '')}"
    key.update(repr((sys.version, versions, os.path.abspath(path_to_yaml_dir), preprocess_name)).encode())
    for root, dirs, files in os.walk(path_to_yaml_dir):
        dirs.sort()
        for name in sorted(files):
            stat = os.stat(os.path.join(root, name))
            key.update(f"{root}/{name}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return Path(directory) / f"parameters-{key.hexdigest()[:24]}.pickle"
