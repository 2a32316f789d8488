"""Exports: data·inclusion validates with the package; export -> empty DB -> import -> export is identical."""

import csv
import io
import json

import pytest
from data_inclusion.schema import v1

from carteblanche.directory.actions import import_offer
from carteblanche.directory.exports import export_csv, export_datainclusion, export_geojson
from carteblanche.directory.importers.csv_format import COLUMNS
from carteblanche.directory.models import Service, Structure


def _all():
    return Structure.objects.all(), Service.objects.all()


def test_datainclusion_export_of_the_shipped_offer_validates(shipped_data):
    data = export_datainclusion(*_all())
    assert len(data["structures"]) >= 100 and len(data["services"]) >= 100
    for record in data["structures"]:
        v1.Structure.model_validate(record)
    for record in data["services"]:
        v1.Service.model_validate(record)


@pytest.mark.parametrize("file_format", ["datainclusion", "csv"])
def test_round_trip_is_identical(shipped_data, tmp_path, file_format):
    if file_format == "csv":
        first = export_csv(*_all())
        (tmp_path / "offer.csv").write_text(first, encoding="utf-8")
    else:
        first = json.dumps(export_datainclusion(*_all()), ensure_ascii=False, sort_keys=True)
        (tmp_path / "offer.csv").write_text(first, encoding="utf-8")
    Structure.objects.all().delete()
    assert not Service.objects.exists()
    diff = import_offer(file_format=file_format, path=tmp_path / "offer.csv", apply=True)
    assert diff.written and not diff.rejected
    again = (
        export_csv(*_all())
        if file_format == "csv"
        else json.dumps(export_datainclusion(*_all()), ensure_ascii=False, sort_keys=True)
    )
    assert again == first


def test_csv_export_has_the_template_columns(shipped_data):
    rows = list(csv.DictReader(io.StringIO(export_csv(*_all()))))
    assert list(rows[0]) == COLUMNS
    bus = next(r for r in rows if r["service_id"] == "bus-france-services-grand-cahors-accompagnement")
    stops = json.loads(bus["canaux"])[0]["stops"]
    assert len(stops) == 26


def test_geojson_has_places_and_itinerant_stops(shipped_data):
    data = export_geojson(*_all())
    kinds = [f["properties"]["type"] for f in data["features"]]
    assert kinds.count("arret_itinerant") == 26
    cpam = next(f for f in data["features"] if f["properties"].get("id") == "cpam-du-lot-cahors")
    assert cpam["properties"]["position_approximate"] is True and cpam["properties"]["address"] == "rue Hautesserre"
    assert cpam["properties"]["horaires_inconnus"] is True
