"""Importers: happy paths, dry run, idempotence, and one test per kind of bad input (nothing written)."""

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from carteblanche.directory.actions import import_offer
from carteblanche.directory.importers import base
from carteblanche.directory.importers.base import ImportFileError
from carteblanche.directory.models import Channel, Place, Service, Structure
from tests.directory.conftest import CSV_HEADER, CSV_ROW, offer_counts

FS_FILE = (
    Path(__file__).resolve().parents[3] / "shared" / "data" / "france_services_2021.geojson"
)  # ../shared beside the checkout


def _fs_features(*matricules: str) -> dict:
    data = json.loads(FS_FILE.read_text(encoding="utf-8"))
    data["features"] = [f for f in data["features"] if str(f["properties"]["MATRICULE"]) in matricules]
    return data


# --- happy paths ---------------------------------------------------------------------------------------


def test_datainclusion_import_dry_run_writes_nothing_then_apply_writes(shipped_data, di_payload, write_json):
    path = write_json(di_payload)
    before = offer_counts()
    diff = import_offer(file_format="datainclusion", path=path)
    assert diff.created == {"structures": 1, "lieux": 1, "services": 1} and not diff.written
    assert offer_counts() == before
    diff = import_offer(file_format="datainclusion", path=path, apply=True)
    assert diff.written
    service = Service.objects.get(source="test-source", source_id="test--v1")
    assert service.structure.operator_id == "caf"  # from the "caf" network
    kinds = sorted(c.kind for c in service.channels.all())
    assert kinds == ["counter", "phone"]
    place = Place.objects.get(source="test-source", source_id="test--s1")
    assert place.opening_hours == "Mo-Fr 09:00-12:00; PH off" and not place.position_approximate


def test_import_is_idempotent_and_reports_updates(shipped_data, di_payload, write_json):
    path = write_json(di_payload)
    import_offer(file_format="datainclusion", path=path, apply=True)
    again = import_offer(file_format="datainclusion", path=path, apply=True)
    assert again.unchanged == {"structures": 1, "lieux": 1, "services": 1}
    di_payload["services"][0]["nom"] = "Service d'essai renommé"
    diff = import_offer(file_format="datainclusion", path=write_json(di_payload), apply=True)
    assert diff.updated["services"] == 1
    assert Service.objects.get(source_id="test--v1").name == "Service d'essai renommé"


def test_place_without_coordinates_goes_to_commune_point_flagged_approximate(shipped_data, di_payload, write_json):
    del di_payload["structures"][0]["latitude"], di_payload["structures"][0]["longitude"]
    import_offer(file_format="datainclusion", path=write_json(di_payload), apply=True)
    place = Place.objects.get(source="test-source", source_id="test--s1")
    assert place.position_approximate
    assert (place.latitude, place.longitude) == (place.commune.latitude, place.commune.longitude)


def test_csv_import_reads_channels_needs_and_ages(shipped_data, write_text):
    diff = import_offer(file_format="csv", path=write_text(CSV_HEADER + CSV_ROW), apply=True)
    assert diff.written and not diff.rejected
    service = Service.objects.get(source="csv-test", source_id="v1")
    assert (service.age_min, service.age_max) == (16, 25)
    assert list(service.needs.values_list("slug", flat=True)) == ["garde-enfants"]
    assert service.channels.get().phone == "05 00 00 00 01"


def test_france_services_import_converts_hours_and_flags_unknown(shipped_data, write_json):
    path = write_json(_fs_features("606", "582"), "fs.geojson")
    diff = import_offer(file_format="france-services", path=path, apply=True, source="fs-test")
    assert diff.created == {"structures": 2, "lieux": 2, "services": 2}
    st_gery = Place.objects.get(source="fs-test", source_id="606")
    assert "Sa[1] 09:00-12:00" in st_gery.opening_hours
    catus = Place.objects.get(source="fs-test", source_id="582")
    assert catus.hours_unknown and catus.hours_note == "La source (France Services, 2021) ne les publie pas."
    assert catus.address == "Place de la Halle" and catus.commune_id == "46064"
    service = Service.objects.get(source="fs-test", source_id="582-accompagnement")
    assert service.needs.filter(slug="pension-reversion").exists()
    assert {c.kind for c in service.channels.all()} == {"counter", "phone"}


def test_the_national_file_leaves_the_shipped_lot_counters_unchanged(shipped_data, write_json):
    """The shipped Lot counters come from the same file: importing it again changes none of them."""
    diff = import_offer(file_format="france-services", path=write_json(_fs_features("606", "582")), apply=False)
    assert diff.unchanged == {"structures": 2, "lieux": 2, "services": 2}, diff.changes
    assert diff.updated == {"structures": 0, "lieux": 0, "services": 0}


def test_france_services_long_converted_hours_are_stored_whole(shipped_data, write_json):
    """MATRICULE 255's rule, converted from free text with its comments, is 616 characters long:
    PostgreSQL refused it (varchar 500) and with it the whole national import."""
    import_offer(file_format="france-services", path=write_json(_fs_features("255")), apply=True, source="fs-test")
    place = Place.objects.get(source="fs-test", source_id="255")
    assert len(place.opening_hours) > 500 and not place.hours_unknown
    assert Channel.objects.get(service__source="fs-test", kind="counter").place_id == place.pk


def test_france_services_arrondissement_is_mapped_to_its_commune(shipped_data, write_json):
    data = json.loads(FS_FILE.read_text(encoding="utf-8"))
    data["features"] = [f for f in data["features"] if f["properties"]["insee_com"] == "75112"][:1]
    import_offer(file_format="france-services", path=write_json(data), apply=True, source="fs-test")
    assert Place.objects.get(source="fs-test").commune_id == "75056"


# --- bad input: specific error, nothing written --------------------------------------------------------


def _assert_rejected_and_unchanged(file_format, path, *, field, location):
    before = offer_counts()
    with pytest.raises(CommandError, match="rien n'a été écrit"):
        call_command("import_offer", file_format, str(path), "--apply", verbosity=0)
    diff = import_offer(file_format=file_format, path=path, apply=True)
    assert not diff.written
    assert any(r.field == field and location in r.location for r in diff.rejected), diff.rejected
    assert offer_counts() == before


def test_malformed_opening_hours_is_rejected(shipped_data, di_payload, write_json):
    di_payload["structures"][0]["horaires_accueil"] = "lundi 9h-12h"
    _assert_rejected_and_unchanged(
        "datainclusion", write_json(di_payload), field="horaires_accueil", location="structure n°1"
    )


def test_coordinates_outside_france_are_rejected(shipped_data, di_payload, write_json):
    di_payload["structures"][0]["latitude"], di_payload["structures"][0]["longitude"] = 1.44, 44.45  # swapped
    _assert_rejected_and_unchanged("datainclusion", write_json(di_payload), field="latitude", location="structure n°1")


def test_unknown_thematique_is_rejected(shipped_data, di_payload, write_json):
    di_payload["services"][0]["thematiques"] = ["famille--garde-denfants", "garde-de-chats"]
    diff = import_offer(file_format="datainclusion", path=write_json(di_payload))
    assert [str(r) for r in diff.rejected] == [
        "service n°1 (id test--v1) — champ « thematiques » : thématique inconnue : garde-de-chats"
    ]
    _assert_rejected_and_unchanged("datainclusion", write_json(di_payload), field="thematiques", location="service n°1")


def test_unknown_commune_is_rejected_with_its_csv_line(shipped_data, write_text):
    text = (
        CSV_HEADER
        + CSV_ROW
        + CSV_ROW.replace("s1,", "s2,").replace("l1,", "l2,").replace("v1,", "v2,").replace("46042", "99999")
    )
    _assert_rejected_and_unchanged("csv", write_text(text), field="code_insee", location="ligne 3")


def test_text_longer_than_its_column_is_rejected_with_field_and_line(shipped_data, write_text):
    """SQLite would store it; PostgreSQL would refuse the whole import with a DataError."""
    long_name = CSV_ROW.replace("Structure CSV", "S" * 201)
    _assert_rejected_and_unchanged("csv", write_text(CSV_HEADER + long_name), field="name", location="ligne 2")
    diff = import_offer(file_format="csv", path=write_text(CSV_HEADER + long_name), apply=False)
    assert str(diff.rejected[0]) == "ligne 2 — champ « name » : 201 caractères, 200 au plus"
    long_phone = CSV_ROW.replace("05 00 00 00 01", "0" * 41)
    _assert_rejected_and_unchanged(
        "csv", write_text(CSV_HEADER + long_phone), field="phone", location="ligne 2, canal « phone »"
    )


def test_broken_json_names_the_line(shipped_data, write_text):
    path = write_text('{"structures": [\n  {"id": "x",\n  oops}\n]}', "broken.json")
    before = offer_counts()
    with pytest.raises(ImportFileError, match="ligne 3"):
        import_offer(file_format="datainclusion", path=path, apply=True)
    with pytest.raises(CommandError, match=r"rien n'a été écrit.*ligne 3"):
        call_command("import_offer", "datainclusion", str(path), "--apply", verbosity=0)
    assert offer_counts() == before


def test_broken_csv_header_is_refused(shipped_data, write_text):
    with pytest.raises(ImportFileError, match=r"ligne 1.*colonnes inconnues : horaire"):
        import_offer(file_format="csv", path=write_text("source,structure_id,structure_nom,horaire\n"), apply=True)


def test_schema_error_names_the_datainclusion_field(shipped_data, di_payload, write_json):
    di_payload["structures"][0]["nom"] = "AB"
    _assert_rejected_and_unchanged("datainclusion", write_json(di_payload), field="nom", location="structure n°1")


def test_skip_invalid_writes_the_valid_rows_only(shipped_data, write_text):
    text = (
        CSV_HEADER
        + CSV_ROW
        + CSV_ROW.replace("s1,", "s2,")
        .replace("l1,", "l2,")
        .replace("v1,", "v2,")
        .replace("Mo 09:00-12:00", "n'importe quoi")
    )
    diff = import_offer(file_format="csv", path=write_text(text), apply=True, skip_invalid=True)
    assert diff.written and len(diff.rejected) == 1
    assert diff.rejected[0].location == "ligne 3" and diff.rejected[0].field == "horaires_accueil"
    assert Structure.objects.filter(source="csv-test").count() == 1


def test_killed_import_leaves_the_database_as_it_was(shipped_data, di_payload, write_json):
    """An interruption in the middle of writing (here an exception after the first record) rolls back."""
    before = offer_counts()
    seen = []

    def progress(items):
        for item in items:
            if seen:
                raise KeyboardInterrupt
            seen.append(item)
            yield item

    with pytest.raises(KeyboardInterrupt):
        import_offer(file_format="datainclusion", path=write_json(di_payload), apply=True, progress=progress)
    assert seen and offer_counts() == before


def test_channel_constraints_are_checked_before_writing(shipped_data, write_text):
    row = CSV_ROW.replace('""phone"": ""05 00 00 00 01""', '""phone"": """"')
    diff = import_offer(file_format="csv", path=write_text(CSV_HEADER + row), apply=True)
    assert not diff.written
    assert [r.field for r in diff.rejected] == ["telephone"]
    assert not Channel.objects.filter(service__source="csv-test").exists()


def test_in_france_boxes():
    assert base.in_france(44.45, 1.44)
    assert base.in_france(-21.1, 55.5)  # La Réunion
    assert not base.in_france(1.44, 44.45)
    assert not base.in_france(48.8, -30.0)


def test_documented_csv_template_imports_cleanly(shipped_data):
    template = Path(__file__).resolve().parents[2] / "docs" / "directory-offer-template.csv"
    diff = import_offer(file_format="csv", path=template)
    assert not diff.rejected
    assert diff.created == {"structures": 1, "lieux": 1, "services": 2}


def test_france_services_import_flags_hours_to_check_and_applies_comments(shipped_data, write_json):
    """900 writes '17:' with nothing to complete it; 129's comment opens only the 2nd and 4th Saturdays."""
    path = write_json(_fs_features("900", "129"))
    import_offer(file_format="france-services", path=path, apply=True, source="fs-test")
    flagged = Place.objects.get(source="fs-test", source_id="900")
    assert flagged.hours_note.startswith("Horaires à vérifier : heure incomplète « 17: » (mardi, mercredi")
    assert 'unknown "heure incomplète dans la source"' in flagged.opening_hours
    saturdays = Place.objects.get(source="fs-test", source_id="129")
    assert "Sa[2,4] 08:30-12:00" in saturdays.opening_hours
    assert not saturdays.hours_note.startswith("Horaires à vérifier")
