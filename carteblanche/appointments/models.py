"""Slots a receiving structure publishes, and the bookings sending agents make in them."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format

from carteblanche.core.models import TimeStampedModel


class Slot(TimeStampedModel):
    """One appointment or call-back slot of a structure; at most one active booking (see Booking)."""

    class Kind(models.TextChoices):
        APPOINTMENT = "appointment", "rendez-vous sur place"
        CALLBACK = "callback", "rappel téléphonique"

    class Source(models.TextChoices):
        HOURS = "hours", "tiré des horaires d'ouverture"
        EXPLICIT = "explicit", "créneau saisi"

    structure = models.ForeignKey("directory.Structure", on_delete=models.CASCADE, related_name="slots")
    kind = models.CharField("type", max_length=12, choices=Kind.choices)
    start = models.DateTimeField("début", db_index=True)
    end = models.DateTimeField("fin")
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.EXPLICIT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["start"]
        constraints = [
            models.UniqueConstraint(fields=["structure", "kind", "start"], name="slot_unique_start"),
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="slot_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start:%d/%m/%Y %H:%M} ({self.structure})"

    @property
    def label(self) -> str:
        """'mardi 8 décembre 2026, 10:00 – 10:30 (rappel téléphonique)', Paris time."""
        start, end = timezone.localtime(self.start), timezone.localtime(self.end)
        return f"{date_format(start, 'l j F Y')}, {start:%H:%M} – {end:%H:%M} ({self.get_kind_display()})"


class Booking(TimeStampedModel):
    """A person's booking of a slot, made by an agent of the sending structure with her consent."""

    class Status(models.TextChoices):
        BOOKED = "booked", "réservé"
        CANCELLED = "cancelled", "annulé"
        NO_SHOW = "no_show", "absence (rendez-vous non honoré)"
        HONOURED = "honoured", "honoré"

    class Notify(models.TextChoices):
        NONE = "", "ne pas prévenir"
        SMS = "sms", "SMS"
        EMAIL = "email", "e-mail"

    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="bookings")
    case = models.ForeignKey("referrals.CaseFile", on_delete=models.CASCADE, related_name="bookings")
    # Erasing the case file (RGPD) deletes its consents and so its bookings; revoking never deletes.
    consent = models.ForeignKey("referrals.Consent", on_delete=models.CASCADE, related_name="bookings")
    from_structure = models.ForeignKey("directory.Structure", on_delete=models.PROTECT, related_name="+")
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField("motif (sans détail de santé)", max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.BOOKED)
    notify = models.CharField(
        "prévenir la personne (avec son accord)", max_length=5, choices=Notify.choices, blank=True
    )
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by_label = models.CharField(max_length=100, blank=True)
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["slot__start"]
        constraints = [
            # Double booking is impossible: one active booking per slot, whatever the code does.
            models.UniqueConstraint(
                fields=["slot"], condition=~models.Q(status="cancelled"), name="booking_one_active_per_slot"
            ),
        ]

    def __str__(self) -> str:
        return f"Réservation {self.slot} ({self.get_status_display()})"
