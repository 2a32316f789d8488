"""Models of the orientation app: a snapshot of a plan, so referrals and "Mon plan" reuse it."""

import uuid

from django.db import models

from carteblanche.core.models import Situation, TimeStampedModel


class SavedPlan(TimeStampedModel):
    """A plan as it was shown to the person (JSON from `render.plan_to_dict`), tied to their situation.

    The id is random: the printable page, the SMS text and the PDF are reached through it, and
    only from the browser session that owns the situation or by a signed-in agent.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    situation = models.ForeignKey(Situation, on_delete=models.CASCADE, related_name="orientation_plans")
    plan = models.JSONField()
    request = models.JSONField(default=dict, help_text="The answers the plan was computed from.")
    created_by_agent = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Plan {self.pk} ({self.created_at:%Y-%m-%d})"
