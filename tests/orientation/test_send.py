"""Sending the plan and its private link by e-mail or SMS: consent first, specific errors, journaled."""

import html

import pytest
from django.core import mail
from django.core.cache import cache

from carteblanche.core import sms
from carteblanche.core.models import AuditEntry
from carteblanche.orientation.links import plan_from_token, plan_token
from carteblanche.orientation.models import SavedPlan
from tests.orientation.test_pages import MARTINE
from tests.readability import KANDEL_MOLES_MIN, kandel_moles


@pytest.fixture
def plan(client, shipped_data):
    cache.clear()  # the hourly send limit
    sms.outbox.clear()
    response = client.post("/orientation/", MARTINE)
    assert response.status_code == 302
    return SavedPlan.objects.get(pk=response["Location"].rstrip("/").split("/")[-1])


def _send(client, plan, channel, address, consent=True):
    field = "courriel-email" if channel == "email" else "sms-telephone"
    data = {"canal": channel, field: address}
    if consent:
        data[f"{'courriel' if channel == 'email' else 'sms'}-accord"] = "on"
    return client.post(f"/orientation/plan/{plan.pk}/envoyer/", data)


def _shares(plan):
    return AuditEntry.objects.filter(object_id=str(plan.pk), action="share")


@pytest.mark.django_db
def test_the_plan_page_offers_both_sends_without_javascript(client, plan):
    page = client.get(f"/orientation/plan/{plan.pk}/").content.decode()
    assert 'action="/orientation/plan/' in page and 'name="canal" value="email"' in page
    assert 'name="canal" value="sms"' in page and "Rien n'est envoyé sans votre accord" in page


@pytest.mark.django_db
@pytest.mark.parametrize("channel", ["email", "sms"])
def test_nothing_is_sent_without_consent(client, plan, channel):
    response = _send(client, plan, channel, "marie@example.fr" if channel == "email" else "06 12 34 56 78", False)
    assert response.status_code == 400
    assert "sans votre accord, rien n'est envoyé" in html.unescape(response.content.decode())
    assert not mail.outbox and not sms.outbox and not _shares(plan).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("channel", "address", "says"),
    [
        ("email", "marie.example.fr", "n'est pas une adresse e-mail"),
        ("sms", "05 65 36 06 06", "n'est pas un portable"),
        ("sms", "06 12 34", "a 6 chiffres"),
    ],
)
def test_a_bad_address_or_number_gets_a_specific_error(client, plan, channel, address, says):
    response = _send(client, plan, channel, address)
    assert response.status_code == 400 and says in html.unescape(response.content.decode())
    assert not mail.outbox and not sms.outbox and not _shares(plan).exists()


@pytest.mark.django_db
def test_by_email_the_plan_and_its_link_leave_and_the_send_is_journaled(client, plan):
    response = _send(client, plan, "email", "marie@example.fr")
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == ["marie@example.fr"] and "Votre plan Carte Blanche" in message.subject
    assert "/orientation/lien/" in message.body and "Points" not in message.body
    assert kandel_moles(message.body) >= KANDEL_MOLES_MIN
    (entry,) = _shares(plan)
    assert entry.details == {"channel": "email", "consent": "accord-envoi-plan-v1", "messages": 1, "link": True}
    assert "marie" not in str(entry.details) + entry.reason  # the address is not kept
    page = client.get(response["Location"]).content.decode()
    assert "Votre plan est parti par e-mail." in page


@pytest.mark.django_db
def test_by_sms_at_most_three_messages_with_the_whole_link(client, plan):
    assert _send(client, plan, "sms", "06 12 34 56 78").status_code == 302
    assert 1 <= len(sms.outbox) <= 3 and all(sent.to == "+33612345678" for sent in sms.outbox)
    link = next(word for sent in sms.outbox for word in sent.body.split() if "/orientation/lien/" in word)
    (entry,) = _shares(plan)
    assert entry.details["channel"] == "sms" and entry.details["messages"] == len(sms.outbox)
    assert "0612" not in str(entry.details).replace(" ", "")
    # The link opens the plan in another browser (no session), read-only, and the read is journaled.
    client.cookies.clear()
    response = client.get(link.replace("http://testserver", ""))
    assert response.status_code == 200 and "Mon plan" in html.unescape(response.content.decode())
    assert "Recevoir mon plan" not in html.unescape(response.content.decode())
    assert AuditEntry.objects.filter(object_id=str(plan.pk), action="read", actor_label="lien privé du plan").exists()
    printed = client.get(link.replace("http://testserver", "") + "?imprimer")
    assert printed.status_code == 200 and "size: A4" in printed.content.decode()
    pdf = client.get(link.replace("http://testserver", "") + "?pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


@pytest.mark.django_db
def test_an_altered_or_old_link_opens_nothing(client, plan):
    from datetime import timedelta

    from django.utils import timezone

    token = plan_token(plan)
    assert len(token) <= 50 and plan_from_token(token) == plan
    assert plan_from_token(token, now=timezone.now() + timedelta(days=29)) == plan
    assert plan_from_token(token, now=timezone.now() + timedelta(days=32)) is None
    assert plan_from_token(plan_token(plan, now=timezone.now() + timedelta(days=3))) is None  # from the future
    assert plan_from_token("a.b") is None and plan_from_token("x" * 300) is None
    altered = token[:-1] + ("A" if token[-1] != "A" else "B")
    response = client.get(f"/orientation/lien/{altered}/")
    assert response.status_code == 404 and "Ce lien ne marche plus" in html.unescape(response.content.decode())


@pytest.mark.django_db
def test_a_provider_failure_is_said_in_french_and_not_journaled(client, plan, settings):
    settings.CARTEBLANCHE_SMS_BACKEND = "carteblanche.core.sms.BrevoBackend"
    settings.CARTEBLANCHE_SMS_BREVO_API_KEY = ""  # misconfigured: refused before any network use
    response = _send(client, plan, "sms", "06 12 34 56 78")
    assert response.status_code == 400 and "ne marche pas pour le moment" in html.unescape(response.content.decode())
    assert not _shares(plan).exists()


@pytest.mark.django_db
def test_sends_are_limited_per_hour(client, plan, settings):
    settings.ORIENTATION_SENDS_PER_HOUR = 2
    assert _send(client, plan, "email", "marie@example.fr").status_code == 302
    assert _send(client, plan, "email", "marie@example.fr").status_code == 302
    response = _send(client, plan, "email", "marie@example.fr")
    assert response.status_code == 400 and "Trop d'envois" in html.unescape(response.content.decode())
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_another_browser_cannot_send_the_plan(client, plan):
    client.cookies.clear()
    assert _send(client, plan, "email", "marie@example.fr").status_code == 404
    assert not mail.outbox


@pytest.mark.django_db
def test_a_plan_about_violence_warns_before_sending(client, shipped_data):
    response = client.post("/orientation/", {**MARTINE, "besoin": "violences-conjugales", "besoin_2": ""})
    page = client.get(response["Location"]).content.decode()
    assert "peut être lu par une autre personne" in html.unescape(page)
    assert (
        kandel_moles(
            "Un SMS ou un e-mail peut être lu par une autre personne. Si c'est un risque pour vous, "
            "notez plutôt les numéros. Le 3919 est gratuit, jour et nuit."
        )
        >= KANDEL_MOLES_MIN
    )


@pytest.mark.django_db
def test_the_send_texts_and_errors_are_easy_to_read(client, plan):
    import re

    from carteblanche.orientation.actions import SendError, send_plan

    texts = []
    page = html.unescape(client.get(f"/orientation/plan/{plan.pk}/").content.decode())
    start = page.index('id="envoyer">') + len('id="envoyer">')
    section = page[start : page.index("</form>", page.rindex('value="sms"'))]
    texts += [t.strip() for t in re.sub(r"<[^>]+>", "\n", section).split("\n") if len(t.strip()) > 20]
    for channel, address, consent in [
        ("email", "", True),
        ("email", "marie.example.fr", True),
        ("sms", "", True),
        ("sms", "05 65 36 06 06", True),
        ("sms", "06 12 34", True),
        ("sms", "06 12 34 56 7a", True),
        ("sms", "+44 7700 900123", True),
        ("sms", "06 12 34 56 78", False),
    ]:
        with pytest.raises(SendError) as error:
            send_plan(saved=plan, channel=channel, address=address, consent=consent)
        texts.append(error.value.message)
    texts.append(
        html.unescape(client.get("/orientation/lien/abc/").content.decode()).split("<h1>")[1].split("</div>")[0]
    )
    assert len(texts) >= 12
    for text in texts:
        assert kandel_moles(re.sub(r"<[^>]+>", " ", text)) >= KANDEL_MOLES_MIN, text
