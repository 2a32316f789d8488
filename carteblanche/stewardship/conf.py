"""Settings of the freshness campaigns, each overridable in Django settings (STEWARDSHIP_…)."""

from django.conf import settings


def link_days() -> int:
    """How long a structure's private link works."""
    return int(getattr(settings, "STEWARDSHIP_LINK_DAYS", 30))


def remind_days_before() -> int:
    """Reminders start this many days before a record becomes stale (core.freshness)."""
    return int(getattr(settings, "STEWARDSHIP_REMIND_DAYS_BEFORE", 30))


def reminder_interval_days() -> int:
    """At most one reminder per structure in this many days."""
    return int(getattr(settings, "STEWARDSHIP_REMINDER_INTERVAL_DAYS", 30))


def link_requests_per_hour() -> int:
    """Requests to private-link pages per client and hour (pages and forms)."""
    return int(getattr(settings, "STEWARDSHIP_LINK_REQUESTS_PER_HOUR", 120))


def bad_links_per_hour() -> int:
    """Unknown, expired or replaced links per client and hour before further tries are refused."""
    return int(getattr(settings, "STEWARDSHIP_BAD_LINKS_PER_HOUR", 20))


def shown_flush_seconds() -> float:
    """How long a process keeps its counts of records shown before writing them."""
    return float(getattr(settings, "STEWARDSHIP_SHOWN_FLUSH_SECONDS", 60))


def site_url() -> str:
    """Absolute links in e-mails (the same setting as the referrals' e-mails)."""
    return str(getattr(settings, "REFERRALS_SITE_URL", "http://127.0.0.1:8000")).rstrip("/")
