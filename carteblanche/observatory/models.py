"""Models of the observatory app: stored indicator values (history kept) and computation runs.

Pages and exports read these rows; only the scheduled `compute_indicators` command writes them,
so a page never waits for a computation and every figure shown has a date.
"""

from django.db import models
from django.utils import timezone


class AreaKind(models.TextChoices):
    COMMUNE = "commune", "commune"
    EPCI = "epci", "intercommunalité"
    TERRITORY = "territory", "territoire"


class IndicatorValue(models.Model):
    """One value of one indicator, for one area, one breakdown and one period (a month)."""

    indicator = models.SlugField(max_length=60)
    territory_slug = models.SlugField(max_length=100)
    area_kind = models.CharField(max_length=10, choices=AreaKind.choices)
    area_code = models.CharField(max_length=20)
    area_name = models.CharField(max_length=200)
    key = models.CharField(max_length=300, help_text="The breakdown, canonical: 'famille=papiers;profil=voiture'.")
    dims = models.JSONField(default=dict, blank=True)
    period = models.DateField(help_text="First day of the month the value describes.")
    value = models.FloatField(null=True, blank=True, help_text="Empty: not computable (no population, no answer).")
    numerator = models.FloatField(null=True, blank=True)
    denominator = models.FloatField(null=True, blank=True)
    extra = models.JSONField(default=dict, blank=True)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "territory_slug", "area_kind", "area_code", "key", "period"],
                name="one_value_per_indicator_area_key_period",
            )
        ]
        indexes = [models.Index(fields=["indicator", "territory_slug", "period", "key"])]

    def __str__(self) -> str:
        return f"{self.indicator} {self.area_code} {self.key} {self.period}: {self.value}"


class ComputationRun(models.Model):
    """One run of the indicators command: its progress (shown on the pages) and outcome."""

    class State(models.TextChoices):
        RUNNING = "running", "en cours"
        DONE = "done", "terminé"
        FAILED = "failed", "échec"

    territory_slug = models.SlugField(max_length=100)
    period = models.DateField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.RUNNING)
    step = models.CharField(max_length=200, blank=True)
    done_steps = models.PositiveIntegerField(default=0)
    total_steps = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    values_written = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.territory_slug} {self.period} {self.state}"


class KnownClaimants(models.Model):
    """Households known to receive a benefit in a commune, as a partner (CAF, MSA, CPAM…) reports it."""

    territory_slug = models.SlugField(max_length=100)
    commune = models.ForeignKey("territories.Commune", on_delete=models.CASCADE, related_name="+")
    benefit = models.CharField("prestation (code)", max_length=40)
    period = models.DateField("mois", help_text="First day of the month the count describes.")
    households = models.PositiveIntegerField("foyers bénéficiaires")
    source = models.CharField("source (organisme, fichier)", max_length=300)

    class Meta:
        verbose_name = "bénéficiaires connus"
        verbose_name_plural = "bénéficiaires connus"
        constraints = [
            models.UniqueConstraint(
                fields=["territory_slug", "commune", "benefit", "period"], name="one_claimant_count_per_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.benefit} {self.commune_id} {self.period:%Y-%m}: {self.households}"


class AnswerCount(models.Model):
    """How many plans or searches a day, per commune and need, and how many found nothing usable.

    Counts only: no person, no answer, no time of day is kept. Outcomes: "total", "aucune"
    (no option at all), "a-confirmer" (only options whose hours are unknown)."""

    day = models.DateField()
    surface = models.CharField(max_length=20)  # "plan" or "recherche"
    commune_code = models.CharField(max_length=5)
    need_slug = models.CharField(max_length=100)
    outcome = models.CharField(max_length=20)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "surface", "commune_code", "need_slug", "outcome"], name="one_answer_count_per_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.surface} {self.commune_code} {self.need_slug} {self.outcome}: {self.count}"
