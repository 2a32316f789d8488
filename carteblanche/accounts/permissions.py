"""Who may do what, from memberships. Plain functions shared by views, API and commands."""

from typing import Any

from carteblanche.accounts.models import Membership

Role = Membership.Role


def _active_memberships(user: Any):
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Membership.objects.none()
    return Membership.objects.filter(user=user, is_active=True)


def structure_ids(user: Any, *, roles: tuple[str, ...] = (Role.AGENT, Role.MANAGER)) -> set[int]:
    """Structures where the user works with one of `roles`."""
    return set(
        _active_memberships(user).filter(role__in=roles, structure__isnull=False).values_list("structure_id", flat=True)
    )


def has_role(user: Any, role: str) -> bool:
    return _active_memberships(user).filter(role=role).exists()


def is_agent(user: Any) -> bool:
    """Works in at least one structure (agent or manager): may handle case files there."""
    return bool(structure_ids(user))


def is_manager_of(user: Any, structure_id: int) -> bool:
    return structure_id in structure_ids(user, roles=(Role.MANAGER,))


def is_coordinator(user: Any) -> bool:
    return has_role(user, Role.COORDINATOR)


def is_data_steward(user: Any) -> bool:
    return has_role(user, Role.DATA_STEWARD)


def roles_of(user: Any) -> set[str]:
    return set(_active_memberships(user).values_list("role", flat=True))
