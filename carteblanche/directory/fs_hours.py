"""France Services free-text hours ("9:00 - 12:00 / 13:30 - 17:00") -> an OSM opening_hours rule.

Pure module. The national France Services dataset publishes one free-text string per weekday
(Monday to Saturday). We convert what can be read without guessing:

- "9:00 - 12:00 / 13:30 - 17:00", "09:00 - 12:00", truncated "14:00 - 17:" -> time ranges;
- "-" or "Espace fermé ce jour" -> closed that day;
- "Sur RDV : 14:00 - 17:00" -> a range with the comment "sur rendez-vous";
- "Après-midi sur RDV" (no times) -> kept as a note, not as hours;
- "1er de chaque mois : 9:00 - 12:00" on a Saturday, "3ème mercredi du mois" -> ``Sa[1]``, ``We[3]``;
- "Excepté dernier samedi du mois" -> ``Sa[-1] off``; "Semaines paires/impaires" -> ISO week parity;
- anything else (seasons, school holidays, "selon planning") -> that day is ``unknown`` with the
  original text as comment; when no day can be read the result is 'unknown' with the reason.

Public holidays are closed (``PH off``): a public desk is not open on a French public holiday,
and saying "closed" never sends someone to a shut door. Sunday is absent from the dataset: closed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from carteblanche.directory import hours

DAYS = (
    ("h_lundi", "Mo", "lundi"),
    ("h_mardi", "Tu", "mardi"),
    ("h_mercredi", "We", "mercredi"),
    ("h_jeudi", "Th", "jeudi"),
    ("h_vendredi", "Fr", "vendredi"),
    ("h_samedi", "Sa", "samedi"),
)
DAY_NAMES = {name: code for _, code, name in DAYS}
ORDER = [code for _, code, _ in DAYS]

CONVERTED = "converted"  # every day read
PARTIAL = "partial"  # some days read, others stored as `unknown` in the rule
UNKNOWN = "unknown"  # nothing usable: no rule

_CLOSED = {"-", "ferme", "fermé", "espace fermé ce jour", "fermé ce jour"}
_NOT_GIVEN = {"", "horaires non communiqués", "non communiqué", "non communiqués", "nc"}
_TIME = re.compile(r"(?<![\d:])(\d{1,2})\s*[:h](?:\s?(\d{2})(?![\d:]))?")
_SEPARATORS = re.compile(r"^[\s\-/à]*(et)?[\s\-/à]*$")
_LABEL = re.compile(r"^\s*([^:]*?[^\d\s:][^:]*?)\s*:\s*(.*)$")
_ORDINAL = re.compile(
    r"^(1er|1ère|premier|2e|2ème|2eme|deuxième|3e|3ème|3eme|troisième|4e|4ème|4eme|quatrième|dernier)\b"
)
_ORDINALS = {
    "1er": "1",
    "1ère": "1",
    "premier": "1",
    "2e": "2",
    "2ème": "2",
    "2eme": "2",
    "deuxième": "2",
    "3e": "3",
    "3ème": "3",
    "3eme": "3",
    "troisième": "3",
    "4e": "4",
    "4ème": "4",
    "4eme": "4",
    "quatrième": "4",
    "dernier": "-1",
}
APPOINTMENT = "sur rendez-vous"


class _Unreadable(ValueError):
    """This day's text cannot be read without guessing."""


@dataclass(frozen=True)
class Clause:
    """Ranges for one day, possibly only some weeks of the month/year, possibly by appointment."""

    ranges: tuple[tuple[str, str], ...]
    nth: str = ""  # "1", "-1"… -> Mo[1]
    week: str = ""  # "02-52/2" for even ISO weeks
    comment: str = ""
    off: bool = False


@dataclass
class DayResult:
    clauses: list[Clause] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    closed: bool = False
    unknown_reason: str = ""


@dataclass(frozen=True)
class Conversion:
    """The rule ('' when unknown), the status, why (for unknown/partial) and notes for people."""

    rule: str
    status: str
    reason: str = ""
    note: str = ""

    @property
    def is_unknown(self) -> bool:
        return self.status == UNKNOWN


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\xa0", " ").replace("–", "-").replace("—", "-")).strip()


def _hhmm(hour: str, minute: str | None) -> str:
    h, m = int(hour), int(minute or 0)
    if h > 24 or m > 59 or (h == 24 and m):
        raise _Unreadable(f"heure impossible {hour}:{minute or '00'}")
    return f"{h:02d}:{m:02d}"


def parse_ranges(text: str) -> tuple[tuple[str, str], ...]:
    """'9:00 - 12:00 / 13:30 - 17:' -> (('09:00','12:00'), ('13:30','17:00')); raises when anything else is left."""
    matches = list(_TIME.finditer(text))
    leftover = _TIME.sub(" ", text)
    if not matches or not _SEPARATORS.match(leftover.replace("/", " ").replace("-", " ")):
        raise _Unreadable(f"texte non reconnu « {text.strip()} »")
    if len(matches) % 2:
        raise _Unreadable(f"nombre d'heures impair dans « {text.strip()} »")
    times = [_hhmm(match.group(1), match.group(2)) for match in matches]
    ranges = tuple(zip(times[::2], times[1::2], strict=True))
    previous_end = "00:00"
    for start, end in ranges:
        if not start < end or start < previous_end:
            raise _Unreadable(f"plages incohérentes dans « {text.strip()} »")
        previous_end = end
    return ranges


def _qualifier(label: str, day_name: str) -> dict[str, str] | None:
    """What a 'label :' prefix means, as Clause keyword arguments; None when it is not understood."""
    label = label.lower().strip()
    if label in {"sur rdv", "sur rendez-vous", "sur endez-vous de", "sur rendez-vous de"}:
        return {"comment": APPOINTMENT}
    if label in {"sans rdv", "sans rendez-vous"}:
        return {}
    if label == "semaines paires":
        return {"week": "02-52/2"}
    if label == "semaines impaires":
        return {"week": "01-53/2"}
    if label.startswith("excepté "):
        inner = _qualifier(label.removeprefix("excepté "), day_name)
        return {**inner, "off": "1"} if inner and "nth" in inner else None
    if ordinal := _ORDINAL.match(label):
        rest = label[ordinal.end() :].strip()
        if rest in {"de chaque mois", "du mois", f"{day_name} du mois", f"{day_name} de chaque mois"}:
            return {"nth": _ORDINALS[ordinal.group(1)]}
    return None


def parse_day(value: str | None, day_name: str) -> DayResult:
    """Read one weekday's text. Never raises: an unreadable day comes back with `unknown_reason`."""
    if value is None:
        return DayResult(unknown_reason="non renseigné")
    text = _clean(value)
    lowered = text.lower()
    if lowered in _CLOSED:
        return DayResult(closed=True)
    if lowered in _NOT_GIVEN:
        return DayResult(unknown_reason="horaires non communiqués")
    result = DayResult()
    try:
        for block in text.split("//"):
            qualifier: dict[str, str] = {}
            exception: Clause | None = None
            for piece in (piece.strip() for piece in _split_pieces(block)):
                if not piece:
                    continue
                low = piece.lower()
                if "rdv" in low or "rendez-vous" in low:
                    if not _TIME.search(piece) and not _LABEL.match(piece):
                        result.notes.append(piece)  # "Après-midi sur RDV": a fact for people, not hours
                        continue
                    if not _TIME.search(piece) and (m := _LABEL.match(piece)) and not _TIME.search(m.group(2)):
                        result.notes.append(piece)  # "Sur RDV : après-midi"
                        continue
                if label_match := _LABEL.match(piece):
                    found = _qualifier(label_match.group(1), day_name)
                    if found is None:
                        raise _Unreadable(f"mention non reconnue « {label_match.group(1)} »")
                    qualifier = dict(found)
                    piece = label_match.group(2)
                if piece.strip().lower() in _CLOSED:
                    continue  # "Semaines impaires : fermé"
                if qualifier.pop("off", None):
                    exception = Clause(ranges=(), nth=qualifier.pop("nth"), off=True)
                result.clauses.append(Clause(ranges=parse_ranges(piece), **qualifier))
            if exception:
                result.clauses.append(exception)
        if not result.clauses:
            return DayResult(notes=result.notes, unknown_reason=text)
    except _Unreadable as exc:
        return DayResult(unknown_reason=f"{exc} ({text})" if str(exc) else text)
    return result


def _split_pieces(block: str) -> list[str]:
    """Split on '/' between ranges, but keep a piece whole when a lone time sits on each side ('8:30 / 12:30')."""
    pieces: list[str] = []
    for piece in block.split("/"):
        alone = len(_TIME.findall(piece)) == 1 and not _LABEL.match(piece)
        previous = pieces[-1] if pieces else ""
        if alone and previous and len(_TIME.findall(previous)) == 1 and not _LABEL.match(previous):
            pieces[-1] = f"{previous} - {piece}"
        else:
            pieces.append(piece)
    return pieces


def _ranges_text(ranges: Iterable[tuple[str, str]]) -> str:
    return ",".join(f"{start}-{end}" for start, end in ranges)


def _day_list(codes: list[str]) -> str:
    """['Mo','Tu','We','Fr'] -> 'Mo-We,Fr'."""
    indexes = sorted(ORDER.index(code) for code in codes)
    runs: list[list[int]] = []
    for index in indexes:
        if runs and index == runs[-1][-1] + 1:
            runs[-1].append(index)
        else:
            runs.append([index])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{ORDER[run[0]]}-{ORDER[run[-1]]}")
        else:
            parts.extend(ORDER[index] for index in run)
    return ",".join(parts)


def _quote(text: str) -> str:
    return '"' + text.replace('"', "'") + '"'


def build_rule(days: Mapping[str, DayResult]) -> str:
    """Plain ranges grouped by identical hours, then special clauses, then `unknown` days, then `PH off`."""
    plain: dict[str, list[str]] = {}
    special: list[str] = []
    appointments: list[str] = []
    unknown: list[str] = []
    for code in ORDER:
        day = days.get(code)
        if day is None or day.closed:
            continue
        if day.unknown_reason:
            unknown.append(f"{code} unknown {_quote(day.unknown_reason)}")
            continue
        for clause in day.clauses:
            selector = f"{code}[{clause.nth}]" if clause.nth else code
            if clause.week:
                selector = f"week {clause.week} {selector}"
            if clause.off:
                special.append(f"{selector} off")
            elif clause.comment:
                appointments.append(f"{selector} {_ranges_text(clause.ranges)} {_quote(clause.comment)}")
            elif clause.nth or clause.week:
                special.append(f"{selector} {_ranges_text(clause.ranges)}")
            else:
                plain.setdefault(_ranges_text(clause.ranges), []).append(code)
    # Days with several plain clauses (rare) must be merged before grouping.
    merged: dict[str, list[str]] = {}
    by_day: dict[str, list[str]] = {}
    for ranges, codes in plain.items():
        for code in codes:
            by_day.setdefault(code, []).extend(ranges.split(","))
    for code in ORDER:
        if code in by_day:
            merged.setdefault(",".join(sorted(by_day[code])), []).append(code)
    rules = [f"{_day_list(codes)} {ranges}" for ranges, codes in merged.items()]
    # Week-parity and nth clauses are additive to the plain rules of their day (",").
    main = "; ".join(rules)
    additions = [clause for clause in special if " off" not in clause] + appointments
    if main and additions:
        main = ", ".join([main, *additions])
    elif additions:
        main = ", ".join(additions)
    tail = [clause for clause in special if clause.endswith(" off")] + unknown
    parts = [part for part in [main, *tail] if part]
    return "; ".join([*parts, "PH off"]) if parts else ""


def convert_days(values: Mapping[str, str | None]) -> Conversion:
    """Convert the six weekday strings of one France Services record (keys h_lundi…h_samedi)."""
    days = {code: parse_day(values.get(key), name) for key, code, name in DAYS}
    notes = [f"{name} : {note}" for key, code, name in DAYS for note in days[code].notes]
    unknown_days = [name for _, code, name in DAYS if days[code].unknown_reason]
    readable = [code for code, day in days.items() if not day.unknown_reason]
    if not [code for code in readable if not days[code].closed]:
        reasons = sorted({days[code].unknown_reason for code in ORDER if days[code].unknown_reason})
        reason = "; ".join(reasons) if reasons else "fermé tous les jours selon la source"
        return Conversion(rule="", status=UNKNOWN, reason=reason, note="; ".join(notes))
    rule = build_rule(days)
    hours.validate(rule)  # a bug here must surface, not ship a broken rule
    status = PARTIAL if unknown_days else CONVERTED
    reason = f"jours non lisibles : {', '.join(unknown_days)}" if unknown_days else ""
    return Conversion(rule=rule, status=status, reason=reason, note="; ".join(notes))


@dataclass(frozen=True)
class ConversionReport:
    total: int
    converted: int
    partial: int
    unknown: int

    @property
    def share_converted(self) -> float:
        return self.converted / self.total if self.total else 0.0

    @property
    def share_with_rule(self) -> float:
        return (self.converted + self.partial) / self.total if self.total else 0.0


def conversion_report(features: Iterable[Mapping]) -> ConversionReport:
    """How many France Services records get a full rule, a partial rule, or none (GeoJSON features)."""
    counts = {CONVERTED: 0, PARTIAL: 0, UNKNOWN: 0}
    for feature in features:
        counts[convert_days(feature.get("properties", feature)).status] += 1
    return ConversionReport(sum(counts.values()), counts[CONVERTED], counts[PARTIAL], counts[UNKNOWN])
