"""Match what a resident types ("je dois faire la demande de réversion") to the needs catalogue.

Pure scoring over any objects with ``slug``, ``label`` and ``phrases`` (a ``Need`` or a stand-in);
only when no needs are given does it read the catalogue from the database. The steps:

1. accents, case and punctuation go; old names and acronyms are rewritten to today's words
   (« Pôle emploi » -> « France Travail », « RMI » -> « RSA »), from ``data/need_phrasings.json``;
2. phrases that must not lead to a need are found (« permis de chasser » is not the driving
   licence) and those needs are set aside;
3. each word unknown to the catalogue is replaced by the closest known word when it is close
   enough (a typo: « reversoin », « chomage »; RapidFuzz's normalised Indel similarity), then
   words are reduced to their French Snowball stem (« factures » ~ « facture »);
4. each need scores its best phrase (the catalogue's and the everyday phrasings of the data
   file): 1 + a bonus for long phrases when all its words are there, else half the weighted
   share found; rare words weigh more than words many needs share.
Needs that say someone is in danger (the data file's ``danger`` list) come first when they match.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import snowballstemmer
from rapidfuzz import fuzz, process

if TYPE_CHECKING:
    from carteblanche.directory.models import Need

PHRASINGS_FILE = Path(__file__).resolve().parent / "data" / "need_phrasings.json"
MIN_SCORE = 0.35  # below this a need is not proposed
SUGGEST_SCORE = 0.2  # "did you mean": a weaker match, only when nothing reached MIN_SCORE
TYPO_MIN_LENGTH = 4  # shorter words are acronyms or small words: never "corrected"
TYPO_CUTOFF = 80.0  # RapidFuzz ratio (0-100) for a word to stand for a catalogue word
TYPO_CUTOFF_SHORT = 85.0  # the same for words of five letters or fewer
# Two words of the same stem count as the same word only when they are this close: Snowball
# gives « coup » for « couper » and « coups », « isol » for « isolement » and « isolation ».
SAME_STEM_MIN_RATIO = 75.0

_WORD = re.compile(r"[a-z0-9]+")
_stemmer = snowballstemmer.stemmer("french")


class NeedLike(Protocol):
    slug: str
    label: str
    phrases: Sequence[str]


@dataclass(frozen=True)
class Phrasings:
    """The data file, normalised: rewrites, extra phrases per need slug, phrases forbidding needs."""

    synonyms: tuple[tuple[re.Pattern[str], str], ...]
    extra: dict[str, tuple[str, ...]]
    negatives: tuple[tuple[str, frozenset[str]], ...]
    danger: frozenset[str]
    stop_words: frozenset[str]


def normalize(text: str) -> str:
    """'Réversion, SVP !' -> 'reversion svp'."""
    text = text.lower().replace("œ", "oe").replace("æ", "ae").replace("’", "'")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(_WORD.findall(ascii_text))


@cache
def phrasings() -> Phrasings:
    data = json.loads(PHRASINGS_FILE.read_text(encoding="utf-8"))
    synonyms = sorted(((normalize(k), normalize(v)) for k, v in data["synonyms"].items()), key=lambda kv: -len(kv[0]))
    return Phrasings(
        synonyms=tuple((re.compile(rf"\b{re.escape(key)}\b"), value) for key, value in synonyms if key),
        extra={slug: tuple(phrases) for slug, phrases in data["phrasings"].items()},
        negatives=tuple((normalize(n["phrase"]), frozenset(n["not"])) for n in data["negatives"]),
        danger=frozenset(data.get("danger", ())),
        stop_words=frozenset(normalize(word) for word in data["stop_words"]),
    )


def rewrite(text: str) -> str:
    """Normalised text with old names and acronyms in today's words."""
    text = normalize(text)
    for pattern, value in phrasings().synonyms:
        text = pattern.sub(value, text)
    return " ".join(text.split())


@cache
def stem(word: str) -> str:
    """French Snowball stem of a normalised word ('factures' -> 'factur', 'reversion' -> 'revers')."""
    return _stemmer.stemWord(word)


def words(text: str) -> list[str]:
    """Meaningful normalised words of a text, stop words removed (a number such as '115' is kept)."""
    return [word for word in rewrite(text).split() if word not in phrasings().stop_words and len(word) > 1]


def tokens(text: str) -> list[str]:
    """Stems of the meaningful words of a text."""
    return [stem(word) for word in words(text)]


@dataclass(frozen=True)
class _Catalogue:
    needs: tuple[NeedLike, ...]
    phrases: tuple[tuple[tuple[tuple[str, str], ...], ...], ...]  # per need: its phrases as (stem, word)
    idf: dict[str, float]
    vocabulary: tuple[str, ...]  # every normalised word of the phrases (typo targets)
    vocabulary_set: frozenset[str]
    index: dict[str, tuple[tuple[int, int], ...]]  # stem -> (need, phrase) positions holding it


def _catalogue(needs: Sequence[NeedLike]) -> _Catalogue:
    key = tuple((need.slug, need.label, tuple(need.phrases)) for need in needs)
    return _catalogue_cached(key, tuple(needs))


_last: dict[tuple, _Catalogue] = {}


def _catalogue_cached(key: tuple, needs: tuple[NeedLike, ...]) -> _Catalogue:
    """Built once per catalogue content (the database's needs are new objects at every query)."""
    found = _last.get(key)
    if found is not None:
        return _Catalogue(needs, found.phrases, found.idf, found.vocabulary, found.vocabulary_set, found.index)
    extra = phrasings().extra
    all_words: set[str] = set()
    phrases = []
    for need in needs:
        own = []
        for phrase in [need.label, *need.phrases, *extra.get(need.slug, ())]:
            phrase_words = words(phrase)
            all_words.update(phrase_words)
            if phrase_words:
                own.append(tuple((stem(w), w) for w in phrase_words))
        phrases.append(tuple(own))
    counts: dict[str, int] = {}
    for own in phrases:
        for token in {token for phrase in own for token, _word in phrase}:
            counts[token] = counts.get(token, 0) + 1
    total = max(len(needs), 1)
    idf = {token: math.log(1 + total / count) for token, count in counts.items()}
    index: dict[str, list[tuple[int, int]]] = {}
    for need_at, own in enumerate(phrases):
        for phrase_at, phrase in enumerate(own):
            for token in {token for token, _word in phrase}:
                index.setdefault(token, []).append((need_at, phrase_at))
    built = _Catalogue(
        needs,
        tuple(phrases),
        idf,
        tuple(sorted(all_words)),
        frozenset(all_words),
        {token: tuple(at) for token, at in index.items()},
    )
    _last.clear()
    _last[key] = built
    return built


def _corrected(word: str, catalogue: _Catalogue) -> str:
    """The catalogue word a typo stands for, or the word itself."""
    if word in catalogue.vocabulary_set or len(word) < TYPO_MIN_LENGTH or word.isdigit():
        return word
    cutoff = TYPO_CUTOFF_SHORT if len(word) <= 5 else TYPO_CUTOFF
    best = process.extractOne(word, catalogue.vocabulary, scorer=fuzz.ratio, score_cutoff=cutoff)
    return best[0] if best else word


def _found(token: str, word: str, text: dict[str, set[str]]) -> int:
    """2: the word itself is in the text; 1: a word of the same stem and close spelling; 0: neither."""
    same_stem = text.get(token)
    if not same_stem:
        return 0
    if word in same_stem:
        return 2
    return 1 if any(fuzz.ratio(word, other) >= SAME_STEM_MIN_RATIO for other in same_stem) else 0


def score_phrase(phrase: Sequence[tuple[str, str]], text: dict[str, set[str]], idf: dict[str, float]) -> float:
    """1 + a bonus for long phrases when every word is in the text; else the weighted share found, halved.

    Words found exactly (not only through their stem) add a little, so « isolement » prefers the
    phrase that says it over one saying « isolation ».
    """
    weights = [idf.get(token, 1.0) for token, _word in phrase]
    found = [_found(token, word, text) for token, word in phrase]
    coverage = sum(weight for weight, hit in zip(weights, found, strict=True) if hit) / sum(weights)
    if coverage >= 0.999:
        return 1.0 + 0.1 * (len(phrase) - 1) + 0.02 * found.count(2) / len(found)
    return 0.5 * coverage if coverage >= 0.5 else 0.0


def _scored(text: str, needs: Iterable[Need] | None, min_score: float) -> list[tuple[Need, float]]:
    if needs is None:
        from carteblanche.directory.models import Need

        needs = Need.objects.all()
    catalogue = _catalogue(list(needs))
    rewritten = rewrite(text)
    # Phrases that rule needs out (« permis de chasser »): their words stay, for other needs.
    forbidden: set[str] = set()
    for phrase, slugs in phrasings().negatives:
        if re.search(rf"\b{re.escape(phrase)}\b", rewritten):
            forbidden |= slugs
    text: dict[str, set[str]] = {}
    for word in rewritten.split():
        if word not in phrasings().stop_words and len(word) > 1:
            word = _corrected(word, catalogue)
            text.setdefault(stem(word), set()).add(word)
    if not text or not catalogue.needs:
        return []
    danger = phrasings().danger
    touched: dict[int, set[int]] = {}  # only phrases sharing a stem with the text can score
    for token in text:
        for need_at, phrase_at in catalogue.index.get(token, ()):
            touched.setdefault(need_at, set()).add(phrase_at)
    scored = []
    for need_at, phrase_ats in touched.items():
        need = catalogue.needs[need_at]
        if need.slug in forbidden:
            continue
        phrases = catalogue.phrases[need_at]
        scores = sorted((score_phrase(phrases[at], text, catalogue.idf) for at in phrase_ats), reverse=True)
        if scores[0] < min_score:
            continue
        # More of the need's phrases said in full is more evidence (« invalidité catégorie 2 »).
        others = sum(1 for score in scores[1:] if score >= 1.0)
        scored.append((need, round(scores[0] + 0.05 * min(others, 2), 3)))
    scored.sort(key=lambda pair: (pair[0].slug not in danger or pair[1] < MIN_SCORE, -pair[1], pair[0].label))
    return scored


def match_needs(text: str, needs: Iterable[Need] | None = None, limit: int = 5) -> list[tuple[Need, float]]:
    """Needs ranked by how well the text matches their label or phrases, best first; [] when nothing fits."""
    return _scored(text, needs, MIN_SCORE)[:limit]


def suggest_needs(text: str, needs: Iterable[Need] | None = None, limit: int = 3) -> list[Need]:
    """Needs to propose when the text matched none: weaker matches, never a need the text rules out."""
    return [need for need, _score in _scored(text, needs, SUGGEST_SCORE)[:limit]]
