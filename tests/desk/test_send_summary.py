"""Sending the desk summary by SMS or e-mail: only with the person's consent, journaled without the
address, the same content as the printed summary (who handles the need, rights, how to claim)."""

import re

import pytest
from django.core import mail
from django.test import Client

from carteblanche.core import sms
from carteblanche.core.models import AuditEntry
from tests.desk.test_visitor import KEVIN, MARTINE, _receive


@pytest.fixture(autouse=True)
def empty_outboxes():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def _send_url(location: str) -> str:
    plan_id = re.search(r"/guichet/visite/([0-9a-f-]+)/", location).group(1)
    return f"/guichet/visite/{plan_id}/envoyer/"


def _shares():
    return AuditEntry.objects.filter(action="share", reason__startswith="synthèse du guichet")


def test_without_consent_nothing_is_sent(world, agent_client, shipped_data, tax_benefit_system):
    location = _receive(agent_client, MARTINE)
    query = location.split("?", 1)[1]
    response = agent_client.post(
        f"{_send_url(location)}?{query}", {"envoi-canal": "sms", "envoi-adresse": "06 12 34 56 78"}
    )
    assert response.status_code == 400 and "sans votre accord, rien n" in response.content.decode()
    assert not sms.outbox and not mail.outbox and not _shares().exists()


def test_martine_gets_her_summary_by_sms_and_the_send_is_journaled(
    world, agent_client, shipped_data, tax_benefit_system
):
    location = _receive(agent_client, MARTINE)
    simulation = location.split("simulation=")[1]
    response = agent_client.post(
        _send_url(location),
        {"simulation": simulation, "envoi-canal": "sms", "envoi-adresse": "06 12 34 56 78", "envoi-accord": "on"},
    )
    assert response.status_code == 302
    assert 1 <= len(sms.outbox) <= 4 and all(s.to == "+33612345678" for s in sms.outbox)
    text = " ".join(s.body for s in sms.outbox)
    assert "MSA" in text and "Pension de réversion : https://www.info-retraite.fr" in text
    share = _shares().get()
    assert share.actor == world.agent_fs and share.details["channel"] == "sms" and share.details["messages"] >= 1
    assert "0612345678" not in str(share.details) and "06 12 34 56 78" not in str(share.details)


def test_kevin_gets_the_whole_summary_by_email(world, agent_client, shipped_data, tax_benefit_system):
    location = _receive(agent_client, KEVIN)
    simulation = location.split("simulation=")[1]
    response = agent_client.post(
        _send_url(location),
        {"simulation": simulation, "envoi-canal": "email", "envoi-adresse": "kevin@exemple.fr", "envoi-accord": "on"},
    )
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == ["kevin@exemple.fr"] and message.subject == "Votre synthèse Carte Blanche"
    assert "Vos droits probables" in message.body and "Ce que vous pouvez faire" in message.body
    assert "Allocation du contrat d'engagement jeune" in message.body


def test_a_bad_address_is_refused_in_french_and_nothing_is_sent(world, agent_client, shipped_data, tax_benefit_system):
    location = _receive(agent_client, KEVIN)
    response = agent_client.post(
        _send_url(location), {"envoi-canal": "email", "envoi-adresse": "kevin-at-exemple", "envoi-accord": "on"}
    )
    assert response.status_code == 400 and "n&#x27;est pas une adresse e-mail" in response.content.decode()
    assert not mail.outbox and not _shares().exists()


def test_another_agent_cannot_send_someone_elses_summary(world, agent_client, shipped_data, tax_benefit_system):
    location = _receive(agent_client, KEVIN)
    other = Client()
    other.force_login(world.agent_dept)
    response = other.post(
        _send_url(location), {"envoi-canal": "sms", "envoi-adresse": "06 12 34 56 78", "envoi-accord": "on"}
    )
    assert response.status_code == 404 and not sms.outbox
