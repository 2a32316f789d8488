"""The private link to a plan, sent by e-mail or SMS: signed, dated, short enough for a text message.

Plans are otherwise readable only from the browser that made them; the link lets the person open
the plan on another device. No table: the link is the plan's id signed with the secret key
(Django's `TimestampSigner`), valid `LINK_DAYS` days and never after the plan is deleted.
"""

from __future__ import annotations

import base64
import uuid

from django.core import signing

from carteblanche.orientation.models import SavedPlan

SALT = "carteblanche.orientation.plan-link"
LINK_DAYS = 30


def plan_token(saved: SavedPlan) -> str:
    """'<22-character id>:<time>:<signature>' (about 73 URL-safe characters)."""
    compact = base64.urlsafe_b64encode(saved.pk.bytes).decode().rstrip("=")
    return signing.TimestampSigner(salt=SALT).sign(compact)


def plan_from_token(token: str) -> SavedPlan | None:
    """The plan behind a link, or None when the link is altered, expired or its plan deleted."""
    if not token or len(token) > 200:
        return None
    try:
        compact = signing.TimestampSigner(salt=SALT).unsign(token, max_age=LINK_DAYS * 24 * 3600)
        pk = uuid.UUID(bytes=base64.urlsafe_b64decode(compact + "=="))
    except (signing.BadSignature, ValueError):
        return None
    return SavedPlan.objects.select_related("situation").filter(pk=pk).first()
