"""The referral state machine: a pure transition table (no Django), checked before every change.

draft → sent → received → accepted / refused / redirected → appointment_set → done → closed.
Each transition names the side allowed to make it (the sending or the receiving structure)
and the fields it needs (a refusal reason, a better partner, an appointment, an outcome).
"""

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    RECEIVED = "received"
    ACCEPTED = "accepted"
    REFUSED = "refused"
    REDIRECTED = "redirected"
    APPOINTMENT_SET = "appointment_set"
    DONE = "done"
    CLOSED = "closed"


class Side(StrEnum):
    SENDER = "sender"
    RECEIVER = "receiver"


LABELS = {
    Status.DRAFT: "brouillon",
    Status.SENT: "envoyée",
    Status.RECEIVED: "reçue",
    Status.ACCEPTED: "acceptée",
    Status.REFUSED: "refusée",
    Status.REDIRECTED: "réorientée",
    Status.APPOINTMENT_SET: "rendez-vous fixé",
    Status.DONE: "réalisée",
    Status.CLOSED: "clôturée",
}

# What the person reads on their private follow-up page.
PLAIN_FRENCH = {
    Status.DRAFT: "Votre demande est en préparation.",
    Status.SENT: "Votre demande a été transmise. Le service va en accuser réception.",
    Status.RECEIVED: "Le service a bien reçu votre demande et l'étudie.",
    Status.ACCEPTED: "Le service a accepté votre demande. Il va vous proposer un rendez-vous ou vous contacter.",
    Status.REFUSED: "Le service ne peut pas répondre à votre demande. La personne qui vous accompagne vous recontacte.",
    Status.REDIRECTED: "Votre demande doit être traitée par un autre service. "
    "La personne qui vous accompagne s'en occupe.",
    Status.APPOINTMENT_SET: "Un rendez-vous est fixé.",
    Status.DONE: "Le rendez-vous a eu lieu ou la démarche est faite.",
    Status.CLOSED: "Votre demande est terminée.",
}

S, R = Side.SENDER, Side.RECEIVER
TRANSITIONS: dict[Status, dict[Status, frozenset[Side]]] = {
    Status.DRAFT: {Status.SENT: frozenset({S})},
    Status.SENT: {Status.RECEIVED: frozenset({R}), Status.CLOSED: frozenset({S})},
    Status.RECEIVED: {
        Status.ACCEPTED: frozenset({R}),
        Status.REFUSED: frozenset({R}),
        Status.REDIRECTED: frozenset({R}),
        Status.CLOSED: frozenset({S}),
    },
    Status.ACCEPTED: {
        Status.APPOINTMENT_SET: frozenset({R}),
        Status.DONE: frozenset({R}),
        Status.CLOSED: frozenset({S}),
    },
    Status.APPOINTMENT_SET: {
        Status.APPOINTMENT_SET: frozenset({R}),  # moved to another date
        Status.DONE: frozenset({R}),
        Status.CLOSED: frozenset({S}),
    },
    Status.DONE: {Status.CLOSED: frozenset({S, R})},
    Status.REFUSED: {Status.CLOSED: frozenset({S, R})},
    Status.REDIRECTED: {Status.CLOSED: frozenset({S, R})},
    Status.CLOSED: {},
}

# Fields a transition cannot do without.
REQUIRED_FIELDS: dict[Status, tuple[str, ...]] = {
    Status.SENT: ("consent",),
    Status.REFUSED: ("refusal_reason",),
    Status.REDIRECTED: ("redirect_structure",),
    Status.APPOINTMENT_SET: ("appointment_at", "appointment_channel"),
    Status.CLOSED: ("outcome",),
}

FIELD_LABELS = {
    "consent": "un consentement valable de la personne pour ce partenaire",
    "refusal_reason": "le motif du refus",
    "redirect_structure": "le partenaire mieux placé",
    "appointment_at": "la date et l'heure du rendez-vous",
    "appointment_channel": "la façon dont le rendez-vous a lieu",
    "outcome": "le résultat",
}

ANSWERED = frozenset({Status.ACCEPTED, Status.REFUSED, Status.REDIRECTED, Status.APPOINTMENT_SET, Status.DONE})
ACKNOWLEDGED = ANSWERED | {Status.RECEIVED}
OPEN = frozenset(Status) - {Status.CLOSED}


class InvalidTransition(ValueError):
    """The change is not allowed; `errors` maps a field (or '__all__') to a French message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(errors.values()))


@dataclass(frozen=True)
class Move:
    current: Status
    target: Status
    side: Side


def allowed_targets(current: str, side: str) -> list[Status]:
    """Targets the given side may choose from the current status, in table order."""
    table = TRANSITIONS.get(Status(current), {})
    return [target for target, sides in table.items() if Side(side) in sides]


def check_transition(current: str, target: str, side: str, provided: dict[str, object] | None = None) -> Move:
    """Raise InvalidTransition unless `side` may move from `current` to `target` with `provided` fields."""
    try:
        current_s, target_s, side_s = Status(current), Status(target), Side(side)
    except ValueError as exc:
        raise InvalidTransition({"status": f"Statut ou rôle inconnu : {exc}."}) from None
    sides = TRANSITIONS[current_s].get(target_s)
    if sides is None:
        raise InvalidTransition(
            {"status": f"Impossible de passer de « {LABELS[current_s]} » à « {LABELS[target_s]} »."}
        )
    if side_s not in sides:
        who = "la structure qui oriente" if Side.SENDER in sides else "la structure qui reçoit"
        raise InvalidTransition({"status": f"Seule {who} peut passer l'orientation à « {LABELS[target_s]} »."})
    provided = provided or {}
    missing = {
        field: f"Indiquez {FIELD_LABELS[field]}."
        for field in REQUIRED_FIELDS.get(target_s, ())
        if provided.get(field) in (None, "", [])
    }
    if missing:
        raise InvalidTransition(missing)
    return Move(current_s, target_s, side_s)
