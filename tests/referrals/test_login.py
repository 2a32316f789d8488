"""Hardened login: lockout after repeated failures, optional TOTP second step, ProConnect (OIDC)."""

from urllib.parse import parse_qs, urlparse

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from carteblanche.accounts.models import Membership
from carteblanche.core.models import AuditEntry
from tests.referrals.conftest import PASSWORD, make_user
from tests.referrals.oidc_provider import OIDCTestProvider

pytestmark = pytest.mark.django_db


def _code(device: TOTPDevice, drift: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift):06d}"


def _unthrottle(device: TOTPDevice) -> None:
    """django-otp slows down retries after a wrong code; tests skip the wait, and reuse the time step."""
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.last_t = -1
    device.save()


def test_password_login_is_audited(client):
    user = make_user("agent")
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == "/accompagnement/"
    assert AuditEntry.objects.filter(actor=user, action="login").count() == 1


def test_lockout_after_repeated_failures(client, settings):
    user = make_user("agent")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(reverse("accounts:login"), {"username": user.username, "password": "faux"})
        assert response.status_code == 200
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": "faux"})
    assert response.status_code == 429
    assert "bloqué" in response.content.decode()
    # Even the right password is refused now.
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_totp_enrolment_then_login_asks_for_the_code(client):
    user = make_user("agent")
    client.force_login(user)
    response = client.get(reverse("accounts:otp_setup"))
    assert response.status_code == 200
    assert "<svg" in response.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("accounts:otp_setup"), {"code": "000000" if _code(device) != "000000" else "111111"})
    assert response.status_code == 200
    device.refresh_from_db()
    assert not device.confirmed
    _unthrottle(device)
    response = client.post(reverse("accounts:otp_setup"), {"code": _code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed

    client.logout()
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("accounts:otp_verify")
    assert "_auth_user_id" not in client.session  # not logged in before the code

    bad = client.post(reverse("accounts:otp_verify"), {"code": "12345a"})
    assert bad.status_code == 200 and "_auth_user_id" not in client.session
    _unthrottle(device)
    response = client.post(reverse("accounts:otp_verify"), {"code": _code(device)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.session.get("otp_device_id")


def test_otp_step_without_password_step_goes_back_to_login(client):
    response = client.get(reverse("accounts:otp_verify"))
    assert response.status_code == 302 and response.url == reverse("accounts:login")


def test_oidc_disabled_when_not_configured(client, settings):
    settings.OIDC_RP_CLIENT_ID = ""
    assert client.get(reverse("accounts:oidc_start")).status_code == 404
    assert client.get(reverse("accounts:oidc_callback")).status_code == 404
    assert "ProConnect" not in client.get(reverse("accounts:login")).content.decode()


@pytest.fixture
def oidc_provider(settings):
    claims = {"sub": "agent-42", "email": "camille.delmas@france-services.example", "given_name": "Camille"}
    with OIDCTestProvider(claims) as provider:
        settings.OIDC_RP_CLIENT_ID = provider.client_id
        settings.OIDC_RP_CLIENT_SECRET = provider.client_secret
        settings.OIDC_OP_DISCOVERY_URL = f"{provider.issuer}/.well-known/openid-configuration"
        for name in ("AUTHORIZATION", "TOKEN", "USER", "JWKS", "LOGOUT"):
            setattr(settings, f"OIDC_OP_{name}_ENDPOINT", "")
        settings.OIDC_RP_SIGN_ALGO = "RS256"
        settings.OIDC_RP_SCOPES = "openid email given_name"
        settings.AUTHENTICATION_BACKENDS = [
            *settings.AUTHENTICATION_BACKENDS,
            "carteblanche.accounts.oidc.AgentOIDCBackend",
        ]
        cache.clear()
        yield provider
        cache.clear()


def _oidc_round_trip(client, provider):
    start = client.get(reverse("accounts:oidc_start"))
    assert start.status_code == 302
    location = urlparse(start.url)
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{provider.issuer}/authorize"
    params = {k: v[0] for k, v in parse_qs(location.query).items()}
    assert params["client_id"] == provider.client_id and params["response_type"] == "code"
    code = provider.authorize(params["nonce"])
    return client.get(reverse("accounts:oidc_callback"), {"code": code, "state": params["state"]})


def test_oidc_login_against_local_provider(client, oidc_provider):
    agent = make_user("camille", email="camille.delmas@france-services.example")
    response = _oidc_round_trip(client, oidc_provider)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(agent.pk)
    assert {"GET /.well-known/openid-configuration", "POST /token", "GET /jwks", "GET /userinfo"} <= set(
        oidc_provider.requests
    )
    assert AuditEntry.objects.filter(actor=agent, action="login", details__method="proconnect").exists()


def test_oidc_unknown_email_is_refused_without_creating_an_account(client, oidc_provider, django_user_model):
    before = django_user_model.objects.count()
    response = _oidc_round_trip(client, oidc_provider)
    assert response.status_code == 302 and "echec=oidc" in response.url
    assert "_auth_user_id" not in client.session
    assert django_user_model.objects.count() == before


def test_oidc_forged_token_is_refused(client, oidc_provider):
    make_user("camille", email="camille.delmas@france-services.example")
    from cryptography.hazmat.primitives.asymmetric import rsa

    oidc_provider.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # signs with a new key…
    real_jwks = oidc_provider.jwks()
    oidc_provider.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # …but publishes another
    oidc_provider.jwks = lambda: real_jwks
    response = _oidc_round_trip(client, oidc_provider)
    assert response.status_code == 400  # SuspiciousOperation: bad signature, never a login
    assert "_auth_user_id" not in client.session


def test_membership_structure_roles_need_a_structure():
    user = make_user("x")
    with pytest.raises(IntegrityError):
        Membership.objects.create(user=user, role=Membership.Role.AGENT, structure=None)


def test_demo_accounts_are_idempotent_and_refused_in_production(settings, django_user_model):
    call_command("load_demo_accounts", verbosity=0)
    call_command("load_demo_accounts", verbosity=0)
    assert django_user_model.objects.filter(username="agent.carsat").count() == 1
    assert Membership.objects.filter(user__username="coordinateur", role="coordinator").count() == 1
    settings.SESSION_COOKIE_SECURE = True  # what config.settings.prod sets
    with pytest.raises(CommandError):
        call_command("load_demo_accounts", verbosity=0)


def test_admin_uses_the_one_login_path_with_its_second_factor(client, django_user_model):
    """Finding 3: /admin/login/ cannot skip the TOTP code of a staff account."""
    staff = django_user_model.objects.create_user("staff-otp", password=PASSWORD, is_staff=True, is_superuser=True)
    device = TOTPDevice.objects.create(user=staff, name="app", confirmed=True)
    # The admin's own login form is gone: it sends to the project's login.
    page = client.get("/admin/login/?next=/admin/")
    assert page.status_code == 302 and page.url.startswith(reverse("accounts:login"))
    posted = client.post("/admin/login/?next=/admin/", {"username": staff.username, "password": PASSWORD})
    assert posted.status_code == 302 and "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302
    # The password alone is not enough for the admin.
    response = client.post(
        f"{reverse('accounts:login')}?next=/admin/", {"username": staff.username, "password": PASSWORD}
    )
    assert response.url == reverse("accounts:otp_verify")
    assert client.get("/admin/").status_code == 302
    # A session opened without the code (another path) is refused too.
    other = type(client)()
    other.force_login(staff)
    refused = other.get("/admin/")
    assert refused.status_code == 302 and "/admin/login/" in refused.url
    # With the code: the admin opens.
    _unthrottle(device)
    verified = client.post(reverse("accounts:otp_verify"), {"code": _code(device)})
    assert verified.status_code == 302 and verified.url == "/admin/"
    assert client.get("/admin/").status_code == 200


def _fail(client, username: str, ip: str):
    return client.post(reverse("accounts:login"), {"username": username, "password": "faux"}, REMOTE_ADDR=ip)


def test_lockout_is_per_username_and_address(client, settings):
    """Finding 9: a guesser locks only the pair (username, address) it tries from."""
    victim, colleague = make_user("agent"), make_user("collegue")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _fail(client, victim.username, "203.0.113.9")
    assert _fail(client, victim.username, "203.0.113.9").status_code == 429
    # The agent, from the office, still logs in; a colleague behind the attacker's address too.
    office = client.post(
        reverse("accounts:login"), {"username": victim.username, "password": PASSWORD}, REMOTE_ADDR="198.51.100.7"
    )
    assert office.status_code == 302
    client.logout()
    shared = client.post(
        reverse("accounts:login"), {"username": colleague.username, "password": PASSWORD}, REMOTE_ADDR="203.0.113.9"
    )
    assert shared.status_code == 302


def test_agent_changes_own_password_with_the_breach_and_blacklist_checks(client):
    user = make_user("agent")
    client.force_login(user)
    url = reverse("accounts:password_change")
    assert client.get(url).status_code == 200
    for weak in ("password1234", "Azertyuiop2026!", "Soleil-123456", "cahors-mon-bureau-2026"):
        response = client.post(url, {"old_password": PASSWORD, "new_password1": weak, "new_password2": weak})
        assert response.status_code == 200, weak
        assert "errorlist" in response.content.decode() or "fr-error-text" in response.content.decode(), weak
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    wrong_old = client.post(
        url,
        {
            "old_password": "pas-le-bon",
            "new_password1": "trois-ours-bleus-sous-la-pluie",
            "new_password2": "trois-ours-bleus-sous-la-pluie",
        },
    )
    assert wrong_old.status_code == 200
    good = "trois-ours-bleus-sous-la-pluie"
    response = client.post(url, {"old_password": PASSWORD, "new_password1": good, "new_password2": good})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(good)
    assert client.get(reverse("accounts:profile")).status_code == 200  # still logged in
    assert AuditEntry.objects.filter(actor=user, reason="changement de mot de passe").count() == 1
