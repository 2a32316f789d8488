"""Freshness campaigns: private links for structures, their confirmations and proposals, the
history of what was applied, and how often each service is shown (to check the most seen first).
"""

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone

from carteblanche.core.models import TimeStampedModel


def hash_token(raw: str) -> str:
    """Only this digest is stored: a database leak gives no usable link."""
    return hashlib.sha256(raw.encode()).hexdigest()


class RecordType(models.TextChoices):
    STRUCTURE = "structure", "structure"
    PLACE = "place", "lieu d'accueil"
    SERVICE = "service", "service"
    CHANNEL = "channel", "canal"


class Campaign(TimeStampedModel):
    """A steward asks structures to check their records (all of them or a selection)."""

    class Kind(models.TextChoices):
        MANUAL = "manual", "lancée par un gestionnaire"
        REMINDER = "reminder", "rappel automatique"

    label = models.CharField("nom", max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.MANUAL)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "campagne de mise à jour"
        verbose_name_plural = "campagnes de mise à jour"
        ordering = ["-created_at"]
        permissions = [("manage_campaigns", "Peut lancer les campagnes et valider les propositions des structures")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="manual") | models.Q(started_by__isnull=False),
                name="manual_campaign_has_a_steward",
            )
        ]

    def __str__(self) -> str:
        return self.label


class CampaignLink(TimeStampedModel):
    """One structure's private link in a campaign: a hashed, expiring token, no account needed."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="links")
    structure = models.ForeignKey("directory.Structure", on_delete=models.CASCADE, related_name="campaign_links")
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=200, blank=True)
    emailed_to = models.EmailField("envoyé à", blank=True, help_text="Empty: the structure has no e-mail address.")
    emailed_at = models.DateTimeField(null=True, blank=True)
    first_opened_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "lien de mise à jour"
        verbose_name_plural = "liens de mise à jour"
        ordering = ["structure__name"]

    def __str__(self) -> str:
        return f"{self.campaign} — {self.structure}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and not self.is_expired


class Proposal(TimeStampedModel):
    """A field the structure says is wrong, with what it should read; a steward applies or rejects it."""

    class Status(models.TextChoices):
        PENDING = "pending", "à examiner"
        APPLIED = "applied", "appliquée"
        REJECTED = "rejected", "refusée"

    link = models.ForeignKey(CampaignLink, on_delete=models.CASCADE, related_name="proposals")
    record_type = models.CharField(max_length=20, choices=RecordType.choices)
    record_id = models.PositiveBigIntegerField()
    field = models.CharField(max_length=50)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField("motif", max_length=500, blank=True)

    class Meta:
        verbose_name = "proposition de modification"
        verbose_name_plural = "propositions de modification"
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="pending") | models.Q(reviewed_by__isnull=False, reviewed_at__isnull=False),
                name="reviewed_proposal_names_its_steward",
            ),
            models.UniqueConstraint(
                fields=["link", "record_type", "record_id", "field"],
                condition=models.Q(status="pending"),
                name="one_pending_proposal_per_field_and_link",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record_type}:{self.record_id} {self.field}"


class RecordChange(models.Model):
    """History of the offer kept current by the structures: a confirmation, or one field changed.

    Append-only, like the audit journal: who (the steward who applied, or the structure's link),
    when, what changed, and the source of the information ("confirmé par la structure")."""

    class Kind(models.TextChoices):
        CONFIRMED = "confirmed", "confirmation"
        CHANGED = "changed", "modification"

    SOURCE = "confirmé par la structure"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    record_type = models.CharField(max_length=20, choices=RecordType.choices)
    record_id = models.PositiveBigIntegerField()
    field = models.CharField(max_length=50, blank=True)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    source = models.CharField(max_length=100, default=SOURCE)
    verified_on = models.DateField(help_text="The date the structure confirmed: the records' new verified_on.")
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    link = models.ForeignKey(CampaignLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="changes")
    proposal = models.ForeignKey(Proposal, null=True, blank=True, on_delete=models.SET_NULL, related_name="changes")

    class Meta:
        verbose_name = "historique de mise à jour"
        verbose_name_plural = "historique des mises à jour"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["record_type", "record_id"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="changed") | ~models.Q(field=""), name="record_change_names_its_field"
            )
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d} {self.get_kind_display()} {self.record_type}:{self.record_id} {self.field}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("History entries cannot be modified.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("History entries cannot be deleted.")


class ShownCount(models.Model):
    """How many times a service was shown in search results or plans on one day. No personal data:
    counted per service and day, in batches (see `counters.py`)."""

    class Surface(models.TextChoices):
        SEARCH = "search", "recherche"
        PLAN = "plan", "plan"

    service = models.ForeignKey("directory.Service", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    surface = models.CharField(max_length=10, choices=Surface.choices)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "nombre d'affichages"
        constraints = [
            models.UniqueConstraint(fields=["service", "day", "surface"], name="one_count_per_service_day_surface")
        ]

    def __str__(self) -> str:
        return f"{self.service_id} {self.day} {self.surface}: {self.count}"


class Reminder(models.Model):
    """A reminder sent to a structure (or listed for the steward when it has no e-mail)."""

    structure = models.ForeignKey("directory.Structure", on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    link = models.ForeignKey(CampaignLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    emailed_to = models.EmailField(blank=True)
    due_on = models.DateField(help_text="The day its first record becomes stale.")

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.structure_id} {self.at:%Y-%m-%d}"
