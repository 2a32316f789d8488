"""Production: everything secure by default; secrets and hosts come from the environment."""

from .base import *  # noqa: F403
from .base import env_bool, env_int

DEBUG = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# Rebuild the national offer index in a thread while the old one keeps answering.
CARTEBLANCHE_OFFER_INDEX_BACKGROUND_REFRESH = env_bool("CARTEBLANCHE_OFFER_INDEX_BACKGROUND_REFRESH", True)
# Keep the offer's services loaded, filled in the background after each change (docs/bench.md).
CARTEBLANCHE_SEARCH_CACHE_PREFILL = env_bool("CARTEBLANCHE_SEARCH_CACHE_PREFILL", True)
