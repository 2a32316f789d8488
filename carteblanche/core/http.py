"""The client's address as the application should see it, behind zero or more trusted proxies."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The address that rate limits and login lockouts key on.

    Behind ``CARTEBLANCHE_TRUSTED_PROXY_COUNT`` reverse proxies, each appends the address it
    received the request from to ``X-Forwarded-For``: the client is the entry that many places
    from the right. Entries further left were written by the client and are not trusted. With no
    proxy (the default), or a header shorter than announced, ``REMOTE_ADDR`` is used.
    """
    proxies = settings.CARTEBLANCHE_TRUSTED_PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR", "") or ""
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < proxies:
        return remote
    return forwarded[-proxies]
