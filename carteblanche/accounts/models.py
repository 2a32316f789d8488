"""Users of the product and their memberships: who works where, with which role."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models

from carteblanche.core.models import TimeStampedModel


class User(AbstractUser):
    """A person who logs in. Roles and structure memberships live beside it (Membership)."""


class Membership(TimeStampedModel):
    """A user's role in a structure (agent, manager) or on the territory (coordinator, data steward)."""

    class Role(models.TextChoices):
        AGENT = "agent", "agent"
        MANAGER = "manager", "responsable de structure"
        COORDINATOR = "coordinator", "coordinateur de territoire"
        DATA_STEWARD = "data_steward", "référent données personnelles"

    STRUCTURE_ROLES = (Role.AGENT, Role.MANAGER)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    structure = models.ForeignKey(
        "directory.Structure",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="memberships",
        help_text="Empty for territory roles (coordinator, data steward).",
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "structure", "role"], name="membership_unique_role"),
            models.CheckConstraint(
                condition=~models.Q(role__in=["agent", "manager"]) | models.Q(structure__isnull=False),
                name="membership_structure_role_has_structure",
            ),
        ]

    def __str__(self) -> str:
        where = self.structure or "territoire"
        return f"{self.user} — {self.get_role_display()} — {where}"
