"""How fresh a sourced record is: the Truth rule says when it was checked, this says when to doubt it."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

# A record checked longer ago than this is shown with "à vérifier avant de vous déplacer":
# hours and addresses change (the France Services file of the shipped offer dates from 2021).
STALE_AFTER_DAYS = 365


def stale_before(today: date | None = None) -> date:
    """Records verified before this day are stale (for database filters)."""
    return (today or timezone.localdate()) - timedelta(days=STALE_AFTER_DAYS)


def is_stale(verified_on: date | None, today: date | None = None) -> bool:
    """Whether the last verification is older than `STALE_AFTER_DAYS`.

    An unknown date is not called stale here: the pages already say the date is unknown.
    """
    if verified_on is None:
        return False
    today = today or timezone.localdate()
    return (today - verified_on).days > STALE_AFTER_DAYS
