"""The pure transition table: every allowed move, every refused one, and what each step needs."""

import itertools

import pytest

from carteblanche.referrals.workflow import (
    REQUIRED_FIELDS,
    TRANSITIONS,
    InvalidTransition,
    Side,
    Status,
    allowed_targets,
    check_transition,
)

FULL = {
    "consent": 1,
    "refusal_reason": "hors compétence",
    "redirect_structure": 3,
    "appointment_at": "2026-12-01T10:00",
    "appointment_channel": "callback",
    "outcome": "answered",
}

HAPPY_PATH = [
    (Status.DRAFT, Status.SENT, Side.SENDER),
    (Status.SENT, Status.RECEIVED, Side.RECEIVER),
    (Status.RECEIVED, Status.ACCEPTED, Side.RECEIVER),
    (Status.ACCEPTED, Status.APPOINTMENT_SET, Side.RECEIVER),
    (Status.APPOINTMENT_SET, Status.DONE, Side.RECEIVER),
    (Status.DONE, Status.CLOSED, Side.RECEIVER),
]


@pytest.mark.parametrize(("current", "target", "side"), HAPPY_PATH)
def test_happy_path_is_allowed(current, target, side):
    move = check_transition(current, target, side, FULL)
    assert move.target == target


ALL_MOVES = list(itertools.product(Status, Status, Side))


@pytest.mark.parametrize(("current", "target", "side"), ALL_MOVES)
def test_every_move_follows_the_table(current, target, side):
    allowed = side in TRANSITIONS[current].get(target, frozenset())
    if allowed:
        assert check_transition(current, target, side, FULL).target == target
    else:
        with pytest.raises(InvalidTransition) as error:
            check_transition(current, target, side, FULL)
        assert "status" in error.value.errors


@pytest.mark.parametrize("target", list(REQUIRED_FIELDS))
def test_required_fields_are_named(target):
    current, side = next(
        (current, next(iter(table[target]))) for current, table in TRANSITIONS.items() if target in table
    )
    with pytest.raises(InvalidTransition) as error:
        check_transition(current, target, side, {})
    assert set(error.value.errors) == set(REQUIRED_FIELDS[target])
    assert all(message.startswith("Indiquez") for message in error.value.errors.values())


def test_closed_is_terminal():
    assert allowed_targets(Status.CLOSED, Side.SENDER) == []
    assert allowed_targets(Status.CLOSED, Side.RECEIVER) == []


def test_receiver_cannot_send_and_sender_cannot_accept():
    with pytest.raises(InvalidTransition, match="oriente"):
        check_transition("draft", "sent", "receiver", FULL)
    with pytest.raises(InvalidTransition, match="reçoit"):
        check_transition("received", "accepted", "sender", FULL)


def test_unknown_status_is_a_clear_error():
    with pytest.raises(InvalidTransition, match="inconnu"):
        check_transition("draft", "teleported", "sender", FULL)


def test_every_status_is_reachable_from_draft():
    seen, frontier = {Status.DRAFT}, [Status.DRAFT]
    while frontier:
        current = frontier.pop()
        for target in TRANSITIONS[current]:
            if target not in seen:
                seen.add(target)
                frontier.append(target)
    assert seen == set(Status)
