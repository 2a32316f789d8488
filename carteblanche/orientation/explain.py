"""Plain-French texts of a plan: titles, what to do, why an option ranks here. Pure module.

Short sentences and common words, so each explanation can be read aloud on the phone; a test
scores every generated explanation with Kandel–Moles (textstat, French) and requires >= 60.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING

from carteblanche.mobility.travel import MODE_LABELS_FR, Mode, TripPlan
from carteblanche.orientation.scoring import OPTION_LABELS_FR, REMOTE_KINDS, OptionKind
from carteblanche.territories.geo import PARIS

if TYPE_CHECKING:
    from carteblanche.mobility.travel import TimeWindow
    from carteblanche.orientation.engine import Location, Option, PersonSituation, ServiceOffer

DAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]

FIT_SENTENCE = {
    OptionKind.HOME_VISIT: "Quelqu'un vient chez vous.",
    OptionKind.PHONE: "Vous appelez de chez vous.",
    OptionKind.CALLBACK: "Le service vous rappelle.",
    OptionKind.ONLINE: "Vous le faites en ligne, seul.",
    OptionKind.VIDEO: "Vous parlez au service en visio.",
    OptionKind.COUNTER: "Vous êtes reçu en face à face.",
    OptionKind.ITINERANT: "Le service passe près de chez vous.",
    OptionKind.ACCOMPANIED: "Un conseiller fait la démarche avec vous.",
    OptionKind.VIDEO_AT_COUNTER: "Vous parlez au service en visio, aidé sur place.",
}
WEAK_SENTENCE = {
    "fit": "Ce moyen vous va moins bien.",
    "relevance": "Ce n'est pas l'organisme qui traite la demande.",
    "travel": "Le trajet est long.",
    "soon": "Il faut attendre un peu.",
    "hours": "Les horaires sont à confirmer.",
    "language": "On ne sait pas si votre langue est parlée.",
}
CONDITIONAL_REASON = "réservé sous conditions"  # engine.service_relevance's reason for a conditional service
# Carry-out-able options and safety (engine): findings and warnings, said plainly.
NO_HOME_TEXT = "Rien ne vous est proposé à votre domicile (pas de visite à domicile)."
HELPER_ONLY_TEXT = "Ce lieu ne prend pas la demande : on vous y aide à la préparer. Elle se dépose à : {where}."
LISTED_PLACES_FALLBACK = "une mairie équipée pour cette démarche"
CALL_BEFORE_TEXT = "Horaires inconnus : appelez avant d'y aller, au {phone}."
NO_PHONE_VISIT_TEXT = "{name} : la visite chez vous se demande par téléphone. Sans téléphone, demandez-la sur place."


def probably_closed_text(name: str, phone: str) -> str:
    """An in-person place with unknown hours, for someone free only evenings or weekends."""
    text = f"{name} : on ne sait pas quand ce lieu est ouvert. Il est sans doute fermé le soir et le week-end."
    return text + (f" Appelez avant : {phone}." if phone else "")


# Short names of the criteria, for the agent's one-line summary of the scoring.
SHORT_CRITERIA = {
    "fit": "moyen",
    "relevance": "organisme",
    "needs": "demandes",
    "travel": "trajet",
    "soon": "délai",
    "hours": "horaires",
    "language": "langue",
}


def _local(moment: datetime) -> datetime:
    return moment.astimezone(PARIS) if moment.tzinfo else moment


def fmt_time(moment: datetime) -> str:
    moment = _local(moment)
    return f"{moment.hour} h {moment.minute:02d}" if moment.minute else f"{moment.hour} h"


def fmt_day(moment: datetime) -> str:
    moment = _local(moment)
    return f"{DAYS[moment.weekday()]} {moment.day} {MONTHS[moment.month - 1]}"


def fmt_slot(slot: TimeWindow) -> str:
    """'mardi 12 mai de 9 h à 12 h'."""
    return f"{fmt_day(slot.start)} de {fmt_time(slot.start)} à {fmt_time(slot.end)}"


def fmt_minutes(minutes: float) -> str:
    minutes = max(1, round(minutes))
    if minutes < 60:
        return f"{minutes} minutes" if minutes > 1 else "1 minute"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


def travel_text(trip: TripPlan, origin_label: str) -> str:
    """Hard rule 5: the mode and the time, in one sentence, plus the line and the booking rule."""
    mode = MODE_LABELS_FR[trip.mode]
    minutes = trip.door_to_door_minutes or (trip.outbound[0].minutes if trip.outbound else 0)
    text = f"{mode.capitalize()} depuis {origin_label} : environ {fmt_minutes(minutes)} pour y aller"
    text += ", autant pour revenir." if trip.inbound else "."
    lines = [leg.line for leg in trip.outbound if leg.line]
    if lines:
        text += " Ligne : " + ", ".join(dict.fromkeys(lines)) + "."
    bookings = [_booking(leg.booking_rule) for leg in trip.outbound if leg.booking_rule]
    if bookings:
        text += " Réservation : " + "; ".join(dict.fromkeys(bookings)) + "."
    if trip.mode in (Mode.ON_DEMAND, Mode.SOLIDARITY) and not bookings:
        text += " À réserver à l'avance."
    return text


def _booking(rule: str) -> str:
    """A booking rule without its own "Réservation :" prefix nor final full stop (we add ours)."""
    rule = rule.strip()
    if rule.casefold().startswith("réservation"):
        rule = rule[len("réservation") :].lstrip(" :")
    return rule.rstrip(". ")


def option_title(kind: OptionKind, services: Sequence[ServiceOffer], location: Location | None, helped_by: str) -> str:
    names = ", ".join(dict.fromkeys(s.operator_name or s.structure_name for s in services))
    if kind in (OptionKind.ACCOMPANIED, OptionKind.VIDEO_AT_COUNTER) and location is not None:
        where = location.name if not location.commune_name else f"{location.name}, {location.commune_name}"
        return f"{OPTION_LABELS_FR[kind]} : {where}"
    if location is not None:
        where = location.name if not location.commune_name else f"{location.name}, {location.commune_name}"
        return f"{OPTION_LABELS_FR[kind]} : {where}"
    return f"{OPTION_LABELS_FR[kind]} : {names}"


def option_how(option: Option) -> str:
    """What to do, in one or two short sentences."""
    kind = option.kind
    if kind == OptionKind.ONLINE:
        return f"Faites la démarche sur {option.url}." if option.url else "Faites la démarche en ligne."
    if kind == OptionKind.PHONE:
        return f"Appelez le {option.phone}."
    if kind == OptionKind.CALLBACK:
        text = f"Demandez à être rappelé au {option.phone}."
        return text + (f" {option.booking}" if option.booking else "")
    if kind == OptionKind.HOME_VISIT:
        if option.phone:
            return f"Appelez le {option.phone} pour fixer une visite chez vous."
        who = option.services[0] if option.services else option.structure
        booking = f" {option.booking}" if option.booking else ""
        return f"Demandez une visite chez vous. Qui le fait : « {who} ».{booking}"
    if kind == OptionKind.VIDEO:
        return "Prenez rendez-vous en visio." + (f" Lien : {option.url}." if option.url else "")
    # Short sentences: the place's name is often long, so the address gets its own sentence.
    where = option.location.name if option.location else ""
    address = (
        f" Adresse : {option.location.address}."
        if option.location and option.location.address
        else " On ne connaît pas l'adresse."
    )
    if kind == OptionKind.ACCOMPANIED:
        return f"Allez à ce lieu : {where}.{address} Un conseiller vous aide à faire la démarche en ligne."
    if kind == OptionKind.VIDEO_AT_COUNTER:
        return f"Allez à ce lieu : {where}.{address} On vous aide à faire le rendez-vous en visio."
    helped = " Un conseiller peut vous aider à faire la démarche en ligne." if option.helped_by else ""
    if kind == OptionKind.ITINERANT:
        return f"Allez à l'arrêt : {where}.{address}{helped}"
    booking = " Prenez rendez-vous avant." if option.booking else ""
    return f"Allez à ce lieu : {where}.{address}{booking}{helped}"


def _when_sentence(option: Option) -> str:
    if option.hours_status == "always":
        return "Vous pouvez le faire quand vous voulez."
    if option.hours_status == "open" and option.slots:
        return f"C'est ouvert {fmt_day(option.slots[0].start)}, quand vous êtes libre."
    if option.hours_status == "by_appointment":
        return "La date est à fixer avec le service."
    return "Les horaires sont à confirmer."


def option_explanation(option: Option, rank: int, person: PersonSituation) -> str:
    """Why this option ranks here, in words: its strong points and its weak point.

    Never the points: the public reads reasons; the agent view shows the scoring table
    (`score_summary`).
    """
    sentences = [f"Choix numéro {rank}."]
    lines = sorted(option.breakdown, key=lambda line: -line.points)
    said = 0
    for line in lines:
        if said >= 2 or line.value < 0.6:
            continue
        if line.criterion == "fit":
            sentences.append(FIT_SENTENCE[option.kind])
        elif line.criterion == "relevance":
            if option.kind not in REMOTE_KINDS:
                continue  # every place that receives you is relevant: nothing to say
            sentences.append(
                "C'est l'organisme qui traite votre demande."
                if line.value >= 1.0
                else "C'est une aide de votre secteur."
            )
        elif line.criterion == "needs" and len(person.needs) > 1:
            if len(option.needs) == len(person.needs):
                sentences.append(f"Cela règle vos {len(person.needs)} demandes en une fois.")
            else:
                sentences.append(f"Cela règle {len(option.needs)} de vos {len(person.needs)} demandes.")
        elif line.criterion == "travel":
            if option.travel is None:
                sentences.append("Vous n'avez pas à vous déplacer.")
            else:
                sentences.append(
                    f"Le trajet dure {fmt_minutes(option.travel.minutes)}, {MODE_LABELS_FR[option.travel.mode]}."
                )
        elif line.criterion == "soon":
            sentences.append(_when_sentence(option))
        else:
            continue
        said += 1
    if not any(line.criterion == "soon" and line.value >= 0.6 for line in lines[:3]):
        when = _when_sentence(option)
        if when not in sentences:
            sentences.append(when)
    weak = min(option.breakdown, key=lambda line: (line.value, line.criterion))
    if weak.value < 0.5 and weak.criterion in WEAK_SENTENCE:
        sentence = WEAK_SENTENCE[weak.criterion]
        if weak.criterion == "relevance" and weak.reason == CONDITIONAL_REASON:
            sentence = "Ce service est réservé à certaines personnes."
        if sentence not in sentences:
            sentences.append("Mais " + sentence[0].lower() + sentence[1:])
    return " ".join(sentences)


def documents_text(documents: Sequence[str]) -> str:
    """Papers to bring, one short sentence each (a long comma list is hard to read)."""
    return " ".join(doc[:1].upper() + doc[1:].rstrip(".") + "." for doc in documents if doc)


def fmt_date(day: date) -> str:
    """'12 mars 2021'."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def stale_text(checked_on: str) -> str:
    """The "à vérifier" flag of an option whose records are old (core.freshness decides when)."""
    if not checked_on:
        return "À vérifier : on ne sait pas quand cette information a été vérifiée."
    return f"À vérifier : cette information date du {fmt_date(date.fromisoformat(checked_on))}. Appelez avant."


def score_summary(option: Option) -> str:
    """The agent's summary of the scoring: the two strongest criteria and the total."""
    top = sorted(option.breakdown, key=lambda line: -line.points)[:2]
    return (
        "Points : "
        + ", ".join(f"{SHORT_CRITERIA[line.criterion]} {round(line.points)} sur {round(line.weight)}" for line in top)
        + f". Total : {round(option.score)} sur 100."
    )


UNREACHABLE = "pas de moyen d'y aller et d'en revenir le même jour avec vos moyens, quand vous êtes libre."


def unreachable_text(location: Location, person: PersonSituation) -> str:
    named = location.commune_name and not location.name.endswith(location.commune_name)
    where = location.name + (f" ({location.commune_name})" if named else "")
    return f"{where} : {UNREACHABLE}"


def unreachable_summary(places: Sequence[str]) -> str:
    """Several places out of reach, in one sentence (the print sheet has no room for one each)."""
    listed = " ".join(place.rstrip(".") + "." for place in places)  # one short sentence each
    return f"Ces lieux sont trop loin pour vous : il n'y a {UNREACHABLE} Les voici : {listed}"


def uncovered_text(label: str) -> str:
    return f"« {label} » : aucun service trouvé qui vous convient. Un conseiller France Services peut vous aider."
