"""Who acts on a case file: an agent (a signed-in user) or a partner structure through its API key.

Why one type: every write asks "for which structures may this actor act?" and journals who did it.
With the actor typed, the writes ask the actor instead of branching on an API structure id, and
the permission rules (permissions.py) hold for agents and partner systems alike.
"""

from typing import Any, TypeAlias

from carteblanche.accounts.models import User
from carteblanche.accounts.permissions import structure_ids as user_structure_ids
from carteblanche.referrals.models import ApiToken

# An agent, or a partner system's key (it acts for its one structure, and is journaled by its label).
Actor: TypeAlias = User | ApiToken


def structure_ids(actor: Actor | Any) -> set[int]:
    """The structures the actor acts for: the agent's memberships, or the key's structure."""
    if isinstance(actor, ApiToken):
        return {actor.structure_id}
    return user_structure_ids(actor)


def user_of(actor: Actor) -> User | None:
    """The user to name in `created_by`-like fields; None for a partner system."""
    return None if isinstance(actor, ApiToken) else actor


def journal(actor: Actor) -> dict[str, Any]:
    """The audit journal's fields for the actor (`record_audit(**journal(actor), ...)`)."""
    if isinstance(actor, ApiToken):
        return {"actor": None, "actor_label": actor.label}
    return {"actor": actor, "actor_label": ""}
