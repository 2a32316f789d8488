"""Imports refuse pathological files with a clear French message, never a traceback (issue 14, finding 14)."""

import csv
import json

import pytest
from django.core.management import CommandError, call_command

from carteblanche.directory.actions import import_offer
from carteblanche.directory.importers.base import ImportFileError
from tests.directory.conftest import CSV_HEADER, CSV_ROW, offer_counts
from tests.directory.test_importers import _fs_features


def _refused(file_format, path) -> str:
    before = offer_counts()
    with pytest.raises(CommandError) as info:
        call_command("import_offer", file_format, str(path), "--apply", verbosity=0)
    assert offer_counts() == before
    message = str(info.value)
    assert "Traceback" not in message and "rien n'a été écrit" in message
    return message


@pytest.mark.parametrize("file_format", ["datainclusion", "france-services"])
def test_deeply_nested_json_is_refused(shipped_data, tmp_path, file_format):
    path = tmp_path / "nested.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    assert "trop profondément imbriqué" in _refused(file_format, path)


def test_csv_field_over_the_reader_limit_is_refused(shipped_data, write_text):
    huge = "x" * (csv.field_size_limit() + 10)
    row = CSV_ROW.replace("csv-test", f'"{huge}"', 1)
    message = _refused("csv", write_text(CSV_HEADER + row))
    assert "limite du lecteur CSV" in message and "ligne" in message
    header_over = write_text(f'"{huge}",' + CSV_HEADER, name="header.csv")
    assert "limite du lecteur CSV" in _refused("csv", header_over)


def test_ten_megabyte_structure_name_is_refused_not_cut(shipped_data, write_json, di_payload):
    name = "France Services " + "x" * (10 * 1024 * 1024)
    data = _fs_features("606")
    data["features"][0]["properties"]["lib_france_services"] = name
    diff = import_offer(file_format="france-services", path=write_json(data, "fs.geojson"), apply=True)
    assert not diff.written
    assert any("200 au plus" in str(rejection) for rejection in diff.rejected), diff.rejected
    di_payload["structures"][0]["nom"] = name
    diff = import_offer(file_format="datainclusion", path=write_json(di_payload), apply=True)
    assert not diff.written and any("200 au plus" in str(rejection) for rejection in diff.rejected)


def test_geojson_without_features_is_refused(shipped_data, write_json):
    for data in ({"type": "FeatureCollection"}, {"type": "FeatureCollection", "features": {"a": 1}}):
        with pytest.raises(ImportFileError) as info:
            import_offer(file_format="france-services", path=write_json(data, "fs.geojson"), apply=True)
        assert "features" in str(info.value)
    assert "features" in _refused("france-services", write_json({"type": "FeatureCollection"}, "fs2.geojson"))


def test_empty_feature_list_is_still_read(shipped_data, write_json):
    """An explicit empty list is a valid (empty) file: only a missing list is refused."""
    diff = import_offer(file_format="france-services", path=write_json({"type": "FeatureCollection", "features": []}))
    assert not diff.rejected
    json.dumps(diff.summary())
