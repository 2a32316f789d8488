"""When a person is free, said in plain French, turned into concrete windows. Pure module.

Grammar (parts separated by "," ";" or " et "):
    [sauf|occupé|je travaille] DAYS [HOURS]
DAYS: a day ("mardi", "mar"), a range ("lundi-vendredi", "du lundi au vendredi"),
"semaine" (Monday to Friday), "week-end", "tous les jours".
HOURS: "9-12", "9h-12h30", "de 9h à 12h", or a period ("matin", "après-midi", "soir",
"midi", "journée"). Without hours: the whole day (8 h–19 h).
Parts starting with "sauf" (or "occupé", "je travaille") remove time; when every part does,
they are taken out of "every day 8 h–19 h". An empty text means "any time" (every day 8 h–19 h).
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from carteblanche.mobility.travel import TimeWindow
from carteblanche.territories.geo import PARIS

DAY_START, DAY_END = 8 * 60, 19 * 60  # "the whole day" and "any time", in minutes
EXAMPLE = "« mardi 9-12 », « semaine 18-20 », « sauf semaine 8-18 »"

DAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
DAY_NAMES_FR = DAYS
_DAY_WORDS = {name: i for i, name in enumerate(DAYS)}
_DAY_WORDS.update({name[:3]: i for i, name in enumerate(DAYS)})
_DAY_WORDS.update({name + "s": i for i, name in enumerate(DAYS)})
_GROUPS = {
    "semaine": (0, 1, 2, 3, 4),
    "en semaine": (0, 1, 2, 3, 4),
    "jours de semaine": (0, 1, 2, 3, 4),
    "week end": (5, 6),
    "weekend": (5, 6),
    "le week end": (5, 6),
    "tous les jours": tuple(range(7)),
    "chaque jour": tuple(range(7)),
    "toute la semaine": tuple(range(7)),
    "toujours": tuple(range(7)),
    "n importe quand": tuple(range(7)),
}
PERIODS = {
    "matin": (8 * 60, 12 * 60),
    "matinee": (8 * 60, 12 * 60),
    "midi": (12 * 60, 14 * 60),
    "apres midi": (13 * 60 + 30, 18 * 60),
    "aprem": (13 * 60 + 30, 18 * 60),
    "soir": (18 * 60, 20 * 60),
    "soiree": (18 * 60, 20 * 60),
    "journee": (DAY_START, DAY_END),
    "toute la journee": (DAY_START, DAY_END),
}
_BUSY = ("sauf ", "occupe ", "occupee ", "je travaille ", "travail ", "je bosse ", "pas ")
_HOUR = r"(\d{1,2})(?:\s*[h:]\s*(\d{2})?)?"
_HOURS = re.compile(rf"^(?:de )?{_HOUR}\s*(?:-|a|au|jusqu a)\s*{_HOUR}$")
_LOOSE_HOUR = r"\d{1,2}(?:\s*[h:]\s*\d{0,2})?"
_HOURS_AT_END = re.compile(rf"(?:de )?{_LOOSE_HOUR}\s*(?:-|a|au|jusqu a)\s*{_LOOSE_HOUR}$")
_FILLER = re.compile(r"\b(?:le|les|la|l|du|des|en|libre|libres|dispo|disponible|disponibles|je suis|on)\b")


def _without_filler(words: str) -> str:
    return re.sub(r"\s+", " ", _FILLER.sub(" ", words)).strip()


# The groups and periods as they read once filler words are gone ("tous les jours" -> "tous jours"):
# typed text loses its filler words before lookup, so the documented phrasings must too.
_GROUPS.update({_without_filler(words): days for words, days in list(_GROUPS.items())})
PERIODS.update({_without_filler(words): hours for words, hours in list(PERIODS.items())})


class AvailabilityError(ValueError):
    """The availability text cannot be understood; the message says which part and what to write."""

    def __init__(self, message: str, part: str = "") -> None:
        super().__init__(message)
        self.part = part


@dataclass(frozen=True, slots=True)
class WeeklyRule:
    weekday: int  # 0 = Monday
    start: int  # minutes since midnight
    end: int


@dataclass(frozen=True, slots=True)
class WeeklyAvailability:
    free: tuple[WeeklyRule, ...]
    busy: tuple[WeeklyRule, ...] = ()
    text: str = ""

    def windows(self, now: datetime, days: int = 14) -> tuple[TimeWindow, ...]:
        """Concrete windows from `now` over `days` days (Paris time), busy time removed."""
        now = now if now.tzinfo else now.replace(tzinfo=PARIS)
        now = now.astimezone(PARIS)
        horizon = now + timedelta(days=days)
        result: list[TimeWindow] = []
        for offset in range(days + 1):
            day = (now + timedelta(days=offset)).date()
            weekday = day.weekday()
            intervals = _merge([(r.start, r.end) for r in self.free if r.weekday == weekday])
            for busy in (r for r in self.busy if r.weekday == weekday):
                intervals = _subtract(intervals, (busy.start, busy.end))
            for start, end in intervals:
                begin = _at(day, start)
                finish = _at(day, end)
                begin, finish = max(begin, now), min(finish, horizon)
                if finish - begin >= timedelta(minutes=15):
                    result.append(TimeWindow(begin, finish))
        return tuple(result)

    def describe(self) -> str:
        """Plain French, e.g. 'mardi de 9 h à 12 h', 'tous les jours de 8 h à 19 h (sauf en semaine …)'."""
        text = _describe_rules(self.free)
        if self.busy:
            text += f" (sauf {_describe_rules(self.busy)})"
        return text


def _days_label(days: tuple[int, ...]) -> str:
    if days == tuple(range(7)):
        return "tous les jours"
    if days == (0, 1, 2, 3, 4):
        return "en semaine"
    if days == (5, 6):
        return "le week-end"
    if len(days) > 2 and days == tuple(range(days[0], days[-1] + 1)):
        return f"du {DAYS[days[0]]} au {DAYS[days[-1]]}"
    return ", ".join(DAYS[d] for d in days)


def _describe_rules(rules: tuple[WeeklyRule, ...]) -> str:
    by_hours: dict[tuple[int, int], list[int]] = {}
    for rule in rules:
        by_hours.setdefault((rule.start, rule.end), []).append(rule.weekday)
    return ", ".join(f"{_days_label(tuple(sorted(set(days))))} {fmt_range(*hours)}" for hours, days in by_hours.items())


def _at(day, minutes: int) -> datetime:
    if minutes >= 24 * 60:
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=PARIS)
    return datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=PARIS)


def _merge(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _subtract(intervals: list[tuple[int, int]], cut: tuple[int, int]) -> list[tuple[int, int]]:
    out = []
    for start, end in intervals:
        if cut[1] <= start or cut[0] >= end:
            out.append((start, end))
            continue
        if start < cut[0]:
            out.append((start, cut[0]))
        if cut[1] < end:
            out.append((cut[1], end))
    return out


def fmt_hour(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


def fmt_range(start: int, end: int) -> str:
    return f"de {fmt_hour(start)} à {fmt_hour(end)}"


def _normalize(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("’", " ").replace("'", " ")
    text = text.replace("week-end", "week end").replace("apres-midi", "apres midi")
    return re.sub(r"\s+", " ", text).strip()


def _parse_days(words: str, original: str) -> tuple[int, ...]:
    words = words.strip()
    if words in _GROUPS:
        return _GROUPS[words]
    if words in _DAY_WORDS:
        return (_DAY_WORDS[words],)
    match = re.fullmatch(r"(?:du )?(\w+)\s*(?:-|au|a)\s*(\w+)", words)
    if match and match.group(1) in _DAY_WORDS and match.group(2) in _DAY_WORDS:
        first, last = _DAY_WORDS[match.group(1)], _DAY_WORDS[match.group(2)]
        return tuple(d % 7 for d in range(first, last + 1 if last >= first else last + 8))
    listed = [w for w in re.split(r"[ /+]+", words) if w]
    if listed and all(w in _DAY_WORDS for w in listed):
        return tuple(_DAY_WORDS[w] for w in listed)
    raise AvailabilityError(
        f"Je ne reconnais pas le jour dans « {original.strip()} ». Écrivez un jour (lundi… dimanche), "
        f"« semaine » ou « week-end », par exemple {EXAMPLE}.",
        original.strip(),
    )


def _parse_hours(words: str, original: str) -> tuple[int, int]:
    words = words.strip()
    if words in PERIODS:
        return PERIODS[words]
    match = _HOURS.match(words)
    if not match:
        raise AvailabilityError(
            f"Je ne comprends pas les heures dans « {original.strip()} ». Écrivez par exemple « 9-12 », "
            "« 14h-17h30 » ou « matin ».",
            original.strip(),
        )
    h1, m1, h2, m2 = match.group(1), match.group(2) or "0", match.group(3), match.group(4) or "0"
    for hour, minute in ((int(h1), int(m1)), (int(h2), int(m2))):
        if hour > 24 or minute > 59 or (hour == 24 and minute):
            raise AvailabilityError(
                f"L'heure {hour} h {minute:02d} dans « {original.strip()} » n'existe pas : une heure va de 0 à 24. "
                f"Écrivez par exemple {EXAMPLE}.",
                original.strip(),
            )
    start, end = int(h1) * 60 + int(m1), int(h2) * 60 + int(m2)
    if start >= end:
        raise AvailabilityError(
            f"Dans « {original.strip()} », l'heure de fin doit venir après l'heure de début (par exemple « 9-12 »).",
            original.strip(),
        )
    return start, end


def _split_days_hours(part: str) -> tuple[str, str]:
    """'mardi 9-12' -> ('mardi', '9-12'); 'semaine matin' -> ('semaine', 'matin')."""
    for period in sorted(PERIODS, key=len, reverse=True):
        if part.endswith(" " + period) or part == period:
            return part[: -len(period)].strip(), period
    match = _HOURS_AT_END.search(part)
    if match:
        return part[: match.start()].strip(), match.group(0)
    if re.search(r"\d", part):
        return part.split(" ", 1)[0] if " " in part else "", part.split(" ", 1)[-1]
    return part, ""


def parse_availability(text: str) -> WeeklyAvailability:
    """Parse plain-French availability; raise AvailabilityError naming the part to change."""
    original_parts = [p for p in re.split(r"[,;\n]| et ", text or "") if p.strip()]
    free: list[WeeklyRule] = []
    busy: list[WeeklyRule] = []
    for original in original_parts:
        part = _normalize(original)
        is_busy = False
        for prefix in _BUSY:
            if part.startswith(prefix):
                is_busy, part = True, part[len(prefix) :].strip()
                break
        part = _without_filler(part)
        part = re.sub(r"(?<=\d) ?h(?=\d|\b)", "h", part)
        days_words, hours_words = _split_days_hours(part)
        if not days_words and not hours_words:
            raise AvailabilityError(
                f"Je ne comprends pas « {original.strip()} ». Écrivez par exemple {EXAMPLE}.", original.strip()
            )
        days = _parse_days(days_words, original) if days_words else tuple(range(7))
        start, end = _parse_hours(hours_words, original) if hours_words else (DAY_START, DAY_END)
        target = busy if is_busy else free
        target.extend(WeeklyRule(day, start, end) for day in days)
    if not free:
        free = [WeeklyRule(day, DAY_START, DAY_END) for day in range(7)]
    return WeeklyAvailability(tuple(free), tuple(busy), text=(text or "").strip())


ANY_TIME = WeeklyAvailability(tuple(WeeklyRule(day, DAY_START, DAY_END) for day in range(7)), text="")
