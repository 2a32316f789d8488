"""Proposed values: stored as the directory writes them, or refused with what to write."""

import pytest

from carteblanche.stewardship import fields
from carteblanche.stewardship.models import RecordType


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("05.65.20.00.00", "05 65 20 00 00"),
        ("0565200000", "05 65 20 00 00"),
        ("+33 5 65 20 00 00", "+33 5 65 20 00 00"),
        ("3646", "3646"),
        ("115", "115"),
    ],
)
def test_phone_numbers_are_normalised(raw, stored):
    assert fields.check(RecordType.STRUCTURE, "phone", raw) == stored


@pytest.mark.parametrize("raw", ["05 65 20", "phone", "00 00 00 00 00", "05 65 20 00 00 00"])
def test_bad_phone_says_what_to_write(raw):
    with pytest.raises(ValueError, match="10 chiffres"):
        fields.check(RecordType.STRUCTURE, "phone", raw)


@pytest.mark.parametrize(
    ("record_type", "name", "raw", "message"),
    [
        (RecordType.STRUCTURE, "email", "accueil@", "courriel non valide"),
        (RecordType.STRUCTURE, "website", "www.cahors.fr", "https://"),
        (RecordType.STRUCTURE, "name", "  ", "ne peut pas rester vide"),
        (RecordType.PLACE, "postcode", "4600", "5 chiffres"),
        (RecordType.PLACE, "opening_hours", "lundi 9h-12h", "Mo-Fr 09:00-12:00"),
        (RecordType.PLACE, "address", "1 rue\n2 rue", "une seule ligne"),
        (RecordType.PLACE, "hours_note", "x" * 501, "501 caractères : 500 au plus"),
        (RecordType.SERVICE, "source", "moi", "ne peut pas être modifié"),
    ],
)
def test_bad_values_are_refused_with_a_french_reason(record_type, name, raw, message):
    with pytest.raises(ValueError, match=message):
        fields.check(record_type, name, raw)


def test_a_phone_line_keeps_its_number_but_a_structure_may_have_none():
    with pytest.raises(ValueError, match="vide"):
        fields.check(RecordType.CHANNEL, "phone", "", channel_kind="phone")
    assert fields.check(RecordType.STRUCTURE, "phone", "") == ""


def test_valid_hours_and_multiline_description_are_kept():
    assert fields.check(RecordType.PLACE, "opening_hours", "Mo-Fr 09:00-12:00; PH off") == "Mo-Fr 09:00-12:00; PH off"
    assert fields.check(RecordType.SERVICE, "description", "Ligne 1\r\nLigne 2 ") == "Ligne 1\nLigne 2"
