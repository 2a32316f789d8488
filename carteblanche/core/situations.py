"""Read and write the person's shared answers so that they never type them twice."""

from typing import Any

from django.db import transaction
from django.http import HttpRequest

from carteblanche.core.models import Situation

SESSION_KEY = "situation_id"


def current_situation(request: HttpRequest) -> Situation | None:
    """The situation attached to this browser session, if any and not expired."""
    from django.utils import timezone

    situation_id = request.session.get(SESSION_KEY)
    if not situation_id:
        return None
    return Situation.objects.filter(pk=situation_id, expires_at__gt=timezone.now()).first()


def get_or_start_situation(request: HttpRequest) -> Situation:
    situation = current_situation(request)
    if situation is None:
        situation = Situation.objects.create()
        request.session[SESSION_KEY] = str(situation.pk)
    return situation


@transaction.atomic
def save_situation_section(
    *, situation: Situation, section: str, data: dict[str, Any], merge: bool = True
) -> Situation:
    """Store one section's answers (JSON-serialisable values only); keeps other sections intact."""
    situation = Situation.objects.select_for_update().get(pk=situation.pk)
    current = situation.section(section) if merge else {}
    current.update(data)
    situation.answers = {**situation.answers, section: current}
    situation.save(update_fields=["answers", "updated_at"])
    return situation
