"""One reading of a typed commune on every surface: directory, orientation, rights, case files, territory API.

Each homonym of the default territory and each of its postcodes goes through the resolver and
through every form, API and command that takes a commune: the same commune, or the same question.
"""

import json
import secrets
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from carteblanche.territories.models import Commune
from carteblanche.territories.selectors import commune_display, commune_label, resolve_commune
from tests.territories.cases import HOMONYMS, POSTCODES, territory_homonyms, territory_postcodes

WHEN = "2026-05-11T08:00:00+02:00"  # a Monday: plans are computed for a fixed date


def expected_for_postcode(postcode: str) -> list[str]:
    """INSEE codes a postcode may mean: the communes carrying it, and the one whose INSEE code it is."""
    codes = [c.code for c in territory_postcodes()[postcode]]
    return codes + [c for c in Commune.objects.filter(code=postcode).values_list("code", flat=True) if c not in codes]


def local(name: str) -> Commune:
    return territory_homonyms()[name]


# ---------------------------------------------------------------- the lists come from the data


def test_the_homonym_and_postcode_lists_are_the_shipped_datas(shipped_data):
    assert sorted(territory_homonyms()) == sorted(HOMONYMS)
    found = territory_postcodes()
    assert sorted(found) == sorted(POSTCODES)
    assert {code: len(communes) for code, communes in found.items()} == POSTCODES


# ---------------------------------------------------------------- the resolver


@pytest.mark.parametrize("name", HOMONYMS)
def test_a_homonym_is_the_territorys_commune(shipped_data, name):
    commune = local(name)
    for typed in (name, name.upper(), name.lower(), f" {name} "):
        answer = resolve_commune(typed)
        assert answer.commune == commune, typed
    elsewhere = Commune.objects.filter(search_key=commune.search_key).exclude(code=commune.code)
    assert elsewhere.exists() and all((c.population or 0) >= 0 for c in elsewhere)
    for other in elsewhere:  # each homonym stays reachable by its label, department or INSEE code
        assert resolve_commune(commune_label(other)).commune == other
        assert resolve_commune(commune_display(other)).commune == other
        by_code = resolve_commune(other.code)  # or, when it is also a postcode, one of the choices
        assert by_code.commune == other or other in by_code.candidates
    assert resolve_commune(f"{name} (46)").commune == commune
    assert resolve_commune(f"{name} (Lot)").commune == commune


@pytest.mark.parametrize("postcode", sorted(POSTCODES))
def test_a_postcode_gives_the_communes_carrying_it(shipped_data, postcode):
    expected = expected_for_postcode(postcode)
    answer = resolve_commune(postcode)
    if len(expected) == 1:
        assert answer.commune is not None and answer.commune.code == expected[0]
        return
    assert answer.commune is None and answer.ambiguous
    assert sorted(c.code for c in answer.candidates) == sorted(expected)
    inside = {c.code for c in answer.candidates if c.territories.filter(slug="bassin-de-vie-cahors").exists()}
    assert {c.code for c in answer.candidates[: len(inside)]} == inside  # the territory's communes first
    message = answer.message()
    assert f"Le code postal {postcode} est celui de plusieurs communes" in message
    assert commune_display(answer.candidates[0]) in message
    for candidate in answer.candidates:  # every choice offered reads back to that commune
        assert resolve_commune(commune_label(candidate)).commune == candidate


def test_a_postcode_is_never_read_as_an_insee_code(shipped_data):
    """46090 is the INSEE code of Durbans, far north: a person typing it means the postcode."""
    answer = resolve_commune("46090")
    assert answer.commune is None and "46224" in [c.code for c in answer.candidates]
    assert resolve_commune("46042").commune.name == "Cahors"  # an INSEE code no postcode uses
    assert resolve_commune("Leyme (46170)").commune.name == "Leyme"  # an INSEE code in brackets


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Cieurac (46)", "46070"),
        ("Cieurac (46230)", "46070"),
        ("Cieurac (Lot)", "46070"),
        ("Cieurac (Lot, 46230)", "46070"),
        ("Lherm (31)", "31299"),
        ("Lherm (Haute-Garonne)", "31299"),
        ("St Gery", "46268"),
        ("Saint-Cirq", "46256"),  # the territory's Saint-Cirq-Lapopie before Saint-Cirq (82)
        ("Figeac", "46102"),  # one commune of that name in France, outside the territory: taken
        ("2A004", "2A004"),
    ],
)
def test_forms_with_brackets_and_names_outside(shipped_data, typed, expected):
    assert resolve_commune(typed).commune.code == expected


def test_a_name_borne_several_times_elsewhere_is_asked(shipped_data):
    answer = resolve_commune("Sainte-Colombe")
    assert answer.ambiguous and len(answer.candidates) == Commune.objects.filter(name="Sainte-Colombe").count()
    assert "Plusieurs communes correspondent à « Sainte-Colombe » : précisez laquelle" in answer.message()
    assert "Sainte-Colombe (Landes, 40700)" in answer.message()


def test_nothing_found_says_so_with_close_spellings(shipped_data):
    assert resolve_commune("Cieurac (75)").commune is None
    assert resolve_commune("Cieurac (75)").suggestions[0].code == "46070"
    assert resolve_commune("").message() == "Indiquez votre commune (nom ou code postal)."
    assert "Vérifiez l'orthographe" in resolve_commune("qzqzqzqz").message()


# ---------------------------------------------------------------- the surfaces


def _cases():
    """(typed, expected INSEE code or None when the person must choose), for every homonym and postcode."""
    return [pytest.param(name, "homonym", id=name) for name in HOMONYMS] + [
        pytest.param(code, "postcode", id=code) for code in sorted(POSTCODES)
    ]


def _expect(typed: str, kind: str) -> tuple[str | None, list[str]]:
    if kind == "homonym":
        return local(typed).code, []
    expected = expected_for_postcode(typed)
    return (expected[0], []) if len(expected) == 1 else (None, expected)


@pytest.mark.parametrize(("typed", "kind"), _cases())
def test_directory_page_and_api(client, shipped_data, typed, kind):
    code, candidates = _expect(typed, kind)
    page = client.get("/recherche/", {"commune": typed, "besoin": "carte-identite"})
    html = page.content.decode()
    body = client.get("/api/offre/services", {"commune": typed, "besoin": "carte-identite"})
    if code:
        assert page.status_code == 200 and page.context["commune"].code == code
        assert body.status_code == 200 and body.json()["commune"]["code"] == code
    else:
        assert page.status_code == 200 and f"Plusieurs communes ont le code postal {typed}" in html
        assert len(page.context["commune_choices"]) == len(candidates)
        assert body.status_code == 422
        assert sorted(c["code"] for c in body.json()["candidates"]) == sorted(candidates)
        assert body.json()["errors"][0]["field"] == "commune"


def _orientation_api(client, typed):
    data = {"commune": typed, "besoins": ["carte-identite"], "disponibilites": "lundi 9-17", "maintenant": WHEN}
    return client.post("/api/orientation/plan", data, content_type="application/json")


@pytest.mark.parametrize(("typed", "kind"), _cases())
def test_orientation_form_api_and_command(client, shipped_data, typed, kind):
    from carteblanche.core.models import Situation
    from carteblanche.orientation.models import SavedPlan

    code, candidates = _expect(typed, kind)
    form = client.post(
        "/orientation/",
        {
            "commune": typed,
            "besoin": "carte-identite",
            "numerique": "autonomous",
            "telephone": "oui",
            "disponibilites": "lundi 9-17",
            "langue": "fr",
        },
    )
    api = _orientation_api(client, typed)
    out = StringIO()
    args = ["--commune", typed, "--besoin", "carte-identite", "--libre", "lundi 9-17", "--date", WHEN, "--json"]
    if code:
        assert form.status_code == 302, form.content.decode()[:3000]
        saved = SavedPlan.objects.get(pk=form["Location"].rstrip("/").split("/")[-1])
        assert Situation.objects.get(pk=saved.situation_id).section("profile")["commune_code"] == code
        assert api.status_code == 200 and api.json()["commune"]["code"] == code
        call_command("orient", *args, stdout=out)
        assert json.loads(out.getvalue())["commune"]["code"] == code
        return
    assert form.status_code == 400
    errors = " ".join(form.context["form"].errors["commune"])
    assert "précisez laquelle" in errors
    assert api.status_code == 422
    problem = next(p for p in api.json()["errors"] if p["field"] == "commune")
    assert sorted(resolve_commune(label).commune.code for label in problem["suggestions"]) == sorted(candidates)
    with pytest.raises(CommandError) as error:
        call_command("orient", *args, stdout=out)
    assert "--commune : Le code postal" in str(error.value)


@pytest.mark.parametrize(("typed", "kind"), _cases())
def test_rights_form_and_api(client, shipped_data, typed, kind):
    code, candidates = _expect(typed, kind)
    step = client.post(
        "/droits/questions/foyer/", {"commune": typed, "birth_date": "1960-05-10", "couple": "no", "children": "0"}
    )
    # No person: the API refuses the household, and says nothing against the commune when it is understood.
    api = client.post("/api/droits/simulations", {"commune": typed, "persons": []}, content_type="application/json")
    assert api.status_code == 422
    fields = [e["field"] for e in api.json()["errors"]]
    if code:
        assert step.status_code == 302, step.content.decode()[:3000]
        from carteblanche.core.models import Situation

        situation = Situation.objects.get(pk=client.session["situation_id"])
        assert situation.section("profile")["commune_code"] == code
        assert "commune" not in fields and "commune_code" not in fields and "persons" in fields
        return
    assert step.status_code == 200 and "précisez laquelle" in step.content.decode()
    assert fields == ["commune"]
    assert sorted(c["code"] for c in api.json()["candidates"]) == sorted(candidates)


@pytest.mark.parametrize(("typed", "kind"), _cases())
def test_case_files_form_public_request_and_partner_api(shipped_data, typed, kind):
    from carteblanche.referrals.forms import CaseForm, PublicRequestForm
    from carteblanche.referrals.models import ApiToken, CaseFile, hash_token
    from tests.referrals.conftest import make_structure

    code, candidates = _expect(typed, kind)
    form = CaseForm(
        {"first_name": "Jeanne", "last_name": "Roques", "commune_code": typed, "contact_preference": "phone"}
    )
    public = PublicRequestForm(
        {
            "first_name": "J",
            "contact_preference": "sms",
            "contact_value": "06 12 34 56 78",
            "commune": typed,
            "need": "refaire ma carte d'identité",
        }
    )
    fs, caf = make_structure("France Services test"), make_structure("CAF test")
    raw = "cb_" + secrets.token_urlsafe(24)
    ApiToken.objects.create(structure=fs, name="logiciel", prefix=raw[:8], token_hash=hash_token(raw))
    body = {
        "person": {"first_name": "Jeanne", "last_name": "Roques", "phone": "06 11 22 33 44", "commune": typed},
        "to_structure_id": caf.pk,
        "need_label": "carte d'identité",
        "consent": {"scope": ["identity"], "purpose": "refaire sa carte", "method": "online", "given_at": WHEN},
    }
    api = Client().post(
        "/api/accompagnement/orientations", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    if code:
        assert form.is_valid(), form.errors
        assert form.cleaned_data["commune_code"] == code
        public.is_valid()
        assert "commune" not in public.errors and public.cleaned_data["commune_obj"].code == code
        assert api.status_code == 201, api.content
        assert CaseFile.objects.get().commune_code == code
        return
    assert not form.is_valid() and "précisez laquelle" in form.errors["commune_code"][0]
    assert not public.is_valid() and "précisez laquelle" in public.errors["commune"][0]
    assert api.status_code == 422 and "précisez laquelle" in api.json()["message"]
    assert len(candidates) > 1


def test_opening_a_case_with_a_name(shipped_data):
    from carteblanche.referrals.forms import CaseForm

    form = CaseForm(
        {"first_name": "Jeanne", "last_name": "R", "commune_code": "Cieurac", "contact_preference": "phone"}
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["commune_code"] == "46070"
    bad = CaseForm({"first_name": "Jeanne", "last_name": "R", "commune_code": "Cieurak", "contact_preference": "phone"})
    assert not bad.is_valid() and "Vouliez-vous dire : Cieurac (Lot, 46230)" in bad.errors["commune_code"][0]


@pytest.mark.parametrize(("typed", "kind"), _cases())
def test_territory_api(client, shipped_data, typed, kind):
    code, candidates = _expect(typed, kind)
    response = client.get("/api/territoires/communes/resoudre", {"q": typed})
    listed = client.get("/api/territoires/communes", {"q": typed, "limit": 50}).json()
    if code:
        assert response.status_code == 200 and response.json()["code"] == code
        assert response.json()["department_name"] == "Lot"
        assert listed[0]["code"] == code
        return
    assert response.status_code == 422
    assert sorted(c["code"] for c in response.json()["candidates"]) == sorted(candidates)
    assert sorted(c["code"] for c in listed[: len(candidates)]) == sorted(candidates)


@pytest.mark.parametrize("name", HOMONYMS)
def test_a_form_prefilled_from_the_situation_reads_back_to_the_same_commune(client, shipped_data, name):
    """Lherm (Haute-Garonne) chosen once stays Lherm (Haute-Garonne) when the form comes back prefilled."""
    from carteblanche.territories.selectors import commune_typed

    here = local(name)
    assert commune_typed(here) == name
    for other in Commune.objects.filter(search_key=here.search_key).exclude(code=here.code):
        assert resolve_commune(commune_typed(other)).commune == other
    other = Commune.objects.filter(search_key=here.search_key).exclude(code=here.code).first()
    _orientation_form = {"besoin": "carte-identite", "numerique": "autonomous", "telephone": "oui", "langue": "fr"}
    response = client.post("/orientation/", {**_orientation_form, "commune": commune_label(other)})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert f'value="{commune_typed(other)}"' in client.get("/orientation/").content.decode()
