"""Told once: answers given in orientation, a previous simulation or a case file prefill the rights
questionnaire, are shown as "déjà indiqué", and stay changeable."""

from html import unescape

import pytest

from carteblanche.accounts.models import Membership
from carteblanche.core.audit import AuditEntry
from carteblanche.core.models import Situation
from carteblanche.core.situations import SESSION_KEY
from carteblanche.rights import prefill
from carteblanche.rights.models import Simulation
from tests.referrals.conftest import make_structure, make_user
from tests.rights.households import SARAH

pytestmark = [pytest.mark.django_db, pytest.mark.filterwarnings("ignore:No directory at:UserWarning")]


def _page(client, step: str) -> str:
    response = client.get(f"/droits/questions/{step}/")
    assert response.status_code == 200
    return unescape(response.content.decode())


def _value(html: str, name: str) -> str:
    """The value attribute of the input named `name` ('' when none)."""
    start = html.index(f'name="{name}"')
    tag = html[html.rindex("<", 0, start) : html.index(">", start)]
    return tag.split('value="', 1)[1].split('"', 1)[0] if 'value="' in tag else ""


def test_orientation_answers_prefill_the_commune(client, shipped_data):
    from tests.orientation.test_pages import MARTINE

    assert client.post("/orientation/", MARTINE).status_code == 302  # orientation stores the shared situation
    html = _page(client, "foyer")
    assert _value(html, "commune").startswith("Cieurac (")
    assert "Déjà indiqué lors de votre recherche « Trouver où aller » : vous pouvez le modifier." in html
    assert "Vous avez indiqué avoir 78 ans (déjà indiqué lors de votre recherche" in html  # an age, not a date
    # Changeable: another commune is kept, and the shared profile follows.
    answers = {"commune": "Pradines", "birth_date": "1948-02-14", "couple": "no", "children": "0"}
    assert client.post("/droits/questions/foyer/", answers).status_code == 302
    assert Situation.objects.get().section("profile")["commune_code"] == "46224"
    assert _value(_page(client, "foyer"), "commune").startswith("Pradines")  # "Pradines (46090)": homonyms elsewhere
    assert "Déjà indiqué" not in _page(client, "foyer")  # now answered here


def test_a_previous_simulation_prefills_every_step(client, shipped_data):
    from carteblanche.rights.answers import household_to_json, parse_household

    situation = Situation.objects.create()
    household = parse_household(SARAH, today=situation.created_at.date(), commune_exists=lambda code: True).household
    Simulation.objects.create(
        situation=situation,
        month="2026-10",
        inputs={"household": household_to_json(household), "received": ["af"]},
        openfisca_france_version="176.1.8",
    )
    session = client.session
    session[SESSION_KEY] = str(situation.pk)
    session.save()
    html = _page(client, "foyer")
    assert _value(html, "commune").startswith("Pradines (")
    assert _value(html, "birth_date") == "1992-05-10"
    assert _value(html, "children") == "2"
    assert "Déjà indiqué lors de votre dernière simulation" in html
    answers = {"commune": _value(html, "commune"), "birth_date": "1992-05-10", "couple": "no", "children": "2"}
    assert client.post("/droits/questions/foyer/", answers).status_code == 302
    people = _page(client, "personnes")
    assert _value(people, "child_1_birth_date") == "2022-03-02"
    resources = _page(client, "ressources")
    assert _value(resources, "salary_net") == "900"
    housing = _page(client, "logement")
    assert _value(housing, "rent") == "520"
    assert "Déjà indiqué lors de votre dernière simulation" in housing


def test_a_case_file_prefills_the_agent_questionnaire_and_the_read_is_journaled(client, shipped_data):
    from carteblanche.referrals import actions

    structure = make_structure("France Services Catus")
    agent = make_user("agent", role=Membership.Role.AGENT, structure=structure)
    case = actions.create_case(
        actor=agent,
        structure_id=structure.pk,
        data={
            "first_name": "Kevin",
            "last_name": "Martin",
            "birth_date": "2003-04-01",
            "commune_code": "46064",
            "phone": "06 00 00 00 00",
            "contact_preference": "phone",
        },
    )
    client.force_login(agent)
    link = f"/droits/agent/?dossier={case.pk}"
    assert link in client.get(f"/accompagnement/dossiers/{case.pk}/").content.decode()
    response = client.get(link)
    assert response.status_code == 302
    html = _page(client, "foyer")
    assert _value(html, "commune").startswith("Catus (")
    assert _value(html, "birth_date") == "2003-04-01"
    assert "Déjà indiqué dans votre dossier d'accompagnement" in html
    assert AuditEntry.objects.filter(object_id=str(case.pk), action="read").exists()


def test_someone_elses_case_file_prefills_nothing(client, shipped_data):
    from carteblanche.referrals import actions

    owner = make_structure("Carsat")
    other = make_structure("CCAS")
    case = actions.create_case(
        actor=make_user("owner", role=Membership.Role.AGENT, structure=owner),
        structure_id=owner.pk,
        data={
            "first_name": "A",
            "last_name": "B",
            "commune_code": "46064",
            "contact_preference": "letter",
            "postal_address": "1 rue X, 46150 Catus",
        },
    )
    intruder = make_user("intruder", role=Membership.Role.AGENT, structure=other)
    client.force_login(intruder)
    client.get(f"/droits/agent/?dossier={case.pk}")
    assert "Catus" not in _page(client, "foyer")


def test_the_most_direct_source_wins():
    profile = prefill.steps_from_profile({"birth_date": "1948-02-14"}, commune_label="Cieurac (46090)")
    simulation = prefill.steps_from_household(
        {"depcom": "46224", "persons": [{"relation": "demandeur", "birth_date": "1950-01-01"}]},
        commune_label="Pradines (46090)",
    )
    merged = prefill.merge(profile, simulation)
    assert merged["foyer"]["commune"] == prefill.Known("Cieurac (46090)", "profile")
    assert merged["foyer"]["couple"] == prefill.Known("no", "simulation")
    initial, shown = prefill.initial_for("foyer", {"commune": "Cahors"}, merged)
    assert initial == {"commune": "Cahors"} and shown == {}  # answered here: nothing shown as prefilled
