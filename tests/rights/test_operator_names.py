"""The body that pays or decides is named for the person's department, or generically: never another
department's body, never an invented one (rights/data/operator_names.json)."""

import re

import pytest

from carteblanche.rights.openfisca_adapter import BENEFITS
from carteblanche.rights.selectors import _operator_names_data, operator_names_for
from tests.rights.households import MARTINE, SARAH

pytestmark = pytest.mark.django_db


def test_every_operator_has_a_generic_name_and_every_department_name_a_source():
    data = _operator_names_data()
    operators = {b.operator for b in BENEFITS} | {b.msa_operator for b in BENEFITS if b.msa_operator}
    assert operators <= set(data["default"]), operators - set(data["default"])
    for code, department in data["departments"].items():
        assert re.fullmatch(r"\d[\dAB]\d?", code), code
        assert set(department["names"]) <= set(data["default"]), code
        assert set(department["names"]) == set(department["sources"]), code
        assert all(url.startswith("http") for url in department["sources"].values())
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", department["consulted_on"])


def test_a_lot_commune_names_the_lot_bodies_and_another_the_generic_ones(shipped_data):
    cahors = operator_names_for("46042")
    assert (cahors["caf"], cahors["msa"]) == ("la CAF du Lot", "la MSA Midi-Pyrénées Nord")
    bordeaux = operator_names_for("33063")
    assert bordeaux["caf"] == "votre CAF (caisse d'allocations familiales)"
    assert not any("Lot" in name or "Midi-Pyrénées" in name for name in bordeaux.values())
    assert operator_names_for("99999") == operator_names_for("33063")  # unknown commune: generic


def test_the_results_of_a_household_outside_the_lot_name_no_lot_body(client, shipped_data, tax_benefit_system):
    gironde = {**SARAH, "commune_code": "33063", "month": "2026-10"}
    response = client.post("/api/droits/simulations", gironde, content_type="application/json")
    assert response.status_code == 200, response.content
    names = {b["code"]: b["operator_name"] for b in response.json()["benefits"]}
    assert names["af"] == "votre CAF (caisse d'allocations familiales)"
    assert not any("Lot" in name for name in names.values()), names
    lot = client.post("/api/droits/simulations", {**MARTINE, "month": "2026-10"}, content_type="application/json")
    assert lot.status_code == 200, lot.content
    martine = {b["code"]: b["operator_name"] for b in lot.json()["benefits"]}
    assert martine["aspa"] == "la MSA Midi-Pyrénées Nord"  # she is under the farm scheme, in the Lot
