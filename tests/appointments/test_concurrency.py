"""N agents book the same slots at the same instant on PostgreSQL: never two bookings of one slot.

Skipped on SQLite (one writer at a time). Figures printed as JSON (run with -s).
"""

import json
import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from carteblanche.appointments import actions
from carteblanche.appointments.models import Booking
from tests.appointments.conftest import make_user

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

AGENTS = 8
SLOTS = 5


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://…)")


def test_concurrent_bookings_never_double_book(world):
    agents = [world.agent_fs, world.agent_fs2] + [
        make_user(f"fs{i}", role="agent", structure=world.fs) for i in range(AGENTS - 2)
    ]
    start = timezone.now() + timedelta(days=3)
    slots = [
        actions.add_slot(
            actor=world.agent_carsat,
            structure_id=world.carsat.pk,
            kind="callback",
            start=start + timedelta(minutes=30 * i),
            end=start + timedelta(minutes=30 * i + 30),
        )
        for i in range(SLOTS)
    ]
    people = []
    for i, agent in enumerate(agents):
        case = world.case(first_name=f"P{i}")
        people.append((agent, case, world.consent(case, world.carsat)))
    barrier = threading.Barrier(AGENTS)
    counts: Counter = Counter()
    lock = threading.Lock()

    def run(agent, case, consent):
        try:
            for slot in slots:  # everyone races for every slot, in the same order
                barrier.wait(10)
                try:
                    actions.book(actor=agent, case=case, slot_id=slot.pk, consent_id=consent.pk)
                    outcome = "booked"
                except ValidationError:
                    outcome = "refused"
                with lock:
                    counts[outcome] += 1
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=person) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    per_slot = Counter(Booking.objects.exclude(status="cancelled").values_list("slot_id", flat=True))
    double = sum(1 for n in per_slot.values() if n > 1)
    print(json.dumps({"attempts": AGENTS * SLOTS, **counts, "slots": SLOTS, "double_bookings": double}))
    assert counts["booked"] + counts["refused"] == AGENTS * SLOTS
    assert double == 0 and counts["booked"] == SLOTS == len(per_slot)
