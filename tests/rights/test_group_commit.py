"""Rows of concurrent requests are written in one transaction, and a bad row fails only its own."""

import threading
import time

import pytest
from django.db import IntegrityError, connection

from carteblanche.rights.actions import GroupCommit
from carteblanche.rights.models import Simulation

pytestmark = pytest.mark.django_db(transaction=True)


def _row(month: str = "2026-10") -> Simulation:
    return Simulation(mode=Simulation.Mode.API, month=month, inputs={"household": {}}, openfisca_france_version="t")


def _save_in_threads(writes: GroupCommit, rows: list[Simulation]) -> dict[int, BaseException | None]:
    outcome: dict[int, BaseException | None] = {}

    def save(i: int) -> None:
        try:
            writes.save(rows[i])
            outcome[i] = None
        except BaseException as exc:  # the test reads it
            outcome[i] = exc
        finally:
            connection.close()

    writes._writer.acquire()  # hold the writer until every thread has queued its row
    threads = [threading.Thread(target=save, args=(i,)) for i in range(len(rows))]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 10
    while len(writes._pending) < len(rows) and time.monotonic() < deadline:
        time.sleep(0.01)
    writes._writer.release()
    for t in threads:
        t.join(timeout=30)
    return outcome


def test_concurrent_rows_are_written_together():
    writes = GroupCommit()
    rows = [_row() for _ in range(8)]
    outcome = _save_in_threads(writes, rows)
    assert outcome == dict.fromkeys(range(8))
    assert writes.groups == 1
    assert Simulation.objects.filter(pk__in=[r.pk for r in rows]).count() == 8


def test_a_bad_row_fails_only_its_own_request():
    writes = GroupCommit()
    rows = [_row(), _row("bad"), _row()]  # "bad" breaks the month format constraint
    outcome = _save_in_threads(writes, rows)
    assert outcome[0] is None and outcome[2] is None
    assert isinstance(outcome[1], IntegrityError)
    assert set(Simulation.objects.values_list("pk", flat=True)) == {rows[0].pk, rows[2].pk}
