"""The structure's private page and the stewards' pages: French, no 500, nothing changed on bad input."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from carteblanche.core.models import AuditEntry
from carteblanche.directory.models import Structure
from carteblanche.stewardship import actions
from carteblanche.stewardship.models import CampaignLink, Proposal

pytestmark = pytest.mark.django_db


def path(issued) -> str:
    token = issued.url.rstrip("/").rsplit("/", 1)[1]
    return reverse("stewardship:link", args=[token])


def test_the_page_shows_every_record_and_is_journaled(client, issued, records):
    response = client.get(path(issued))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Mairie d&#x27;Essai-sur-Lot" in html and "05 65 00 00 01" in html
    assert f'id="place-{records["place"].pk}"' in html and f'id="service-{records["service"].pk}"' in html
    assert f'id="channel-{records["phone"].pk}"' in html  # the phone line, editable
    assert f'id="channel-{records["counter"].pk}"' not in html  # a counter's hours are its place's
    assert response["Cache-Control"] == "private, no-store" and response["X-Robots-Tag"] == "noindex"
    assert "Horaires affichés pour les 7 prochains jours" in html and "9 h – 12 h" in html  # the rule, read
    assert AuditEntry.objects.filter(reason="page de mise à jour de la structure").count() == 1
    assert CampaignLink.objects.get().first_opened_at is not None


@pytest.mark.parametrize(
    ("change", "status", "heading"),
    [
        ("tampered", 404, "Ce lien n&#x27;est pas valide"),
        ("expired", 410, "Ce lien a expiré"),
        ("replaced", 410, "Ce lien ne fonctionne plus"),
        ("closed", 410, "Ce lien ne fonctionne plus"),
    ],
)
def test_bad_links_get_a_clear_french_page(client, issued, records, steward, change, status, heading):
    url = path(issued)
    if change == "tampered":
        url = url[:-3] + ("x/" if url[-2] != "x" else "y/")
    elif change == "expired":
        CampaignLink.objects.update(expires_at=timezone.now() - timedelta(hours=1))
    elif change == "replaced":
        actions.start_campaign(actor=steward, label="Autre", structure_ids=[records["structure"].pk])
    else:
        actions.close_campaign(actor=steward, campaign=issued.link.campaign)
    for method in (client.get, client.post):
        response = method(url, {"action": "confirm-all"}) if method == client.post else method(url)
        assert response.status_code == status
        assert heading in response.content.decode()
    records["structure"].refresh_from_db()
    assert records["structure"].verified_on.year == 2025  # nothing confirmed through a dead link


def test_too_many_tries_are_refused(client, issued, settings):
    settings.STEWARDSHIP_BAD_LINKS_PER_HOUR = 3
    bad = reverse("stewardship:link", args=["nimporte-quoi"])
    assert [client.get(bad).status_code for _ in range(4)] == [404, 404, 404, 429]
    response = client.get(path(issued))  # even the right link, from that connection, for an hour
    assert response.status_code == 429 and "Trop de tentatives" in response.content.decode()


def test_pages_per_hour_are_limited(client, issued, settings):
    settings.STEWARDSHIP_LINK_REQUESTS_PER_HOUR = 2
    assert [client.get(path(issued)).status_code for _ in range(3)] == [200, 200, 429]


def test_confirm_one_record(client, issued, records):
    response = client.post(
        path(issued), {"action": "confirm", "record_type": "place", "record_id": records["place"].pk}, follow=True
    )
    assert "Cette fiche est confirmée" in response.content.decode()
    records["place"].refresh_from_db()
    assert records["place"].verified_on == timezone.localdate()


def test_confirm_all(client, issued, records):
    client.post(path(issued), {"action": "confirm-all"})
    for key in ("structure", "place", "service"):
        records[key].refresh_from_db()
        assert records[key].verified_on == timezone.localdate()


def test_proposal_with_bad_input_shows_french_errors_and_keeps_what_was_typed(client, issued, records):
    key = f"structure-{records['structure'].pk}"
    response = client.post(
        path(issued),
        {
            "action": "propose",
            "record_type": "structure",
            "record_id": records["structure"].pk,
            f"{key}-phone": "05 65 1",
            f"{key}-email": "pas-un-courriel",
            f"{key}-name": "Mairie d'Essai-sur-Lot",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Rien n'a été enregistré" in html
    assert "Téléphone : numéro non reconnu" in html and "Courriel : adresse de courriel non valide" in html
    assert 'value="05 65 1"' in html  # what was typed is shown again
    assert not Proposal.objects.exists()
    assert Structure.objects.get(pk=records["structure"].pk).phone == "05 65 00 00 01"


@pytest.mark.parametrize(
    "post",
    [
        {"action": "propose", "record_type": "structure", "record_id": "abc"},
        {"action": "propose", "record_type": "inconnu", "record_id": "1"},
        {"action": "confirm", "record_type": "structure", "record_id": "999999999"},
        {"action": "confirm", "record_type": "place", "record_id": "9" * 30},
        {"action": "propose", "record_type": "service", "record_id": "-1", "service--1-name": "x"},
        {"action": "effacer-tout"},
        {},
    ],
)
def test_forged_posts_are_refused_without_error_500(client, issued, post):
    response = client.post(path(issued), post)
    assert response.status_code == 400
    assert (
        "Rien n'a été enregistré" in response.content.decode() or "n&#x27;appartient pas" in response.content.decode()
    )
    assert not Proposal.objects.exists()


def test_a_valid_proposal_is_stored_for_review(client, issued, records):
    key = f"channel-{records['phone'].pk}"
    response = client.post(
        path(issued),
        {
            "action": "propose",
            "record_type": "channel",
            "record_id": records["phone"].pk,
            f"{key}-phone": "05 65 44 44 44",
        },
        follow=True,
    )
    assert "1 modification(s) transmise(s)" in response.content.decode()
    proposal = Proposal.objects.get()
    assert (proposal.field, proposal.old_value, proposal.new_value) == ("phone", "05 65 00 00 02", "05 65 44 44 44")


# --- stewards ---


STEWARD_PAGES = ["dashboard", "campaign_new", "proposals", "priorities"]


@pytest.mark.parametrize("name", STEWARD_PAGES)
def test_steward_pages_need_login_and_the_permission(client, agent, steward, records, name):
    url = reverse(f"stewardship:{name}")
    assert client.get(url).status_code == 302
    client.force_login(agent)
    assert client.get(url).status_code == 403
    client.force_login(steward)
    assert client.get(url).status_code == 200


def test_starting_a_campaign_shows_links_for_structures_without_email(client, steward, records):
    silent = Structure.objects.create(source="test-stewards", source_id="s2", name="Association sans courriel")
    client.force_login(steward)
    response = client.post(
        reverse("stewardship:campaign_new"),
        {"label": "Printemps", "scope": "some", "structures": [records["structure"].pk, silent.pk], "days": 20},
    )
    html = response.content.decode()
    assert response.status_code == 200 and "Campagne lancée" in html
    assert "Association sans courriel" in html and "/mise-a-jour/" in html
    assert html.count('class="cb-campaign-link"') == 1  # the other structure got its link by e-mail


def test_campaign_form_errors_are_specific(client, steward, records):
    client.force_login(steward)
    response = client.post(reverse("stewardship:campaign_new"), {"label": "", "scope": "some", "days": 200})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Cochez au moins une structure" in html
    assert not CampaignLink.objects.exists()


def test_steward_applies_a_proposal_from_the_page(client, steward, issued, records):
    (proposal,) = actions.propose_changes(
        link=issued.link, record_type="structure", record_id=records["structure"].pk, values={"phone": "05 65 30 30 30"}
    )
    client.force_login(steward)
    page = client.get(reverse("stewardship:proposals")).content.decode()
    assert "05 65 00 00 01" in page and "05 65 30 30 30" in page
    response = client.post(reverse("stewardship:proposal_review", args=[proposal.pk]), {"action": "apply"}, follow=True)
    assert "Modification appliquée" in response.content.decode()
    assert Structure.objects.get(pk=records["structure"].pk).phone == "05 65 30 30 30"
    again = client.post(reverse("stewardship:proposal_review", args=[proposal.pk]), {"action": "apply"}, follow=True)
    assert "déjà été examinée" in again.content.decode()


def test_reject_without_reason_is_refused(client, steward, issued, records):
    (proposal,) = actions.propose_changes(
        link=issued.link, record_type="place", record_id=records["place"].pk, values={"address": "2 rue Neuve"}
    )
    client.force_login(steward)
    response = client.post(
        reverse("stewardship:proposal_review", args=[proposal.pk]), {"action": "reject"}, follow=True
    )
    assert "Dites pourquoi" in response.content.decode()
    assert Proposal.objects.get().status == "pending"


def test_reminders_command_lists_structures_without_email(records, capsys):
    from django.core.management import call_command

    Structure.objects.filter(pk=records["structure"].pk).update(email="")
    call_command("stewardship_reminders", "--dry-run")
    out = capsys.readouterr().out
    assert "Mairie d'Essai-sur-Lot, tél. 05 65 00 00 01" in out and "sans courriel" in out
    assert not CampaignLink.objects.exists()


@pytest.mark.parametrize("model", ["campaign", "campaignlink", "proposal", "recordchange", "showncount"])
def test_admin_lists_open(client, admin_user, issued, model):
    client.force_login(admin_user)
    response = client.get(reverse(f"admin:stewardship_{model}_changelist"))
    assert response.status_code == 200
    assert issued.link.token_hash not in response.content.decode()


def test_ended_services_are_listed_apart_not_as_forms(client, issued, records):
    from datetime import date

    from carteblanche.directory.models import Service

    Service.objects.filter(pk=records["service"].pk).update(
        status=Service.Status.ENDED, ended_on=date(2020, 12, 31), status_source_url="https://example.org/fin"
    )
    html = client.get(path(issued)).content.decode()
    assert "Services indiqués comme arrêtés" in html and "arrêté le 31 décembre 2020" in html
    assert f'id="service-{records["service"].pk}"' not in html
