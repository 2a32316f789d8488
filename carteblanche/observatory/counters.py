"""Counting answers that found nothing usable (the "unmet needs" indicator), without personal data.

Called by the orientation and directory views after an answer is built. Best effort: a counting
failure is logged and never fails the person's request.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from carteblanche.observatory.models import AnswerCount

logger = logging.getLogger(__name__)
TO_CONFIRM = "to_confirm"  # orientation.engine.HoursStatus.TO_CONFIRM


def plan_outcomes(plan) -> dict[str, str]:
    """Need slug -> "aucune", "a-confirmer" or "" (usable) for an orientation plan."""
    outcomes = {}
    for need in plan.needs:
        options = [option for option in plan.options if need.slug in option.needs]
        if not options:
            outcomes[need.slug] = "aucune"
        elif all(option.hours_status == TO_CONFIRM for option in options):
            outcomes[need.slug] = "a-confirmer"
        else:
            outcomes[need.slug] = ""
    return outcomes


def record_answers(*, surface: str, commune_code: str, outcomes: dict[str, str]) -> None:
    """Add one answer per need (and one per unmet outcome) to today's counters."""
    day = timezone.localdate()
    for need_slug, outcome in outcomes.items():
        for kind in _kinds(outcome):
            try:
                _increment(day, surface, commune_code, need_slug or "texte-libre", kind)
            except DatabaseError:  # counting must never break an answer
                logger.exception("observatory: answer count failed")


def _kinds(outcome: str) -> Iterable[str]:
    yield "total"
    if outcome:
        yield outcome


def _increment(day, surface: str, commune_code: str, need_slug: str, outcome: str) -> None:
    key = {
        "day": day,
        "surface": surface,
        "commune_code": commune_code,
        "need_slug": need_slug[:100],
        "outcome": outcome,
    }
    with transaction.atomic():
        if AnswerCount.objects.filter(**key).update(count=F("count") + 1):
            return
        try:
            with transaction.atomic():
                AnswerCount.objects.create(**key, count=1)
        except IntegrityError:  # another request created it in between
            AnswerCount.objects.filter(**key).update(count=F("count") + 1)
