"""Desk fixtures: the referrals world (structures and roles) and the shared OpenFisca system."""

from tests.referrals.conftest import World, world  # noqa: F401
from tests.rights.conftest import tax_benefit_system  # noqa: F401

__all__ = ["World"]
