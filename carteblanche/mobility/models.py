"""Public transport timetables (GTFS), on-demand transport and solidarity mobility, as data."""

from django.db import models

from carteblanche.core.models import SourcedModel


class GtfsFeed(models.Model):
    """One imported GTFS archive; importing again under the same slug replaces it whole."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    source_url = models.URLField(max_length=500, blank=True)
    licence = models.CharField(max_length=100, blank=True)
    imported_at = models.DateTimeField(auto_now=True)
    fare_eur = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Prix d'un trajet sur tout le réseau quand le GTFS ne le donne pas ; vide = inconnu.",
    )
    fare_source = models.URLField(max_length=500, blank=True, help_text="D'où vient fare_eur.")

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name


class GtfsStop(models.Model):
    feed = models.ForeignKey(GtfsFeed, on_delete=models.CASCADE, related_name="stops")
    stop_id = models.CharField(max_length=100)
    name = models.CharField(max_length=200)
    latitude = models.FloatField()
    longitude = models.FloatField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["feed", "stop_id"], name="gtfs_stop_unique_in_feed")]

    def __str__(self) -> str:
        return self.name


class GtfsRoute(models.Model):
    feed = models.ForeignKey(GtfsFeed, on_delete=models.CASCADE, related_name="routes")
    route_id = models.CharField(max_length=100)
    short_name = models.CharField(max_length=50, blank=True)
    long_name = models.CharField(max_length=200, blank=True)
    route_type = models.PositiveSmallIntegerField()
    fare_eur = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["feed", "route_id"], name="gtfs_route_unique_in_feed")]

    def __str__(self) -> str:
        return self.short_name or self.long_name


class GtfsService(models.Model):
    """calendar.txt and calendar_dates.txt of one service_id, in one row."""

    feed = models.ForeignKey(GtfsFeed, on_delete=models.CASCADE, related_name="services")
    service_id = models.CharField(max_length=100)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    weekdays = models.CharField(max_length=7, default="0000000", help_text="Lundi en premier, 1 = circule.")
    added_dates = models.JSONField(default=list, blank=True)  # ISO dates
    removed_dates = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["feed", "service_id"], name="gtfs_service_unique_in_feed")]

    def __str__(self) -> str:
        return self.service_id


class GtfsTrip(models.Model):
    feed = models.ForeignKey(GtfsFeed, on_delete=models.CASCADE, related_name="trips")
    trip_id = models.CharField(max_length=100)
    route = models.ForeignKey(GtfsRoute, on_delete=models.CASCADE, related_name="trips")
    service = models.ForeignKey(GtfsService, on_delete=models.CASCADE, related_name="trips")
    headsign = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["feed", "trip_id"], name="gtfs_trip_unique_in_feed")]

    def __str__(self) -> str:
        return self.trip_id


class GtfsStopTime(models.Model):
    trip = models.ForeignKey(GtfsTrip, on_delete=models.CASCADE, related_name="stop_times")
    stop = models.ForeignKey(GtfsStop, on_delete=models.CASCADE, related_name="+")
    sequence = models.PositiveIntegerField()
    arrival = models.PositiveIntegerField(help_text="Secondes après minuit du jour de service.")
    departure = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["trip", "sequence"], name="gtfs_stop_time_unique")]

    def __str__(self) -> str:
        return f"{self.trip_id}#{self.sequence}"


class MobilityOffer(SourcedModel):
    """Fields shared by on-demand transport and solidarity mobility. Empty = unknown, shown as such."""

    name = models.CharField(max_length=200)
    operator_name = models.CharField(max_length=200, blank=True)
    area_label = models.CharField(max_length=300, help_text="Territoire desservi, en clair.")
    epci_codes = models.JSONField(default=list, blank=True, help_text="Communes desservies : celles de ces EPCI…")
    commune_codes = models.JSONField(default=list, blank=True, help_text="… et ces communes (codes INSEE).")
    department_codes = models.JSONField(default=list, blank=True, help_text="… et celles de ces départements.")
    booking_phone = models.CharField(max_length=30, blank=True)
    booking_url = models.URLField(max_length=300, blank=True)
    booking_days_before = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Réserver au plus tard N jours avant (1 = la veille) ; vide = inconnu."
    )
    booking_deadline = models.TimeField(null=True, blank=True, help_text="… avant cette heure ; vide = inconnue.")
    cost_eur = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True, help_text="Vide = inconnu.")
    notes = models.TextField(blank=True, help_text="Ce qui reste à confirmer, en clair.")
    active = models.BooleanField(default=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OnDemandService(MobilityOffer):
    """Transport à la demande: a zone, its destinations, days and hours, a booking rule."""

    destination_commune_codes = models.JSONField(
        default=list, blank=True, help_text="Communes où l'on peut se rendre ; vide = inconnu."
    )
    weekdays = models.JSONField(default=list, blank=True, help_text="Jours de service, 0 = lundi ; vide = inconnu.")
    hours = models.JSONField(default=list, blank=True, help_text='Plages ["HH:MM", "HH:MM"] ; vide = inconnues.')

    class Meta(MobilityOffer.Meta):
        verbose_name = "transport à la demande"
        constraints = [models.UniqueConstraint(fields=["source", "source_id"], name="on_demand_unique_source_id")]


class SolidarityOffer(MobilityOffer):
    """Solidarity car-sharing or volunteer drivers: a platform, an area, a contact."""

    class Kind(models.TextChoices):
        CARPOOL = "carpool", "covoiturage solidaire"
        VOLUNTEER = "volunteer", "chauffeurs bénévoles"

    kind = models.CharField(max_length=20, choices=Kind.choices)

    class Meta(MobilityOffer.Meta):
        verbose_name = "offre de mobilité solidaire"
        constraints = [models.UniqueConstraint(fields=["source", "source_id"], name="solidarity_unique_source_id")]
