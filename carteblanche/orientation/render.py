"""A plan as JSON-ready data, as plain text (CLI, e-mail) and as at most three SMS.

Public texts say why in words (never points: the agent text adds them) and flag options
whose records are older than the freshness rule ("à vérifier"). The SMS is written from the
JSON snapshot, so a saved plan can be sent again later with the same rules.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from carteblanche.core import sms
from carteblanche.core.freshness import is_stale
from carteblanche.mobility.travel import MODE_LABELS_FR, Mode
from carteblanche.orientation.engine import HoursStatus, Option, Plan
from carteblanche.orientation.explain import (
    UNREACHABLE,
    documents_text,
    fmt_day,
    fmt_minutes,
    fmt_slot,
    fmt_time,
    score_summary,
    stale_text,
    unreachable_summary,
)
from carteblanche.orientation.scoring import OPTION_LABELS_FR, OptionKind

SMS_LENGTH = sms.SMS_LENGTH
SMS_MAX = 3


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, frozenset | set):
        return sorted(_jsonable(v) for v in value)
    return value


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """Everything in the plan, JSON-serialisable (API, stored snapshots)."""
    assert is_dataclass(plan)
    data = _jsonable(asdict(plan))
    for option, source in zip(data["options"], plan.options, strict=True):
        option["label"] = OPTION_LABELS_FR[source.kind]
        option["when"] = when_text(source)
        option["slots_text"] = [fmt_slot(slot) for slot in source.slots]
        option["stale"] = option_is_stale(source, plan)
        option["stale_text"] = stale_text(source.checked_on) if option["stale"] else ""
    return data


def option_is_stale(option: Option, plan: Plan) -> bool:
    """The core.freshness rule, on the day the plan was made (a snapshot stays true to its day)."""
    if not option.checked_on:
        return False
    return is_stale(date.fromisoformat(option.checked_on), today=plan.generated_at.date())


def when_text(option: Option) -> str:
    if option.hours_status == HoursStatus.ALWAYS:
        return "À tout moment."
    if option.hours_status == HoursStatus.BY_APPOINTMENT:
        return "Date à fixer avec le service."
    if option.hours_status == HoursStatus.TO_CONFIRM:
        return "Horaires à confirmer."
    return (
        "Prochains créneaux où c'est ouvert et où vous êtes libre : "
        + " ; ".join(fmt_slot(slot) for slot in option.slots)
        + "."
    )


def plan_to_text(plan: Plan, *, agent: bool = False) -> str:
    """The plan as plain text (CLI), with the full scoring when `agent`."""
    lines = safety_lines(plan)
    lines += ["Votre plan : " + ", ".join(need.label for need in plan.needs), ""]
    if not plan.options:
        lines.append("Aucune option trouvée.")
    for option in plan.options:
        lines.append(f"{option.rank}. {option.title}")
        lines.append(f"   Pour : {', '.join(option.need_labels)}")
        lines.append(f"   Que faire : {option.how}")
        lines.append(f"   Quand : {when_text(option)}")
        if option.travel:
            lines.append(f"   Trajet : {option.travel.text}")
        if option.documents:
            lines.append(f"   À apporter : {documents_text(option.documents)}")
        if option_is_stale(option, plan):
            lines.append(f"   {stale_text(option.checked_on)}")
        for warning in option.warnings:
            lines.append(f"   Attention : {warning}")
        lines.append(f"   Pourquoi : {option.explanation}")
        if agent:
            lines.append(f"   {score_summary(option)}")
            for line in option.breakdown:
                lines.append(
                    f"     - {line.label} : {line.value:.2f} x {line.weight:.1f} = {line.points:.1f} ({line.reason})"
                )
        lines.append("")
    for finding in plan.findings:
        if finding.kind != "excluded" or agent:
            lines.append(f"À savoir : {finding.text}")
    return "\n".join(lines).rstrip() + "\n"


def safety_lines(plan: Plan) -> list[str]:
    """An urgent need: the plan's first line says to call the national lines first, then lists them."""
    if plan.safety is None:
        return []
    lines = [plan.safety.headline]
    for line in plan.safety.lines:
        lines.append(f"- {line.action} : {line.label}. {line.what_for} ({line.availability_text})")
    return [*lines, ""]


# ------------------------------------------------------------------ public pages and print

# Plans saved before reasons were put in words ended with the scoring: never shown in public.
_LEGACY_POINTS = re.compile(r"\s*Points : [^.]*\. Total : \d+ sur 100\.")
_RANK = re.compile(r"^Choix numéro \d+\.\s*")


def without_points(text: str) -> str:
    """A public text without the scoring (snapshots saved before this rule carried the points)."""
    return _LEGACY_POINTS.sub("", text or "")


def public_explanation(text: str) -> str:
    """The reason in words only."""
    return without_points(text).strip()


def public_plan(plan: Mapping[str, Any]) -> dict[str, Any]:
    """A snapshot as public pages show it: reasons in words, no scoring."""
    data = dict(plan)
    data["options"] = [
        {**option, "explanation": public_explanation(option.get("explanation", ""))}
        for option in plan.get("options") or []
    ]
    return data


def printable(plan: Mapping[str, Any]) -> dict[str, Any]:
    """The one-page print (browser and PDF): each option in a few lines, the papers to bring once.

    Options of one plan often ask for the same papers: they are listed once, with the choices
    they are for, instead of under each option; a warning that repeats "horaires à confirmer"
    is left out where the "Quand" line already says it.
    """
    options = []
    papers: dict[tuple[str, ...], list[int]] = {}
    for option in plan.get("options") or []:
        rank = option.get("rank")
        to_confirm = option.get("hours_status") == HoursStatus.TO_CONFIRM
        notes = [option["stale_text"]] if option.get("stale") and option.get("stale_text") else []
        notes += [w for w in option.get("warnings") or [] if not (to_confirm and w.startswith("Horaires à confirmer"))]
        slots = option.get("slots_text") or []
        if slots:
            when = "Ouvert quand vous êtes libre : " + " ; ".join(slots[:2]) + "."
        elif to_confirm:
            when = "Horaires à confirmer : appelez avant."
        else:
            when = option.get("when", "")
        travel = option.get("travel") or {}
        documents = tuple(option.get("documents") or ())
        if documents:
            papers.setdefault(documents, []).append(rank)
        options.append(
            {
                "rank": rank,
                "title": option.get("title", ""),
                "how": option.get("how", ""),
                "when": when,
                "travel": travel.get("text", ""),
                "why": _RANK.sub("", public_explanation(option.get("explanation", ""))),
                "notes": notes,
                "stale": bool(option.get("stale")),
            }
        )
    groups = [{"ranks": _ranks_text(ranks), "documents": documents_text(docs)} for docs, ranks in papers.items()]
    findings = [f for f in plan.get("findings") or [] if f.get("kind") != "excluded"]
    far = [f["text"].removesuffix(f" : {UNREACHABLE}") for f in findings if f["text"].endswith(f" : {UNREACHABLE}")]
    notes = [f["text"] for f in findings if not f["text"].endswith(f" : {UNREACHABLE}")]
    if len(far) > 1:
        notes.append(unreachable_summary(far))
    elif far:
        notes.append(f"{far[0]} : {UNREACHABLE}")
    printed = {"options": options, "papers": groups, "findings": notes}
    printed["size"] = print_size(plan, printed)
    return printed


# The print sheet's body sizes (points), largest first, and the A4 page it must fit in
# (print.html: 297 - 10 - 9 mm high, 210 - 2 x 12 mm wide; Arial averages about half an em a character).
PRINT_SIZES = (11, 10, 9, 8)
_PAGE_HEIGHT_PT = (297 - 19) / 25.4 * 72
_PAGE_WIDTH_PT = (210 - 24) / 25.4 * 72
_CHAR_EM = 0.52
_FOOTER = (
    "Plan préparé le 31 décembre 2026 par Carte Blanche. Les horaires peuvent changer : en cas de doute, appelez avant."
)
_FILL = 0.99  # the estimate runs 5-28 % above WeasyPrint's layout (24 plans measured): that is the margin


def print_height(plan: Mapping[str, Any], printed: Mapping[str, Any], size: float) -> float:
    """An upper estimate of the printed plan's height in points, at a body size of `size` points."""

    def block(text: str, scale: float = 1.0) -> float:
        per_line = max(1, int(_PAGE_WIDTH_PT / (_CHAR_EM * scale * size)))
        lines = max(1, -(-len(text) // per_line))
        return (lines * 1.25 + 0.2) * scale * size

    height = block("Mon plan", 1.5) + block("Pour : " + ", ".join(n.get("label", "") for n in plan.get("needs") or []))
    safety = plan.get("safety") or {}
    if safety:
        height += 0.85 * size + 3 + block(safety.get("headline", ""), 1.1)
        height += sum(
            block(f"{line.get('number')} — {line.get('label')} ({line.get('availability_text')}).")
            for line in safety.get("lines") or []
        )
    height += block(plan.get("origin", ""), 0.87) if plan.get("origin") else 0
    box = 0.85 * 1.0 * size + 3  # padding, margin and borders of a framed block
    for option in printed["options"]:
        height += box + block(f"{option['rank']}. {option['title']}", 1.1)
        height += block("Que faire : " + option["how"]) + block("Quand : " + option["when"])
        height += block("Trajet : " + option["travel"]) if option["travel"] else 0
        height += sum(block("Attention : " + note) for note in option["notes"])
        height += block("Pourquoi : " + option["why"], 0.87) if option["why"] else 0
    if printed["papers"]:
        height += box + block("À apporter")
        height += sum(block(f"Pour {g['ranks']} : " + g["documents"]) for g in printed["papers"])
    for finding in printed["findings"]:
        height += block("À savoir : " + finding, 0.87)
    height += block(_FOOTER, 0.87)
    return height


def print_size(plan: Mapping[str, Any], printed: Mapping[str, Any]) -> int:
    """The largest body size at which the plan fits one A4 page (the smallest one otherwise)."""
    for size in PRINT_SIZES:
        if print_height(plan, printed, size) <= _PAGE_HEIGHT_PT * _FILL:
            return size
    return PRINT_SIZES[-1]


def _ranks_text(ranks: list[int]) -> str:
    """'le choix 3', 'les choix 1, 2 et 4'."""
    numbers = [str(rank) for rank in ranks]
    if len(numbers) == 1:
        return f"le choix {numbers[0]}"
    return "les choix " + ", ".join(numbers[:-1]) + " et " + numbers[-1]


# ------------------------------------------------------------------ SMS

# The way there, in the SMS's short form (French words only: never the mode's code).
SMS_MODES = {
    Mode.WALK.value: "à pied",
    Mode.CAR.value: "en voiture",
    Mode.DRIVEN.value: "conduit par un proche",
    Mode.PUBLIC_TRANSPORT.value: "en bus ou en train",
    Mode.ON_DEMAND.value: "en transport à la demande",
    Mode.SOLIDARITY.value: "avec un chauffeur bénévole",
}
assert set(SMS_MODES) == {mode.value for mode in MODE_LABELS_FR}


def _name(option: Mapping[str, Any]) -> str:
    """Who: the part of the title after its label ("Par téléphone : Assurance retraite")."""
    return str(option.get("title", "")).split(" : ", 1)[-1]


def sms_option(option: Mapping[str, Any]) -> str:
    """One option in short French sentences (no final full stop after a URL: it would join it)."""
    kind = option.get("kind")
    phone, url = option.get("phone") or "", option.get("url") or ""
    location = option.get("location") or {}
    if kind == OptionKind.PHONE:
        what = f"Appelez le {phone}."
    elif kind == OptionKind.CALLBACK:
        what = f"Demandez à être rappelé au {phone}."
    elif kind == OptionKind.HOME_VISIT:
        what = f"Visite chez vous : appelez le {phone}." if phone else f"Visite chez vous : {_name(option)}."
    elif kind == OptionKind.ONLINE:
        what = f"En ligne : {url}" if url else f"En ligne : {_name(option)}."
    elif kind == OptionKind.VIDEO:
        what = f"En visio : {_name(option)}." + (f" Lien : {url}" if url else "")
    else:
        name = location.get("name", "")
        where = location.get("address") or location.get("commune_name") or ""
        if where and name.endswith(where):
            where = ""  # "Bus France Services … - Cieurac" already says where
        what = f"Allez à {name}" + (f", {where}." if where else ".")
    sentences = [what]
    slots = option.get("slots") or []
    if slots:
        start, end = datetime.fromisoformat(slots[0]["start"]), datetime.fromisoformat(slots[0]["end"])
        day, begin, until = (glue(t) for t in (fmt_day(start), fmt_time(start), fmt_time(end)))
        sentences.append(f"Ouvert {day} de {begin} à {until}.")
    elif option.get("hours_status") == HoursStatus.TO_CONFIRM:
        sentences.append(glue("Horaires à confirmer."))
    elif option.get("hours_status") == HoursStatus.BY_APPOINTMENT:
        sentences.append(glue("Date à fixer."))
    travel = option.get("travel")
    if travel:
        mode = SMS_MODES.get(travel.get("mode"), "")
        sentences.append(f"Trajet : {glue(fmt_minutes(travel['minutes']))} {mode}.".replace(" .", "."))
    if option.get("stale"):
        sentences.append(glue("À vérifier."))
    return " ".join(sentences)


def glue(text: str) -> str:
    """Words an SMS must keep in one message ("mardi 8 décembre", "12 h 30")."""
    return text.replace(" ", sms.NBSP)


def sms_safety(plan: Mapping[str, Any]) -> str:
    """The SMS's first words when a need is urgent (the snapshot's "safety": national lines first).

    Never left out: the options give way to it.
    """
    safety = plan.get("safety") or {}
    lines = safety.get("lines") or []
    calls = [line["number"] for line in lines if line.get("channel") == "call"][:3]
    texts = [line["number"] for line in lines if line.get("channel") == "sms"][:1]
    if not calls and not texts:
        return ""
    always = all(line.get("availability") == "24/7" for line in lines)
    text = glue("Urgence 24 h/24") if always else "Urgence"
    text += (" : appelez le " + " ou le ".join(calls) + ".") if calls else " :"
    return text + (f" Par SMS : {texts[0]}." if texts else "")


def _left_out(count: int, link: str) -> str:
    where = "voir le plan" if not link else "voir le plan en ligne"
    return glue(f"{count} autre{'s' if count > 1 else ''} possibilité{'s' if count > 1 else ''}") + f" : {where}."


def plan_to_sms(plan: Mapping[str, Any], *, link: str = "") -> list[str]:
    """At most three SMS of 160 GSM-7 characters, cut only between words.

    `plan` is the JSON snapshot (`plan_to_dict`). Options come in rank order; the last ones are
    left out when they do not fit, and the SMS says how many ("2 autres possibilités : voir le
    plan"). `link` (the private link to the plan) is given whole, never cut.
    """
    options = list(plan.get("options") or [])
    header = " ".join(part for part in (sms_safety(plan), "Carte Blanche, votre plan.") if part)
    items = [
        f"{option.get('rank', index)}){sms.NBSP}{sms_option(option)}" for index, option in enumerate(options, start=1)
    ]
    tail = [f"Le plan : {link}"] if link else []
    if not items:
        body = [header, "Aucune solution trouvée. Un espace France Services peut vous aider.", *tail]
        return sms.pack(sms.to_gsm7(" ".join(body)), max_messages=SMS_MAX)
    for kept in range(len(items), -1, -1):
        body = [header, *items[:kept]]
        if kept < len(items):
            body.append(_left_out(len(items) - kept, link))
        text = sms.to_gsm7(" ".join(body + tail))
        try:
            return sms.pack(text, max_messages=SMS_MAX)
        except sms.MessageTooLong:
            continue
    raise sms.MessageTooLong("Le lien du plan est trop long pour un SMS.")
