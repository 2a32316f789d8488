"""France Services free-text hours ("9:00 - 12:00 / 13:30 - 17:00") -> an OSM opening_hours rule.

Pure module. The national France Services dataset publishes one free-text string per weekday
(Monday to Saturday). We convert what can be read without guessing:

- "9:00 - 12:00 / 13:30 - 17:00", "09:00 - 12:00", "9h - 12h" -> time ranges;
- an incomplete time "17:" (hour, colon, no minutes) takes its minutes from the same record when it
  writes that hour in full elsewhere with one value ("17:00" on Monday); otherwise nothing is
  guessed: the hour it may fall in is ``unknown`` in the rule and the record is flagged
  "horaires à vérifier";
- "-" or "Espace fermé ce jour" -> closed that day;
- "Sur RDV : 14:00 - 17:00" -> a range with the comment "sur rendez-vous";
- "Après-midi sur RDV" (no times) -> kept as a note, not as hours;
- "1er de chaque mois : 9:00 - 12:00" on a Saturday, "3ème mercredi du mois" -> ``Sa[1]``, ``We[3]``;
- "Excepté dernier samedi du mois" -> ``Sa[-1] off``; "Semaines paires/impaires" -> ISO week parity;
- anything else (seasons, school holidays, "selon planning") -> that day is ``unknown`` with the
  original text as comment; when no day can be read the result is 'unknown' with the reason.

The record's comment ("Commentaire.horaires") is applied by `apply_comment`: "2ème et 4ème samedis
du mois" -> ``Sa[2,4]``; "fermé les après-midis pendant les vacances scolaires" and "jusqu'à 19:00
hors vacances scolaires" -> the hours concerned are ``unknown`` with the comment (opening-hours-py
2.1 does not know French school holidays: it ignores ``SH off`` and applies ``SH …`` all year, so
``SH`` is not written); "1 semaine par mois" -> every range ``unknown`` (which week is not said);
a remark about one démarche ("CNI/Passeport seulement le samedi matin") -> a note; anything else
-> the record is flagged "horaires à vérifier" with the comment, never guessed.

Public holidays are closed (``PH off``): a public desk is not open on a French public holiday,
and saying "closed" never sends someone to a shut door. Sunday is absent from the dataset: closed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

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
_TIME = re.compile(r"(?<![\d:])(\d{1,2})\s*([:h])(?:\s?(\d{2})(?![\d:]))?")
_FULL_TIME = re.compile(r"(?<![\d:])(\d{1,2}):(\d{2})(?![\d:])")
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
    """Ranges for one day, possibly only some weeks of the month/year, possibly by appointment.
    `unknown` ranges may be open or not (an incomplete time, a school-holiday condition): they are
    written as ``unknown`` with `unknown_comment`, never as open."""

    ranges: tuple[tuple[str, str], ...]
    nth: str = ""  # "1", "-1", "2,4"… -> Mo[1]
    week: str = ""  # "02-52/2" for even ISO weeks
    comment: str = ""
    off: bool = False
    unknown: tuple[tuple[str, str], ...] = ()
    unknown_comment: str = ""


@dataclass
class DayResult:
    clauses: list[Clause] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    closed: bool = False
    unknown_reason: str = ""
    to_check: list[str] = field(default_factory=list)  # incomplete times nothing completes, as written ("« 17: »")


@dataclass(frozen=True)
class Conversion:
    """The rule ('' when unknown), the status, why (for unknown/partial), notes for people, and
    `to_check`: why the record is flagged "horaires à vérifier" ('' when it is not)."""

    rule: str
    status: str
    reason: str = ""
    note: str = ""
    to_check: str = ""

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


def _minutes(hhmm: str) -> int:
    return int(hhmm[:2]) * 60 + int(hhmm[3:])


def _text(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True)
class Reading:
    """Ranges read from one text: sure ones, unsure ones (around an incomplete time) and the
    incomplete times as written."""

    ranges: tuple[tuple[str, str], ...]
    unknown: tuple[tuple[str, str], ...] = ()
    incomplete: tuple[str, ...] = ()


def completions(values: Iterable[str | None]) -> dict[int, int]:
    """Hour -> minutes, for the hours a record writes in full with one single minute value
    ("17:00" on Monday completes "17:" on Tuesday; "17:00" and "17:30" complete nothing)."""
    seen: dict[int, set[int]] = {}
    for value in values:
        for match in _FULL_TIME.finditer(value or ""):
            seen.setdefault(int(match.group(1)), set()).add(int(match.group(2)))
    return {hour: minutes.pop() for hour, minutes in seen.items() if len(minutes) == 1}


def read_ranges(text: str, known: Mapping[int, int] | None = None) -> Reading:
    """'9:00 - 12:00 / 13:30 - 17:00' -> ranges. An incomplete time 'HH:' takes its minutes from
    `known` (see `completions`); otherwise its hour is unsure: '14:00 - 17:' is open 14:00-17:00 and
    unknown 17:00-18:00, '14: - 16:30' unknown 14:00-15:00 and open 15:00-16:30. Raises when
    anything else is left."""
    known = known or {}
    matches = list(_TIME.finditer(text))
    leftover = _TIME.sub(" ", text)
    if not matches or not _SEPARATORS.match(leftover.replace("/", " ").replace("-", " ")):
        raise _Unreadable(f"texte non reconnu « {text.strip()} »")
    if len(matches) % 2:
        raise _Unreadable(f"nombre d'heures impair dans « {text.strip()} »")
    times: list[tuple[int, bool, str]] = []  # minutes of day, incomplete, as written
    for match in matches:
        hour, mark, minute = match.groups()
        incomplete = minute is None and mark == ":"  # "9h" means 9:00; "9:" does not say
        if incomplete and int(hour) in known:
            minute, incomplete = f"{known[int(hour)]:02d}", False
        times.append((_minutes(_hhmm(hour, minute)), incomplete, match.group(0).strip()))
    pairs = list(zip(times[::2], times[1::2], strict=True))
    previous_end = 0
    for (start, _, _), (end, _, _) in pairs:
        if not start < end or start < previous_end:
            raise _Unreadable(f"plages incohérentes dans « {text.strip()} »")
        previous_end = end
    sure: list[tuple[str, str]] = []
    unsure: list[tuple[str, str]] = []
    incomplete_times: list[str] = []
    for index, ((start, start_unsure, start_text), (end, end_unsure, end_text)) in enumerate(pairs):
        next_start = pairs[index + 1][0][0] if index + 1 < len(pairs) else 24 * 60
        sure_start = min(start + 60, end) if start_unsure else start
        if start_unsure:
            unsure.append((_text(start), _text(sure_start)))
            incomplete_times.append(start_text)
        if sure_start < end:
            sure.append((_text(sure_start), _text(end)))
        if end_unsure:
            unsure_end = min(end + 60, next_start, 24 * 60)
            if end < unsure_end:
                unsure.append((_text(max(end, sure_start)), _text(unsure_end)))
            incomplete_times.append(end_text)
    return Reading(tuple(sure), tuple(unsure), tuple(incomplete_times))


def parse_ranges(text: str, known: Mapping[int, int] | None = None) -> tuple[tuple[str, str], ...]:
    """The sure ranges only; raises when the text holds an incomplete time nothing completes."""
    reading = read_ranges(text, known)
    if reading.incomplete:
        raise _Unreadable(f"heure incomplète {', '.join(f'« {t} »' for t in reading.incomplete)}")
    return reading.ranges


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


INCOMPLETE = "heure incomplète dans la source"


def parse_day(value: str | None, day_name: str, known: Mapping[int, int] | None = None) -> DayResult:
    """Read one weekday's text. Never raises: an unreadable day comes back with `unknown_reason`.
    `known`: minutes for incomplete times, from the same record (see `completions`)."""
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
            qualifier: dict[str, Any] = {}  # Clause fields (nth, week, comment…)
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
                reading = read_ranges(piece, known)
                unsure: dict[str, Any] = {}
                if reading.incomplete:
                    written = ", ".join(f"« {t} »" for t in reading.incomplete)
                    result.to_check.append(written)
                    unsure = {"unknown": reading.unknown, "unknown_comment": INCOMPLETE}
                result.clauses.append(Clause(ranges=reading.ranges, **qualifier, **unsure))
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
    unsure: list[str] = []
    unsure_by_day: dict[tuple[str, str], list[tuple[str, str]]] = {}
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
            if clause.unknown and (clause.nth or clause.week):
                unsure.append(f"{selector} {_ranges_text(clause.unknown)} unknown {_quote(clause.unknown_comment)}")
            elif clause.unknown:
                unsure_by_day.setdefault((clause.unknown_comment, code), []).extend(clause.unknown)
            if not clause.ranges and not clause.off:
                continue
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
    # Unsure hours: days with the same ranges and the same comment grouped ("Tu-Fr 17:00-18:00 unknown …").
    grouped: dict[tuple[str, str], list[str]] = {}
    for (comment, code), spans in unsure_by_day.items():
        grouped.setdefault((_ranges_text(sorted(spans)), comment), []).append(code)
    unsure += [f"{_day_list(codes)} {spans} unknown {_quote(comment)}" for (spans, comment), codes in grouped.items()]
    additions = [clause for clause in special if " off" not in clause] + appointments + unsure
    if main and additions:
        main = ", ".join([main, *additions])
    elif additions:
        main = ", ".join(additions)
    tail = [clause for clause in special if clause.endswith(" off")] + unknown
    parts = [part for part in [main, *tail] if part]
    return "; ".join([*parts, "PH off"]) if parts else ""


COMMENT = "Commentaire.horaires"
_DAY = "(lundi|mardi|mercredi|jeudi|vendredi|samedi)"
_SOME_SATURDAYS = re.compile(rf"^ouvert(?:ure|e)? (?:uniquement )?les? (.+?) {_DAY}s? (?:du|de chaque) mois$")
_AFTERNOONS_SH = re.compile(r"^fermée? (?:les |l')après-midis? (?:pendant|durant) les vacances scolaires$")
_LATER_OUTSIDE_SH = re.compile(rf"^le {_DAY},? jusqu'à (\d{{1,2}})[:h](\d{{2}})? hors vacances scolaires$")
_SOME_WEEKS = re.compile(r"\b(?:\d+|une?) semaines? par mois\b")
_DEMARCHE = re.compile(r"\b(?:cni|passeports?|cartes? d'identité|titres? d'identité)\b")


def apply_comment(days: dict[str, DayResult], comment: str) -> list[str]:
    """Apply the record's hours comment to its days (in place). Returns what stays to check: the
    comment itself when it cannot be expressed without guessing."""
    text = _clean(comment).lower().replace("’", "'").rstrip(". ")
    flag = [f"« {_clean(comment)} » (commentaire de la source non appliqué)"]
    if match := _SOME_SATURDAYS.match(text):
        ordinals = [part.strip() for part in re.split(r",|\bet\b", match.group(1)) if part.strip()]
        if not ordinals or any(o not in _ORDINALS for o in ordinals):
            return flag
        day = days[DAY_NAMES[match.group(2)]]
        if not day.clauses or any(c.nth or c.off or c.week for c in day.clauses):
            return flag  # the file says closed, or already names weeks: contradiction
        nth = ",".join(sorted({_ORDINALS[o] for o in ordinals}))
        day.clauses = [replace(c, nth=nth) for c in day.clauses]
        return []
    if _AFTERNOONS_SH.match(text):
        for day in days.values():
            kept: list[Clause] = []
            for clause in day.clauses:
                if clause.off:
                    kept.append(clause)
                    continue
                if any(start < "12:00" < end and end > "13:00" for start, end in clause.ranges):
                    return flag  # a range across midday: where the afternoon starts is not said
                mornings = tuple(r for r in clause.ranges if r[0] < "12:00")
                afternoons = tuple(r for r in clause.ranges if r[0] >= "12:00")
                kept.append(replace(clause, ranges=mornings))
                if afternoons:
                    kept.append(
                        Clause(
                            ranges=(),
                            nth=clause.nth,
                            week=clause.week,
                            unknown=afternoons,
                            unknown_comment=_clean(comment),
                        )
                    )
            day.clauses = kept
        return []
    if match := _LATER_OUTSIDE_SH.match(text):
        day = days[DAY_NAMES[match.group(1)]]
        plain = [c for c in day.clauses if c.ranges and not (c.nth or c.off or c.week or c.comment)]
        later = _hhmm(match.group(2), match.group(3))
        last_end = max((c.ranges[-1][1] for c in plain), default="")
        if not plain or last_end >= later:
            return flag
        day.clauses.append(Clause(ranges=(), unknown=((last_end, later),), unknown_comment=_clean(comment)))
        return []
    if _SOME_WEEKS.search(text):
        for day in days.values():
            day.clauses = [
                c
                if c.off
                else Clause(
                    ranges=(), nth=c.nth, week=c.week, unknown=c.ranges + c.unknown, unknown_comment=_clean(comment)
                )
                for c in day.clauses
            ]
        return []
    if _DEMARCHE.search(text) and not _TIME.search(text):
        return []  # about one démarche, not the opening hours: the comment is kept as a note
    return flag


def convert_days(values: Mapping[str, str | None]) -> Conversion:
    """Convert the six weekday strings of one France Services record (keys h_lundi…h_samedi) and
    apply its hours comment (key "Commentaire.horaires") when there is one."""
    known = completions(values.get(key) for key, _, _ in DAYS)
    days = {code: parse_day(values.get(key), name, known) for key, code, name in DAYS}
    incomplete: dict[str, list[str]] = {}
    for _, code, name in DAYS:
        for written in days[code].to_check:
            incomplete.setdefault(written, []).append(name)
    to_check = [f"heure incomplète {written} ({', '.join(names)})" for written, names in incomplete.items()]
    if comment := str(values.get(COMMENT) or "").strip():
        to_check += apply_comment(days, comment)
    notes = [f"{name} : {note}" for key, code, name in DAYS for note in days[code].notes]
    unknown_days = [name for _, code, name in DAYS if days[code].unknown_reason]
    readable = [code for code, day in days.items() if not day.unknown_reason]
    if not [code for code in readable if not days[code].closed]:
        reasons = sorted({days[code].unknown_reason for code in ORDER if days[code].unknown_reason})
        reason = "; ".join(reasons) if reasons else "fermé tous les jours selon la source"
        return Conversion(rule="", status=UNKNOWN, reason=reason, note="; ".join(notes), to_check="; ".join(to_check))
    rule = build_rule(days)
    hours.validate(rule)  # a bug here must surface, not ship a broken rule
    status = PARTIAL if unknown_days or to_check else CONVERTED
    reason = f"jours non lisibles : {', '.join(unknown_days)}" if unknown_days else ""
    return Conversion(rule=rule, status=status, reason=reason, note="; ".join(notes), to_check="; ".join(to_check))


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
