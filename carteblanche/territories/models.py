"""Communes, EPCIs, departments and territories (named sets of communes)."""

from django.db import models


class Department(models.Model):
    code = models.CharField(max_length=3, primary_key=True)
    name = models.CharField(max_length=100)
    region_code = models.CharField(max_length=3)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Epci(models.Model):
    code = models.CharField("SIREN", max_length=9, primary_key=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, help_text="CA, CC, CU, METRO, MET69…")

    class Meta:
        ordering = ["name"]
        verbose_name = "EPCI"

    def __str__(self) -> str:
        return self.name


class Commune(models.Model):
    code = models.CharField("code INSEE", max_length=5, primary_key=True)
    name = models.CharField(max_length=100)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="communes")
    region_code = models.CharField(max_length=3)
    epci = models.ForeignKey(Epci, null=True, blank=True, on_delete=models.SET_NULL, related_name="communes")
    population = models.PositiveIntegerField(null=True, blank=True)
    postcodes = models.JSONField(default=list, blank=True)
    latitude = models.FloatField(
        null=True, blank=True, help_text="Centroid of the commune polygon; empty when unknown."
    )
    longitude = models.FloatField(null=True, blank=True)
    search_key = models.CharField(max_length=120, db_index=True, help_text="Name normalised for tolerant lookup.")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(latitude__isnull=True) & models.Q(longitude__isnull=True))
                | (models.Q(latitude__gte=-90, latitude__lte=90) & models.Q(longitude__gte=-180, longitude__lte=180)),
                name="commune_point_complete_and_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.department_id})"

    @property
    def has_point(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class Territory(models.Model):
    """A named set of communes: a living area, one or more EPCIs, a department."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    epci_codes = models.JSONField(default=list, blank=True)
    department_codes = models.JSONField(default=list, blank=True)
    commune_codes = models.JSONField(
        default=list, blank=True, help_text="Extra communes beyond the EPCIs and departments."
    )
    communes = models.ManyToManyField(Commune, related_name="territories", blank=True)
    source = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "territories"

    def __str__(self) -> str:
        return self.name
