"""Counts of services shown (batched, no personal data) and the stewards' priority list."""

from datetime import timedelta

import pytest
from django.utils import timezone

from carteblanche.stewardship import counters, selectors
from carteblanche.stewardship.models import ShownCount

pytestmark = pytest.mark.django_db


def test_counts_stay_in_memory_until_flushed_then_add_up(records, settings):
    settings.STEWARDSHIP_SHOWN_FLUSH_SECONDS = 3600
    service = records["service"]
    counters.count_shown(counters.SEARCH, [service.pk, service.pk, str(service.pk)])  # once per page
    counters.count_shown(counters.SEARCH, [service.pk])
    assert not ShownCount.objects.exists()
    assert counters.flush() == 1
    counters.count_shown(counters.SEARCH, [service.pk])
    counters.count_shown(counters.PLAN, [service.pk, "pas-un-id"])
    counters.flush()
    rows = {(r.surface, r.count) for r in ShownCount.objects.filter(service=service)}
    assert rows == {("search", 3), ("plan", 1)}


def test_a_zero_flush_interval_writes_at_once(records, settings):
    settings.STEWARDSHIP_SHOWN_FLUSH_SECONDS = 0
    counters.count_shown(counters.PLAN, [records["service"].pk])
    assert ShownCount.objects.get(service=records["service"]).count == 1


def test_priorities_put_the_most_shown_stale_services_first(records):
    today = timezone.localdate()
    from carteblanche.directory.models import Service

    other = Service.objects.exclude(pk=records["service"].pk).filter(verified_on__isnull=False).first()
    ShownCount.objects.create(service=records["service"], day=today, surface="search", count=5)
    ShownCount.objects.create(service=other, day=today, surface="plan", count=2)
    ShownCount.objects.create(service=other, day=today - timedelta(days=200), surface="plan", count=900)  # too old
    Service.objects.filter(pk=other.pk).update(verified_on=today - timedelta(days=400))
    rows = selectors.priorities(today=today)
    ranked = [row.service.pk for row in rows]
    assert ranked.index(records["service"].pk) < ranked.index(other.pk)
    first = rows[0]
    assert (first.service.pk, first.shown, first.due) == (records["service"].pk, 5, True)
    Service.objects.filter(pk=records["service"].pk).update(verified_on=today)
    from carteblanche.directory.models import Place, Structure

    Structure.objects.filter(pk=records["structure"].pk).update(verified_on=today)
    Place.objects.filter(pk=records["place"].pk).update(verified_on=today)
    assert records["service"].pk not in [row.service.pk for row in selectors.priorities(today=today)]
    assert records["service"].pk in [row.service.pk for row in selectors.priorities(today=today, only_due=False)]


def test_search_page_counts_the_services_it_shows(client, records, settings):
    settings.STEWARDSHIP_SHOWN_FLUSH_SECONDS = 3600
    response = client.get("/recherche/", {"commune": "Cahors", "besoin": "carte-identite"})
    assert response.status_code == 200
    shown = counters.pending()
    assert shown and all(surface == "search" for _, surface, _ in shown)
    assert all(n == 1 for n in shown.values())


def test_api_plan_and_search_count_what_they_show(client, shipped_data, settings):
    settings.STEWARDSHIP_SHOWN_FLUSH_SECONDS = 3600
    plan = {
        "commune": "46070",
        "besoins": ["pension-reversion"],
        "numerique": "no_internet",
        "disponibilites": "mardi 9-12",
        "maintenant": "2026-05-11T08:00:00+02:00",
    }
    response = client.post("/api/orientation/plan", plan, content_type="application/json")
    assert response.status_code == 200, response.content
    options = response.json()["options"]
    plan_counts = {key[2] for key in counters.pending() if key[1] == "plan"}
    assert options and 1 <= len(plan_counts) <= sum(1 for _ in options) * 5  # the services of the options shown
    response = client.get("/api/offre/services", {"commune": "46042", "besoin": "pension-reversion"})
    assert response.status_code == 200
    assert {key for key in counters.pending() if key[1] == "search"}


def test_ended_services_are_not_in_the_priority_list(records):
    from datetime import date

    from carteblanche.directory.models import Service

    Service.objects.filter(pk=records["service"].pk).update(
        status=Service.Status.ENDED, ended_on=date(2020, 12, 31), status_source_url="https://example.org/fin"
    )
    assert records["service"].pk not in [r.service.pk for r in selectors.priorities(only_due=False, limit=10_000)]
