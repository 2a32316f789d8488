"""Headers and sessions (issue 14, finding 12): CSP without inline exceptions, Permissions-Policy,
idle timeout for agents, API keys never logged."""

import logging
import re
import time
from pathlib import Path

import pytest
from django.test import Client

from tests.referrals.conftest import make_user

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/demarches/", "/orientation/", "/compte/connexion/", "/api/docs"])
def test_pages_send_a_strict_csp_and_a_permissions_policy(url):
    response = Client().get(url)
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"].split(" ")[0] == "'self'"
    assert all(source == "'self'" or source.startswith("'nonce-") for source in directives["style-src"].split(" "))
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=(self)" in response["Permissions-Policy"]


def _templates():
    for folder in [ROOT / "carteblanche" / "templates", *ROOT.glob("carteblanche/*/templates")]:
        yield from folder.rglob("*.html")


def test_templates_have_no_inline_script_handler_or_style():
    """What the CSP refuses must not be in the pages: inline <script>, on…= handlers, style=, <style>."""
    offending = []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<script\b[^>]*>", text):
            if "src=" not in match.group(0) and 'type="application/json"' not in match.group(0):
                offending.append(f"{path.name}: inline script")
        if re.search(r"\son[a-z]+\s*=", text):
            offending.append(f"{path.name}: event handler attribute")
        if re.search(r"\sstyle\s*=", text):
            offending.append(f"{path.name}: style attribute")
        for match in re.finditer(r"<style\b[^>]*>", text):
            if "csp_nonce" not in match.group(0):
                offending.append(f"{path.name}: <style> without the response's nonce")
    assert not offending, offending


@pytest.mark.django_db
def test_idle_agent_session_ends(settings):
    settings.AGENT_IDLE_TIMEOUT_MINUTES = 30
    user = make_user("agent")
    client = Client()
    client.force_login(user)
    assert client.get("/compte/").status_code == 200
    session = client.session
    session["last_seen"] = time.time() - 29 * 60
    session.save()
    assert client.get("/compte/").status_code == 200  # still active: the clock starts again
    session = client.session
    session["last_seen"] = time.time() - 31 * 60
    session.save()
    response = client.get("/compte/")
    assert response.status_code == 302 and response.url.startswith("/compte/connexion/")
    assert "_auth_user_id" not in client.session
    assert client.get("/compte/").status_code == 302


@pytest.mark.django_db
def test_api_key_sent_with_another_scheme_is_never_logged(settings, caplog):
    settings.DEBUG = True  # ninja's own bearer logs the whole header in DEBUG
    caplog.set_level(logging.DEBUG)
    client = Client()
    for header in ("Token cb_SECRET-KEY-123456", "cb_SECRET-KEY-123456", "Basic Y2JfU0VDUkVULUtFWQ=="):
        response = client.get("/api/accompagnement/orientations", HTTP_AUTHORIZATION=header)
        assert response.status_code == 401
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "SECRET-KEY" not in logged and "Y2JfU0VDUkVULUtFWQ" not in logged
