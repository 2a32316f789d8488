"""A password check on top of Django's: French common passwords and the service's own names."""

import json
import re
import unicodedata
from functools import cache
from pathlib import Path

from django.core.exceptions import ValidationError

WORDS_FILE = Path(__file__).resolve().parent / "data" / "password_words.json"


@cache
def _words() -> tuple[frozenset[str], tuple[str, ...]]:
    data = json.loads(WORDS_FILE.read_text(encoding="utf-8"))
    return frozenset(data["common"]), tuple(data["context"])


def _letters(password: str) -> str:
    """Lower-case letters only, accents removed: 'Soleil-2026!' -> 'soleil'."""
    text = unicodedata.normalize("NFKD", password.lower())
    return re.sub(r"[^a-z]", "", text.encode("ascii", "ignore").decode())


class FrenchCommonPasswordValidator:
    """Refuse a common French word or keyboard pattern dressed with digits, and the service's names."""

    def validate(self, password: str, user=None) -> None:
        common, context = _words()
        letters = _letters(password)
        if letters in common or (letters and len(letters) <= 3):
            raise ValidationError(
                "Ce mot de passe est trop courant (un mot ou une suite de touches connus, avec des chiffres) : "
                "choisissez une phrase de plusieurs mots.",
                code="password_too_common",
            )
        if any(word in letters for word in context):
            raise ValidationError(
                "Ce mot de passe contient le nom du service ou du territoire : c'est ce qu'on essaie en premier.",
                code="password_has_context_word",
            )

    def get_help_text(self) -> str:
        return "Votre mot de passe ne peut pas être un mot courant ni contenir le nom du service ou du territoire."
