"""A plan as JSON-ready data, as plain text (CLI) and as a short SMS. Pure module."""

from __future__ import annotations

import unicodedata
from dataclasses import asdict, is_dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from carteblanche.orientation.engine import HoursStatus, Option, Plan
from carteblanche.orientation.explain import fmt_day, fmt_minutes, fmt_slot, fmt_time
from carteblanche.orientation.scoring import OPTION_LABELS_FR, OptionKind

SMS_LENGTH = 160
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
    return data


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
            lines.append(f"   À apporter : {', '.join(option.documents)}")
        for warning in option.warnings:
            lines.append(f"   Attention : {warning}")
        lines.append(f"   Pourquoi : {option.explanation}")
        if agent:
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


def sms_safety(plan: Plan) -> str:
    """The first words of the SMS when a need is urgent: the numbers, with their hours."""
    if plan.safety is None:
        return ""
    calls = [line.number for line in plan.safety.lines if line.channel == "call"][:3]
    sms = next((line.number for line in plan.safety.lines if line.channel == "sms"), "")
    text = "URGENCE 24h/24: appelez le " + " ou le ".join(calls)
    return text + (f", SMS au {sms}" if sms else "") + ". "


def _gsm(text: str) -> str:
    """Keep é è à ù (in the GSM alphabet), drop other accents so each SMS stays 160 characters."""
    keep = set("éèàùÉ")
    out = []
    for char in text:
        if char in keep or ord(char) < 128:
            out.append(char)
        else:
            base = unicodedata.normalize("NFKD", char)
            out.append("".join(c for c in base if ord(c) < 128) or " ")
    return "".join(out)


def _sms_option(option: Option) -> str:
    kind = option.kind
    short = {
        OptionKind.PHONE: f"Appeler {option.phone}",
        OptionKind.CALLBACK: f"Rappel: {option.phone}",
        OptionKind.HOME_VISIT: f"Visite a domicile: {option.phone}" if option.phone else "Visite a domicile",
        OptionKind.ONLINE: f"En ligne: {option.url}",
        OptionKind.VIDEO: "Visio",
    }.get(kind)
    if short is None:
        place = option.location.name if option.location else ""
        short = f"{place}" + (f", {option.location.address}" if option.location and option.location.address else "")
    if option.slots:
        first = option.slots[0]
        short += f" {fmt_day(first.start)} {fmt_time(first.start)}-{fmt_time(first.end)}"
    elif option.hours_status == HoursStatus.TO_CONFIRM:
        short += " (horaires a confirmer)"
    if option.travel:
        short += f" ({option.travel.mode.value.replace('_', ' ')} {fmt_minutes(option.travel.minutes)})"
    return short


def plan_to_sms(plan: Plan) -> list[str]:
    """At most three SMS of 160 characters: the options, shortest first dropped when too long."""
    header = sms_safety(plan) + "Carte Blanche, votre plan: "
    parts = [f"{o.rank}) {_gsm(_sms_option(o))}." for o in plan.options]
    if not parts:
        parts = ["Aucune option trouvee. Appelez France Services."]
    while parts:
        text = _gsm(header + " ".join(parts))
        messages = [text[i : i + SMS_LENGTH] for i in range(0, len(text), SMS_LENGTH)]
        if len(messages) <= SMS_MAX:
            return messages
        parts.pop()
    return [_gsm(header)[:SMS_LENGTH]]
