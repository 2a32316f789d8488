"""bench_pages.py's server: the production settings, over plain HTTP on 127.0.0.1.

Only what plain HTTP needs differs from config.settings.prod (no HTTPS redirect, no HSTS, cookies
without the Secure flag so the browser sends them back); static files, WhiteNoise, templates and
warm-ups are production's. BENCH_BASELINE_STORAGE=1 selects the storage main used before
fingerprinting (CompressedStaticFilesStorage), pages not compressed (no GZipMiddleware) and a rights
result simulated on every visit, for the "before" figures.
"""

import os

from config.settings.prod import *  # noqa: F403

SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "ERROR"}}
if os.environ.get("BENCH_BASELINE_STORAGE") == "1":
    STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"}}  # noqa: F405
    MIDDLEWARE = [m for m in MIDDLEWARE if m != "carteblanche.core.middleware.GZipMiddleware"]  # noqa: F405
    RIGHTS_RELOAD_REUSES_SIMULATION = False  # main before 6 Dec: each visit of the result page simulated
STATIC_ROOT = os.environ.get("BENCH_STATIC_ROOT", str(STATIC_ROOT))  # noqa: F405
