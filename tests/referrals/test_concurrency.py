"""Real concurrent transactions on PostgreSQL: no lost update, no duplicate, no lost transition.

Skipped on SQLite (one writer at a time, nothing to race). The figures of the bounded load test
are printed as JSON (run with `-s` to see them).
"""

import json
import threading
import time
from collections import Counter

import pytest
from django.db import connection, connections, transaction

from carteblanche.core.models import AuditEntry
from carteblanche.referrals import actions
from carteblanche.referrals.models import Referral, ReferralTransition

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://…)")


def _in_thread(target, results, name):
    def run():
        try:
            results[name] = ("ok", target())
        except Exception as exc:
            results[name] = ("error", exc)
        finally:
            connections.close_all()

    return threading.Thread(target=run)


def test_two_agents_change_the_same_referral_at_once(world):
    referral = world.sent_referral()
    version = referral.version
    first_wrote = threading.Event()
    results: dict = {}

    def receiver():
        # Writes and keeps its transaction open while the other agent tries.
        with transaction.atomic():
            updated = actions.transition_referral(
                actor=world.agent_carsat, referral_id=referral.pk, expected_version=version, target="received"
            )
            first_wrote.set()
            time.sleep(0.5)
        return updated.status

    def sender():
        first_wrote.wait(10)
        return actions.transition_referral(
            actor=world.agent_fs,
            referral_id=referral.pk,
            expected_version=version,  # read before the receiver's change
            target="closed",
            data={"outcome": "withdrawn"},
        ).status

    threads = [_in_thread(receiver, results, "receiver"), _in_thread(sender, results, "sender")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert results["receiver"] == ("ok", "received")
    outcome, error = results["sender"]
    assert outcome == "error" and isinstance(error, actions.ConcurrentModification)
    assert "modifiée entre-temps" in str(error)
    referral.refresh_from_db()
    assert referral.status == "received" and referral.version == version + 1
    assert list(referral.transitions.values_list("to_status", flat=True)) == ["draft", "sent", "received"]


def test_many_agents_at_once_bounded_load(world):
    """12 agents (6 senders, 6 receivers) at once: every referral ends received exactly once."""
    from tests.referrals.conftest import make_user

    senders = [world.agent_fs, world.agent_fs2, world.manager_fs] + [
        make_user(f"fs{i}", role="agent", structure=world.fs) for i in range(3)
    ]
    receivers = [world.agent_carsat] + [make_user(f"carsat{i}", role="agent", structure=world.carsat) for i in range(5)]
    per_sender = 8
    counters: Counter = Counter()
    lock = threading.Lock()
    done_sending = threading.Event()
    results: dict = {}
    start = time.perf_counter()

    def send(agent):
        def run():
            for i in range(per_sender):
                case = actions.create_case(
                    actor=agent,
                    structure_id=world.fs.pk,
                    data={
                        "first_name": f"P{i}",
                        "last_name": agent.username,
                        "contact_preference": "letter",
                        "postal_address": "non communiquée",
                    },
                )
                consent = actions.record_consent(
                    actor=agent,
                    case=case,
                    recipient_id=world.carsat.pk,
                    scope=["identity"],
                    purpose="test",
                    method="signed_paper",
                )
                referral = actions.create_referral(
                    actor=agent, case=case, to_structure_id=world.carsat.pk, need_label="réversion", consent=consent
                )
                actions.transition_referral(actor=agent, referral_id=referral.pk, expected_version=1, target="sent")
                with lock:
                    counters["sent"] += 1
            return per_sender

        return run

    def receive(agent):
        def run():
            idle_rounds = 0
            while idle_rounds < 3:
                pending = list(Referral.objects.filter(status="sent").values_list("pk", "version")[:10])
                if not pending:
                    if done_sending.is_set():
                        idle_rounds += 1
                    time.sleep(0.02)
                    continue
                for pk, version in pending:
                    try:
                        actions.transition_referral(
                            actor=agent, referral_id=pk, expected_version=version, target="received"
                        )
                        with lock:
                            counters["received"] += 1
                    except actions.ConcurrentModification:
                        with lock:
                            counters["conflicts"] += 1
            return True

        return run

    threads = [_in_thread(send(a), results, f"s{a.pk}") for a in senders]
    threads += [_in_thread(receive(a), results, f"r{a.pk}") for a in receivers]
    for thread in threads:
        thread.start()
    for thread in threads[: len(senders)]:
        thread.join(120)
    done_sending.set()
    for thread in threads[len(senders) :]:
        thread.join(120)
    elapsed = time.perf_counter() - start

    errors = {name: repr(value) for name, (status, value) in results.items() if status == "error"}
    assert not errors
    expected = len(senders) * per_sender
    assert Referral.objects.count() == expected  # no duplicate
    assert counters["sent"] == expected
    assert counters["received"] == expected  # each referral received exactly once
    assert Referral.objects.filter(status="received", version=3).count() == expected  # no lost transition
    per_referral = Counter(ReferralTransition.objects.values_list("referral_id", flat=True))
    assert set(per_referral.values()) == {3}
    print(
        json.dumps(
            {
                "agents": len(senders) + len(receivers),
                "referrals": expected,
                "writes": expected * 5,
                "conflicts_refused": counters["conflicts"],
                "errors": 0,
                "seconds": round(elapsed, 2),
                "referrals_per_second": round(expected / elapsed, 1),
            }
        )
    )


def test_concurrent_case_rectifications_lose_nothing(world):
    """Pairs of agents correcting the same case file from the same version: one wins, the other is told."""
    pairs = 10
    cases = [world.case() for _ in range(pairs)]
    results: dict = {}
    start = threading.Barrier(2 * pairs)

    def correct(case, actor, phone):
        def run():
            start.wait(10)
            return actions.update_case(
                actor=actor, case=case, data={"phone": phone}, reason="rectification", expected_version=1
            ).phone

        return run

    threads = []
    for index, case in enumerate(cases):
        threads.append(_in_thread(correct(case, world.agent_fs, "05 65 11 11 11"), results, (index, "a")))
        threads.append(_in_thread(correct(case, world.agent_fs2, "05 65 22 22 22"), results, (index, "b")))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    lost = 0
    for index, case in enumerate(cases):
        outcomes = [results[(index, side)] for side in ("a", "b")]
        winners = [value for outcome, value in outcomes if outcome == "ok"]
        losers = [value for outcome, value in outcomes if outcome == "error"]
        assert len(winners) == 1 and len(losers) == 1, outcomes
        assert isinstance(losers[0], actions.CaseModifiedConcurrently)
        case.refresh_from_db()
        lost += case.phone != winners[0]
        assert case.version == 2
        updates = AuditEntry.objects.filter(object_id=str(case.pk), action="update", reason="rectification")
        assert updates.count() == 1
    assert lost == 0
    print(json.dumps({"case_rectification_pairs": pairs, "lost_updates": lost}))
