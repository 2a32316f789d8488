"""Schemathesis fuzz of the partner API against its OpenAPI description: never a 5xx.

Bounded (a few examples per operation) so that it runs in well under a minute.
"""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

# The WSGI application itself, not config.wsgi: loading that module marks the process as a web server
# and starts the server's warm-ups, for every later test of this worker.
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application()).include(
    path_regex="^/api/accompagnement/"
)

KEY = {}


@pytest.fixture(autouse=True)
def _keep_test_connection():
    """Schemathesis calls the WSGI app directly: stop it closing the test transaction's connection
    at the end of each request, as Django's own test client does."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def partner_key(world):
    from carteblanche.referrals import actions
    from tests.referrals.test_api import make_token

    referral = world.sent_referral()
    actions.create_follow_link(actor=world.agent_fs, case=referral.case)
    KEY["caf"] = make_token(world.caf)
    return make_token(world.carsat)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
    derandomize=True,
)
def test_partner_api_never_answers_5xx(case, partner_key, settings):
    settings.WHITENOISE_AUTOREFRESH = True
    case.call_and_validate(headers={"Authorization": f"Bearer {partner_key}"}, checks=[not_a_server_error])
