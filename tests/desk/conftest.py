"""Desk fixtures: the referrals world (structures and roles), the shared OpenFisca system, an agent's client."""

import pytest
from django.test import Client

from tests.referrals.conftest import World, world  # noqa: F401
from tests.rights.conftest import tax_benefit_system  # noqa: F401

__all__ = ["World"]


@pytest.fixture
def agent_client(world):  # noqa: F811  the imported fixture
    """The France Services agent, logged in."""
    client = Client()
    client.force_login(world.agent_fs)
    return client
