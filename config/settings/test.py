"""Test settings: fast hashing, in-memory mail, no lockout noise between tests."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-insecure-key")

from .base import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CARTEBLANCHE_SMS_BACKEND = "carteblanche.core.sms.LocmemBackend"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
AXES_ENABLED = True
RIGHTS_WARMUP = False  # a test that loads config.wsgi must not build OpenFisca in the background
CARTEBLANCHE_ANSWERS_WARMUP = False  # nor search and plan in a thread that outlives the test

# Static files are served by nobody in tests; whitenoise would warn that STATIC_ROOT is missing.
MIDDLEWARE = [m for m in MIDDLEWARE if m != "whitenoise.middleware.WhiteNoiseMiddleware"]  # noqa: F405
