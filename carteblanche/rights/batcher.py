"""Micro-batching: concurrent requests are simulated together as one vectorised OpenFisca simulation.

One worker thread owns the tax-benefit system. A request is queued; the worker waits for the first
one, keeps collecting for a short window (or until `max_batch` households), simulates them all at
once, and dispatches each benefit group's results to every waiting request as soon as that group
is computed (progressive display). The next batch is collected once every request of the last one
is answered (see `_settle`). A full garbage collection runs only when the worker is idle.
No Django import (the process-wide settings it applies are read through `core.runtime`).
"""

from __future__ import annotations

import gc
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from carteblanche.core import runtime
from carteblanche.rights import openfisca_adapter as adapter

logger = logging.getLogger(__name__)

_DONE = object()


class SimulationFailed(RuntimeError):
    """OpenFisca could not compute this household: the message is safe to show."""


@dataclass
class Ticket:
    """One request's place in the batcher: its events arrive on `events`."""

    household: adapter.HouseholdInput
    month: str
    benefits: tuple[str, ...] | None = None
    progressive: bool = True  # False: one event with every result, instead of one per benefit group
    submitted_at: float = field(default_factory=time.perf_counter)
    events: queue.Queue = field(default_factory=queue.Queue)
    batch_size: int = 0
    computing_at: float = 0.0  # the batch's simulation started
    computed_at: float = 0.0  # the batch's last group was dispatched
    batcher: MicroBatcher | None = field(default=None, repr=False)
    _released: bool = field(default=False, repr=False)

    def iter_partial(self, timeout: float = 60.0) -> Iterator[dict[str, adapter.BenefitResult]]:
        """Yield {code: result} chunks as they are computed; raise SimulationFailed on error."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise SimulationFailed("Le calcul a pris trop de temps. Réessayez dans un instant.")
            try:
                event = self.events.get(timeout=remaining)
            except queue.Empty:
                continue
            if event is _DONE:
                return
            if isinstance(event, BaseException):
                raise SimulationFailed(str(event)) from event
            yield event

    def result(self, timeout: float = 60.0) -> dict[str, adapter.BenefitResult]:
        out: dict[str, adapter.BenefitResult] = {}
        try:
            for chunk in self.iter_partial(timeout):
                out.update(chunk)
        finally:
            self.release()
        return out

    def release(self) -> None:
        """The request is done with its results (answered, stored): the batcher may start the next
        batch without this request's thread competing for the GIL. Idempotent."""
        if self.batcher is not None:
            self.batcher._release(self)
        else:
            self._released = True


class MicroBatcher:
    """Collects requests for `window` seconds (or `max_batch` of them) and simulates them together."""

    def __init__(
        self,
        *,
        window: float = 0.03,
        max_batch: int = 256,
        max_wait: float = 0.3,
        idle_gc_after: float = 0.5,
        iter_results: Callable[..., Iterator[dict[str, list[adapter.BenefitResult]]]] = adapter.iter_results,
        prepare: Callable[[], object] | None = None,
    ) -> None:
        self.window = window
        self._prepare = prepare
        self.max_batch = max_batch
        self.max_wait = max(max_wait, window)
        self.idle_gc_after = idle_gc_after
        self._iter_results = iter_results
        self._queue: queue.Queue[Ticket] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._answering: set[int] = set()  # ids of computed tickets whose requests are being answered
        self._answered = threading.Condition()
        self.batches = 0
        self.households = 0

    def start(self) -> None:
        """Start the worker. It also shortens the process's GIL switch interval
        (`core.runtime.shorten_switch_interval`, 5 ms → 1 ms): a request thread woken with results
        while the worker computes the next group waited 10–100 ms for the GIL at 5 ms (several
        handoffs per wake-up), 1.5–6 ms at 1 ms, which is most of the gap between the first group
        computed and the first card on screen."""
        with self._lock:
            runtime.shorten_switch_interval()
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="rights-microbatcher", daemon=True)
                self._thread.start()

    def submit(
        self,
        household: adapter.HouseholdInput,
        *,
        month: str,
        benefits: tuple[str, ...] | None = None,
        progressive: bool = True,
    ) -> Ticket:
        """Queue one household; `progressive=False` when the caller only wants the whole result (API):
        the waiting thread is then woken once instead of once per benefit group."""
        self.start()
        ticket = Ticket(household=household, month=month, benefits=benefits, progressive=progressive, batcher=self)
        self._queue.put(ticket)
        return ticket

    def _release(self, ticket: Ticket) -> None:
        with self._answered:
            if ticket._released:
                return
            ticket._released = True
            self._answering.discard(id(ticket))
            if not self._answering:
                self._answered.notify_all()

    # --- the worker ---

    def _settle(self) -> None:
        """Before collecting the next batch, let the requests of the last one be answered (at most
        `max_wait`). With the GIL, their answering (local aids, JSON, database write) cannot overlap
        the next simulation anyway; started in the middle of it, each thread's every I/O call would
        wait a 5 ms GIL switch interval behind the simulation (measured: writes of 0.3 s p50), their
        clients' next requests would come back late and split the next batch in two cohorts that
        then alternate (measured: batches of 20 and 12 instead of 32, half the throughput)."""
        deadline = time.monotonic() + self.max_wait
        with self._answered:
            while self._answering:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self._answering.clear()  # slow (or never released) requests: not waited for again
                    break
                self._answered.wait(remaining)

    def _collect(self, first: Ticket) -> list[Ticket]:
        """Keep collecting while requests keep coming (a gap of `window` ends it), at most `max_wait`.

        A lone request waits `window` only; a burst (clients answered by the previous batch all send
        their next request within a few hundred ms) lands in one batch instead of being split.
        """
        batch = [first]
        hard_deadline = time.perf_counter() + self.max_wait
        while len(batch) < self.max_batch:
            timeout = min(self.window, hard_deadline - time.perf_counter())
            if timeout <= 0:
                break
            try:
                batch.append(self._queue.get(timeout=timeout))
            except queue.Empty:
                break
        # Everything already waiting joins too: under load the batch grows instead of the queue.
        while len(batch) < self.max_batch:
            try:
                batch.append(self._queue.get_nowait())
            except queue.Empty:
                break
        return batch

    def _get_ready(self) -> None:
        """Build what every simulation needs (the tax-benefit system: ~1 s) before collecting, not
        inside the batch: requests arriving during the build then join the first batch. At a start,
        the warm-up's household is queued first and the first requests are answered with it, by one
        simulation, instead of each waiting for the warm-up's simulation and then running their own
        (or both running at once, sharing the interpreter: measured 3.7-4.1 s for the first result)."""
        if self._prepare is None:
            return
        try:
            self._prepare()
        except Exception:  # the batch's simulation fails and says so; the worker carries on
            logger.exception("preparing the rights simulations failed")

    def _run(self) -> None:
        dirty = False
        while True:
            try:
                first = self._queue.get(timeout=self.idle_gc_after if dirty else None)
            except queue.Empty:
                gc.collect()
                dirty = False
                continue
            self._get_ready()
            batch = self._collect(first)
            groups: dict[tuple[str, tuple[str, ...] | None], list[Ticket]] = {}
            for ticket in batch:
                groups.setdefault((ticket.month, ticket.benefits), []).append(ticket)
            for (month, benefits), tickets in groups.items():
                self._simulate(tickets, month=month, benefits=benefits)
            dirty = True
            if self.max_wait > 0:
                self._settle()

    def _simulate(self, tickets: list[Ticket], *, month: str, benefits: tuple[str, ...] | None) -> None:
        self.batches += 1
        self.households += len(tickets)
        now = time.perf_counter()
        for ticket in tickets:
            ticket.batch_size = len(tickets)
            ticket.computing_at = now
        whole: list[dict] = [{} for _ in tickets]  # for the tickets that want one event
        try:
            for chunk in self._iter_results([t.household for t in tickets], month=month, benefits=benefits):
                for index, ticket in enumerate(tickets):
                    mine = {code: results[index] for code, results in chunk.items()}
                    if ticket.progressive:
                        ticket.events.put(mine)
                    else:
                        whole[index].update(mine)
        except Exception as exc:  # OpenFisca failure: never crash the worker
            if len(tickets) > 1:
                # One bad household must not fail the others: retry each alone (they restart).
                logger.warning("rights batch of %d failed (%s); retrying one by one", len(tickets), exc)
                for ticket in tickets:
                    ticket.events.put(_RESTART)
                    self._simulate([ticket], month=month, benefits=benefits)
                return
            logger.exception("rights simulation failed")
            tickets[0].events.put(SimulationFailed(f"Le calcul n'a pas pu être fait ({type(exc).__name__})."))
            return
        now = time.perf_counter()
        with self._answered:
            for ticket in tickets:
                ticket.computed_at = now
                if not ticket._released:  # a request that gave up is not waited for
                    self._answering.add(id(ticket))
        for index, ticket in enumerate(tickets):
            if not ticket.progressive:
                ticket.events.put(whole[index])
            ticket.events.put(_DONE)


class _Restart(dict):
    """Marker chunk: earlier partial results of this ticket are superseded (empty dict)."""


_RESTART = _Restart()

_BATCHER: MicroBatcher | None = None
_BATCHER_LOCK = threading.Lock()


def get_batcher(*, window: float = 0.03, max_batch: int = 256, max_wait: float = 0.3) -> MicroBatcher:
    """The process-wide batcher (one worker thread owning the tax-benefit system)."""
    global _BATCHER
    if _BATCHER is None:
        with _BATCHER_LOCK:
            if _BATCHER is None:
                _BATCHER = MicroBatcher(
                    window=window, max_batch=max_batch, max_wait=max_wait, prepare=adapter.get_tax_benefit_system
                )
    return _BATCHER
