"""Every scoring weight and table of the orientation engine, in one place. Pure module.

An option's score is the sum, over the criteria below, of weight x value (value in 0..1),
so a perfect option scores 100. docs/orientation.md explains each criterion.
"""

from enum import StrEnum

from carteblanche.directory.kinds import REMOTE_CHANNEL_KINDS
from carteblanche.mobility.travel import Mode


class Digital(StrEnum):
    AUTONOMOUS = "autonomous"
    WITH_HELP = "online_with_help"
    NO_INTERNET = "no_internet"


class OptionKind(StrEnum):
    ONLINE = "online"
    PHONE = "phone"
    CALLBACK = "callback"
    COUNTER = "counter"
    ITINERANT = "itinerant"
    HOME_VISIT = "home_visit"
    VIDEO = "video"  # video appointment from home
    VIDEO_AT_COUNTER = "video_at_counter"  # video appointment from a nearby counter, helped there
    ACCOMPANIED = "accompanied"  # an adviser (France Services, digital inclusion) helps with the online procedure


OPTION_LABELS_FR = {
    OptionKind.ONLINE: "Démarche en ligne",
    OptionKind.PHONE: "Par téléphone",
    OptionKind.CALLBACK: "Être rappelé",
    OptionKind.COUNTER: "Au guichet",
    OptionKind.ITINERANT: "Permanence itinérante",
    OptionKind.HOME_VISIT: "Visite à domicile",
    OptionKind.VIDEO: "Rendez-vous en visio",
    OptionKind.VIDEO_AT_COUNTER: "Visio depuis un point d'accueil",
    OptionKind.ACCOMPANIED: "Avec l'aide d'un conseiller",
}

# Options that need the person to travel to a place.
PHYSICAL_KINDS = frozenset(
    {OptionKind.COUNTER, OptionKind.ITINERANT, OptionKind.ACCOMPANIED, OptionKind.VIDEO_AT_COUNTER}
)
# Options reached from home, without a trip.
REMOTE_KINDS = frozenset(OptionKind(kind) for kind in REMOTE_CHANNEL_KINDS)
# Options that need a telephone.
PHONE_KINDS = frozenset({OptionKind.PHONE, OptionKind.CALLBACK})

# --- the weights (sum = 100) ---
WEIGHTS: dict[str, float] = {
    "fit": 25.0,  # the channel suits the person (digital autonomy, phone, mobility, age)
    "relevance": 20.0,  # the right body for the need: its own operator, or help near home
    "needs": 15.0,  # one option covering several of the person's needs
    "travel": 15.0,  # no trip, or a short and easy one
    "soon": 12.0,  # the next usable slot is soon
    "hours": 8.0,  # opening hours are known (not "à confirmer")
    "language": 5.0,  # the service speaks the person's language
}
URGENT_SOON_FACTOR = 2.0  # when urgent, "soon" counts double (then the total is rescaled to 100)

CRITERIA_LABELS_FR = {
    "fit": "moyen adapté à la personne",
    "relevance": "le bon organisme pour la demande",
    "needs": "demandes couvertes",
    "travel": "trajet",
    "soon": "délai",
    "hours": "horaires connus",
    "language": "langue",
}

# How well each kind of option suits the person, by digital autonomy (value of "fit").
CHANNEL_FIT: dict[Digital, dict[OptionKind, float]] = {
    Digital.NO_INTERNET: {
        OptionKind.HOME_VISIT: 1.0,
        OptionKind.ITINERANT: 0.9,
        OptionKind.COUNTER: 0.85,
        OptionKind.PHONE: 0.8,
        OptionKind.CALLBACK: 0.8,
        OptionKind.ACCOMPANIED: 0.75,
        OptionKind.VIDEO_AT_COUNTER: 0.6,
    },
    Digital.WITH_HELP: {
        OptionKind.ACCOMPANIED: 0.95,
        OptionKind.CALLBACK: 0.85,
        OptionKind.COUNTER: 0.85,
        OptionKind.ITINERANT: 0.85,
        OptionKind.PHONE: 0.8,
        OptionKind.VIDEO_AT_COUNTER: 0.7,
        OptionKind.HOME_VISIT: 0.6,
        OptionKind.VIDEO: 0.5,
        OptionKind.ONLINE: 0.4,
    },
    Digital.AUTONOMOUS: {
        OptionKind.ONLINE: 1.0,
        OptionKind.CALLBACK: 0.9,
        OptionKind.PHONE: 0.8,
        OptionKind.VIDEO: 0.8,
        OptionKind.COUNTER: 0.6,
        OptionKind.ITINERANT: 0.6,
        OptionKind.ACCOMPANIED: 0.5,
        OptionKind.VIDEO_AT_COUNTER: 0.5,
        OptionKind.HOME_VISIT: 0.4,
    },
}
# A home visit is for people who cannot easily travel; for others its fit is multiplied by this.
HOME_VISIT_FIT_WHEN_MOBILE = 0.5
HOME_VISIT_AGE = 70  # from this age a home visit keeps its full fit

# "travel": 1 - minutes / TRAVEL_MINUTES_ZERO, times the ease of the mode.
TRAVEL_MINUTES_ZERO = 90.0
MODE_EASE: dict[Mode, float] = {
    Mode.WALK: 1.0,
    Mode.CAR: 1.0,
    Mode.DRIVEN: 0.9,
    Mode.PUBLIC_TRANSPORT: 0.85,
    Mode.ON_DEMAND: 0.75,  # must be booked ahead
    Mode.SOLIDARITY: 0.7,  # must be booked, depends on volunteers
}

# "relevance": who answers. The need's own operator (or a service the catalogue links to the need,
# or any service when the need names no operator) is the right body; so is any place where the
# person is received near home. A generalist (France Services, digital-inclusion adviser) reached
# from home (phone, call-back, online, home visit) only helps from the person's own area: its remote
# channels are offered only when one of its counters or stops is within GENERALIST_NEAR_KM of home
# (or its area names the person's commune), and rank below the operator's own lines.
RELEVANCE_OWN = 1.0
RELEVANCE_IN_PERSON = 1.0
RELEVANCE_LOCAL_GENERALIST = 0.4
GENERALIST_NEAR_KM = 30.0
# A service whose source states access conditions (e.g. "affiliated to the farming regime") the
# person has not confirmed: its relevance is at most this; the condition is shown as a warning.
RELEVANCE_CONDITIONAL = 0.0

# "soon": 1 - days until the slot / horizon; and fixed values when there is no known slot.
SOON_ALWAYS = 1.0  # online: any time
SOON_BY_APPOINTMENT = 0.5  # a date to fix with the service (home visit, call-back)
SOON_TO_CONFIRM = 0.3  # hours unknown
# Hours unknown for a line reached from home (phone, call-back): trying costs a call, not a trip.
SOON_TO_CONFIRM_REMOTE = 0.6
# Hours unknown at a place whose number is known ("appelez avant"): ranked by its reach (issue 10).
SOON_CALL_BEFORE = 1.0
HOURS_CALL_BEFORE = 1.0
# "hours"
HOURS_KNOWN = 1.0
HOURS_BY_APPOINTMENT = 0.6
HOURS_TO_CONFIRM = 0.0
HOURS_TO_CONFIRM_REMOTE = 0.5
# "language": the person's language is French, or the service speaks theirs / may not
LANGUAGE_SPOKEN = 1.0
LANGUAGE_UNKNOWN = 0.3

# Plan shape
MAX_OPTIONS = 5
MAX_SAME_KIND = 2  # at most this many options of one kind, for a plan with real choices
COMPETENT_PER_NEED = 2  # deciding bodies placed first for each need (two rounds, another body each time)
MAX_DISTANCE_KM = 60.0  # places farther than this (great circle) are not considered
SLOTS_SHOWN = 3
MIN_SLOT_MINUTES = 20  # an open-and-free window shorter than this is not a usable slot
TRIP_WINDOWS_TRIED = 6  # how many slots we try to reach before saying "no way to get there"
ITINERANT_STOPS_TRIED = 3  # nearest stops of a line considered
PHYSICAL_DRAFTS_EVALUATED = 12  # only the nearest places (great circle) are routed and scored
# Free on a weekday for at least OFFICE_MIN_MINUTES between these hours: places with unknown hours
# may be open then; otherwise (evenings, weekends only) they are said to be probably closed.
OFFICE_START_HOUR = 9
OFFICE_END_HOUR = 17
OFFICE_MIN_MINUTES = 60
# Words of a booking rule that give a way to book without a phone (for someone who has none).
IN_PERSON_BOOKING_WORDS = ("sur place", "à l'accueil", "au guichet", "sans rendez-vous", "en ligne", "par courriel")
MAX_DOCUMENTS = 6  # "À apporter" lists at most this many documents, then "et les pièces demandées par le service"
MORE_DOCUMENTS_FR = "et les pièces demandées par le service"
