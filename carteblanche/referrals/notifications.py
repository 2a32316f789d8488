"""In-app notices and e-mails to the agents of a structure, sent only after the change is committed."""

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from carteblanche.accounts.models import Membership
from carteblanche.referrals.models import Notification, Referral

logger = logging.getLogger(__name__)


def one_line(text: str) -> str:
    """A header-safe line: newlines and other control characters become spaces (e-mail subjects refuse them)."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in str(text)).split())


def notify_users(*, users: Iterable, text: str, url: str = "", referral: Referral | None = None) -> int:
    users = list({user.pk: user for user in users}.values())
    Notification.objects.bulk_create(
        [Notification(recipient=user, referral=referral, text=one_line(text)[:300], url=url) for user in users]
    )
    emails = [user.email for user in users if user.email]
    if emails:
        link = f"{settings.REFERRALS_SITE_URL.rstrip('/')}{url}" if url else ""

        def send() -> None:
            # A notification never fails the request: the change is already committed.
            try:
                send_mail(
                    subject=f"[Carte Blanche] {one_line(text)[:80]}",
                    # Never personal data in e-mails: the link leads to the logged-in page.
                    message=f"{text}\n\n{link}\n\nCe message ne contient aucune donnée personnelle : "
                    "connectez-vous pour voir le détail.",
                    from_email=None,
                    recipient_list=emails,
                )
            except Exception:
                logger.exception("Notification e-mail not sent")

        transaction.on_commit(send, robust=True)
    return len(users)


def structure_members(structure_id: int, roles=(Membership.Role.AGENT, Membership.Role.MANAGER)):
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(
            memberships__structure_id=structure_id,
            memberships__role__in=roles,
            memberships__is_active=True,
            is_active=True,
        )
        .distinct()
    )


def coordinators():
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(memberships__role=Membership.Role.COORDINATOR, memberships__is_active=True, is_active=True)
        .distinct()
    )


def notify_structure(*, structure_id: int, text: str, url: str = "", referral: Referral | None = None) -> int:
    return notify_users(users=structure_members(structure_id), text=text, url=url, referral=referral)
