"""National emergency and help lines, kept as data (`orientation/data/emergency_lines.json`). Pure module.

Someone in danger needs the right number before any counter or form: the plan of an urgent need
(violence, no shelter tonight, child in danger, suicidal thoughts, medical emergency) starts with
these lines, whatever the hour and the person's free time, and every error page of the public flows
shows them. The file is validated when loaded; a wrong file raises `EmergencyDataError` naming the
entry and the field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "emergency_lines.json"
CHANNELS = ("call", "sms")
_NUMBER = re.compile(r"^\d{2,4}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class EmergencyDataError(ValueError):
    """The emergency lines file is inconsistent: names the entry and the field."""


@dataclass(frozen=True, slots=True)
class EmergencyLine:
    number: str
    label: str
    what_for: str
    availability: str  # OSM opening_hours, "24/7" for the national lines
    availability_text: str  # said plainly: "24 h/24, 7 j/7, gratuit"
    channel: str  # call | sms
    source_url: str
    source_date: str

    @property
    def always_open(self) -> bool:
        return self.availability.strip() == "24/7"

    @property
    def action(self) -> str:
        """What to do, in words: 'Appelez le 17' or 'Envoyez un SMS au 114'."""
        return f"Envoyez un SMS au {self.number}" if self.channel == "sms" else f"Appelez le {self.number}"


@dataclass(frozen=True, slots=True)
class NeedLines:
    always: bool  # urgent by itself (violence...), or only when the person says it is urgent
    no_home: bool  # nothing at the person's home (leaving a violent home)
    lines: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EmergencyData:
    lines: dict[str, EmergencyLine]
    needs: dict[str, NeedLines]
    when_urgent: tuple[str, ...]

    def line(self, number: str) -> EmergencyLine:
        return self.lines[number]

    def all_lines(self) -> tuple[EmergencyLine, ...]:
        return tuple(self.lines.values())


@dataclass(frozen=True, slots=True)
class Safety:
    """What a plan says first when a need is urgent: one sentence, then the lines to call."""

    headline: str
    lines: tuple[EmergencyLine, ...]
    no_home: bool = False


def parse(data: dict) -> EmergencyData:
    """Validate the file's content (every problem names the entry and the field)."""
    if not isinstance(data, dict) or not isinstance(data.get("lines"), list):
        raise EmergencyDataError("fichier des numéros d'urgence : champ « lines » manquant")
    lines: dict[str, EmergencyLine] = {}
    for position, entry in enumerate(data["lines"], start=1):
        where = f"numéro n°{position} ({entry.get('number', '?') if isinstance(entry, dict) else '?'})"
        if not isinstance(entry, dict):
            raise EmergencyDataError(f"{where} : doit être un objet")
        for name in ("number", "label", "what_for", "availability", "availability_text", "channel", "source_url"):
            if not str(entry.get(name, "")).strip():
                raise EmergencyDataError(f"{where} : champ « {name} » manquant")
        if not _NUMBER.match(entry["number"]):
            raise EmergencyDataError(f"{where} : champ « number » : 2 à 4 chiffres attendus")
        if entry["number"] in lines:
            raise EmergencyDataError(f"{where} : champ « number » : numéro en double")
        if entry["channel"] not in CHANNELS:
            raise EmergencyDataError(f"{where} : champ « channel » : « call » ou « sms » attendu")
        if not entry["source_url"].startswith("https://"):
            raise EmergencyDataError(f"{where} : champ « source_url » : adresse https:// attendue")
        if not _DATE.match(str(entry.get("source_date", ""))):
            raise EmergencyDataError(f"{where} : champ « source_date » : date AAAA-MM-JJ attendue")
        lines[entry["number"]] = EmergencyLine(**{k: entry[k] for k in EmergencyLine.__slots__})
    needs: dict[str, NeedLines] = {}
    for slug, entry in (data.get("needs") or {}).items():
        unknown = [n for n in entry.get("lines", []) if n not in lines]
        if not entry.get("lines") or unknown:
            raise EmergencyDataError(f"besoin « {slug} » : champ « lines » : numéro inconnu {', '.join(unknown)}")
        needs[slug] = NeedLines(bool(entry.get("always")), bool(entry.get("no_home")), tuple(entry["lines"]))
    when_urgent = tuple(data.get("when_urgent", ()))
    if bad := [n for n in when_urgent if n not in lines]:
        raise EmergencyDataError(f"champ « when_urgent » : numéro inconnu {', '.join(bad)}")
    return EmergencyData(lines=lines, needs=needs, when_urgent=when_urgent)


@cache
def load(path: Path = DATA_FILE) -> EmergencyData:
    return parse(json.loads(path.read_text(encoding="utf-8")))


def urgent_needs(need_slugs: Iterable[str], *, urgent: bool, data: EmergencyData | None = None) -> list[str]:
    """The person's needs that call for the emergency lines (urgent by themselves, or said urgent)."""
    data = data or load()
    return [s for s in need_slugs if s in data.needs and (data.needs[s].always or urgent)]


def safety_for(need_slugs: Iterable[str], *, urgent: bool, data: EmergencyData | None = None) -> Safety | None:
    """The lines to show first, in order and without repeats; None when nothing is urgent."""
    data = data or load()
    slugs = list(need_slugs)
    urgent_slugs = urgent_needs(slugs, urgent=urgent, data=data)
    numbers: list[str] = []
    for slug in urgent_slugs:
        numbers.extend(data.needs[slug].lines)
    if not numbers and urgent:
        numbers = list(data.when_urgent)
    if not numbers:
        return None
    lines = tuple(data.lines[n] for n in dict.fromkeys(numbers))
    first = lines[0]
    others = [line for line in lines[1:] if line.channel == "call"][:2]
    headline = f"En cas d'urgence, d'abord : {first.action.lower()} ({first.label}, {first.availability_text})"
    if others:
        headline += ", ou le " + " ou le ".join(line.number for line in others)
    sms = next((line for line in lines if line.channel == "sms"), None)
    if sms is not None and sms is not first:
        headline += f" ; si vous ne pouvez pas parler, SMS au {sms.number}"
    headline += "."
    no_home = any(data.needs[s].no_home for s in urgent_slugs)
    return Safety(headline=headline, lines=lines, no_home=no_home)
