"""Partner API for slots: a key manages its own structure's slots only; no personal data leaves."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from carteblanche.appointments.models import Booking, Slot
from tests.referrals.test_api import auth, make_token

pytestmark = pytest.mark.django_db
BASE = "/api/accompagnement/rendez-vous"


def _scene(world):
    case = world.case(first_name="Kevin")
    consent = world.consent(case, world.carsat)
    now = timezone.now()
    past = Slot.objects.create(
        structure=world.carsat, kind="callback", start=now - timedelta(hours=2), end=now - timedelta(hours=1)
    )
    future = Slot.objects.create(
        structure=world.carsat, kind="callback", start=now + timedelta(days=2), end=now + timedelta(days=2, hours=1)
    )
    booking = Booking.objects.create(slot=past, case=case, consent=consent, from_structure=world.fs)
    Booking.objects.create(slot=future, case=case, consent=consent, from_structure=world.fs)
    return booking


def test_receiving_structure_lists_creates_and_records_a_no_show(world):
    booking = _scene(world)
    day = (timezone.localdate() + timedelta(days=400)).isoformat()  # always ahead, whatever today is
    key = make_token(world.carsat)
    client = Client()
    listed = client.get(f"{BASE}/creneaux", **auth(key))
    assert listed.status_code == 200
    assert [row["booking_status"] for row in listed.json()] == ["booked"]  # from today on
    assert "Kevin" not in listed.content.decode()
    created = client.post(
        f"{BASE}/creneaux",
        {"kind": "appointment", "start": f"{day}T10:00:00+01:00", "end": f"{day}T10:30:00+01:00"},
        content_type="application/json",
        **auth(key),
    )
    assert created.status_code == 201 and Slot.objects.filter(kind="appointment").count() == 1
    again = client.post(
        f"{BASE}/creneaux",
        {"kind": "appointment", "start": f"{day}T10:00:00+01:00", "end": f"{day}T10:30:00+01:00"},
        content_type="application/json",
        **auth(key),
    )
    assert again.status_code == 422 and "start" in again.json()["message"]
    done = client.post(
        f"{BASE}/reservations/{booking.pk}/resultat",
        {"status": "no_show"},
        content_type="application/json",
        **auth(key),
    )
    assert done.status_code == 200 and done.json()["booking_status"] == "no_show"


@pytest.mark.parametrize("structure", ["fs", "dept"])
def test_other_structures_see_and_change_nothing(world, structure):
    booking = _scene(world)
    key = make_token(getattr(world, structure))
    client = Client()
    assert client.get(f"{BASE}/creneaux", **auth(key)).json() == []
    refused = client.post(
        f"{BASE}/reservations/{booking.pk}/resultat",
        {"status": "no_show"},
        content_type="application/json",
        **auth(key),
    )
    assert refused.status_code == 404
    booking.refresh_from_db()
    assert booking.status == Booking.Status.BOOKED
    assert Client().get(f"{BASE}/creneaux").status_code == 401
