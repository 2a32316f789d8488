"""Case files, consents, documents, referrals and their transition log, follow-up and API tokens."""

import hashlib
import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils import timezone
from django.utils.functional import LazyObject

from carteblanche.core.models import TimeStampedModel
from carteblanche.referrals.workflow import LABELS, Status


def hash_token(raw: str) -> str:
    """Tokens are stored as SHA-256 digests: a database leak does not leak usable links or keys."""
    return hashlib.sha256(raw.encode()).hexdigest()


class PrivateStorage(LazyObject):
    """Documents live under REFERRALS_DOCUMENT_ROOT, outside MEDIA_URL: only a permission-checked view serves them."""

    def _setup(self) -> None:
        self._wrapped = FileSystemStorage(location=settings.REFERRALS_DOCUMENT_ROOT, base_url=None)


private_storage = PrivateStorage()


def get_private_storage() -> PrivateStorage:
    """A callable, so that migrations reference it instead of freezing a machine-specific path."""
    return private_storage


class ContactPreference(models.TextChoices):
    PHONE = "phone", "téléphone"
    SMS = "sms", "SMS"
    LETTER = "letter", "courrier"
    EMAIL = "email", "e-mail"
    RELATIVE = "relative", "par un proche"


class CaseFile(TimeStampedModel):
    """One person's accompaniment, owned by the structure that opened it."""

    class State(models.TextChoices):
        OPEN = "open", "en cours"
        CLOSED = "closed", "clos"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    structure = models.ForeignKey("directory.Structure", on_delete=models.PROTECT, related_name="case_files")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    first_name = models.CharField("prénom", max_length=100)
    last_name = models.CharField("nom", max_length=100)
    birth_date = models.DateField("date de naissance", null=True, blank=True)
    commune_code = models.CharField("commune (code INSEE)", max_length=5, blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    email = models.EmailField("e-mail", blank=True)
    postal_address = models.TextField("adresse postale", blank=True)
    contact_preference = models.CharField(
        "comment la contacter", max_length=10, choices=ContactPreference.choices, default=ContactPreference.PHONE
    )
    relative_name = models.CharField("nom du proche", max_length=150, blank=True)
    relative_phone = models.CharField("téléphone du proche", max_length=30, blank=True)
    availability = models.CharField(
        "disponibilités",
        max_length=300,
        blank=True,
        help_text="Par exemple : joignable après 18 h ou le samedi matin.",
    )
    situation = models.ForeignKey(
        "core.Situation", null=True, blank=True, on_delete=models.SET_NULL, related_name="case_files"
    )
    simulation = models.ForeignKey(
        "rights.Simulation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="case_files",
        help_text="The rights simulation the person made before asking (same browser session).",
    )
    needs = models.ManyToManyField("directory.Need", blank=True, related_name="case_files")
    needs_note = models.TextField("besoins exprimés", blank=True)
    plan = models.TextField("plan d'accompagnement", blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, help_text="Optimistic concurrency: +1 at each rectification.")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(version__gte=1), name="case_version_positive"),
            models.CheckConstraint(
                condition=~models.Q(state="closed") | models.Q(closed_at__isnull=False), name="case_closed_has_date"
            ),
            models.CheckConstraint(
                condition=~models.Q(contact_preference="relative") | ~models.Q(relative_phone=""),
                name="case_relative_contact_has_phone",
            ),
        ]

    def __str__(self) -> str:
        return f"Dossier {str(self.pk)[:8]}"

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or "personne anonymisée"


class Consent(TimeStampedModel):
    """The person's agreement to share named parts of their file with one structure, for one purpose."""

    class Method(models.TextChoices):
        SIGNED_PAPER = "signed_paper", "formulaire papier signé"
        ORAL_WITNESSED = "oral_witnessed", "accord oral devant un agent témoin"
        ONLINE = "online", "en ligne"

    class Scope(models.TextChoices):
        IDENTITY = "identity", "identité et coordonnées"
        SITUATION = "situation", "situation (réponses déjà données)"
        NEEDS = "needs", "besoins et plan"
        DOCUMENTS = "documents", "pièces jointes"

    case = models.ForeignKey(CaseFile, on_delete=models.CASCADE, related_name="consents")
    recipient = models.ForeignKey("directory.Structure", on_delete=models.PROTECT, related_name="consents_received")
    scope = models.JSONField("données partagées", default=list)
    purpose = models.CharField("finalité", max_length=300)
    method = models.CharField("forme du consentement", max_length=20, choices=Method.choices)
    witness = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    given_at = models.DateTimeField("date du consentement")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-given_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(method="oral_witnessed") | models.Q(witness__isnull=False),
                name="consent_oral_has_witness",
            ),
            models.CheckConstraint(
                condition=models.Q(revoked_at__isnull=True) | models.Q(revoked_at__gte=models.F("given_at")),
                name="consent_revoked_after_given",
            ),
        ]

    def __str__(self) -> str:
        return f"Consentement pour {self.recipient} ({self.purpose})"

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None

    def get_scope_labels(self) -> list[str]:
        labels = dict(self.Scope.choices)
        return [labels.get(item, item) for item in self.scope]


def document_path(instance: "Document", filename: str) -> str:
    return f"{instance.case_id}/{uuid.uuid4().hex}"


class Document(TimeStampedModel):
    class Kind(models.TextChoices):
        IDENTITY = "identity", "pièce d'identité"
        INCOME = "income", "justificatif de ressources"
        TAX = "tax", "avis d'imposition"
        HOUSING = "housing", "justificatif de domicile"
        DEATH = "death", "acte de décès"
        OTHER = "other", "autre"

    case = models.ForeignKey(CaseFile, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField("type de pièce", max_length=20, choices=Kind.choices)
    file = models.FileField(upload_to=document_path, storage=get_private_storage, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(content_type__in=["application/pdf", "image/jpeg", "image/png"]),
                name="document_allowed_type",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.original_name}"


class Channel(models.TextChoices):
    COUNTER = "counter", "à l'accueil"
    PHONE = "phone", "par téléphone"
    CALLBACK = "callback", "rappel téléphonique"
    HOME_VISIT = "home_visit", "visite à domicile"
    VIDEO = "video", "en visio"
    ITINERANT = "itinerant", "permanence itinérante"


class Outcome(models.TextChoices):
    RIGHT_OPENED = "right_opened", "droit ouvert ou demande déposée"
    ANSWERED = "answered", "réponse apportée"
    NOT_ELIGIBLE = "not_eligible", "pas éligible"
    REDIRECTED = "redirected", "réorientée vers un autre partenaire"
    NO_CONTACT = "no_contact", "personne injoignable"
    WITHDRAWN = "withdrawn", "demande retirée par la personne"
    CONSENT_REVOKED = "consent_revoked", "consentement retiré"


class Referral(TimeStampedModel):
    """A warm referral of a case from one structure to another for a need."""

    STATUS_CHOICES = [(s.value, LABELS[s]) for s in Status]

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(CaseFile, on_delete=models.CASCADE, related_name="referrals")
    from_structure = models.ForeignKey("directory.Structure", on_delete=models.PROTECT, related_name="referrals_sent")
    to_structure = models.ForeignKey("directory.Structure", on_delete=models.PROTECT, related_name="referrals_received")
    need = models.ForeignKey("directory.Need", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    need_label = models.CharField("besoin", max_length=200)
    message = models.TextField("message au partenaire", blank=True)
    consent = models.ForeignKey(Consent, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals")
    status = models.CharField(max_length=20, choices=STATUS_CHOICES, default=Status.DRAFT.value, db_index=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    refusal_reason = models.TextField(blank=True)
    redirect_structure = models.ForeignKey(
        "directory.Structure", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    appointment_at = models.DateTimeField(null=True, blank=True)
    appointment_channel = models.CharField(max_length=20, choices=Channel.choices, blank=True)
    appointment_note = models.CharField("précisions sur le rendez-vous", max_length=300, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    last_reminder_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    external_ref = models.CharField("référence chez le partenaire", max_length=100, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # Nothing leaves the draft state without the person's consent.
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(consent__isnull=False), name="referral_shared_has_consent"
            ),
            models.CheckConstraint(
                condition=~models.Q(from_structure=models.F("to_structure")), name="referral_between_two_structures"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="closed") | ~models.Q(outcome=""), name="referral_closed_has_outcome"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="refused") | ~models.Q(refusal_reason=""), name="referral_refused_has_reason"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="appointment_set") | models.Q(appointment_at__isnull=False),
                name="referral_appointment_has_date",
            ),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="referral_version_positive"),
        ]
        indexes = [models.Index(fields=["to_structure", "status"]), models.Index(fields=["from_structure", "status"])]

    def __str__(self) -> str:
        return f"Orientation {str(self.pk)[:8]} vers {self.to_structure}"

    @property
    def status_label(self) -> str:
        return LABELS[Status(self.status)]


class ReferralTransition(models.Model):
    """One line of the referral's history: who moved it from which status to which, when."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    version = models.PositiveIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_label = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            # One transition per version: two concurrent writers cannot both log the same step.
            models.UniqueConstraint(fields=["referral", "version"], name="one_transition_per_version"),
        ]

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status}"

    @property
    def to_label(self) -> str:
        return LABELS[Status(self.to_status)]


class ReferralMessage(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_label = models.CharField(max_length=200, blank=True)
    structure = models.ForeignKey("directory.Structure", on_delete=models.PROTECT, related_name="+")
    body = models.TextField("message")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"Message {self.pk} sur {self.referral_id}"


class Notification(models.Model):
    """An in-app notice for one agent (also sent by e-mail)."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    referral = models.ForeignKey(Referral, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return self.text


class ResponseTarget(models.Model):
    """How fast a partner promises to acknowledge and answer, optionally for one need."""

    structure = models.ForeignKey("directory.Structure", on_delete=models.CASCADE, related_name="response_targets")
    need = models.ForeignKey("directory.Need", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    acknowledge_days = models.PositiveSmallIntegerField("accusé de réception (jours ouvrés)")
    answer_days = models.PositiveSmallIntegerField("réponse (jours ouvrés)")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["structure", "need"], name="one_target_per_structure_need"),
            models.CheckConstraint(
                condition=models.Q(acknowledge_days__lte=models.F("answer_days")), name="target_ack_before_answer"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.structure_id}/{self.need_id or '*'}: {self.acknowledge_days}/{self.answer_days} j"


class FollowLink(TimeStampedModel):
    """The person's private link to follow their referrals: a hashed, expiring, unguessable token."""

    case = models.ForeignKey(CaseFile, on_delete=models.CASCADE, related_name="follow_links")
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class SatisfactionResponse(models.Model):
    """The person's three answers after closure; kept (without identity) for the observatory."""

    class YesNo(models.TextChoices):
        YES = "yes", "oui"
        PARTLY = "partly", "en partie"
        NO = "no", "non"

    class Satisfaction(models.TextChoices):
        VERY = "very", "très satisfait(e)"
        RATHER = "rather", "plutôt satisfait(e)"
        RATHER_NOT = "rather_not", "plutôt pas satisfait(e)"
        NOT = "not", "pas du tout satisfait(e)"

    referral = models.OneToOneField(
        Referral, null=True, blank=True, on_delete=models.SET_NULL, related_name="satisfaction"
    )
    from_structure = models.ForeignKey("directory.Structure", null=True, on_delete=models.SET_NULL, related_name="+")
    to_structure = models.ForeignKey("directory.Structure", null=True, on_delete=models.SET_NULL, related_name="+")
    need_label = models.CharField(max_length=200, blank=True)
    outcome = models.CharField(max_length=20, blank=True)
    got_answer = models.CharField("Avez-vous eu une réponse ?", max_length=10, choices=YesNo.choices)
    satisfaction = models.CharField("Êtes-vous satisfait(e) ?", max_length=12, choices=Satisfaction.choices)
    comment = models.TextField("commentaire", blank=True, max_length=2000)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"Satisfaction {self.pk}: {self.satisfaction}"


class ApiToken(models.Model):
    """A partner system's key, scoped to one structure; only its SHA-256 digest is stored."""

    structure = models.ForeignKey("directory.Structure", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=8, help_text="First characters, to recognise the key.")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…) — {self.structure}"

    @property
    def label(self) -> str:
        return f"API {self.structure.name} / {self.name}"


class IdempotencyRecord(models.Model):
    """What a partner call made with an Idempotency-Key produced: a retry gets the same outcome back.

    No personal data: a success keeps only the referral it produced (the replay re-reads it with the
    rights of the moment, so an erasure or a withdrawn consent applies to replays too); a refusal
    keeps its error message. Records expire after REFERRALS_IDEMPOTENCY_HOURS.
    """

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    referral = models.ForeignKey(Referral, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    response = models.JSONField(default=dict, blank=True, help_text="Error replies only (no personal data).")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["token", "key"], name="idempotency_key_unique_per_token")]

    def __str__(self) -> str:
        return f"{self.token_id}:{self.key}"
