"""Data stewards' admin: opening hours are validated with a readable error."""

import pytest
from django.contrib.admin.sites import site

from carteblanche.directory.admin import PlaceAdmin
from carteblanche.directory.models import Place, Service


@pytest.fixture
def place_form(rf, admin_user):
    request = rf.get("/")
    request.user = admin_user
    return PlaceAdmin(Place, site).get_form(request)


def _data(place: Place, rule: str) -> dict:
    return {
        "structure": place.structure_id,
        "name": place.name,
        "commune": place.commune_id,
        "latitude": place.latitude,
        "longitude": place.longitude,
        "opening_hours": rule,
        "source": place.source,
        "source_id": place.source_id,
        "wheelchair_accessible": "unknown",
    }


def test_bad_opening_hours_get_a_readable_error(shipped_data, place_form):
    place = Place.objects.get(source_id="ccas-cahors")
    form = place_form(data=_data(place, "lundi 9h-12h"), instance=place)
    assert not form.is_valid()
    assert "Horaires invalides" in form.errors["opening_hours"][0]
    assert "Exemple valide" in form.errors["opening_hours"][0]


def test_valid_rule_with_first_wednesday_is_accepted(shipped_data, place_form):
    place = Place.objects.get(source_id="ccas-cahors")
    form = place_form(data=_data(place, "We[1] 09:00-12:00; PH off"), instance=place)
    assert form.is_valid(), form.errors


@pytest.mark.parametrize(
    ("model", "query", "expected"),
    [
        (Place, {"horaires": "inconnus", "position_approximate__exact": "1"}, "CCAS de Cahors"),
        (Service, {"commune": "46070"}, "Bus France Services"),
        (Service, {"thematique": "famille--garde-denfants", "q": "CAF"}, "monenfant"),
    ],
)
def test_admin_changelist_filters(shipped_data, rf, admin_user, model, query, expected):
    """Called on the admin view directly (the test client's static files middleware is not ours to set up)."""
    request = rf.get("/", query)
    request.user = admin_user
    response = site._registry[model].changelist_view(request)
    response.render()
    assert response.status_code == 200
    assert expected in response.content.decode()


@pytest.mark.parametrize(
    ("replaces", "error"),
    [
        ('[["anct-france-services-2021"]]', "paire [source, identifiant]"),
        ('[["carteblanche-cahors", "bus-france-services-grand-cahors"]]', "ne peut pas se remplacer elle-même"),
        ('{"source": "x"}', "liste de paires"),
    ],
)
def test_a_steward_sees_why_a_replacement_is_refused(shipped_data, rf, admin_user, replaces, error):
    from django.forms.models import model_to_dict

    from carteblanche.directory.admin import StructureAdmin
    from carteblanche.directory.models import Structure

    request = rf.get("/")
    request.user = admin_user
    bus = Structure.objects.get(source="carteblanche-cahors", source_id="bus-france-services-grand-cahors")
    form_class = StructureAdmin(Structure, site).get_form(request, bus)
    data = {key: value for key, value in model_to_dict(bus).items() if value is not None}
    data["networks"] = '["france-service"]'
    good = form_class(data={**data, "replaces": '[["anct-france-services-2021", "262"]]'}, instance=bus)
    assert good.is_valid(), good.errors
    form = form_class(data={**data, "replaces": replaces}, instance=bus)
    assert not form.is_valid()
    assert error in str(form.errors["replaces"])
    bus.refresh_from_db()
    assert bus.replaces == [["anct-france-services-2021", "262"]]  # nothing saved


def test_the_structure_page_of_the_admin_shows_what_it_replaces(shipped_data, admin_client):
    from carteblanche.directory.models import Structure

    bus = Structure.objects.get(source="carteblanche-cahors", source_id="bus-france-services-grand-cahors")
    page = admin_client.get(f"/admin/directory/structure/{bus.pk}/change/")
    assert page.status_code == 200
    assert "anct-france-services-2021" in page.content.decode()


def test_stewards_filter_the_records_to_check_again(shipped_data, rf, admin_user):
    """The France Services counters of the shipped offer were verified in 2021: first to check again."""

    def names(query):
        request = rf.get("/", query)
        request.user = admin_user
        response = site._registry[Place].changelist_view(request)
        return [place.name for place in response.context_data["cl"].queryset]  # every page of the list

    from django.utils import timezone

    Place.objects.filter(source_id="ccas-cahors").update(verified_on=timezone.localdate())  # checked today
    old = names({"verification": "a-revoir"})
    recent = names({"verification": "recente"})
    assert "France Services St-Géry Vers" in old and "France Services St-Géry Vers" not in recent
    assert "CCAS de Cahors" in recent and "CCAS de Cahors" not in old
    assert len(old) + len(recent) == Place.objects.count()
