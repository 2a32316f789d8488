"""A record that replaces another source's record: the national file does not bring the Grand Cahors bus twice."""

import copy
import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from carteblanche.directory.actions import import_offer
from carteblanche.directory.exports import export_csv, export_datainclusion
from carteblanche.directory.importers.france_services import SOURCE as FS_SOURCE
from carteblanche.directory.models import Place, Service, Structure
from tests.directory.conftest import offer_counts
from tests.directory.test_importers import _fs_features

CURATED_BUS = ("carteblanche-cahors", "bus-france-services-grand-cahors")
FRANCE_SERVICES_BUS_ID = "262"  # MATRICULE of the Grand Cahors bus in France Services 2021 (curated with its stops)


def _bus_structures() -> list[str]:
    return sorted(
        f"{s.source}:{s.source_id}" for s in Structure.objects.filter(name__icontains="bus France Services du Grand")
    )


@pytest.fixture
def national_bus_file(write_json):
    """The Grand Cahors bus (MATRICULE 262) and the Saint-Géry counter, as the national file publishes them."""
    return write_json(_fs_features(FRANCE_SERVICES_BUS_ID, "606"), "fs.geojson")


def test_the_shipped_bus_says_which_national_record_it_replaces(shipped_data):
    bus = Structure.objects.get(source=CURATED_BUS[0], source_id=CURATED_BUS[1])
    assert bus.replaces == [[FS_SOURCE, FRANCE_SERVICES_BUS_ID]]


def test_importing_the_national_file_leaves_the_replaced_bus_out_and_says_so(shipped_data, national_bus_file):
    before = _bus_structures()
    diff = import_offer(file_format="france-services", path=national_bus_file, apply=True)
    assert diff.written
    assert diff.replaced == {"structures": 1, "lieux": 1, "services": 1}
    assert f"= structure {FS_SOURCE}:262 non importé : remplacé par {':'.join(CURATED_BUS)}" in diff.changes
    assert "remplacés par une autre fiche : 1 structures, 1 lieux, 1 services" in diff.summary()
    assert not Structure.objects.filter(source=FS_SOURCE, source_id="262").exists()
    assert not Service.objects.filter(source=FS_SOURCE, source_id__startswith="262").exists()
    assert _bus_structures() == before == [":".join(CURATED_BUS)]
    # the rest of the file is imported as usual
    assert Structure.objects.filter(source=FS_SOURCE, source_id="606").exists()


def test_a_copy_imported_before_the_replacement_is_absent_and_pruned(shipped_data, national_bus_file):
    bus = Structure.objects.get(source=CURATED_BUS[0], source_id=CURATED_BUS[1])
    Structure.objects.filter(pk=bus.pk).update(replaces=[])
    imported = {"file_format": "france-services", "path": national_bus_file, "apply": True, "source": "fs-test"}
    import_offer(**imported)
    assert Structure.objects.filter(source="fs-test", source_id="262").exists()  # the duplicate of before
    Structure.objects.filter(pk=bus.pk).update(replaces=[["fs-test", "262"]])
    kept = import_offer(**imported)
    assert kept.absent == {"structures": 1, "lieux": 1, "services": 1}
    assert Structure.objects.filter(source="fs-test", source_id="262").exists()  # reported, kept without --prune
    pruned = import_offer(**imported, prune=True)
    assert pruned.removed == {"structures": 1, "lieux": 1, "services": 1}
    assert not Place.objects.filter(source="fs-test", source_id="262").exists()
    assert Structure.objects.filter(source="fs-test", source_id="606").exists()
    assert _bus_structures() == [":".join(CURATED_BUS)]


def test_a_record_of_the_same_file_can_replace_another(shipped_data, di_payload, write_json):
    data = copy.deepcopy(di_payload)
    replacing = copy.deepcopy(data["structures"][0])
    replacing["id"] = "test--s2"
    replacing["extension_carteblanche"] = {
        "operator": "caf",
        "places": [],
        "replaces": [{"source": "test-source", "id": "test--s1"}],
    }
    data["structures"].append(replacing)
    diff = import_offer(file_format="datainclusion", path=write_json(data), apply=True)
    assert diff.replaced == {"structures": 1, "lieux": 1, "services": 1}
    assert list(Structure.objects.filter(source="test-source").values_list("source_id", flat=True)) == ["test--s2"]


@pytest.mark.parametrize(
    ("replaces", "reason"),
    [
        ("262", "liste de {source, id} attendue"),
        ([{"source": FS_SOURCE}], "élément n°1 : objet {source, id} de deux textes attendu"),
        ([{"source": "test-source", "id": "test--s1"}], "ne peut pas se remplacer elle-même"),
    ],
)
def test_malformed_replacements_are_rejected_with_the_field_and_nothing_is_written(
    shipped_data, di_payload, write_json, replaces, reason
):
    data = copy.deepcopy(di_payload)
    data["structures"][0]["extension_carteblanche"] = {"operator": "caf", "places": [], "replaces": replaces}
    before = offer_counts()
    diff = import_offer(file_format="datainclusion", path=write_json(data), apply=True)
    assert not diff.written and offer_counts() == before
    assert [(r.field, r.location) for r in diff.rejected] == [
        ("extension_carteblanche.replaces", "structure n°1 (id test--s1)")
    ]
    assert reason in diff.rejected[0].reason


def test_replacements_survive_both_exports_and_a_csv_without_the_column_keeps_them(shipped_data, write_text):
    structures = Structure.objects.filter(source=CURATED_BUS[0], source_id=CURATED_BUS[1])
    services = Service.objects.filter(structure__in=structures)
    record = export_datainclusion(structures, services)["structures"][0]
    assert record["extension_carteblanche"]["replaces"] == [{"source": FS_SOURCE, "id": "262"}]
    csv_text = export_csv(structures, services)
    assert f"{FS_SOURCE}:262" in csv_text
    diff = import_offer(file_format="csv", path=write_text(csv_text), apply=True)
    assert diff.rejected == [] and diff.unchanged["structures"] == 1
    # an older CSV without the column says nothing about replacements: they stay
    table = list(csv.reader(io.StringIO(csv_text)))
    drop = table[0].index("structure_remplace")
    without = io.StringIO()
    csv.writer(without, lineterminator="\n").writerows([row[:drop] + row[drop + 1 :] for row in table])
    diff = import_offer(file_format="csv", path=write_text(without.getvalue(), "old.csv"), apply=True)
    assert diff.rejected == [] and diff.updated["structures"] == 0
    assert structures.get().replaces == [[FS_SOURCE, "262"]]


def test_the_model_refuses_malformed_or_self_replacements(shipped_data):
    bus = Structure.objects.get(source=CURATED_BUS[0], source_id=CURATED_BUS[1])
    bus.replaces = [["only-a-source"]]
    with pytest.raises(ValidationError, match="paire"):
        bus.full_clean()
    bus.replaces = [list(CURATED_BUS)]
    with pytest.raises(ValidationError, match="elle-même"):
        bus.full_clean()


def test_the_command_always_prints_what_it_left_out(shipped_data, national_bus_file, capsys):
    call_command("import_offer", "france-services", str(national_bus_file))
    out = capsys.readouterr().out
    assert f"= service {FS_SOURCE}:262-accompagnement non importé : remplacé par {':'.join(CURATED_BUS)}" in out
