"""Settings of the benchmark's throwaway server: the test settings plus a bench-only endpoint."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-insecure-key")

from config.settings.test import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
AXES_ENABLED = False
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "ERROR"}}
# A server: the offer version check (~0.3 s at national scale) must not land on a request.
CARTEBLANCHE_OFFER_INDEX_BACKGROUND_REFRESH = True
