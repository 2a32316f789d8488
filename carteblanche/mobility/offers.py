"""On-demand transport and solidarity mobility offers as plain data, and the French wording of
their booking rules. Pure module. Unknown stays unknown: no hour, phone or price is guessed.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

WEEKDAYS_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


def hhmm(value: time | datetime) -> str:
    """9:05 -> '9 h 05', 12:00 -> '12 h' (the way times are read aloud in French)."""
    return f"{value.hour} h" if value.minute == 0 else f"{value.hour} h {value.minute:02d}"


@dataclass(frozen=True, slots=True)
class _Offer:
    key: str
    name: str
    area_label: str
    communes: frozenset[str]  # INSEE codes served
    operator: str = ""
    booking_phone: str = ""
    booking_url: str = ""
    booking_days_before: int | None = None  # 1 = the day before
    booking_deadline: time | None = None
    cost_eur: float | None = None  # None = unknown
    notes: str = ""
    source_url: str = ""

    @property
    def contact(self) -> str:
        """Who to ask, as precisely as known: phone, else website, else the operator's name."""
        if self.booking_phone:
            return f"{self.name} au {self.booking_phone}"
        if self.booking_url:
            return f"{self.name} ({self.booking_url})"
        return self.operator or self.name

    def booking_rule(self) -> str:
        """'Réserver la veille avant 12 h au 05 …' when known; otherwise says what to confirm."""
        if self.booking_days_before is None:
            return f"Réservation : délai à confirmer auprès de {self.contact}."
        when = {0: "le jour même", 1: "la veille"}.get(
            self.booking_days_before, f"{self.booking_days_before} jours avant"
        )
        before = f" avant {hhmm(self.booking_deadline)}" if self.booking_deadline else ""
        where = f" au {self.booking_phone}" if self.booking_phone else f" auprès de {self.contact}"
        return f"Réserver {when}{before}{where}."

    def booking_deadline_for(self, trip_start: datetime) -> datetime | None:
        """The last moment to book a trip starting at `trip_start`; None when the rule is unknown."""
        if self.booking_days_before is None:
            return None
        day = trip_start.date() - timedelta(days=self.booking_days_before)
        at = self.booking_deadline or (time(0, 0) if self.booking_days_before else trip_start.time())
        return datetime.combine(day, at, tzinfo=trip_start.tzinfo)


@dataclass(frozen=True, slots=True)
class OnDemandOffer(_Offer):
    """Transport à la demande. Empty destinations/weekdays/hours mean unknown, not "none"."""

    destinations: frozenset[str] = frozenset()
    weekdays: frozenset[int] = frozenset()  # 0 = Monday
    hours: tuple[tuple[time, time], ...] = ()


@dataclass(frozen=True, slots=True)
class SolidarityOffer(_Offer):
    """Solidarity car-sharing or volunteer drivers: always subject to a driver being free."""

    kind: str = "carpool"
