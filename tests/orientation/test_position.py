"""A point within the commune, when known: trips start there; it is checked, explained, never stored."""

from html import unescape
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from carteblanche.orientation.models import SavedPlan
from carteblanche.orientation.selectors import OrientationRequest, build_person, compute_plan
from carteblanche.territories.models import Commune
from tests.orientation.test_api import MARTINE as MARTINE_API
from tests.orientation.test_pages import MARTINE as MARTINE_FORM

DATE = "2026-05-11T08:00:00+02:00"
API = "/api/orientation/plan"


def _near_cieurac(km_north: float) -> tuple[float, float]:
    cieurac = Commune.objects.get(code="46070")
    return round(cieurac.latitude + km_north / 111.2, 5), round(cieurac.longitude, 5)


@pytest.mark.django_db
def test_home_is_the_given_position_else_the_commune_point(cahors_offer):
    cieurac = Commune.objects.get(code="46070")
    near = _near_cieurac(2)
    person = build_person(OrientationRequest(commune="Cieurac", besoins=["pension-reversion"], position=near))
    assert (person.home.latitude, person.home.longitude) == near
    person = build_person(OrientationRequest(commune="Cieurac", besoins=["pension-reversion"]))
    assert (person.home.latitude, person.home.longitude) == (cieurac.latitude, cieurac.longitude)


@pytest.mark.django_db
def test_trips_start_from_the_position(cahors_offer):
    """Standing at a counter makes the trip to it a short walk; from the commune's centre it is a ride."""
    request = {"commune": "Cahors", "besoins": ["pension-reversion"], "numerique": "no_internet"}
    plan, _ = compute_plan(OrientationRequest(**request), now=None)
    counter = next(o for o in plan.options if o.travel is not None and o.location is not None)
    at_counter = (counter.location.point.latitude + 0.0001, counter.location.point.longitude)
    moved, _ = compute_plan(OrientationRequest(**request, position=at_counter), now=None)
    same = next(o for o in moved.options if o.location is not None and o.location.key == counter.location.key)
    assert same.travel.minutes < counter.travel.minutes
    assert same.travel.mode == "walk" and same.travel.minutes <= 2


@pytest.mark.django_db
def test_api_says_where_trips_start(client, cahors_offer):
    lat, lon = _near_cieurac(2)
    body = {**MARTINE_API, "latitude": lat, "longitude": lon}
    with_position = client.post(API, body, content_type="application/json")
    assert with_position.status_code == 200, with_position.content
    assert with_position.json()["origin"].startswith("Trajets calculés depuis votre position")
    without = client.post(API, MARTINE_API, content_type="application/json")
    assert "depuis le centre de Cieurac" in without.json()["origin"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("extra", "field", "fragment"),
    [
        ({"latitude": 48.85, "longitude": 2.35}, "position", "km du centre de Cieurac"),
        ({"latitude": 44.4}, "longitude", "ensemble"),
        ({"longitude": 1.5}, "latitude", "ensemble"),
        ({"latitude": 95.0, "longitude": 1.5}, "latitude", "inférieur ou égal à 90"),
    ],
)
def test_api_bad_position_is_a_422_naming_the_field(client, cahors_offer, extra, field, fragment):
    response = client.post(API, {**MARTINE_API, **extra}, content_type="application/json")
    assert response.status_code == 422
    body = response.json()
    assert field in [e["field"] for e in body["errors"]]
    assert fragment in body["message"]


@pytest.mark.django_db
def test_form_position_is_used_shown_and_not_stored(client, cahors_offer):
    lat, lon = _near_cieurac(1)
    response = client.post("/orientation/", {**MARTINE_FORM, "latitude": str(lat), "longitude": str(lon)})
    assert response.status_code == 302, unescape(response.content.decode())[:2000]
    saved = SavedPlan.objects.get(pk=response["Location"].rstrip("/").split("/")[-1])
    assert "position" not in saved.request and str(lat) not in str(saved.request)
    page = unescape(client.get(response["Location"]).content.decode())
    assert "Trajets calculés depuis votre position" in page
    printed = unescape(client.get(f"/orientation/plan/{saved.pk}/imprimer/").content.decode())
    assert "Trajets calculés depuis votre position" in printed


@pytest.mark.django_db
def test_form_far_position_re_shows_the_form_with_the_reason(client, cahors_offer):
    response = client.post("/orientation/", {**MARTINE_FORM, "latitude": "48.85", "longitude": "2.35"})
    assert response.status_code == 400
    assert "km du centre de Cieurac" in unescape(response.content.decode())


@pytest.mark.django_db
def test_cli_position(cahors_offer):
    lat, lon = _near_cieurac(1)
    out = StringIO()
    call_command("orient", "--commune", "Cieurac", "--besoin", "pension-reversion", "--position", f"{lat},{lon}",
                 "--date", DATE, stdout=out)  # fmt: skip
    assert "Trajets calculés depuis votre position" in out.getvalue()
    with pytest.raises(CommandError, match="--position : « nord » n'est pas"):
        call_command("orient", "--commune", "Cieurac", "--besoin", "pension-reversion", "--position", "nord")
    with pytest.raises(CommandError, match="--position : Cette position est à"):
        call_command("orient", "--commune", "Cieurac", "--besoin", "pension-reversion", "--position", "48.85,2.35")
