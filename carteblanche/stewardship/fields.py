"""Which fields of each record a structure may propose to change, and how a proposed value is
checked. Each check returns the value as stored, or raises ValueError with a French message that
says what to write."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator

from carteblanche.directory import hours
from carteblanche.stewardship.models import RecordType

_PHONE_NOISE = re.compile(r"[\s.\-/]")


def clean_phone(value: str) -> str:
    """'05.65.20.00.00' -> '05 65 20 00 00'; short numbers (3646, 115) kept; '+33 5…' kept."""
    digits = _PHONE_NOISE.sub("", value)
    if re.fullmatch(r"0[1-9]\d{8}", digits):
        return " ".join(digits[i : i + 2] for i in range(0, 10, 2))
    if re.fullmatch(r"\+33[1-9]\d{8}", digits):
        rest = digits[3:]
        return "+33 " + rest[0] + " " + " ".join(rest[i : i + 2] for i in range(1, 9, 2))
    if re.fullmatch(r"1\d{1,2}|3\d{3}", digits):
        return digits
    raise ValueError("numéro non reconnu : écrivez 10 chiffres (ex. 05 65 20 00 00) ou un numéro court (ex. 3646)")


def clean_email(value: str) -> str:
    try:
        EmailValidator()(value)
    except ValidationError:
        raise ValueError("adresse de courriel non valide (ex. accueil@mairie-cahors.fr)") from None
    return value.lower()


def clean_url(value: str) -> str:
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        raise ValueError(
            "adresse de site non valide : elle commence par https:// (ex. https://www.cahors.fr)"
        ) from None
    return value


def clean_postcode(value: str) -> str:
    if not re.fullmatch(r"\d{5}", value):
        raise ValueError("le code postal a 5 chiffres (ex. 46000)")
    return value


def clean_hours(value: str) -> str:
    try:
        hours.validate(value)
    except hours.OpeningHoursError:
        raise ValueError(
            "horaires non reconnus : écrivez-les comme « Mo-Fr 09:00-12:00,14:00-17:00 » (Mo lundi, Tu mardi, "
            "We mercredi, Th jeudi, Fr vendredi, Sa samedi), ou décrivez-les dans « Précisions sur les horaires »"
        ) from None
    return value


def clean_text(value: str) -> str:
    return value


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    max_length: int
    clean: Callable[[str], str] = clean_text
    required: bool = False
    multiline: bool = False
    help_text: str = ""


HOURS_HELP = (
    "Écrivez-les comme « Mo-Fr 09:00-12:00,14:00-17:00; PH off » (Mo lundi, Tu mardi, We mercredi, Th jeudi, "
    "Fr vendredi, Sa samedi ; PH off : fermé les jours fériés), ou laissez tel quel et décrivez le changement "
    "dans « Précisions sur les horaires »."
)

FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    RecordType.STRUCTURE: (
        FieldSpec("name", "Nom", 200, required=True),
        FieldSpec("phone", "Téléphone", 40, clean_phone),
        FieldSpec("email", "Courriel", 254, clean_email),
        FieldSpec("website", "Site internet", 500, clean_url),
        FieldSpec("description", "Présentation", 2000, multiline=True),
    ),
    RecordType.PLACE: (
        FieldSpec("name", "Nom du lieu", 200, required=True),
        FieldSpec("address", "Adresse", 300),
        FieldSpec("address_complement", "Complément d'adresse", 300),
        FieldSpec("postcode", "Code postal", 5, clean_postcode),
        FieldSpec("opening_hours", "Horaires", 2000, clean_hours, help_text=HOURS_HELP),
        FieldSpec("hours_note", "Précisions sur les horaires", 500),
        FieldSpec("accessibility_note", "Accessibilité", 500),
    ),
    RecordType.SERVICE: (
        FieldSpec("name", "Nom du service", 200, required=True),
        FieldSpec("description", "Description", 2000, multiline=True),
        FieldSpec("conditions_acces", "Conditions d'accès", 2000, multiline=True),
        FieldSpec("frais_details", "Frais", 2000),
        FieldSpec("lien_mobilisation", "Lien pour demander le service", 500, clean_url),
    ),
    RecordType.CHANNEL: (
        FieldSpec("phone", "Téléphone", 40, clean_phone),
        FieldSpec("url", "Adresse de la démarche en ligne", 500, clean_url),
        FieldSpec("opening_hours", "Horaires", 2000, clean_hours, help_text=HOURS_HELP),
        FieldSpec("hours_note", "Précisions sur les horaires", 500),
        FieldSpec("booking", "Comment prendre rendez-vous", 500),
        FieldSpec("cost", "Coût", 200),
    ),
}

# Fields a channel of this kind must keep (the database refuses a phone line without a number).
CHANNEL_REQUIRED = {"phone": "phone", "callback": "phone", "online": "url"}


def spec(record_type: str, name: str) -> FieldSpec | None:
    return next((s for s in FIELDS.get(record_type, ()) if s.name == name), None)


def normalise(raw: object) -> str:
    """What a form sends, as compared and stored: one kind of line break, no outer spaces."""
    return str(raw or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def check(record_type: str, name: str, raw: object, *, channel_kind: str = "") -> str:
    """The value to store for this field, or ValueError with what to fix (in French)."""
    field = spec(record_type, name)
    if field is None:
        raise ValueError("ce champ ne peut pas être modifié ici")
    value = normalise(raw)
    if "\x00" in value:
        raise ValueError("caractère non autorisé")
    if not field.multiline and "\n" in value:
        raise ValueError("une seule ligne attendue")
    if len(value) > field.max_length:
        raise ValueError(f"{len(value)} caractères : {field.max_length} au plus")
    required = field.required or CHANNEL_REQUIRED.get(channel_kind) == name
    if not value:
        if required:
            raise ValueError("à remplir : ce champ ne peut pas rester vide")
        return ""
    return field.clean(value)
