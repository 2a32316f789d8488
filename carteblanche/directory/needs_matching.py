"""Match what a resident types ("je dois faire la demande de réversion") to the needs catalogue.

Pure scoring over any objects with ``label`` and ``phrases`` (a ``Need`` or a stand-in): accents
and case are ignored, French stop words dropped, words compared on a light stem, and rare words
weigh more than common ones (so "permis" alone does not drown "passer le permis"). Only when no
needs are given does it read the catalogue from the database.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from carteblanche.directory.models import Need

_WORD = re.compile(r"[a-z0-9]+")
STOP_WORDS = frozenset(
    [
        "a",
        "au",
        "aux",
        "avec",
        "ce",
        "ces",
        "cet",
        "cette",
        "d",
        "de",
        "des",
        "du",
        "elle",
        "en",
        "et",
        "etre",
        "faire",
        "fais",
        "fait",
        "il",
        "ils",
        "j",
        "je",
        "l",
        "la",
        "le",
        "les",
        "leur",
        "lui",
        "m",
        "ma",
        "mais",
        "me",
        "mes",
        "moi",
        "mon",
        "n",
        "ne",
        "nous",
        "on",
        "ou",
        "par",
        "pas",
        "plus",
        "pour",
        "qu",
        "que",
        "qui",
        "s",
        "sa",
        "se",
        "ses",
        "son",
        "sur",
        "t",
        "ta",
        "te",
        "tes",
        "toi",
        "ton",
        "tu",
        "un",
        "une",
        "vos",
        "votre",
        "vous",
        "y",
        "dois",
        "doit",
        "veux",
        "voudrais",
        "aimerais",
        "besoin",
        "comment",
        "quoi",
        "ai",
        "as",
        "avoir",
        "est",
        "suis",
        "sont",
        "dans",
    ]
)
MIN_SCORE = 0.35


class NeedLike(Protocol):
    label: str
    phrases: Sequence[str]


def normalize(text: str) -> str:
    """'Réversion, SVP !' -> 'reversion svp'."""
    text = text.lower().replace("œ", "oe").replace("æ", "ae").replace("’", "'")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(_WORD.findall(ascii_text))


def stem(word: str) -> str:
    """A light French stem: drop plural marks and cap the length, so 'factures'~'facture', 'fiouls'~'fioul'."""
    if len(word) > 3 and word[-1] in "sx":
        word = word[:-1]
    return word[:7]


def tokens(text: str) -> list[str]:
    """Meaningful stems of a text, stop words removed (a lone number such as '115' is kept)."""
    return [stem(word) for word in normalize(text).split() if word not in STOP_WORDS and (len(word) > 1)]


def _need_phrases(need: NeedLike) -> list[list[str]]:
    phrases = [tokens(phrase) for phrase in [need.label, *need.phrases]]
    return [phrase for phrase in phrases if phrase]


def _idf(all_phrases: list[list[list[str]]]) -> dict[str, float]:
    """Inverse frequency of each stem over the needs: words shared by many needs weigh less."""
    counts: dict[str, int] = {}
    for phrases in all_phrases:
        for word in {word for phrase in phrases for word in phrase}:
            counts[word] = counts.get(word, 0) + 1
    total = max(len(all_phrases), 1)
    return {word: math.log(1 + total / count) for word, count in counts.items()}


def score_phrase(phrase: list[str], text_words: set[str], idf: dict[str, float]) -> float:
    """1 + a bonus for long phrases when every word is in the text; else the weighted share found, halved."""
    weights = [idf.get(word, 1.0) for word in phrase]
    found = sum(weight for word, weight in zip(phrase, weights, strict=True) if word in text_words)
    coverage = found / sum(weights)
    if coverage >= 0.999:
        return 1.0 + 0.1 * (len(phrase) - 1)
    return 0.5 * coverage if coverage >= 0.5 else 0.0


def match_needs(text: str, needs: Iterable[Need] | None = None, limit: int = 5) -> list[tuple[Need, float]]:
    """Needs ranked by how well the text matches their label or phrases, best first; [] when nothing fits."""
    if needs is None:
        from carteblanche.directory.models import Need

        needs = Need.objects.all()
    catalogue = list(needs)
    text_words = set(tokens(text))
    if not text_words or not catalogue:
        return []
    phrases_by_need = [_need_phrases(need) for need in catalogue]
    idf = _idf(phrases_by_need)
    scored = []
    for need, phrases in zip(catalogue, phrases_by_need, strict=True):
        best = max((score_phrase(phrase, text_words, idf) for phrase in phrases), default=0.0)
        if best >= MIN_SCORE:
            scored.append((need, round(best, 3)))
    scored.sort(key=lambda pair: (-pair[1], pair[0].label))
    return scored[:limit]
