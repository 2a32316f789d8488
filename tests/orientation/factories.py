"""Builders for the pure engine's dataclasses (no database), with sensible defaults.

Points are approximate commune centres of the Cahors area, good enough for the road model;
the hours and phone numbers are test values, not facts about real services.
"""

from datetime import datetime

from carteblanche.mobility.travel import Point, TimeWindow, TravelMeans
from carteblanche.orientation.availability import parse_availability
from carteblanche.orientation.engine import ChannelOffer, Location, NeedRequest, PersonSituation, ServiceOffer
from carteblanche.orientation.scoring import Digital
from carteblanche.territories.geo import PARIS

NOW = datetime(2026, 5, 11, 8, 0, tzinfo=PARIS)  # a Monday
CAHORS = Point(44.4475, 1.4419)
CIEURAC = Point(44.3717, 1.4958)
CATUS = Point(44.5580, 1.3350)
PRADINES = Point(44.4833, 1.4000)
FRANCE_SERVICES_THEME = "difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives"

REVERSION = NeedRequest(
    "pension-de-reversion",
    "Pension de réversion",
    thematiques=("famille--retraite",),
    operators=("carsat", "msa"),
    documents=("acte de décès", "livret de famille"),
)
ENERGY = NeedRequest("factures-energie", "Factures d'énergie", thematiques=("difficultes-financieres--energie",))
JOB = NeedRequest("trouver-emploi", "Trouver un emploi", thematiques=("trouver-un-emploi--repondre-a-des-offres",))


WEEKDAYS = "Mo-Fr 09:00-12:00,14:00-17:00; PH off"


def location(key: str, point: Point = CAHORS, *, hours: str = WEEKDAYS, **kw) -> Location:
    defaults = {"name": f"Lieu {key}", "commune_code": "46042", "commune_name": "Cahors", "address": "1 rue Test"}
    defaults.update(kw)
    return Location(key=key, point=point, hours=hours, **defaults)


def channel(kind: str, cid: str | None = None, **kw) -> ChannelOffer:
    if kind in ("phone", "callback"):
        kw.setdefault("phone", "05 00 00 00 01")
    if kind == "online":
        kw.setdefault("url", "https://exemple.test/demarche")
    return ChannelOffer(id=cid or f"{kind}-{id(kw)}", kind=kind, **kw)


def service(sid: str, channels: tuple[ChannelOffer, ...], **kw) -> ServiceOffer:
    defaults = {"name": f"Service {sid}", "structure_name": f"Structure {sid}"}
    defaults.update(kw)
    return ServiceOffer(id=sid, channels=channels, **defaults)


def person(
    *,
    needs: tuple[NeedRequest, ...] = (REVERSION,),
    free: str = "",
    means: TravelMeans | None = None,
    digital: Digital = Digital.AUTONOMOUS,
    home: Point = CIEURAC,
    commune: str = "46070",
    **kw,
) -> PersonSituation:
    availability = parse_availability(free).windows(NOW)
    return PersonSituation(
        home=home,
        commune_code=commune,
        needs=needs,
        now=NOW,
        availability=availability,
        means=means or TravelMeans(),
        digital=digital,
        epci_code=kw.pop("epci_code", "200023737"),
        department_code=kw.pop("department_code", "46"),
        **kw,
    )


def driver_windows(free: str) -> tuple[TimeWindow, ...]:
    return parse_availability(free).windows(NOW)
