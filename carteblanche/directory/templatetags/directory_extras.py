"""Plain-French display of hours, dates and distances for the directory pages."""

from datetime import date, datetime, timedelta

from django import template
from django.utils.formats import date_format

from carteblanche.core import freshness
from carteblanche.directory.forms import LANGUAGES
from carteblanche.directory.hours import Slot
from carteblanche.territories.geo import PARIS

register = template.Library()
_LANGUAGE_NAMES = dict(LANGUAGES)


@register.filter
def hm(moment: datetime) -> str:
    """09:00 -> '9 h', 13:30 -> '13 h 30'."""
    moment = moment.astimezone(PARIS)
    return f"{moment.hour} h" if moment.minute == 0 else f"{moment.hour} h {moment.minute:02d}"


@register.filter
def day_label(day: date, today: date | datetime | None = None) -> str:
    """'aujourd'hui', 'demain' or 'mardi 10 mars'."""
    if isinstance(today, datetime):
        today = today.astimezone(PARIS).date()
    if today is not None:
        if day == today:
            return "aujourd'hui"
        if day == today + timedelta(days=1):
            return "demain"
    return date_format(day, "l j F")


@register.filter
def slot_text(slot: Slot | None, at: datetime) -> str:
    """'ouvert maintenant, jusqu'à 12 h' or 'mardi 10 mars de 9 h à 12 h'."""
    if slot is None:
        return ""
    if slot.start <= at < slot.end:
        return f"ouvert maintenant, jusqu'à {hm(slot.end)}"
    return f"{day_label(slot.start.date(), at)} de {hm(slot.start)} à {hm(slot.end)}"


@register.filter
def opening_text(slot: Slot | None, at: datetime) -> str:
    """'ouvert maintenant, jusqu'à 12 h' or 'ouvert mardi 10 mars de 9 h à 12 h' (in a sentence)."""
    if slot is None:
        return ""
    text = slot_text(slot, at)
    return text if slot.start <= at < slot.end else f"ouvert {text}"


@register.filter
def stale(verified_on: date | None) -> bool:
    return freshness.is_stale(verified_on)


@register.filter
def km(distance: float | None) -> str:
    """3.24 -> '3,2 km'; 12.6 -> '13 km'; under 1 km -> 'moins d'1 km'."""
    if distance is None:
        return ""
    if distance < 1:
        return "moins d'1 km"
    if distance < 10:
        return f"{distance:.1f} km".replace(".", ",")
    return f"{round(distance)} km"


@register.filter
def language_names(codes: list[str]) -> str:
    return ", ".join(_LANGUAGE_NAMES.get(code, code) for code in codes)
