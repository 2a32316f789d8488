"""The OpenAPI document is valid and names every schema once (a duplicate name silently replaces
the other schema in /api/docs: the rights simulation once showed the referrals' person)."""

import collections
import importlib
import pkgutil

import schemathesis
from ninja import Schema

import carteblanche
from carteblanche.api.api import api


def _project_schemas() -> list[type[Schema]]:
    for module in pkgutil.walk_packages(carteblanche.__path__, "carteblanche."):
        if module.name.rsplit(".", 1)[-1] in ("api", "schemas"):
            importlib.import_module(module.name)
    found, todo = [], list(Schema.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("carteblanche."):
            found.append(cls)
    return found


def test_openapi_document_is_valid():
    document = api.get_openapi_schema()
    schemathesis.openapi.from_dict(document).validate()  # OpenAPI 3.1 meta-schema (raises when invalid)


def test_every_schema_name_is_used_once():
    names = collections.Counter(cls.__name__ for cls in _project_schemas())
    assert [name for name, count in names.items() if count > 1] == []
    components = api.get_openapi_schema()["components"]["schemas"]
    assert {"RightsPersonIn", "RightsHouseholdIn", "PersonIn"} <= set(components)


def test_rights_simulation_documents_the_rights_person():
    document = api.get_openapi_schema()
    body = document["paths"]["/api/droits/simulations"]["post"]["requestBody"]["content"]["application/json"]
    household = document["components"]["schemas"][body["schema"]["$ref"].rsplit("/", 1)[-1]]
    person = document["components"]["schemas"][household["properties"]["persons"]["items"]["$ref"].rsplit("/", 1)[-1]]
    assert {"salary_net", "birth_date", "disability_rate"} <= set(person["properties"])
