"""The mobility context is kept per offer token: any write to its tables, by any means, is seen at once."""

import pytest
from django.core.management import call_command

from carteblanche.core import process_cache
from carteblanche.mobility.context import get_mobility_context
from carteblanche.mobility.models import GtfsStop, OnDemandService

pytestmark = pytest.mark.django_db


def test_the_context_is_kept_while_nothing_changes(shipped_data):
    call_command("load_mobility", verbosity=0)
    first = get_mobility_context()
    assert get_mobility_context() is first
    with process_cache.one_token_read():
        assert get_mobility_context() is first


def test_a_write_without_signals_is_seen_by_the_next_plan(shipped_data):
    """A queryset `update()` sends no signal (another process's write is no signal here either):
    the database's token changes all the same."""
    call_command("load_mobility", verbosity=0)
    before = get_mobility_context()
    names_before = {offer.name for offer in before.on_demand}
    service = OnDemandService.objects.filter(active=True).first()
    assert service.name in names_before
    OnDemandService.objects.filter(pk=service.pk).update(active=False)
    after = get_mobility_context()
    assert after is not before
    assert service.name not in {offer.name for offer in after.on_demand}


def test_every_mobility_table_is_watched_by_the_offer_token(shipped_data):
    from carteblanche.directory.offer_version import triggers_installed, watched_tables
    from carteblanche.mobility import models

    tables = set(watched_tables())
    for model in (
        models.GtfsFeed,
        models.GtfsStop,
        models.GtfsRoute,
        models.GtfsService,
        models.GtfsTrip,
        models.GtfsStopTime,
        models.OnDemandService,
        models.SolidarityOffer,
    ):
        assert model._meta.db_table in tables, model
    assert triggers_installed()
    feed = models.GtfsFeed.objects.create(slug="essai", name="Réseau d'essai")
    stop = GtfsStop.objects.create(feed=feed, stop_id="A", name="Arrêt", latitude=44.45, longitude=1.44)
    before = get_mobility_context()
    GtfsStop.objects.filter(pk=stop.pk).update(name="Arrêt renommé")
    assert get_mobility_context() is not before
