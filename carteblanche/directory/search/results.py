"""The shapes a search and the detail pages return (plain dataclasses over model instances)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from carteblanche.directory import hours
from carteblanche.directory.kinds import REMOTE_CHANNEL_KINDS as REMOTE_KINDS
from carteblanche.directory.models import Channel, ItinerantStop, Need, Place, Service, Structure
from carteblanche.territories.models import Commune

# Channels whose opening hours say when a person can use them (online is always reachable).
TIMED_KINDS = (Channel.Kind.COUNTER, Channel.Kind.PHONE, Channel.Kind.CALLBACK, Channel.Kind.VIDEO)


@dataclass(frozen=True, slots=True)
class DaySlots:
    """The open slots of one day (for the week view of a detail page)."""

    day: date
    slots: list[hours.Slot]


_KIND_LABELS: dict[str, str] = {str(kind): str(label) for kind, label in Channel.Kind.choices}


@dataclass(slots=True)
class ChannelView:
    channel: Channel
    next_opening: hours.Slot | None
    hours_known: bool
    hours_invalid: bool = False
    week: list[DaySlots] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.channel.kind

    @property
    def label(self) -> str:
        return _KIND_LABELS.get(self.channel.kind) or self.channel.get_kind_display()

    @property
    def place(self) -> Place | None:
        return self.channel.place

    @property
    def is_remote(self) -> bool:
        return self.channel.kind in REMOTE_KINDS

    @property
    def is_timed(self) -> bool:
        return self.channel.kind in TIMED_KINDS


@dataclass(slots=True)
class StopView:
    stop: ItinerantStop
    distance_km: float | None
    in_commune: bool
    next_visit: hours.Slot | None
    schedule_known: bool


@dataclass(slots=True)
class ServiceResult:
    service: Service
    structure: Structure
    place: Place | None
    distance_km: float | None
    next_opening: hours.Slot | None
    hours_known: bool
    channels: list[ChannelView]
    stops: list[StopView]
    remote: bool
    operator_matches_need: bool = False

    @property
    def position_approximate(self) -> bool:
        return bool(self.place and self.place.position_approximate)


@dataclass(slots=True)
class SearchResult:
    commune: Commune
    need: Need | None
    text: str
    matched_needs: list[tuple[Need, float]]
    thematiques: list[str]
    nearby: list[ServiceResult]
    remote: list[ServiceResult]
    at: datetime
    excluded_unknown_hours: int = 0
    excluded_ineligible: int = 0
    excluded_inaccessible_unknown: int = 0
    commune_without_point: bool = False
    need_operators: list[str] | None = None  # the need's operator codes as `need.operators.all()` orders them

    @property
    def results(self) -> list[ServiceResult]:
        return self.nearby + self.remote

    @property
    def count(self) -> int:
        return len(self.nearby) + len(self.remote)


@dataclass(slots=True)
class ServiceDetail:
    service: Service
    structure: Structure
    channels: list[ChannelView]
    stops: list[StopView]
    places: list[Place]
    needs: list[Need]
    at: datetime


@dataclass(slots=True)
class PlaceDetail:
    place: Place
    structure: Structure
    hours_known: bool
    hours_invalid: bool
    next_opening: hours.Slot | None
    week: list[DaySlots]
    services: list[Service]
    at: datetime


@dataclass(slots=True)
class StructureDetail:
    structure: Structure
    places: list[Place]
    services: list[Service]
