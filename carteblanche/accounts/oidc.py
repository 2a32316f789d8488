"""OpenID Connect login (ProConnect) with mozilla-django-oidc, configured by environment variables.

Endpoints come from the settings (`OIDC_OP_*`) or, when only `OIDC_OP_DISCOVERY_URL` is set,
from the provider's discovery document, fetched once and cached. Disabled when
`OIDC_RP_CLIENT_ID` is empty: the views answer 404 and the backend is not installed.
"""

from typing import Any

import requests
from django.conf import settings
from django.core.cache import cache
from django.http import Http404
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

DISCOVERY_KEYS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
    "OIDC_OP_LOGOUT_ENDPOINT": "end_session_endpoint",
}


def oidc_enabled() -> bool:
    return bool(getattr(settings, "OIDC_RP_CLIENT_ID", ""))


def discovery_document() -> dict[str, Any]:
    url = getattr(settings, "OIDC_OP_DISCOVERY_URL", "")
    if not url:
        return {}
    key = f"oidc-discovery:{url}"
    document = cache.get(key)
    if document is None:
        response = requests.get(url, timeout=getattr(settings, "OIDC_TIMEOUT", 10))
        response.raise_for_status()
        document = response.json()
        cache.set(key, document, 3600)
    return document


def oidc_setting(attr: str, *default: Any) -> Any:
    """A setting, falling back to the discovery document for provider endpoints."""
    value = getattr(settings, attr, "")
    if not value and attr in DISCOVERY_KEYS:
        value = discovery_document().get(DISCOVERY_KEYS[attr], "")
    if value in ("", None):
        return import_from_settings(attr, *default)
    return value


class AgentOIDCBackend(OIDCAuthenticationBackend):
    """Matches an existing agent by e-mail; creates no account unless OIDC_CREATE_USER is on."""

    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        return oidc_setting(attr, *args)

    def create_user(self, claims: dict[str, Any]):
        user = super().create_user(claims)
        user.first_name = claims.get("given_name", "")[:150]
        user.last_name = (claims.get("usual_name") or claims.get("family_name") or "")[:150]
        user.save(update_fields=["first_name", "last_name"])
        return user


class OIDCStartView(OIDCAuthenticationRequestView):
    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        return oidc_setting(attr, *args)

    def dispatch(self, request, *args, **kwargs):
        if not oidc_enabled():
            raise Http404("Connexion ProConnect non configurée.")
        return super().dispatch(request, *args, **kwargs)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if oidc_enabled():
            super().__init__(*args, **kwargs)


class OIDCCallbackView(OIDCAuthenticationCallbackView):
    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        return oidc_setting(attr, *args)

    def dispatch(self, request, *args, **kwargs):
        if not oidc_enabled():
            raise Http404("Connexion ProConnect non configurée.")
        return super().dispatch(request, *args, **kwargs)
