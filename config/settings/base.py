"""Base settings: production-safe defaults; values come from environment variables."""

from pathlib import Path

import dj_database_url

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", [])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "carteblanche.accounts.admin_site.AgentAdminConfig",  # django.contrib.admin behind our login + OTP
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "widget_tweaks",
    "dsfr",
    "ninja",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "carteblanche.core",
    "carteblanche.accounts",
    "carteblanche.territories",
    "carteblanche.directory",
    "carteblanche.mobility",
    "carteblanche.orientation",
    "carteblanche.rights",
    "carteblanche.referrals",
    "carteblanche.appointments",
    "carteblanche.mandates",
    "carteblanche.observatory",
    "carteblanche.stewardship",
    "carteblanche.desk",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "carteblanche.core.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed (a fifth of their size on a slow link), streamed ones chunk by chunk; static
    # files never reach it (WhiteNoise answers them above, precompressed). Output padded against BREACH.
    "carteblanche.core.middleware.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "carteblanche.accounts.middleware.IdleSessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    # Error pages of the public flows show the national emergency lines (orientation/emergency.py).
    "carteblanche.orientation.middleware.EmergencyLinesOnErrorsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "carteblanche" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dsfr.context_processors.site_config",
                "carteblanche.core.context_processors.main_nav",
                "carteblanche.core.context_processors.dsfr_assets",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Many readers, one writer at a time: wait instead of failing on a busy database.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "carteblanche.accounts.validators.FrenchCommonPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"

# Lockout after repeated failed logins (django-axes).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 1  # hours
# Lock the pair (username, address): a wrong guesser neither locks the agent out from elsewhere nor
# locks every agent behind a shared address. Behind proxies set CARTEBLANCHE_TRUSTED_PROXY_COUNT.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]

LANGUAGE_CODE = "fr"
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "carteblanche" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Fingerprinted names (cached for a year by WhiteNoise) and gzip/brotli copies; run collectstatic.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = Path(env_str("CARTEBLANCHE_MEDIA_ROOT", str(BASE_DIR / "var" / "media")))

DSFR_MARK_OPTIONAL_FIELDS = False
# The layout loads the project's DSFR slice (carteblanche/static/dsfr-lean/, built by
# scripts/build_dsfr_bundle.py); True loads the whole DSFR and its web fonts instead (bench_pages' baseline).
CARTEBLANCHE_DSFR_FULL_BUNDLE = env_bool("CARTEBLANCHE_DSFR_FULL_BUNDLE", False)

EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "Carte Blanche <ne-pas-repondre@carteblanche.localhost>")

# Text messages (carteblanche/core/sms.py): console by default; "carteblanche.core.sms.FileBackend"
# writes files to CARTEBLANCHE_SMS_FILE_PATH; "carteblanche.core.sms.BrevoBackend" sends through
# Brevo with CARTEBLANCHE_SMS_BREVO_API_KEY (or _FILE) and a sender of at most 11 letters or digits.
CARTEBLANCHE_SMS_BACKEND = env_str("CARTEBLANCHE_SMS_BACKEND", "carteblanche.core.sms.ConsoleBackend")
CARTEBLANCHE_SMS_FILE_PATH = env_str("CARTEBLANCHE_SMS_FILE_PATH", str(BASE_DIR / "var" / "sms"))
CARTEBLANCHE_SMS_BREVO_API_KEY = env_str("CARTEBLANCHE_SMS_BREVO_API_KEY", "")
CARTEBLANCHE_SMS_SENDER = env_str("CARTEBLANCHE_SMS_SENDER", "CarteBlanc")
# Sends of a plan (e-mail or SMS) accepted per client address and hour.
ORIENTATION_SENDS_PER_HOUR = env_int("ORIENTATION_SENDS_PER_HOUR", 10)

# A shared cache (rate limits, login lockouts) across worker processes: Redis when REDIS_URL is
# given (Django's own backend), else memory local to each process (development, one process).
REDIS_URL = env_str("REDIS_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": "carteblanche"}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# How many reverse proxies in front of the application append to X-Forwarded-For (0: none).
CARTEBLANCHE_TRUSTED_PROXY_COUNT = env_int("CARTEBLANCHE_TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "carteblanche.core.http.client_ip"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "WARNING")},
}

# The territory loaded by default and shown when none is chosen.
CARTEBLANCHE_DEFAULT_TERRITORY = env_str("CARTEBLANCHE_DEFAULT_TERRITORY", "bassin-de-vie-cahors")

# === directory settings ===
# Services a search keeps loaded per version of the offer (directory/search/cache.py); 0 turns it off.
# ~1.8 kB each as loaded instances; set it above the offer's service count to hold all of it.
CARTEBLANCHE_SEARCH_CACHE_SIZE = env_int("CARTEBLANCHE_SEARCH_CACHE_SIZE", 20_000)
# Load the offer into that cache in a background thread whenever the offer changes, in server
# processes only (config/wsgi.py marks them; management commands never prefill): the first
# searches after a start or an edit then read no service from the database.
CARTEBLANCHE_SEARCH_CACHE_PREFILL = env_bool("CARTEBLANCHE_SEARCH_CACHE_PREFILL", False)
# Web server processes (config/wsgi.py) run one search and one plan in a background thread at start
# (offer index, need matching, offer cache, mobility context, templates): the first person's search
# and plan after a restart do not pay for them. Management commands never warm up; tests turn it off.
CARTEBLANCHE_ANSWERS_WARMUP = env_bool("CARTEBLANCHE_ANSWERS_WARMUP", True)
# "Signaler une information inexacte": reports accepted per client address and hour.
DIRECTORY_CORRECTIONS_PER_HOUR = env_int("DIRECTORY_CORRECTIONS_PER_HOUR", 10)
# === end directory settings ===


# === process runtime settings (carteblanche/core/runtime.py) ===
# Move long-lived objects (OpenFisca's system, the prefilled offer cache) out of the garbage
# collector's sight: no 0.1-0.5 s full collections walking them.
CARTEBLANCHE_GC_FREEZE = env_bool("CARTEBLANCHE_GC_FREEZE", True)
# The GIL switch interval once the rights micro-batcher runs (Python's default is 5 ms; 0 keeps it).
CARTEBLANCHE_SWITCH_INTERVAL_MS = env_int("CARTEBLANCHE_SWITCH_INTERVAL_MS", 1)
# Memoised period arithmetic in openfisca-core: the same amounts for a quarter less CPU.
CARTEBLANCHE_OPENFISCA_SPEEDUPS = env_bool("CARTEBLANCHE_OPENFISCA_SPEEDUPS", True)
# With the speedups: where OpenFisca-France's parsed parameters are kept between starts (empty: off).
CARTEBLANCHE_OPENFISCA_CACHE_DIR = env_str(
    "CARTEBLANCHE_OPENFISCA_CACHE_DIR", str(BASE_DIR / "var" / "cache" / "openfisca")
)
# === end process runtime settings ===


# === orientation settings ===
# === end orientation settings ===


# === rights settings ===
# Build and warm OpenFisca-France when a web server process starts (config/wsgi.py, in a background
# thread), so the first rights result does not pay for the build. Management commands never warm up.
RIGHTS_WARMUP = env_bool("RIGHTS_WARMUP", True)
RIGHTS_BATCH_WINDOW_MS = env_int("RIGHTS_BATCH_WINDOW_MS", 30)  # a gap this long ends a batch's collection
RIGHTS_BATCH_MAX_WAIT_MS = env_int("RIGHTS_BATCH_MAX_WAIT_MS", 300)  # longest collection of one batch
RIGHTS_BATCH_MAX = env_int("RIGHTS_BATCH_MAX", 256)  # households per vectorised simulation at most
RIGHTS_TIMEOUT_S = env_int("RIGHTS_TIMEOUT_S", 60)
# A reload of the result page, answers unchanged, shows the situation's last simulation instead of
# computing it again (same inputs, month and OpenFisca-France version: the same amounts).
RIGHTS_RELOAD_REUSES_SIMULATION = env_bool("RIGHTS_RELOAD_REUSES_SIMULATION", True)
# === end rights settings ===


# === referrals settings ===
# Accompaniment: case files, consent, referrals (docs/referrals.md, docs/rgpd.md).
REFERRALS_RETENTION_DAYS = env_int("REFERRALS_RETENTION_DAYS", 730)  # closed cases anonymised after this
REFERRALS_ACK_WORKING_DAYS = env_int("REFERRALS_ACK_WORKING_DAYS", 5)  # default acknowledgement target
REFERRALS_ANSWER_WORKING_DAYS = env_int("REFERRALS_ANSWER_WORKING_DAYS", 15)  # default answer target
REFERRALS_FOLLOW_LINK_DAYS = env_int("REFERRALS_FOLLOW_LINK_DAYS", 180)  # the person's private link lifetime
REFERRALS_DOCUMENT_MAX_BYTES = env_int("REFERRALS_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024)
REFERRALS_DOCUMENT_ROOT = Path(env_str("REFERRALS_DOCUMENT_ROOT", str(MEDIA_ROOT / "private" / "referrals")))
REFERRALS_SITE_URL = env_str("REFERRALS_SITE_URL", "http://127.0.0.1:8000")  # absolute links in e-mails
REFERRALS_IDEMPOTENCY_HOURS = env_int("REFERRALS_IDEMPOTENCY_HOURS", 24)  # partner API replays kept this long
# Retention of what no case file uses (manage.py purge_expired, daily; docs/rgpd.md).
RETENTION_SITUATION_DAYS_AFTER_EXPIRY = env_int("RETENTION_SITUATION_DAYS_AFTER_EXPIRY", 0)
RETENTION_RIGHTS_SIMULATION_DAYS = env_int("RETENTION_RIGHTS_SIMULATION_DAYS", 30)
RETENTION_ORIENTATION_PLAN_DAYS = env_int("RETENTION_ORIENTATION_PLAN_DAYS", 30)
REFERRALS_PUBLIC_REQUESTS_PER_HOUR = env_int("REFERRALS_PUBLIC_REQUESTS_PER_HOUR", 5)  # online requests per IP

# Login: two-step TOTP is handled by accounts.views; OpenID Connect (ProConnect) when configured.
LOGIN_REDIRECT_URL = "/accompagnement/"
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
OIDC_RP_CLIENT_ID = env_str("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = env_str("OIDC_RP_CLIENT_SECRET", "")
OIDC_OP_DISCOVERY_URL = env_str("OIDC_OP_DISCOVERY_URL", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = env_str("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_OP_JWKS_ENDPOINT", "")
OIDC_OP_LOGOUT_ENDPOINT = env_str("OIDC_OP_LOGOUT_ENDPOINT", "")
OIDC_RP_SIGN_ALGO = env_str("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = env_str("OIDC_RP_SCOPES", "openid email given_name usual_name siret")
OIDC_CREATE_USER = env_bool("OIDC_CREATE_USER", False)  # agents are created by a manager, matched by e-mail
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10)
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:oidc_callback"
LOGIN_REDIRECT_URL_FAILURE = "/compte/connexion/?echec=oidc"
if OIDC_RP_CLIENT_ID:
    AUTHENTICATION_BACKENDS = [*AUTHENTICATION_BACKENDS, "carteblanche.accounts.oidc.AgentOIDCBackend"]
# === end referrals settings ===


# Content-Security-Policy (django-csp; Django 5.2 has none of its own): every script and style is a
# file of this site; no inline script, no eval, no framing. The one inline style sheet (the printable
# plan, also rendered by WeasyPrint) carries the response's nonce: `<style nonce="{{ request.csp_nonce }}">`.
from csp.constants import NONCE, NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Browser features: only geolocation, for this site (the orientation form's "my position" button).
PERMISSIONS_POLICY = env_str(
    "PERMISSIONS_POLICY",
    "geolocation=(self), camera=(), microphone=(), payment=(), usb=(), serial=(), bluetooth=(), "
    "magnetometer=(), gyroscope=(), accelerometer=()",
)
# Agents' sessions end after this many minutes without a request (logged out, back to the login page).
AGENT_IDLE_TIMEOUT_MINUTES = env_int("AGENT_IDLE_TIMEOUT_MINUTES", 30)
