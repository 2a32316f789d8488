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


def over_hourly_limit(request: HttpRequest, scope: str, limit: int) -> bool:
    """Whether this client already sent `limit` requests of `scope` in the last hour.

    Counted in Django's cache (Redis when ``REDIS_URL`` is set: shared by every worker), keyed
    on `client_ip`. Public forms use it against floods; nothing personal is kept.
    """
    from django.core.cache import cache

    return (cache.get(_limit_key(request, scope)) or 0) >= limit


def count_for_hourly_limit(request: HttpRequest, scope: str) -> None:
    """Count one request of `scope` for this client (the hour starts at its first request)."""
    from django.core.cache import cache

    key = _limit_key(request, scope)
    if cache.add(key, 1, timeout=3600):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired in between
        cache.add(key, 1, timeout=3600)


def _limit_key(request: HttpRequest, scope: str) -> str:
    return f"{scope}:{client_ip(request)}"
