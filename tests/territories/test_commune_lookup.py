import pytest

from carteblanche.territories.models import Commune, Territory
from carteblanche.territories.normalize import normalize_name
from carteblanche.territories.selectors import find_communes, resolve_commune, suggest_communes


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Saint-Géry-Vers", "saint gery vers"),
        ("St Gery", "saint gery"),
        ("L'Hospitalet", "l hospitalet"),
        ("  CAHORS ", "cahors"),
        ("Ste-Alauzie", "sainte alauzie"),
    ],
)
def test_normalize_name(typed, expected):
    assert normalize_name(typed) == expected


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("cahors", "46042"),
        ("Cahors", "46042"),
        ("46000", "46042"),
        ("46042", "46042"),
        ("St Gery", "46268"),
        ("saint gery vers", "46268"),
        ("cieurac", "46070"),
        ("CATUS", "46064"),
        ("pradines", "46224"),
    ],
)
def test_lookup_tolerates_how_people_type(shipped_data, query, code):
    found = find_communes(query, territory=Territory.objects.get(slug="bassin-de-vie-cahors"))
    assert found, query
    assert found[0].code == code


def test_postcode_lists_every_commune_sharing_it(shipped_data):
    codes = {c.code for c in find_communes("46090", limit=50)}
    assert "46224" in codes  # Pradines
    assert len(codes) > 5  # 46090 is shared by many communes around Cahors


def test_unknown_commune_has_close_suggestions(shipped_data):
    answer = resolve_commune("Cahorss")
    assert answer.commune is None and not answer.ambiguous
    assert answer.suggestions[0].code == "46042"
    assert "Vouliez-vous dire : Cahors (Lot, 46000)" in answer.message()
    assert "46042" in [c.code for c in suggest_communes("Cahorss")]


def test_all_communes_loaded_and_overseas_collectivities_have_no_point(shipped_data):
    assert Commune.objects.count() == 34969
    without_point = Commune.objects.filter(latitude__isnull=True)
    assert without_point.count() == 94
    assert not without_point.exclude(
        department_id__in=["975", "977", "978", "984", "986", "987", "988", "989"]
    ).exists()


def test_default_territory_is_the_four_epcis(shipped_data):
    territory = Territory.objects.get(slug="bassin-de-vie-cahors")
    assert territory.communes.count() == 85
    assert territory.communes.filter(code__in=["46042", "46070", "46064", "46224"]).count() == 4


def test_a_label_with_postcode_or_department_picks_the_right_homonym(shipped_data):
    """Twelve communes are called Sainte-Colombe: the autocomplete's label says which one."""
    from carteblanche.territories.models import Commune
    from carteblanche.territories.selectors import commune_label

    homonyms = list(Commune.objects.filter(name="Sainte-Colombe").order_by("code"))
    assert len(homonyms) > 5
    for commune in homonyms:
        found = find_communes(commune_label(commune), limit=1)
        assert [c.code for c in found] == [commune.code], commune_label(commune)
    cieurac = find_communes("Cieurac (46)")
    assert [c.code for c in cieurac] == ["46070"]
    assert find_communes("Cieurac (75)") == []  # no Cieurac in Paris: not another commune
