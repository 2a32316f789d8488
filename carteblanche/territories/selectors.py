"""Reads of communes and territories, shared by pages, API and CLI."""

import difflib
import re
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet

from carteblanche.core import process_cache
from carteblanche.territories.models import Commune, Department, Territory
from carteblanche.territories.normalize import normalize_name

_POSTCODE = re.compile(r"^\d{5}$")
_INSEE = re.compile(r"^(\d{2}|2A|2B)\d{3}$", re.IGNORECASE)
# "Cieurac (46230)" as the autocomplete writes it, or "Cieurac (46)" as suggestions do: the part in
# brackets tells homonyms apart (twelve communes are called Sainte-Colombe).
_LABEL = re.compile(r"^(?P<name>.*\S)\s*\((?P<where>\d{5}|\d{2,3}|2A|2B)\)$", re.IGNORECASE)
# What `resolve_commune` reads in brackets: also « (Lot) » and « (Lot, 46150) », as its questions list them.
_ANY_LABEL = re.compile(r"^(?P<name>[^()]*\S)\s*\((?P<where>[^()]+)\)$")
_DEPARTMENT = re.compile(r"^(\d{2,3}|2A|2B)$", re.IGNORECASE)


def find_communes(query: str, *, limit: int = 10, territory: Territory | None = None) -> list[Commune]:
    """Communes matching what a person typed: a name (tolerant), a postcode or an INSEE code.

    Exact name matches come first, then prefix matches, biggest population first.
    """
    text = query.strip()
    if not text:
        return []
    base: QuerySet[Commune] = Commune.objects.select_related("department", "epci")
    if territory is not None:
        base = base.filter(territories=territory)
    if _POSTCODE.match(text):
        by_code = list(base.filter(code=text))
        if len(by_code) >= limit:
            return by_code[:limit]  # postcode matches would come after them: no need to scan for them
        by_postcode = [c for c in base.filter(postcodes__icontains=text) if text in c.postcodes]
        seen = {c.code for c in by_code}
        found = by_code + sorted((c for c in by_postcode if c.code not in seen), key=lambda c: -(c.population or 0))
        return found[:limit]
    if _INSEE.match(text):
        found = list(base.filter(code=text.upper()))
        if found:
            return found
    if label := _LABEL.match(text):
        where = label["where"].upper()
        named = base.filter(search_key=normalize_name(label["name"]))
        if len(where) == 5:
            found = [c for c in named if where in c.postcodes]
        else:
            found = list(named.filter(department_id=where))
        if found:
            return found[:limit]
    key = normalize_name(text)
    if not key:
        return []
    exact = list(base.filter(search_key=key).order_by("-population")[:limit])
    prefix = list(base.filter(search_key__startswith=key).exclude(search_key=key).order_by("-population")[: limit * 3])
    words = key.split()
    if len(words) > 1 and not prefix and not exact:
        # "St Gery" also finds "Saint-Géry-Vers" when the words are in the name, not only at its start.
        candidates = base.filter(search_key__contains=words[0])
        for word in words[1:]:
            candidates = candidates.filter(search_key__contains=word)
        prefix = list(candidates.order_by("-population")[: limit * 3])
    return (exact + prefix)[:limit]


def suggest_communes(query: str, *, limit: int = 5) -> list[Commune]:
    """Close spellings for a name that matched nothing (for '404 with suggestions')."""
    key = normalize_name(query)
    if not key:
        return []
    head = key[:2]
    pool = dict(Commune.objects.filter(search_key__startswith=head).values_list("search_key", "code"))
    if len(pool) < 50:
        pool.update(dict(Commune.objects.filter(search_key__contains=key[:3]).values_list("search_key", "code")))
    close = difflib.get_close_matches(key, list(pool), n=limit, cutoff=0.6)
    communes = Commune.objects.select_related("department", "epci").in_bulk([pool[name] for name in close])
    return [communes[pool[name]] for name in close if pool[name] in communes]


# --- the one commune resolver: every page, API and command reads a typed commune through it ------

_UNSET: object = object()
MAX_CANDIDATES = 20  # a question listing more choices than this helps nobody: the first ones are shown


@dataclass(frozen=True, slots=True)
class CommuneAnswer:
    """What a typed commune means: one commune, several to choose from, or none (with close spellings)."""

    text: str
    commune: Commune | None = None
    candidates: tuple[Commune, ...] = ()  # several communes fit: the person must say which
    suggestions: tuple[Commune, ...] = ()  # nothing fits: close spellings
    reason: str = ""  # "name", "postcode", "code", "label": how the commune was read

    @property
    def found(self) -> bool:
        return self.commune is not None

    @property
    def ambiguous(self) -> bool:
        return self.commune is None and len(self.candidates) > 1

    @property
    def choices(self) -> tuple[Commune, ...]:
        """What to offer the person: the candidates when ambiguous, else close spellings."""
        return self.candidates if self.ambiguous else self.suggestions

    def message(self) -> str:
        """The French sentence a form, an API or a command shows when no single commune was found."""
        if self.commune is not None:
            return ""
        typed = self.text.strip()
        if not typed:
            return "Indiquez votre commune (nom ou code postal)."
        if self.ambiguous:
            listed = _listing(self.candidates)
            if self.reason == "postcode":
                return f"Le code postal {typed} est celui de plusieurs communes : précisez laquelle ({listed})."
            return f"Plusieurs communes correspondent à « {typed} » : précisez laquelle ({listed})."
        if self.suggestions:
            return f"Nous ne trouvons pas la commune « {typed} ». Vouliez-vous dire : {_listing(self.suggestions)} ?"
        return f"Nous ne trouvons pas la commune « {typed} ». Vérifiez l'orthographe ou donnez le code postal."


def commune_label(commune: Commune) -> str:
    """'Cahors (46000)': what the autocomplete proposes and `resolve_commune` reads back to this commune."""
    postcode = commune.postcodes[0] if commune.postcodes else commune.department_id
    return f"{commune.name} ({postcode})"


def commune_typed(commune: Commune) -> str:
    """What to prefill a form with: the name when it reads back to this commune, else its label.

    « Lherm » reads as Lherm in the Lot: a person of Lherm (Haute-Garonne) gets « Lherm (31370) ».
    """
    return commune.name if resolve_commune(commune.name).commune == commune else commune_label(commune)


def commune_display(commune: Commune) -> str:
    """'Lherm (Lot, 46150)': name and department, to tell homonyms apart in a question (also read back)."""
    postcode = commune.postcodes[0] if commune.postcodes else commune.department_id
    return f"{commune.name} ({commune.department.name}, {postcode})"


def _listing(communes: tuple[Commune, ...]) -> str:
    shown = [commune_display(c) for c in communes[:MAX_CANDIDATES]]
    more = f" et {len(communes) - MAX_CANDIDATES} autres" if len(communes) > MAX_CANDIDATES else ""
    if len(shown) > 1 and not more:
        return ", ".join(shown[:-1]) + " ou " + shown[-1]
    return ", ".join(shown) + more


def resolve_commune(query: str, *, territory: Territory | None | object = _UNSET) -> CommuneAnswer:
    """The commune a person meant, read the same way on every surface (pages, API, commands).

    - a name: the territory's communes first (« Lherm » is Lherm in the Lot for the Cahors
      area); a name found only elsewhere is taken when one commune in France bears it, asked
      when several do; a name several communes could mean is asked, never guessed;
    - five digits: a postcode gives the communes that carry it (one: taken; several: asked);
      the commune whose INSEE code it is joins them (« 46042 » is Cahors);
    - « Nom (46) », « Nom (46230) », « Nom (Lot) », « Nom (Lot, 46150) »: the brackets tell
      homonyms apart (department code or name, postcode or INSEE code).
    `territory` defaults to the deployment's territory (None: no preference).
    """
    text = " ".join(query.split())
    if not text:
        return CommuneAnswer(text)
    local = default_territory() if territory is _UNSET else territory
    if label := _ANY_LABEL.match(text):
        return _resolve_label(text, label["name"], label["where"], local)
    if _POSTCODE.match(text) or _INSEE.match(text):
        return _resolve_code(text, local)
    return _resolve_name(text, local)


def _base() -> QuerySet[Commune]:
    return Commune.objects.select_related("department", "epci")


def _local_first(communes: list[Commune], territory: Territory | None) -> list[Commune]:
    """Territory's communes first, then by population (biggest first)."""
    inside = _local_codes(territory, [c.code for c in communes])
    return sorted(communes, key=lambda c: (c.code not in inside, -(c.population or 0), c.name, c.code))


def _local_codes(territory: Territory | None, codes: list[str]) -> set[str]:
    if territory is None or not codes:
        return set()
    return set(territory.communes.filter(code__in=codes).values_list("code", flat=True))


def _answer(text: str, found: list[Commune], reason: str, territory: Territory | None) -> CommuneAnswer:
    found = list(dict.fromkeys(found))
    if len(found) == 1:
        return CommuneAnswer(text, commune=found[0], reason=reason)
    if found:
        return CommuneAnswer(text, candidates=tuple(_local_first(found, territory)), reason=reason)
    return CommuneAnswer(text, suggestions=tuple(_suggestions(text, territory)), reason=reason)


def _postcode_index() -> dict[str, tuple[str, ...]]:
    index: dict[str, list[str]] = {}
    for code, postcodes in Commune.objects.values_list("code", "postcodes"):
        for each in postcodes or ():
            index.setdefault(each, []).append(code)
    return {key: tuple(codes) for key, codes in index.items()}


# Rebuilt (~0.15 s) when the offer's token changes (`directory.offer_version` watches the communes too).
POSTCODES = process_cache.register("postcodes", _postcode_index, when_untracked=lambda: None)


def _codes_with_postcode(postcode: str) -> list[str] | None:
    """INSEE codes of the communes carrying a postcode, from an index kept while the data stays the same.

    Scanning every commune's postcodes costs ~13 ms on SQLite. None when the offer's token
    cannot be read: the caller then asks the database.
    """
    index = POSTCODES.get()
    return None if index is None else list(index.get(postcode, ()))


def _resolve_code(text: str, territory: Territory | None) -> CommuneAnswer:
    code = text.upper()
    codes = _codes_with_postcode(code) if _POSTCODE.match(code) else []
    if codes is None:
        by_postcode = [c for c in _base().filter(postcodes__icontains=code) if code in (c.postcodes or [])]
    else:
        by_postcode = list(_base().filter(code__in=codes)) if codes else []
    by_insee = list(_base().filter(code=code))
    # A postcode is what people type: 46170 is Castelnau-Montratier's postcode (and three more
    # communes'), and also the INSEE code of Leyme, far away: Leyme stays one of the choices.
    reason = "postcode" if by_postcode else "code"
    return _answer(text, by_postcode + by_insee, reason, territory)


def _department_codes(part: str) -> set[str]:
    key = normalize_name(part)
    return {d.code for d in Department.objects.all() if normalize_name(d.name) == key}


def _resolve_label(text: str, name: str, where: str, territory: Territory | None) -> CommuneAnswer:
    named = list(_base().filter(search_key=normalize_name(name))) or _tolerant(name, None, limit=200)
    for part in (p.strip() for p in where.split(",")):
        if not part:
            continue
        upper = part.upper()
        if _POSTCODE.match(part):
            named = [c for c in named if upper in (c.postcodes or []) or c.code == upper]
        elif _DEPARTMENT.match(part):
            named = [c for c in named if c.department_id == upper]
        else:
            departments = _department_codes(part)
            named = [c for c in named if c.department_id in departments]
    if named:
        return _answer(text, named, "label", territory)
    return CommuneAnswer(text, suggestions=tuple(_suggestions(name, territory)), reason="label")


def _tolerant(text: str, territory: Territory | None, *, limit: int) -> list[Commune]:
    """Names starting with the text, or holding all its words (« St Gery » -> Saint Géry-Vers)."""
    key = normalize_name(text)
    if not key:
        return []
    base = _base() if territory is None else _base().filter(territories=territory)
    found = list(base.filter(search_key__startswith=key).exclude(search_key=key).order_by("-population")[:limit])
    words = key.split()
    if not found and len(words) > 1:
        candidates = base.filter(search_key__contains=words[0])
        for word in words[1:]:
            candidates = candidates.filter(search_key__contains=word)
        found = list(candidates.exclude(search_key=key).order_by("-population")[:limit])
    return found


def _resolve_name(text: str, territory: Territory | None) -> CommuneAnswer:
    key = normalize_name(text)
    if not key:
        return CommuneAnswer(text)
    exact = list(_base().filter(search_key=key).order_by("-population")[: MAX_CANDIDATES * 2])
    if territory is not None:
        inside = [c for c in exact if c.code in _local_codes(territory, [c.code for c in exact])]
        if inside:  # the territory's commune of this name, even when bigger homonyms exist elsewhere
            return _answer(text, inside, "name", territory)
        nearby = _tolerant(text, territory, limit=MAX_CANDIDATES)
        if len(nearby) == 1:  # « St Gery » is Saint Géry-Vers here, before Saint-Géry in Dordogne
            return _answer(text, nearby, "name", territory)
        if nearby:
            return _answer(text, nearby + exact, "name", territory)
    if exact:
        return _answer(text, exact, "name", territory)
    return _answer(text, _tolerant(text, None, limit=MAX_CANDIDATES), "name", territory)


def _suggestions(text: str, territory: Territory | None, *, limit: int = 5) -> list[Commune]:
    """Close spellings, the territory's first."""
    return _local_first(suggest_communes(text, limit=limit), territory)


def default_territory() -> Territory | None:
    return Territory.objects.filter(slug=settings.CARTEBLANCHE_DEFAULT_TERRITORY).first()
