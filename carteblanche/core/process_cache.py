"""The caches a process keeps between requests: one registry, one rule for when they are stale.

Registered caches (each module registers its own, with the builder that makes a fresh value):

| name                 | module                                | what                                   |
| -------------------- | ------------------------------------- | -------------------------------------- |
| `offer index`        | directory/search_index.py             | k-d trees of the offer, remote offices |
| `search offer`       | directory/search/cache.py             | services and rows searches loaded      |
| `orientation offers` | orientation/offer_cache.py            | the plan engine's ServiceOffers        |
| `postcodes`          | territories/selectors.py              | postcode -> INSEE codes                |
| `mobility context`   | mobility/context.py                   | timetables, on-demand and solidarity   |
| `rights system`      | rights/openfisca_adapter.py           | OpenFisca-France's tax-benefit system  |

The rule. A cache that depends on the offer (`per_offer=True`, all but the rights system) is
built under the offer's token (`directory.offer_version.current_token`: database triggers
rewrite it on every write to a table the offer is read from, by any process and any means,
in the writer's transaction) and is used while the token read now is the same. The token is
read once per request (`one_token_read`, the views and the API enter it), else at each `get`:
one primary-key read. So a cached value is never older than the offer; there are no signals
and no time to live. A cache that does not depend on the offer is built once per process.

Where the token cannot be read (no triggers: a database never migrated, see
`offer_version.Unavailable`), nothing that depends on the offer is kept: `get` returns
`when_untracked()` if the cache gives one (the caller then reads the database), else a fresh
build each time.

With `refresh_in_background` (the offer index on servers: a national build takes seconds), a
stale value keeps being served while one background thread builds the new one; only the very
first build is waited for.
"""

from __future__ import annotations

import contextvars
import logging
import threading
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

T = TypeVar("T")

logger = logging.getLogger(__name__)


class _Untracked:
    def __repr__(self) -> str:
        return "UNTRACKED"


UNTRACKED = _Untracked()  # the token when it cannot be read
_NOT_BUILT = object()


def _database() -> str:
    from django.db import router

    from carteblanche.directory.models import Service

    return router.db_for_read(Service)


def _read_token(db: str) -> Hashable:
    from carteblanche.directory import offer_version

    try:
        return offer_version.current_token(db)
    except offer_version.Unavailable:
        return UNTRACKED


_scope: contextvars.ContextVar[dict[str, Hashable] | None] = contextvars.ContextVar("offer_token", default=None)


@contextmanager
def one_token_read() -> Iterator[None]:
    """Read the offer's token at most once for everything done inside (a request).

    A request asks several caches (the commune, the need, the search, the index): each would
    read the token again (one query, ~0.1-0.3 ms). A write made inside the block is not seen by
    the block's later reads; requests only read the offer.
    """
    if _scope.get() is not None:  # already inside one: its read serves
        yield
        return
    reset = _scope.set({})
    try:
        yield
    finally:
        _scope.reset(reset)


def offer_token() -> tuple[str, Hashable]:
    """(database, token) of the offer now, or with `UNTRACKED` as token when it cannot be read."""
    db = _database()
    scoped = _scope.get()
    if scoped is None:
        return db, _read_token(db)
    if db not in scoped:
        scoped[db] = _read_token(db)
    return db, scoped[db]


class ProcessCache(Generic[T]):
    """One registered cache: its value and the token it was built under."""

    def __init__(
        self,
        name: str,
        build: Callable[[], T],
        *,
        per_offer: bool = True,
        when_untracked: Callable[[], T] | None = None,
        refresh_in_background: Callable[[], bool] | None = None,
        after_build: Callable[[T], None] | None = None,
    ) -> None:
        self.name = name
        self._build = build
        self.per_offer = per_offer
        self._when_untracked = when_untracked
        self._background = refresh_in_background
        self._after_build = after_build
        self._value: object = _NOT_BUILT
        self._key: tuple[str, Hashable] | None = None
        self._lock = threading.Lock()
        self._refresher: threading.Thread | None = None

    def get(self) -> T:
        """The value for the offer as it is now, built first if it is missing or stale."""
        if not self.per_offer:
            if self._value is _NOT_BUILT:
                with self._lock:
                    if self._value is _NOT_BUILT:
                        self._install(self._build(), None)
            return self._value  # type: ignore[return-value]
        key = offer_token()
        if key[1] is UNTRACKED:
            return self._when_untracked() if self._when_untracked is not None else self._build()
        value = self._value
        if value is not _NOT_BUILT and self._key == key:
            return value  # type: ignore[return-value]
        if value is not _NOT_BUILT and self._background is not None and self._background():
            self._refresh_in_background(key)
            return value  # type: ignore[return-value]
        with self._lock:
            if self._value is _NOT_BUILT or self._key != key:
                self._install(self._build(), key)
            return self._value  # type: ignore[return-value]

    def peek(self) -> T | None:
        """The value kept now, stale or not, without building (None if none)."""
        value = self._value
        return None if value is _NOT_BUILT else value  # type: ignore[return-value]

    def forget(self) -> None:
        """Drop the value: the next `get` builds (tests; a setting that shapes the value changed)."""
        with self._lock:
            self._value, self._key = _NOT_BUILT, None

    def wait_for_refresh(self, timeout: float = 60.0) -> None:
        """Wait for a background refresh in progress, if any (tests, benchmarks)."""
        refresher = self._refresher
        if refresher is not None:
            refresher.join(timeout)

    def _install(self, value: T, key: tuple[str, Hashable] | None) -> None:
        self._value, self._key = value, key
        if self._after_build is not None:
            self._after_build(value)

    def _refresh_in_background(self, key: tuple[str, Hashable]) -> None:
        def run() -> None:
            from django.db import connections

            try:
                with self._lock:
                    if self._key != key:
                        self._install(self._build(), key)
            except Exception:  # the stale value keeps serving; the next get tries again
                logger.exception("refreshing the process cache %r failed", self.name)
            finally:
                connections.close_all()  # this thread's own connections

        with self._lock:
            if self._refresher is not None and self._refresher.is_alive():
                return
            self._refresher = threading.Thread(target=run, name=f"refresh-{self.name}", daemon=True)
            self._refresher.start()


_registry: dict[str, ProcessCache] = {}


def register(name: str, build: Callable[[], T], **options: object) -> ProcessCache[T]:
    """Register a cache under a unique name (at import of its module); options as `ProcessCache`."""
    if name in _registry:
        raise ValueError(f"a process cache named {name!r} is already registered")
    cache: ProcessCache[T] = ProcessCache(name, build, **options)  # type: ignore[arg-type]
    _registry[name] = cache
    return cache


def registered() -> dict[str, ProcessCache]:
    return dict(_registry)


def forget_offer_caches() -> None:
    """Drop every value that depends on the offer (tests: a fresh start)."""
    for cache in _registry.values():
        if cache.per_offer:
            cache.forget()
