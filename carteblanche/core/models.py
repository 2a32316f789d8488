"""Shared base models and the append-only audit journal of personal-data access."""

import uuid

from django.conf import settings
from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class SourcedModel(TimeStampedModel):
    """A record that names where it comes from and when it was last checked (the Truth rule)."""

    source = models.CharField(
        "source", max_length=100, help_text="Producteur de la donnée (ex. 'carteblanche', 'france-services-2021')."
    )
    source_id = models.CharField("identifiant chez la source", max_length=200)
    source_url = models.URLField("lien vers la source", max_length=500, blank=True)
    verified_on = models.DateField("date de dernière vérification", null=True, blank=True)

    class Meta:
        abstract = True


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):  # type: ignore[override]
        raise PermissionError("Audit entries cannot be modified.")

    def delete(self):  # type: ignore[override]
        raise PermissionError("Audit entries cannot be deleted.")


class AuditEntry(models.Model):
    """Who read or changed which personal data, when and why. Append-only."""

    class Action(models.TextChoices):
        READ = "read", "lecture"
        CREATE = "create", "création"
        UPDATE = "update", "modification"
        DELETE = "delete", "suppression"
        EXPORT = "export", "export"
        SHARE = "share", "partage"
        LOGIN = "login", "connexion"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(
        max_length=200, blank=True, help_text="Who acted when not a user (a partner system, a private link)."
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=100)
    reason = models.CharField(max_length=300, blank=True)
    details = models.JSONField(default=dict, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(actor__isnull=False) | ~models.Q(actor_label=""),
                name="audit_entry_has_an_actor",
            ),
        ]

    def __str__(self) -> str:
        who = self.actor or self.actor_label
        return f"{self.at:%Y-%m-%d %H:%M} {who} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Audit entries cannot be modified.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit entries cannot be deleted.")


def _default_situation_expiry():
    from datetime import timedelta

    from django.utils import timezone

    return timezone.now() + timedelta(days=30)


class Situation(TimeStampedModel):
    """The answers a person gives once, reused by orientation, rights and referrals.

    `answers` holds one dict per section (see docs/situation.md): "profile" (commune, birth
    date: shared by all), "household" (rights questionnaire), "orientation" (travel means,
    digital autonomy, availability, needs). Anonymous self-service situations expire.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    answers = models.JSONField(default=dict, blank=True)
    expires_at = models.DateTimeField(default=_default_situation_expiry, db_index=True)

    def __str__(self) -> str:
        return f"Situation {self.pk}"

    def section(self, name: str) -> dict:
        return dict(self.answers.get(name) or {})
