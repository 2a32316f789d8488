"""The private link to a plan, sent by e-mail or SMS: signed, dated, short enough for a text message.

Plans are otherwise readable only from the browser that made them; the link lets the person open
the plan on another device. No table: the token is the plan's id, the day it was made and an
HMAC of both with the secret key (`salted_hmac`, SHA-256 cut to 132 bits), 47 URL-safe
characters — Django's `TimestampSigner` gives 73, a quarter of an SMS. Valid `LINK_DAYS` days
and never after the plan is deleted.
"""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime

from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from carteblanche.orientation.models import SavedPlan

SALT = "carteblanche.orientation.plan-link"
LINK_DAYS = 30
_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)  # days are counted from here (any fixed day would do)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _signature(body: str) -> str:
    return _b64(salted_hmac(SALT, body, algorithm="sha256").digest())[:22]


def _day(now: datetime | None = None) -> int:
    return ((now or timezone.now()) - _EPOCH).days


def plan_token(saved: SavedPlan, *, now: datetime | None = None) -> str:
    """'<22-character id>.<day>.<22-character signature>'."""
    body = f"{_b64(saved.pk.bytes)}.{_day(now)}"
    return f"{body}.{_signature(body)}"


def plan_from_token(token: str, *, now: datetime | None = None) -> SavedPlan | None:
    """The plan behind a link, or None when the link is altered, expired or its plan deleted."""
    if not token or len(token) > 100 or token.count(".") != 2:
        return None
    body, signature = token.rsplit(".", 1)
    if not constant_time_compare(signature, _signature(body)):
        return None
    compact, day = body.split(".")
    try:
        pk = uuid.UUID(bytes=base64.urlsafe_b64decode(compact + "=="))
        age = _day(now) - int(day)
    except ValueError:
        return None
    if not 0 <= age <= LINK_DAYS:
        return None
    return SavedPlan.objects.select_related("situation").filter(pk=pk).first()
