"""The process-wide MobilityContext, built from the database once and rebuilt when data changes."""

import threading
import time as clock

from django.db import transaction
from django.db.models import Count, Max
from django.db.models.signals import post_delete, post_save

from carteblanche.mobility.models import GtfsFeed, OnDemandService, SolidarityOffer
from carteblanche.mobility.selectors import (
    load_on_demand_offers,
    load_solidarity_offers,
    load_timetable,
    urban_commune_codes,
)
from carteblanche.mobility.travel import MobilityContext

RECHECK_SECONDS = 30.0  # how often another process's data change is looked for

_lock = threading.Lock()
_state: dict = {"context": None, "version": None, "checked": 0.0}


def _version() -> tuple:
    """Cheap fingerprint of the mobility data: counts and last changes of each table."""
    parts = []
    for model, stamp in ((GtfsFeed, "imported_at"), (OnDemandService, "updated_at"), (SolidarityOffer, "updated_at")):
        agg = model.objects.aggregate(n=Count("pk"), last=Max(stamp))
        parts += [agg["n"], agg["last"]]
    return tuple(parts)


def get_mobility_context(*, refresh: bool = False) -> MobilityContext:
    """The shared context; rebuilt if the data changed (checked at most every RECHECK_SECONDS)."""
    now = clock.monotonic()
    with _lock:
        context = _state["context"]
        if context is not None and not refresh and now - _state["checked"] < RECHECK_SECONDS:
            return context
        version = _version()
        _state["checked"] = now
        if context is None or refresh or version != _state["version"]:
            context = MobilityContext(
                timetable=load_timetable(),
                on_demand=load_on_demand_offers(),
                solidarity=load_solidarity_offers(),
                urban_communes=urban_commune_codes(),
            )
            _state.update(context=context, version=version)
        return context


def reset_mobility_context(**_kwargs) -> None:
    """Forget the cached context (this process); the next call rebuilds it. Again after commit,
    so that a request running during an import does not keep the old data."""
    _forget()
    transaction.on_commit(_forget)


def _forget() -> None:
    with _lock:
        _state.update(context=None, version=None, checked=0.0)


for _model in (GtfsFeed, OnDemandService, SolidarityOffer):
    post_save.connect(reset_mobility_context, sender=_model, dispatch_uid=f"mobility-reset-save-{_model.__name__}")
    post_delete.connect(reset_mobility_context, sender=_model, dispatch_uid=f"mobility-reset-delete-{_model.__name__}")
