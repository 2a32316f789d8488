"""'Signaler une information inexacte': readers' reports reach the data stewards, bad input changes nothing."""

import html as html_lib

import pytest
from django.urls import reverse

from carteblanche.directory.actions import handle_correction, report_correction
from carteblanche.directory.models import Correction

pytestmark = pytest.mark.django_db

VALID = {"topic": "horaires", "message": "Fermé le mercredi depuis septembre.", "reporter": "habitant", "contact": ""}


def text(response) -> str:
    return html_lib.unescape(response.content.decode())


@pytest.mark.parametrize(
    ("page", "subject", "record"),
    [("directory:service", "service", "service"), ("directory:place", "lieu", "place")],
)
def test_detail_pages_link_to_the_report_form(client, offer, page, subject, record):
    pk = offer[record].pk
    html = text(client.get(reverse(page, args=[pk])))
    assert f'href="/signaler/{subject}/{pk}/"' in html and "Signaler une information inexacte" in html


def test_structure_page_links_to_the_report_form(client, offer):
    pk = offer["service"].structure_id
    assert f'href="/signaler/structure/{pk}/"' in text(client.get(reverse("directory:structure", args=[pk])))


def test_a_report_is_recorded_for_the_record_and_thanked(client, offer):
    url = reverse("directory:correction", args=["lieu", offer["place"].pk])
    form = client.get(url)
    assert form.status_code == 200 and "Agence de test Cahors" in text(form)
    response = client.post(url, {**VALID, "contact": " 06 00 00 00 00 "})
    assert response.status_code == 200
    assert "Merci, votre signalement est transmis" in text(response)
    correction = Correction.objects.get()
    assert correction.record == offer["place"] and correction.place_id == offer["place"].pk
    assert (correction.topic, correction.status, correction.contact) == ("horaires", "nouveau", "06 00 00 00 00")


@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        ({"message": ""}, "message", "Ce champ est obligatoire"),
        ({"topic": "tout"}, "topic", "Sélectionnez un choix valide"),
        ({"message": "x" * 2001}, "message", "2000 caractères"),
        ({"contact": "x" * 201}, "contact", "200 caractères"),
    ],
)
def test_bad_input_names_the_field_and_records_nothing(client, offer, changes, field, says):
    response = client.post(reverse("directory:correction", args=["service", offer["service"].pk]), VALID | changes)
    assert response.status_code == 400
    html = text(response)
    assert f'id="id_{field}' in html and says in html
    assert not Correction.objects.exists()


def test_unknown_record_or_subject_is_a_404(client, offer):
    assert client.get(reverse("directory:correction", args=["service", 999_999])).status_code == 404
    assert client.get(reverse("directory:correction", args=["besoin", offer["service"].pk])).status_code == 404
    assert client.post(reverse("directory:correction", args=["lieu", 999_999]), VALID).status_code == 404
    assert not Correction.objects.exists()


def test_reports_are_limited_per_connection(client, offer, settings):
    from django.core.cache import cache

    cache.clear()
    settings.DIRECTORY_CORRECTIONS_PER_HOUR = 2
    url = reverse("directory:correction", args=["service", offer["service"].pk])
    assert [client.post(url, VALID).status_code for _ in range(3)] == [200, 200, 429]
    assert Correction.objects.count() == 2
    cache.clear()


def test_handling_a_report_erases_the_contact(offer, django_user_model):
    steward = django_user_model.objects.create_user("steward")
    correction = report_correction(offer["service"], topic="contact", message="Nouveau numéro", contact="a@b.fr")
    with pytest.raises(ValueError):
        handle_correction(correction, status=Correction.Status.NEW, by=steward)
    handle_correction(correction, status=Correction.Status.FIXED, by=steward, resolution="Numéro mis à jour")
    correction.refresh_from_db()
    assert (correction.status, correction.contact, correction.handled_by) == ("corrige", "", steward)
    assert correction.handled_at is not None and correction.resolution == "Numéro mis à jour"


def test_a_report_is_about_exactly_one_record(offer):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Correction.objects.create(service=offer["service"], place=offer["place"], topic="autre", message="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        Correction.objects.create(topic="autre", message="x")


def test_stewards_see_reports_and_mark_them_handled_in_the_admin(admin_client, offer):
    correction = report_correction(offer["place"], topic="ferme", message="Fermé définitivement", contact="a@b.fr")
    listing = text(admin_client.get(reverse("admin:directory_correction_changelist")))
    assert "Agence de test Cahors" in listing and "À traiter" in listing
    change = text(admin_client.get(reverse("admin:directory_correction_change", args=[correction.pk])))
    assert reverse("admin:directory_place_change", args=[offer["place"].pk]) in change
    response = admin_client.post(
        reverse("admin:directory_correction_changelist"),
        {"action": "mark_dismissed", "_selected_action": [correction.pk]},
        follow=True,
    )
    assert response.status_code == 200
    correction.refresh_from_db()
    assert (correction.status, correction.contact) == ("non-retenu", "")
    assert admin_client.get(reverse("admin:directory_correction_add")).status_code == 403
