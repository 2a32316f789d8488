"""Writes of the rights app: run a simulation through the micro-batcher and store it."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from carteblanche.core.audit import record_audit
from carteblanche.rights import openfisca_adapter as adapter
from carteblanche.rights.answers import ParsedAnswers, simulation_inputs
from carteblanche.rights.batcher import SimulationFailed, Ticket, get_batcher
from carteblanche.rights.models import Simulation
from carteblanche.rights.selectors import (
    matching_local_aids,
    operator_names_for,
    reusable_simulation,
    stored_benefits,
)


def _batcher():
    return get_batcher(
        window=getattr(settings, "RIGHTS_BATCH_WINDOW_MS", 30) / 1000,
        max_batch=getattr(settings, "RIGHTS_BATCH_MAX", 256),
        max_wait=getattr(settings, "RIGHTS_BATCH_MAX_WAIT_MS", 300) / 1000,
    )


class GroupCommit:
    """Rows saved by concurrent requests are written together: one transaction instead of one each.

    A micro-batch answers its 32 requests at the same instant, and 32 threads then committing one
    row each queue on the database's write lock (on SQLite with sleeps that grow up to 100 ms per
    retry: measured 0.3 s p50 and 1.3 s p95 per save). Here the first thread to reach the writer
    takes every row waiting at that moment and inserts them in one `bulk_create`; the others wait
    for it, so every request still returns only once its row is committed (a GET right after the
    POST finds it). If the group insert fails, each thread saves its own row, so one bad row fails
    only its own request. Rows must be new (a primary key set by default, not yet in the table).
    """

    def __init__(self) -> None:
        self._pending: list[list] = []  # [instance, done Event, failed flag]
        self._pending_lock = threading.Lock()
        self._writer = threading.Lock()
        self.groups = 0

    def save(self, instance) -> None:
        entry = [instance, threading.Event(), False]
        with self._pending_lock:
            self._pending.append(entry)
        with self._writer:  # one writer at a time; whoever holds it writes everything pending
            if not entry[1].is_set():
                with self._pending_lock:
                    group, self._pending = self._pending, []
                try:
                    with transaction.atomic():
                        type(instance).objects.bulk_create([e[0] for e in group])
                except Exception:
                    for e in group:
                        e[2] = True
                self.groups += 1
                for e in group:
                    e[1].set()
        if entry[2]:
            instance.save(force_insert=True)


_SIMULATION_WRITES = GroupCommit()


def benefit_json(
    result: adapter.BenefitResult, *, received: tuple[str, ...], operator_names: dict[str, str]
) -> dict[str, Any]:
    benefit = adapter.BENEFITS_BY_CODE[result.code]
    return {
        "code": result.code,
        "label": benefit.label,
        "amount": result.amount,
        "eligible": result.eligible,
        "kind": benefit.kind,
        "periodicity": benefit.periodicity,
        "operator": result.operator,
        "operator_name": operator_names.get(result.operator, result.operator),
        "already_received": result.code in received,
        "link": benefit.link,
        "online_procedure": benefit.teleservice,
        "note": benefit.note,
    }


def iter_simulation(
    *,
    parsed: ParsedAnswers,
    situation=None,
    user=None,
    mode: str = Simulation.Mode.PUBLIC,
    month: str | None = None,
    progressive: bool = True,
) -> Iterator[tuple[str, Any]]:
    """Run one household through the batcher, yielding ("benefits", [json, ...]) as groups finish
    (all at once when not `progressive`), then ("done", Simulation). An OpenFisca failure yields
    ("error", Simulation) with `error` set.

    Not a generator itself: the household is queued at the call, so the collection window and
    the first benefit group run while the caller renders its page head."""
    month = month or adapter.current_month(timezone.localdate())
    started = time.perf_counter()
    # Into the batcher first: the database row is written once, at the end, so that concurrent
    # requests reach the same batch instead of queueing behind each other's writes.
    ticket = _batcher().submit(parsed.household, month=month, progressive=progressive)
    simulation = Simulation(
        situation=situation,
        created_by=user if user is not None and user.is_authenticated else None,
        mode=mode,
        month=month,
        inputs=simulation_inputs(parsed),
        openfisca_france_version=adapter.openfisca_france_version(),
    )
    return _answer_then_release(
        ticket, simulation, parsed=parsed, month=month, progressive=progressive, started=started
    )


def result_page_events(
    *, parsed: ParsedAnswers, situation, user, mode: str = Simulation.Mode.PUBLIC
) -> Iterable[tuple[str, Any]]:
    """The events of the result page: those of `iter_simulation`, or, on a reload with unchanged
    answers, the situation's last simulation again (`selectors.reusable_simulation`: the same
    amounts, nothing computed or stored twice; an agent's reload is a journaled read)."""
    month = adapter.current_month(timezone.localdate())
    if settings.RIGHTS_RELOAD_REUSES_SIMULATION:
        reused = reusable_simulation(situation=situation, parsed=parsed, month=month, mode=mode, user=user)
        if reused is not None:
            record_simulation_read(simulation=reused, user=user, reason="page de résultat, rechargée")
            return [("benefits", stored_benefits(reused)), ("done", reused)]
    return iter_simulation(parsed=parsed, situation=situation, user=user, mode=mode, month=month)


def _answer_then_release(ticket: Ticket, simulation: Simulation, **kwargs) -> Iterator[tuple[str, Any]]:
    try:
        yield from _answer(ticket, simulation, **kwargs)
    finally:
        ticket.release()  # answered and stored (or abandoned): the batcher may start its next batch


def _answer(
    ticket: Ticket, simulation: Simulation, *, parsed: ParsedAnswers, month: str, progressive: bool, started: float
) -> Iterator[tuple[str, Any]]:
    """The results as they come, then the local aids, the stored row and the request's timings."""
    results: dict[str, adapter.BenefitResult] = {}
    names = operator_names_for(parsed.household.depcom)
    try:
        for chunk in ticket.iter_partial(timeout=getattr(settings, "RIGHTS_TIMEOUT_S", 60)):
            if not chunk:
                continue
            results.update(chunk)
            if progressive:
                yield (
                    "benefits",
                    [benefit_json(r, received=parsed.received, operator_names=names) for r in chunk.values()],
                )
    except SimulationFailed as exc:
        simulation.error = str(exc)
        simulation.duration_ms = int((time.perf_counter() - started) * 1000)
        _SIMULATION_WRITES.save(simulation)
        yield "error", simulation
        return
    computed = time.perf_counter()
    on = date.fromisoformat(f"{month}-01")
    local_aids = matching_local_aids(parsed.household, results, on=on, received=parsed.received)
    benefits = {code: benefit_json(r, received=parsed.received, operator_names=names) for code, r in results.items()}
    if not progressive:
        yield "benefits", list(benefits.values())
    simulation.outputs = {
        "month": month,
        "benefits": benefits,
        "local_aids": local_aids,
        "batch_size": ticket.batch_size,
    }
    writing = time.perf_counter()
    simulation.duration_ms = int((writing - started) * 1000)
    _SIMULATION_WRITES.save(simulation)
    # Where this request's time went, server side, in ms (not stored: for logs and the benchmark).
    simulation.phases_ms = {
        "before_queue": ticket.submitted_at - started,
        "queued": ticket.computing_at - ticket.submitted_at,
        "computing": ticket.computed_at - ticket.computing_at,
        "wake": computed - ticket.computed_at,
        "local_aids_and_json": writing - computed,
        "write": time.perf_counter() - writing,
    }
    simulation.phases_ms = {k: round(v * 1000, 1) for k, v in simulation.phases_ms.items()}
    yield "done", simulation


def warm_up() -> float:
    """A server's warm-up: the sample household through the micro-batcher, whose worker builds the
    system first; requests arriving meanwhile are simulated in the same batch. Returns seconds."""
    started = time.perf_counter()
    month = adapter.current_month(timezone.localdate())
    _batcher().submit(adapter.WARM_UP_HOUSEHOLD, month=month, progressive=False).result(
        timeout=getattr(settings, "RIGHTS_TIMEOUT_S", 60) * 3
    )
    adapter.settle_after_warm_up()
    return time.perf_counter() - started


def run_simulation(**kwargs) -> Simulation:
    """Blocking variant (API, tests): the stored simulation, with `error` set on failure."""
    simulation = None
    kwargs.setdefault("progressive", False)
    for kind, payload in iter_simulation(**kwargs):
        if kind in ("done", "error"):
            simulation = payload
    return simulation


@transaction.atomic
def record_simulation_read(*, simulation: Simulation, user, reason: str = "") -> None:
    """Agents' reads of a stored simulation are personal-data reads: journal them."""
    if user is not None and user.is_authenticated:
        record_audit(
            actor=user, action="read", obj=simulation, reason=reason or "consultation d'une simulation de droits"
        )


LOCAL_AID_FIELDS = (
    "name", "level", "territory_codes", "description", "conditions", "conditions_text", "amount", "amount_text",
    "periodicity", "operator_name", "how_to_claim", "claim_url", "needs", "source", "source_id", "source_url",
    "verified_on",
)  # fmt: skip


def load_local_aids(*, entries: list[dict], dry_run: bool = False) -> dict[str, Any]:
    """Create or update local aids by slug; every entry is checked first and nothing is written on error."""
    from decimal import Decimal, InvalidOperation

    from carteblanche.directory.models import Operator
    from carteblanche.rights.models import LocalAid
    from carteblanche.rights.rules import validate_rule

    errors: list[str] = []
    cleaned: list[dict[str, Any]] = []
    levels = set(LocalAid.Level.values)
    for i, entry in enumerate(entries):
        where = f"aide n°{i + 1} ({entry.get('slug', '?')})"
        missing = [
            key for key in ("slug", "name", "level", "operator_name", "source", "source_id") if not entry.get(key)
        ]
        if missing:
            errors.append(f"{where} : champs manquants {missing}")
            continue
        for key in ("slug", "name", "source", "source_id", "operator_name"):
            limit = LocalAid._meta.get_field(key).max_length
            if len(str(entry[key])) > limit:
                errors.append(f"{where} : « {key} » dépasse {limit} caractères")
        if entry["level"] not in levels:
            errors.append(f"{where} : niveau « {entry['level']} » inconnu ({', '.join(sorted(levels))})")
        errors += [f"{where} : {e}" for e in validate_rule(entry.get("conditions") or {})]
        amount = entry.get("amount")
        if amount is not None:
            try:
                amount = Decimal(str(amount))
                if amount < 0:
                    raise InvalidOperation
            except InvalidOperation:
                errors.append(f"{where} : montant invalide « {entry.get('amount')} »")
        elif not entry.get("amount_text"):
            errors.append(f"{where} : sans montant, dire pourquoi dans amount_text (jamais de montant inventé)")
        values = {key: entry.get(key) for key in LOCAL_AID_FIELDS}
        values.update(
            amount=amount, conditions=entry.get("conditions") or {}, territory_codes=entry.get("territory_codes") or []
        )
        for key in (
            "description",
            "conditions_text",
            "amount_text",
            "periodicity",
            "how_to_claim",
            "claim_url",
            "source_url",
        ):
            values[key] = values[key] or ""
        values["needs"] = values["needs"] or []
        values["verified_on"] = entry.get("verified_on") or None
        cleaned.append({"slug": entry["slug"], "operator_code": entry.get("operator_code"), "values": values})
    report = {"errors": errors, "created": 0, "updated": 0}
    if errors or dry_run:
        if dry_run and not errors:
            report["created"] = sum(1 for c in cleaned if not LocalAid.objects.filter(slug=c["slug"]).exists())
            report["updated"] = len(cleaned) - report["created"]
        return report
    with transaction.atomic():
        for item in cleaned:
            values = dict(item["values"])
            values["operator"] = (
                Operator.objects.filter(code=item["operator_code"]).first() if item["operator_code"] else None
            )
            _aid, created = LocalAid.objects.update_or_create(slug=item["slug"], defaults=values)
            report["created" if created else "updated"] += 1
    return report


def store_eligibility_estimates(
    *, territory_slug: str, communes: list, owners: list[str], results: list[dict], month: str, seed: int
) -> int:
    """Replace the territory's estimates for the month: per commune and benefit, the eligible share
    among simulated households times the commune's estimated number of households."""
    from collections import defaultdict

    from carteblanche.rights.models import EligibilityEstimate
    from carteblanche.rights.population import households_in

    simulated: dict[str, int] = defaultdict(int)
    eligible: dict[tuple[str, str], int] = defaultdict(int)
    amounts: dict[tuple[str, str], float] = defaultdict(float)
    for code, household_results in zip(owners, results, strict=True):
        simulated[code] += 1
        for benefit, result in household_results.items():
            if result.eligible:
                eligible[(code, benefit)] += 1
                amounts[(code, benefit)] += result.amount
    version = adapter.openfisca_france_version()
    rows = []
    for commune in communes:
        n = simulated.get(commune.code, 0)
        if not n:
            continue
        total = households_in(commune.population or 0)
        for benefit in adapter.BENEFITS_BY_CODE:
            count = eligible.get((commune.code, benefit), 0)
            rows.append(
                EligibilityEstimate(
                    territory_slug=territory_slug,
                    commune=commune,
                    benefit=benefit,
                    month=month,
                    seed=seed,
                    households=total,
                    simulated_households=n,
                    eligible_share=count / n,
                    eligible_households=round(total * count / n, 1),
                    mean_amount=round(amounts.get((commune.code, benefit), 0.0) / count, 2) if count else 0.0,
                    openfisca_france_version=version,
                )
            )
    with transaction.atomic():
        EligibilityEstimate.objects.filter(territory_slug=territory_slug, month=month).delete()
        EligibilityEstimate.objects.bulk_create(rows)
    return len(rows)
