"""A server's start-up search and plan (core.serving.warm_search_and_plan) read the offer and write nothing."""

import logging

from django.db import connection
from django.test.utils import CaptureQueriesContext

from carteblanche.core import serving
from carteblanche.directory import search_index
from carteblanche.directory import warm_up as directory_warm_up
from carteblanche.mobility import context as mobility_context
from carteblanche.orientation import warm_up as orientation_warm_up


def test_the_warm_ups_search_and_plan_without_writing(cahors_offer, monkeypatch):
    calls = []
    real_plan = orientation_warm_up.compute_plan
    monkeypatch.setattr(
        orientation_warm_up, "compute_plan", lambda request: calls.append(request) or real_plan(request)
    )
    with CaptureQueriesContext(connection) as queries:
        directory_warm_up.warm_up()
        orientation_warm_up.warm_up()
    assert search_index.OFFER_INDEX.peek() is not None  # the offer index is built
    assert mobility_context.built_mobility_context() is not None  # timetables and on-demand zones loaded
    assert len(calls) == 1 and calls[0].besoins
    writes = [q["sql"] for q in queries if q["sql"].split()[0].upper() in ("INSERT", "UPDATE", "DELETE")]
    assert writes == []


def test_servers_start_the_warm_up_unless_the_setting_is_off(settings, monkeypatch):
    started = []

    class Thread:
        def __init__(self, *, target, name, daemon):
            self.target = target

        def start(self):
            started.append(self.target)

    monkeypatch.setattr(serving, "Thread", Thread)
    settings.RIGHTS_WARMUP = False
    settings.CARTEBLANCHE_ANSWERS_WARMUP = True
    serving.start_server_warm_ups()
    assert started == [serving.warm_search_and_plan]
    started.clear()
    settings.CARTEBLANCHE_ANSWERS_WARMUP = False
    serving.start_server_warm_ups()
    assert started == []


def test_a_failing_warm_up_is_logged_not_raised(monkeypatch, caplog):
    monkeypatch.setattr(directory_warm_up, "warm_up", lambda: 1 / 0)
    with caplog.at_level(logging.ERROR, logger="carteblanche.core.serving"):
        serving.warm_search_and_plan()
    assert "warming the search and the plan failed" in caplog.text
