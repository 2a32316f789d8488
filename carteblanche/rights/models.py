"""Models of the rights app: stored simulations, local aids as data, batch eligibility estimates."""

import uuid

from django.conf import settings
from django.db import models

from carteblanche.core.models import SourcedModel, TimeStampedModel


class Simulation(TimeStampedModel):
    """One rights simulation, stored so the result can be reproduced and explained later.

    Holds personal answers: read access follows case-file privacy (agent reads are audited).
    """

    class Mode(models.TextChoices):
        PUBLIC = "public", "en autonomie"
        AGENT = "agent", "avec un agent"
        API = "api", "API"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    situation = models.ForeignKey(
        "core.Situation", null=True, blank=True, on_delete=models.CASCADE, related_name="rights_simulations"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.PUBLIC)
    month = models.CharField("mois simulé (AAAA-MM)", max_length=7)
    inputs = models.JSONField(help_text="The household as given to the adapter (reproducible).")
    outputs = models.JSONField(default=dict, blank=True)
    openfisca_france_version = models.CharField(max_length=30)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(month__regex=r"^\d{4}-\d{2}$"), name="simulation_month_format"),
        ]

    def __str__(self) -> str:
        return f"Simulation {self.pk} ({self.month})"


class LocalAid(SourcedModel):
    """A local aid (Région, Département, EPCI, commune) described as data: adding one needs no code.

    `conditions` is a JSON rule over the answers and OpenFisca results (see rights/rules.py and
    docs/rights.md); `amount` is null when the amount is unknown or variable — never invented.
    """

    class Level(models.TextChoices):
        REGION = "region", "Région"
        DEPARTMENT = "departement", "Département"
        EPCI = "epci", "intercommunalité"
        COMMUNE = "commune", "commune"
        OTHER = "autre", "autre organisme local"

    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    level = models.CharField(max_length=12, choices=Level.choices)
    territory_codes = models.JSONField(
        default=list,
        help_text="Codes where it applies: region ('76'), department ('46'), EPCI SIREN or commune INSEE codes.",
    )
    description = models.TextField(blank=True)
    conditions = models.JSONField(default=dict, blank=True, help_text="JSON rule; empty means no condition.")
    conditions_text = models.TextField("conditions en clair", blank=True)
    amount = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    amount_text = models.CharField(
        max_length=200, blank=True, help_text="Shown when no amount: 'montant variable', 'montant non communiqué'."
    )
    periodicity = models.CharField(max_length=20, blank=True)
    operator = models.ForeignKey(
        "directory.Operator", null=True, blank=True, on_delete=models.SET_NULL, related_name="local_aids"
    )
    operator_name = models.CharField(max_length=200)
    how_to_claim = models.TextField(blank=True)
    claim_url = models.URLField(max_length=500, blank=True)
    needs = models.JSONField(default=list, blank=True, help_text="Directory Need slugs, to list counters.")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["level", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gte=0), name="local_aid_amount_positive"
            ),
            models.UniqueConstraint(fields=["source", "source_id"], name="local_aid_unique_per_source"),
        ]

    def __str__(self) -> str:
        return self.name


class EligibilityEstimate(TimeStampedModel):
    """Estimated number of likely-eligible households per benefit and commune (batch mode)."""

    territory_slug = models.SlugField(max_length=100)
    commune = models.ForeignKey("territories.Commune", on_delete=models.CASCADE, related_name="eligibility_estimates")
    benefit = models.CharField(max_length=40)
    month = models.CharField(max_length=7)
    seed = models.IntegerField()
    households = models.PositiveIntegerField(help_text="Estimated households living in the commune.")
    simulated_households = models.PositiveIntegerField()
    eligible_share = models.FloatField()
    eligible_households = models.FloatField(help_text="Estimate: households × share of simulated eligible ones.")
    mean_amount = models.FloatField(help_text="Mean amount among simulated eligible households (euros).")
    openfisca_france_version = models.CharField(max_length=30)

    class Meta:
        ordering = ["commune_id", "benefit"]
        constraints = [
            models.UniqueConstraint(
                fields=["territory_slug", "commune", "benefit", "month"], name="one_estimate_per_commune_benefit_month"
            ),
            models.CheckConstraint(
                condition=models.Q(eligible_share__gte=0) & models.Q(eligible_share__lte=1),
                name="estimate_share_is_a_share",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.benefit} {self.commune_id} {self.month}: {self.eligible_households:.0f}"
