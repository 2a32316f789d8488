"""The micro-batcher simulates concurrent requests together and gives each its own results."""

import threading
from datetime import date

from carteblanche.rights.batcher import MicroBatcher
from carteblanche.rights.openfisca_adapter import HouseholdInput, PersonInput
from tests.rights.households import MONTH


def _single(salary: float) -> HouseholdInput:
    person = PersonInput(relation="demandeur", birth_date=date(1985, 1, 1), activity="actif", salary_net=salary)
    return HouseholdInput(persons=(person,), depcom="46042", housing_status="locataire_vide", rent=450)


def test_concurrent_threads_get_their_own_results(tax_benefit_system):
    from carteblanche.rights.openfisca_adapter import simulate

    salaries = [0, 400, 800, 1200, 1600, 2000, 2400, 3000]
    expected = simulate([_single(s) for s in salaries], month=MONTH, benefits=["rsa", "ppa"])
    batcher = MicroBatcher(window=0.5)  # a long window: every thread lands in the same batch
    got: dict[int, dict] = {}

    def worker(i: int) -> None:
        got[i] = batcher.submit(_single(salaries[i]), month=MONTH, benefits=("rsa", "ppa")).result(timeout=120)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(salaries))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert batcher.batches < len(salaries)  # batched, not one simulation per request
    for i in range(len(salaries)):
        assert got[i]["rsa"].amount == expected[i]["rsa"].amount
        assert got[i]["ppa"].amount == expected[i]["ppa"].amount
    assert got[0]["rsa"].amount > 0 and got[7]["rsa"].amount == 0  # really different households


def test_results_arrive_group_by_group_and_a_failure_is_isolated():
    calls = []

    def fake(households, *, month, benefits=None):
        calls.append(len(households))
        if any(h.depcom == "bad" for h in households):
            raise ValueError("bad household")
        yield {"af": [f"af-{h.depcom}" for h in households]}
        yield {"rsa": [f"rsa-{h.depcom}" for h in households]}

    batcher = MicroBatcher(window=0.3, iter_results=fake)
    good = batcher.submit(HouseholdInput(persons=(), depcom="46042"), month=MONTH)
    bad = batcher.submit(HouseholdInput(persons=(), depcom="bad"), month=MONTH)
    chunks = list(good.iter_partial(timeout=10))
    merged = {k: v for c in chunks for k, v in c.items()}
    assert merged == {"af": "af-46042", "rsa": "rsa-46042"}
    try:
        bad.result(timeout=10)
        raise AssertionError("the bad household must fail")
    except Exception as exc:
        assert "ValueError" in str(exc)
    assert calls[0] == 2  # tried together first, then one by one


def _fake_groups(households, *, month, benefits=None):
    yield {"af": [f"af-{h.depcom}" for h in households]}
    yield {"rsa": [f"rsa-{h.depcom}" for h in households]}


def test_a_non_progressive_ticket_gets_one_event_with_every_group():
    batcher = MicroBatcher(window=0.01, iter_results=_fake_groups)
    ticket = batcher.submit(HouseholdInput(persons=(), depcom="46042"), month=MONTH, progressive=False)
    chunks = list(ticket.iter_partial(timeout=10))
    assert chunks == [{"af": "af-46042", "rsa": "rsa-46042"}]


def test_the_next_batch_waits_until_the_last_one_is_answered():
    """Answering (local aids, JSON, write) must not compete with the next simulation for the GIL."""
    import time

    batcher = MicroBatcher(window=0.01, max_wait=2.0, iter_results=_fake_groups)
    first = batcher.submit(HouseholdInput(persons=(), depcom="1"), month=MONTH)
    list(first.iter_partial(timeout=10))  # computed, but its request is still being answered
    second = batcher.submit(HouseholdInput(persons=(), depcom="2"), month=MONTH)
    time.sleep(0.3)
    assert second.computing_at == 0  # held back
    released = time.perf_counter()
    first.release()
    assert second.result(timeout=10) == {"af": "af-2", "rsa": "rsa-2"}
    assert second.computing_at >= released


def test_a_request_never_released_holds_the_next_batch_at_most_max_wait():
    import time

    batcher = MicroBatcher(window=0.01, max_wait=0.2, iter_results=_fake_groups)
    list(batcher.submit(HouseholdInput(persons=(), depcom="1"), month=MONTH).iter_partial(timeout=10))
    started = time.perf_counter()
    assert batcher.submit(HouseholdInput(persons=(), depcom="2"), month=MONTH).result(timeout=10)["af"] == "af-2"
    assert time.perf_counter() - started < 2.0


def test_the_naive_setting_never_waits():
    """max_wait=0 (one simulation per request): no collection window, no waiting for answers."""
    batcher = MicroBatcher(window=0.0, max_batch=1, max_wait=0.0, iter_results=_fake_groups)
    tickets = [batcher.submit(HouseholdInput(persons=(), depcom=str(i)), month=MONTH) for i in range(3)]
    for i, ticket in enumerate(tickets):
        assert list(ticket.iter_partial(timeout=10))[-1] == {"rsa": f"rsa-{i}"}  # never released
    assert batcher.batches == 3


def test_starting_the_batcher_shortens_the_gil_switch_interval():
    """Results reach a waiting request thread in a few ms instead of tens of ms (see `start`)."""
    import sys

    before = sys.getswitchinterval()
    try:
        sys.setswitchinterval(0.005)
        MicroBatcher(iter_results=_fake_groups).start()
        assert sys.getswitchinterval() <= 0.001
    finally:
        sys.setswitchinterval(before)
