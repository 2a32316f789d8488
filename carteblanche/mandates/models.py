"""Mandates a person gives a structure to do named procedures on her behalf (Aidants Connect model)."""

from django.conf import settings
from django.db import models

from carteblanche.core.models import TimeStampedModel


class Domain(models.TextChoices):
    """Procedure domains, modelled on the Aidants Connect mandate (list not re-checked against its site)."""

    PAPIERS = "papiers", "papiers - citoyenneté"
    FAMILLE = "famille", "famille"
    SOCIAL = "social", "social - santé"
    TRAVAIL = "travail", "travail (dont inscription à France Travail)"
    LOGEMENT = "logement", "logement"
    TRANSPORTS = "transports", "transports"
    ARGENT = "argent", "argent (impôts, budget)"
    ETRANGER = "etranger", "étranger"
    LOISIRS = "loisirs", "loisirs"


class Duration(models.TextChoices):
    ONE_DAY = "1d", "une journée"
    ONE_MONTH = "1m", "un mois"
    SIX_MONTHS = "6m", "six mois"
    ONE_YEAR = "1y", "un an"


class Mandate(TimeStampedModel):
    class Method(models.TextChoices):
        SIGNED_PAPER = "signed_paper", "mandat papier signé (conservé par la structure)"
        SCANNED = "scanned", "mandat signé et numérisé (pièce du dossier)"

    class Status(models.TextChoices):
        ACTIVE = "active", "en cours"
        REVOKED = "revoked", "révoqué"
        EXPIRED = "expired", "expiré"

    case = models.ForeignKey("referrals.CaseFile", on_delete=models.CASCADE, related_name="mandates")
    structure = models.ForeignKey("directory.Structure", on_delete=models.PROTECT, related_name="mandates")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    domains = models.JSONField("démarches couvertes", default=list)
    duration = models.CharField("durée", max_length=2, choices=Duration.choices)
    method = models.CharField("forme du mandat", max_length=20, choices=Method.choices)
    # Required at creation for a scanned mandate (actions); the piece may later be withdrawn or erased.
    document = models.ForeignKey(
        "referrals.Document", null=True, blank=True, on_delete=models.SET_NULL, related_name="mandates"
    )
    starts_at = models.DateTimeField("début")
    expires_at = models.DateTimeField("fin")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by_label = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(expires_at__gt=models.F("starts_at")), name="mandate_ends_after"),
        ]

    def __str__(self) -> str:
        return f"Mandat {self.pk} ({self.structure})"

    def domain_labels(self) -> list[str]:
        labels = dict(Domain.choices)
        return [labels.get(d, d) for d in self.domains]
