"""The client address behind proxies, and the shared cache configured from REDIS_URL."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory

from carteblanche.core.http import client_ip

ROOT = Path(__file__).resolve().parents[2]


def _request(forwarded: str | None = None):
    extra = {"REMOTE_ADDR": "10.0.0.2"}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_proxy_the_header_is_ignored(settings):
    settings.CARTEBLANCHE_TRUSTED_PROXY_COUNT = 0
    assert client_ip(_request("203.0.113.7")) == "10.0.0.2"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "192.0.2.1, 203.0.113.7", "203.0.113.7"),  # the left entry was written by the client
        (2, "203.0.113.7, 10.0.0.9", "203.0.113.7"),
        (2, "10.0.0.9", "10.0.0.2"),  # shorter than announced: not trusted
        (1, "", "10.0.0.2"),
        (1, None, "10.0.0.2"),
    ],
)
def test_behind_trusted_proxies_the_client_is_counted_from_the_right(settings, proxies, forwarded, expected):
    settings.CARTEBLANCHE_TRUSTED_PROXY_COUNT = proxies
    assert client_ip(_request(forwarded)) == expected


def test_login_lockouts_use_the_same_client_address(settings):
    from axes.helpers import get_client_ip_address

    settings.CARTEBLANCHE_TRUSTED_PROXY_COUNT = 1
    assert get_client_ip_address(_request("192.0.2.1, 203.0.113.7")) == "203.0.113.7"


def _redis_listening() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


def test_settings_use_redis_when_redis_url_is_given():
    """Workers share rate limits and lockouts through Redis; a round trip proves the backend works."""
    if not _redis_listening():
        pytest.skip("no Redis server at 127.0.0.1:6379")
    code = (
        "import django, uuid; django.setup();"
        "from django.conf import settings; from django.core.cache import cache;"
        "key = uuid.uuid4().hex; cache.set(key, 41, 30); cache.incr(key);"
        "print(settings.CACHES['default']['BACKEND'], cache.get(key)); cache.delete(key)"
    )
    env = {**os.environ, "REDIS_URL": "redis://127.0.0.1:6379/15", "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["django.core.cache.backends.redis.RedisCache", "42"]


def test_settings_default_to_a_process_local_cache():
    code = (
        "import django; django.setup(); from django.conf import settings;print(settings.CACHES['default']['BACKEND'])"
    )
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"} | {"DJANGO_SETTINGS_MODULE": "config.settings.test"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "django.core.cache.backends.locmem.LocMemCache"
