"""Normalise place names the way people type them: accents, hyphens, 'St', case."""

import re
import unicodedata

_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
_ARTICLES_NOISE = re.compile(r"[^a-z0-9 ]+")


def normalize_name(text: str) -> str:
    """'Saint-Géry-Vers' -> 'saint gery vers'; 'St Gery' -> 'saint gery'; "L'Hospitalet" -> 'l hospitalet'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    ascii_text = _ARTICLES_NOISE.sub(" ", ascii_text.replace("œ", "oe"))
    words = [_ABBREVIATIONS.get(word, word) for word in ascii_text.split()]
    return " ".join(words)
