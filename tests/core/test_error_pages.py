"""Error pages in the DSFR layout and API messages in French (issue 14, finding 13)."""

import re

import pytest
from django.test import Client, RequestFactory
from django.views.defaults import server_error

from tests.referrals.conftest import World, make_user
from tests.referrals.test_api import BASE, auth, make_token

ENGLISH = re.compile(r"Field required|should|Input |Unauthorized|Not Found|Forbidden|Cannot parse|valid ")


def _is_dsfr_page(html: str) -> bool:
    return 'lang="fr"' in html and "fr-header" in html and "fr-footer" in html


@pytest.mark.django_db
def test_404_page_is_french_in_the_layout():
    response = Client().get("/cette-page-n-existe-pas/")
    html = response.content.decode()
    assert response.status_code == 404 and _is_dsfr_page(html)
    assert "Page introuvable" in html and "Not Found" not in html


@pytest.mark.django_db
def test_403_page_is_french_in_the_layout():
    client = Client()
    client.force_login(make_user("agent"))
    response = client.get("/accompagnement/journal/")
    html = response.content.decode()
    assert response.status_code == 403 and _is_dsfr_page(html)
    assert "Accès refusé" in html and "Réservé au référent données" in html


@pytest.mark.django_db
def test_csrf_failure_page_is_french_in_the_layout():
    response = Client(enforce_csrf_checks=True).post("/compte/connexion/", {"username": "a", "password": "b"})
    html = response.content.decode()
    assert response.status_code == 403 and _is_dsfr_page(html)
    assert "Le formulaire a expiré" in html and "CSRF verification failed" not in html


@pytest.mark.django_db
def test_500_page_is_french_in_the_layout():
    response = server_error(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == 500 and _is_dsfr_page(html)
    assert "Le service rencontre un problème" in html


@pytest.fixture
def world(db):
    return World()


def test_api_validation_and_http_errors_are_in_french(world):
    client, key = Client(), make_token(world.fs)
    bad = {
        "person": {"first_name": "", "last_name": "x" * 101, "birth_date": "31/12/1950"},
        "to_structure_id": "abc",
        "need_label": "retraite",
        "consent": {"scope": ["tout"], "purpose": "p", "method": "oral", "given_at": "hier"},
    }
    response = client.post(f"{BASE}/orientations", bad, content_type="application/json", **auth(key))
    body = response.json()
    assert response.status_code == 422
    fields = {error["field"]: error["message"] for error in body["errors"]}
    assert fields["person.first_name"] == "au moins 1 caractère(s)"
    assert fields["person.last_name"] == "au plus 100 caractères"
    assert fields["person.birth_date"] == "date invalide (format AAAA-MM-JJ)"
    assert fields["to_structure_id"] == "nombre entier attendu"
    assert fields["consent.given_at"].startswith("date et heure invalides")
    assert fields["consent.method"].startswith("valeur non prévue : choisissez parmi 'signed_paper' ou 'online'")
    assert not ENGLISH.search(body["message"]), body["message"]
    # A project validator's own French message is kept as written.
    nul = client.post(
        f"{BASE}/orientations/00000000-0000-0000-0000-000000000000/messages",
        {"body": "a\x00b"},
        content_type="application/json",
        **auth(key),
    )
    assert nul.status_code == 422 and "caractère NUL interdit" in nul.json()["message"], nul.content
    unreadable = client.post(f"{BASE}/orientations", "{pas du json", content_type="application/json", **auth(key))
    assert unreadable.status_code == 400 and "JSON valide" in unreadable.json()["message"]
    anonymous = client.get(f"{BASE}/orientations")
    assert anonymous.status_code == 401 and "Authorization" in anonymous.json()["message"]
