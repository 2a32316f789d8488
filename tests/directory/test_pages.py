import html as html_lib

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.directory.factories import next_saturday

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html_lib.unescape(response.content.decode())


def test_home_shows_the_search_form_with_the_catalogue(client, offer):
    response = client.get("/")
    assert response.status_code == 200
    html = text(response)
    assert "Trouver un service public près de chez vous" in html
    assert 'name="commune"' in html
    assert f'value="{offer["need"].slug}"' in html
    assert "<label" in html and 'for="id_commune"' in html


def test_home_preselects_a_need_from_the_catalogue_page(client, offer):
    response = client.get("/", {"besoin": offer["need"].slug})
    assert f'value="{offer["need"].slug}" selected' in text(response)


def test_results_show_distance_next_opening_channels_and_honest_unknowns(client, offer):
    response = client.get(reverse("directory:results"), {"commune": "Pradines", "besoin": offer["need"].slug})
    assert response.status_code == 200
    html = text(response)
    assert "Demander une pension de test près de Pradines" in html
    assert "Agence de test Cahors" in html
    assert " km</strong> de Pradines" in html
    assert "Prochaine ouverture" in html
    assert "Ligne retraite de test" in html and 'href="tel:3960"' in html
    assert "Horaires non communiqués" in html
    assert "Position approximative" in html
    assert "adresse non communiquée" in html
    assert "Source : tests, vérifié le 1 octobre 2026" in html
    assert "Imprimer" in html


def test_results_from_a_postcode_and_the_autocomplete_label(client, offer):
    for typed in ("46000", "Cahors (46000)", "cahors", "46042"):
        response = client.get(reverse("directory:results"), {"commune": typed, "besoin": offer["need"].slug})
        assert response.status_code == 200, typed
        assert "près de Cahors" in text(response), typed


def test_itinerant_stop_in_the_persons_commune(client, offer):
    response = client.get(reverse("directory:results"), {"commune": "Cieurac", "besoin": offer["need"].slug})
    html = text(response)
    assert "Bus de test" in html
    assert "Dans votre commune, Cieurac, place de la mairie" in html
    assert "Prochain passage" in html


def test_free_text_is_matched_and_said(client, offer):
    response = client.get(reverse("directory:results"), {"commune": "Cahors", "texte": "zorglub pension"})
    html = text(response)
    assert response.status_code == 200
    assert "nous cherchons pour « Demander une pension de test »" in html
    assert "Agence de test Cahors" in html


def test_free_text_matching_nothing_says_so(client, offer):
    response = client.get(reverse("directory:results"), {"commune": "Cahors", "texte": "qwxzv"})
    assert response.status_code == 200
    assert "Nous n'avons pas reconnu ce besoin" in text(response)


def test_unknown_commune_reshows_the_form_with_suggestions(client, offer):
    response = client.get(reverse("directory:results"), {"commune": "Cahorss", "besoin": offer["need"].slug})
    assert response.status_code == 404
    html = text(response)
    assert "Nous ne trouvons pas de commune « Cahorss »" in html
    assert "Vouliez-vous dire" in html
    assert "Cahors (Lot, 46000)" in html
    assert 'name="commune"' in html


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"commune": ""}, "Votre commune", "Indiquez votre commune"),
        ({"commune": "Cahors", "besoin": "n-existe-pas"}, "Votre besoin", "pas dans la liste"),
        ({"commune": "Cahors", "canal": "pigeon"}, "Comment voulez-vous", "pigeon"),
        ({"commune": "Cahors", "ouvert_le": "31/02/2026"}, "Ouvert le", "Date non reconnue"),
        ({"commune": "Cahors", "ouvert_le": "demain"}, "Ouvert le", "Date non reconnue"),
        ({"commune": "Cahors", "ouvert_le": "9999-12-31"}, "Ouvert le", "dans les 12 prochains mois"),
        ({"commune": "Cahors", "ouvert_le": "2001-01-01"}, "Ouvert le", "Cette date est passée"),
        ({"commune": "Cahors", "texte": "\x00"}, "Ou dites-le avec vos mots", "caractère nul"),
        ({"commune": "Cahors", "age": "-3"}, "Votre âge", "négatif"),
        ({"commune": "Cahors", "age": "deux"}, "Votre âge", "nombre entier"),
        ({"commune": "Cahors", "langue": "klingon"}, "Langue parlée", "pas dans la liste"),
        ({"commune": "x" * 300}, "Votre commune", "100"),
    ],
)
def test_bad_filter_values_give_a_message_naming_the_field(client, shipped_data, params, field, message):
    response = client.get(reverse("directory:results"), params)
    assert response.status_code == 400
    html = text(response)
    assert "Votre recherche n'a pas pu aboutir" in html
    assert field in html
    assert message in html


def test_filters_without_result_offer_to_drop_them(client, offer):
    response = client.get(
        reverse("directory:results"),
        {"commune": "Cahors", "besoin": offer["need"].slug, "langue": "uk", "ouvert_le": next_saturday()},
    )
    assert response.status_code == 200
    html = text(response)
    assert "Chercher sans les filtres" in html


def test_service_detail_is_printable_and_lists_channels_and_documents(client, offer):
    url = reverse("directory:service", args=[offer["service"].id])
    response = client.get(url, {"commune": "46070"})
    assert response.status_code == 200
    html = text(response)
    assert "Accueil retraite de test" in html
    assert "Pièce d'identité" in html
    assert "Les 7 prochains jours" in html
    assert "css/print.css" in html and "Imprimer" in html


def test_place_detail_with_unknown_hours_and_address(client, offer):
    response = client.get(reverse("directory:place", args=[offer["unknown"].id]))
    assert response.status_code == 200
    html = text(response)
    assert "Horaires non communiqués" in html
    assert "Adresse non communiquée" in html
    assert "Position approximative" in html
    assert "Permanence sans horaires" in html


def test_structure_detail(client, offer):
    response = client.get(reverse("directory:structure", args=[offer["service"].structure_id]))
    assert response.status_code == 200
    assert "Agence de test Cahors" in text(response)


def test_needs_catalogue_page(client, offer):
    response = client.get(reverse("directory:needs"))
    assert response.status_code == 200
    assert "Demander une pension de test" in text(response)


@pytest.mark.parametrize("name", ["service", "place", "structure"])
def test_unknown_records_are_404_not_500(client, shipped_data, name):
    assert client.get(reverse(f"directory:{name}", args=[999_999_999])).status_code == 404


def test_commune_without_reference_point_shows_remote_services_only(client, offer):
    from carteblanche.territories.models import Commune

    faraway = Commune.objects.filter(latitude__isnull=True).first()
    response = client.get(reverse("directory:results"), {"commune": faraway.code, "besoin": offer["need"].slug})
    assert response.status_code == 200
    html = text(response)
    assert f"Position de {faraway.name} non connue" in html
    assert "Ligne retraite de test" in html


def test_a_postcode_shared_by_several_communes_asks_which_one(client, offer):
    response = client.get(reverse("directory:results"), {"commune": "46230", "besoin": offer["need"].slug})
    assert response.status_code == 200
    html = text(response)
    assert "Plusieurs communes ont le code postal 46230" in html
    assert "Cieurac (Lot, 46230)" in html and "Lalbenque (Lot, 46230)" in html
    follow = client.get(reverse("directory:results"), {"commune": "Cieurac (46230)", "besoin": offer["need"].slug})
    assert "près de Cieurac" in text(follow)


def test_a_postcode_of_one_commune_goes_straight_to_results(client, offer):
    response = client.get(reverse("directory:results"), {"commune": "46000", "besoin": offer["need"].slug})
    assert response.status_code == 200
    assert "Plusieurs communes" not in text(response)
    assert "près de Cahors" in text(response)


def test_results_open_with_a_summary_linking_to_the_cards_and_to_orientation(client, offer):
    response = client.get(reverse("directory:results"), {"commune": "Pradines", "besoin": offer["need"].slug})
    html = text(response)
    summary = html.split("En bref", 1)[1].split("Près de chez vous (", 1)[0]
    phone_service = offer["phone"].service_id
    assert f'href="#distance-{phone_service}"' in summary and 'href="tel:3960">3960</a>' in summary
    assert f'id="distance-{phone_service}"' in html  # the link lands on the phone line's card
    assert "Le plus près : " in summary and f'href="#proche-{offer["service"].id}"' in summary
    # The autocomplete's label, which tells homonyms apart (orientation resolves it)
    assert f'/orientation/?commune=Pradines+%2846090%29&besoin={offer["need"].slug}"' in summary


def test_result_cards_have_unique_ids_when_a_service_is_listed_twice(client, offer):
    from carteblanche.directory.models import Channel
    from tests.directory.factories import ChannelFactory

    # The counter's service also has a phone line: listed near you and without a trip.
    ChannelFactory(service=offer["service"], kind=Channel.Kind.PHONE, phone="0565000000")
    html = text(client.get(reverse("directory:results"), {"commune": "Pradines", "besoin": offer["need"].slug}))
    service_id = offer["service"].id
    assert f'id="proche-{service_id}"' in html and f'id="distance-{service_id}"' in html
    ids = [part.split('"', 1)[0] for part in html.split(' id="')[1:]]
    assert len(ids) == len(set(ids))


def test_a_record_checked_over_a_year_ago_says_to_check_before_going(client, offer):
    from carteblanche.directory.models import Service

    Service.objects.filter(pk=offer["service"].pk).update(verified_on="2021-01-01")
    Service.objects.filter(pk=offer["phone"].service_id).update(verified_on=timezone.localdate())
    html = text(client.get(reverse("directory:results"), {"commune": "Pradines", "besoin": offer["need"].slug}))
    card = html.split(f'id="proche-{offer["service"].id}"', 1)[1].split("</article>", 1)[0]
    assert "vérifié le 1 janvier 2021" in card
    assert "Information de plus d'un an : à vérifier avant de vous déplacer" in card
    other = html.split(f'id="distance-{offer["phone"].service_id}"', 1)[1].split("</article>", 1)[0]
    assert "Information de plus d'un an" not in other  # verified today
    detail = text(client.get(reverse("directory:service", args=[offer["service"].pk])))
    assert "à vérifier avant de vous déplacer" in detail
