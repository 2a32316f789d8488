"""The public service offer: operators, structures, places, services, channels, needs.

Aligned with the data·inclusion schema v1 (structures and services), extended with what
orientation needs and the schema lacks: channels, OSM opening hours, itinerant stops,
accessibility, languages, documents to bring, and for every record its source and date.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from carteblanche.core.models import SourcedModel, TimeStampedModel
from carteblanche.territories.models import Commune


class Operator(models.Model):
    """Who runs a service nationally or locally: CAF, CPAM, MSA, France Travail, a CCAS…"""

    class Kind(models.TextChoices):
        SOCIAL_SECURITY = "social_security", "organisme de sécurité sociale"
        STATE = "state", "État"
        LOCAL_AUTHORITY = "local_authority", "collectivité"
        PUBLIC_BODY = "public_body", "établissement public"
        ASSOCIATION = "association", "association"
        OTHER = "other", "autre"

    code = models.SlugField(max_length=50, primary_key=True)
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=50)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    website = models.URLField(blank=True)
    source = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["short_name"]

    def __str__(self) -> str:
        return self.short_name


def replaced_keys_error(value: object) -> str | None:
    """Why `value` is not a list of [source, identifiant] pairs of non-empty strings, or None when it is."""
    if not isinstance(value, list):
        return "liste de paires [source, identifiant] attendue"
    for number, pair in enumerate(value, start=1):
        if not (
            isinstance(pair, list | tuple) and len(pair) == 2 and all(isinstance(p, str) and p.strip() for p in pair)
        ):
            return f"élément n°{number} : paire [source, identifiant] de deux textes non vides attendue"
    return None


def validate_replaced_keys(value: object) -> None:
    if error := replaced_keys_error(value):
        raise ValidationError(error)


CURATED_BY_HELP = (
    "Qui a relevé cette fiche dans sa source (personne ou équipe) ; vide pour un fichier importé tel quel."
)


class Structure(SourcedModel):
    """An organisation that offers services (data·inclusion `Structure`)."""

    name = models.CharField(max_length=200)
    curated_by = models.CharField("relevé par", max_length=100, blank=True, help_text=CURATED_BY_HELP)
    operator = models.ForeignKey(Operator, null=True, blank=True, on_delete=models.SET_NULL, related_name="structures")
    siret = models.CharField(max_length=14, blank=True)
    description = models.TextField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    website = models.URLField(max_length=500, blank=True)
    networks = models.JSONField("réseaux porteurs", default=list, blank=True)
    replaces = models.JSONField(
        "remplace",
        default=list,
        blank=True,
        validators=[validate_replaced_keys],
        help_text=(
            "Fiches d'autres sources que celle-ci remplace, en paires [source, identifiant] : un import de ces "
            "sources ne les recrée pas (ex. une fiche relue à la main à la place de celle d'un fichier national)."
        ),
    )

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["source", "source_id"], name="structure_unique_per_source")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if [self.source, self.source_id] in [list(pair) for pair in self.replaces or [] if isinstance(pair, list)]:
            raise ValidationError({"replaces": "une fiche ne peut pas se remplacer elle-même"})


class Place(SourcedModel):
    """A physical location where a structure receives the public."""

    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="places")
    name = models.CharField(max_length=200)
    curated_by = models.CharField("relevé par", max_length=100, blank=True, help_text=CURATED_BY_HELP)
    address = models.CharField(max_length=300, blank=True, help_text="Empty when unknown: never invented.")
    address_complement = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=5, blank=True)
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="places")
    latitude = models.FloatField()
    longitude = models.FloatField()
    position_approximate = models.BooleanField(
        default=False, help_text="True when placed at the commune's reference point because the address is unknown."
    )
    # 2,000: rules converted from free text carry comments ("sur rendez-vous"); one France
    # Services counter's is 616 characters.
    opening_hours = models.CharField(
        "horaires (syntaxe OpenStreetMap)", max_length=2000, blank=True, help_text="Empty means the hours are unknown."
    )
    hours_note = models.CharField("précisions sur les horaires", max_length=500, blank=True)
    wheelchair_accessible = models.BooleanField("accessible en fauteuil roulant", null=True, blank=True)
    accessibility_note = models.CharField(max_length=500, blank=True)
    is_itinerant_stop = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id"], name="place_unique_per_source"),
            # Metropolitan France and the overseas departments and collectivities, broadly.
            models.CheckConstraint(
                condition=models.Q(latitude__gte=-23, latitude__lte=52)
                & models.Q(longitude__gte=-180, longitude__lte=180),
                name="place_point_in_france",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} — {self.commune.name}"

    @property
    def hours_unknown(self) -> bool:
        return not self.opening_hours


class Need(models.Model):
    """A démarche or life event as a resident says it, mapped to thematiques, operators and channels."""

    slug = models.SlugField(max_length=80, primary_key=True)
    label = models.CharField(max_length=200)
    phrases = models.JSONField(default=list, blank=True, help_text="How residents say it, for free-text matching.")
    description = models.TextField(blank=True)
    life_event = models.CharField(max_length=100, blank=True)
    thematiques = models.JSONField(default=list, help_text="data·inclusion thematiques.")
    operators = models.ManyToManyField(Operator, blank=True, related_name="needs")
    channel_kinds = models.JSONField(default=list, blank=True, help_text="Channels through which it can be done.")
    documents = models.JSONField(default=list, blank=True, help_text="Documents usually asked for.")
    online_procedure_url = models.URLField(max_length=500, blank=True)
    source = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label


class ServiceQuerySet(models.QuerySet):
    """The one rule of what may be proposed: every surface that lists services starts from `proposable()`."""

    def proposable(self) -> "ServiceQuerySet":
        """Services that may be offered to someone: all but the ended ones (unverified ones are, flagged)."""
        return self.exclude(status=Service.Status.ENDED)

    def ended(self) -> "ServiceQuerySet":
        return self.filter(status=Service.Status.ENDED)


class Service(SourcedModel):
    """A public service offered by a structure (data·inclusion `Service`), reachable through channels."""

    class Status(models.TextChoices):
        ACTIVE = "active", "en service"
        ENDED = "ended", "arrêté"
        UNVERIFIED = "unverified", "existence à vérifier"

    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="services")
    operator = models.ForeignKey(Operator, null=True, blank=True, on_delete=models.SET_NULL, related_name="services")
    name = models.CharField(max_length=200)
    curated_by = models.CharField("relevé par", max_length=100, blank=True, help_text=CURATED_BY_HELP)
    # Ended services stay in the directory (their page says they stopped, and since when) but are
    # never proposed: `Service.objects.proposable()` is the rule every list uses.
    status = models.CharField("statut", max_length=12, choices=Status.choices, default=Status.ACTIVE)
    ended_on = models.DateField("arrêté le", null=True, blank=True)
    status_source_url = models.URLField(
        "source du statut",
        max_length=500,
        blank=True,
        help_text="Où il est dit que le service a cessé (ou pourquoi en douter).",
    )
    status_note = models.CharField("précisions sur le statut", max_length=500, blank=True)
    description = models.TextField(blank=True)
    kind = models.CharField("type de service", max_length=30, blank=True)
    thematiques = models.JSONField(default=list, blank=True)
    publics = models.JSONField(default=list, blank=True)
    publics_details = models.TextField(blank=True)
    frais = models.JSONField(default=list, blank=True)
    frais_details = models.TextField(blank=True)
    conditions_acces = models.TextField(blank=True)
    zone_eligibilite = models.JSONField(
        default=list, blank=True, help_text="Commune, EPCI or department codes; empty means no restriction."
    )
    age_min = models.PositiveSmallIntegerField(null=True, blank=True)
    age_max = models.PositiveSmallIntegerField(null=True, blank=True)
    languages = models.JSONField(default=list, blank=True, help_text="ISO 639-1 codes, e.g. ['fr', 'en'].")
    documents = models.JSONField("pièces à fournir", default=list, blank=True)
    modes_accueil = models.JSONField(default=list, blank=True)
    modes_mobilisation = models.JSONField(default=list, blank=True)
    mobilisable_par = models.JSONField(default=list, blank=True)
    lien_mobilisation = models.URLField(max_length=500, blank=True)
    needs = models.ManyToManyField(Need, blank=True, related_name="services")

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id"], name="service_unique_per_source"),
            models.CheckConstraint(
                condition=~models.Q(status="ended")
                | (models.Q(ended_on__isnull=False) & ~models.Q(status_source_url="")),
                name="service_ended_has_date_and_source",
            ),
            models.CheckConstraint(
                condition=models.Q(age_min__isnull=True)
                | models.Q(age_max__isnull=True)
                | models.Q(age_min__lte=models.F("age_max")),
                name="service_age_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.status == self.Status.ENDED and (self.ended_on is None or not self.status_source_url):
            raise ValidationError(
                "Un service arrêté doit dire depuis quand (« arrêté le ») et où c'est écrit (« source du statut »)."
            )
        if self.status != self.Status.ENDED and self.ended_on is not None:
            raise ValidationError({"ended_on": "Une date de fin n'a de sens que pour un service arrêté."})

    @property
    def is_ended(self) -> bool:
        return self.status == self.Status.ENDED

    @property
    def is_unverified(self) -> bool:
        return self.status == self.Status.UNVERIFIED


class Channel(TimeStampedModel):
    """One way to use a service: a counter at a place, a phone line, an online procedure…"""

    class Kind(models.TextChoices):
        COUNTER = "counter", "accueil au guichet"
        PHONE = "phone", "téléphone"
        ONLINE = "online", "démarche en ligne"
        CALLBACK = "callback", "rappel téléphonique"
        HOME_VISIT = "home_visit", "visite à domicile"
        ITINERANT = "itinerant", "permanence itinérante"
        VIDEO = "video", "rendez-vous en visio"

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="channels")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    place = models.ForeignKey(Place, null=True, blank=True, on_delete=models.CASCADE, related_name="channels")
    phone = models.CharField(max_length=40, blank=True)
    url = models.URLField(max_length=500, blank=True)
    opening_hours = models.CharField(
        "horaires (syntaxe OpenStreetMap)",
        max_length=2000,
        blank=True,
        help_text="Empty: the place's hours for a counter, otherwise unknown.",
    )
    hours_note = models.CharField(max_length=500, blank=True)
    appointment_required = models.BooleanField(null=True, blank=True)
    booking = models.CharField("comment réserver", max_length=500, blank=True)
    cost = models.CharField(max_length=200, blank=True, help_text="E.g. 'service gratuit + prix d'un appel'.")
    area_communes = models.ManyToManyField(
        Commune,
        blank=True,
        related_name="served_by_channels",
        help_text="Home visit or callback area; empty means anywhere.",
    )
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["service", "kind"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="counter") | models.Q(place__isnull=False), name="channel_counter_has_place"
            ),
            models.CheckConstraint(
                condition=~models.Q(kind__in=["phone", "callback"]) | ~models.Q(phone=""),
                name="channel_phone_has_number",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="online") | ~models.Q(url=""), name="channel_online_has_url"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.service}"

    @property
    def effective_opening_hours(self) -> str:
        """The channel's own hours, else its place's, else '' (unknown)."""
        if self.opening_hours:
            return self.opening_hours
        if self.place_id and self.kind == self.Kind.COUNTER:
            return self.place.opening_hours
        return ""


class ItinerantStop(TimeStampedModel):
    """A stop of an itinerant channel (a bus, a van, a monthly permanence) with its calendar."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="stops")
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="itinerant_stops")
    location_label = models.CharField(
        max_length=200, blank=True, help_text="E.g. 'près de la mairie'; empty when unknown."
    )
    latitude = models.FloatField()
    longitude = models.FloatField()
    position_approximate = models.BooleanField(default=True)
    schedule = models.CharField(
        "calendrier (syntaxe OpenStreetMap)",
        max_length=2000,
        blank=True,
        help_text="E.g. 'Tu[2] 09:00-12:00'. Empty when the dates are unknown.",
    )
    schedule_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["commune__name"]
        constraints = [models.UniqueConstraint(fields=["channel", "commune"], name="one_stop_per_commune_per_channel")]

    def __str__(self) -> str:
        return f"{self.channel.service} à {self.commune.name}"


class OfferVersion(models.Model):
    """One row whose token changes with every write to the offer (database triggers, see `offer_version.py`).

    Lets every process tell in one primary-key read whether what it keeps of the offer (the
    search index, loaded services) is still what the database holds, whoever wrote and however
    (admin, imports, bulk_create, update(), raw SQL).
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    token = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "version de l'offre"

    def __str__(self) -> str:
        return f"version {self.token}"


class Correction(models.Model):
    """A reader's report that a record is wrong (other hours, closed counter…), for the data stewards.

    The people who go there know first. Personal data: an optional contact, for the stewards'
    questions only, erased when the report is handled (`actions.handle_correction`).
    """

    class Topic(models.TextChoices):
        HOURS = "horaires", "Les horaires"
        ADDRESS = "adresse", "L'adresse ou la position"
        CONTACT = "contact", "Le téléphone, le courriel ou le site"
        CLOSED = "ferme", "Ce lieu ou ce service n'existe plus"
        OTHER = "autre", "Autre chose"

    class Reporter(models.TextChoices):
        RESIDENT = "habitant", "Un habitant"
        PROFESSIONAL = "professionnel", "Un professionnel (agent, travailleur social, bénévole…)"
        PRODUCER = "producteur", "La structure elle-même"

    class Status(models.TextChoices):
        NEW = "nouveau", "À traiter"
        FIXED = "corrige", "Corrigé"
        DISMISSED = "non-retenu", "Non retenu"

    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.CASCADE, related_name="corrections")
    place = models.ForeignKey(Place, null=True, blank=True, on_delete=models.CASCADE, related_name="corrections")
    structure = models.ForeignKey(
        Structure, null=True, blank=True, on_delete=models.CASCADE, related_name="corrections"
    )
    topic = models.CharField("ce qui est inexact", max_length=20, choices=Topic.choices)
    message = models.TextField("ce qu'il faudrait lire", max_length=2000)
    reporter = models.CharField("signalé par", max_length=20, choices=Reporter.choices, blank=True)
    contact = models.CharField("contact (effacé une fois traité)", max_length=200, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    created_at = models.DateTimeField(auto_now_add=True)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.TextField("réponse de l'équipe", blank=True)

    class Meta:
        verbose_name = "signalement"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(service__isnull=False, place__isnull=True, structure__isnull=True)
                    | models.Q(service__isnull=True, place__isnull=False, structure__isnull=True)
                    | models.Q(service__isnull=True, place__isnull=True, structure__isnull=False)
                ),
                name="correction_about_one_record",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_topic_display()} — {self.record}"

    @property
    def record(self) -> Service | Place | Structure:
        return self.service or self.place or self.structure
