import pytest

from carteblanche.core.models import Situation
from carteblanche.orientation.models import SavedPlan

MARTINE = {
    "commune": "Cieurac",
    "besoin": "pension-reversion",
    "besoin_2": "cheque-energie",
    "ne_conduit_pas": "on",
    "conduit_par_proche": "on",
    "conduit_quand": "mardi 9-12",
    "numerique": "no_internet",
    "telephone": "oui",
    "disponibilites": "mardi 9-12",
    "langue": "fr",
    "age": "78",
}


@pytest.fixture
def martine_plan(client, cahors_offer):
    response = client.post("/orientation/", MARTINE)
    assert response.status_code == 302, response.content.decode()[:2000]
    return SavedPlan.objects.get(pk=response["Location"].rstrip("/").split("/")[-1])


@pytest.mark.django_db
def test_form_page_renders(client, cahors_offer):
    response = client.get("/orientation/")
    assert response.status_code == 200
    assert "Demander une pension de réversion" in response.content.decode()


@pytest.mark.django_db
def test_form_takes_commune_and_need_from_a_directory_search(client, cahors_offer):
    response = client.get("/orientation/", {"commune": "Cieurac", "besoin": "pension-reversion"})
    html = response.content.decode()
    assert 'value="Cieurac"' in html
    assert 'value="pension-reversion" selected' in html


@pytest.mark.django_db
def test_plan_page_and_answers_are_kept_in_the_shared_situation(client, martine_plan):
    page = client.get(f"/orientation/plan/{martine_plan.pk}/").content.decode()
    assert "Mon plan" in page
    assert "Démarche en ligne" not in page
    situation = Situation.objects.get(pk=martine_plan.situation_id)
    assert situation.section("profile")["commune_code"] == "46070"
    assert situation.section("orientation")["digital"] == "no_internet"
    assert situation.section("orientation")["needs"]
    # The form comes back prefilled.
    form = client.get("/orientation/").content.decode()
    assert 'value="Cieurac"' in form


@pytest.mark.django_db
def test_print_sms_and_pdf(client, martine_plan):
    printed = client.get(f"/orientation/plan/{martine_plan.pk}/imprimer/").content.decode()
    assert "size: A4" in printed and "Mon plan" in printed
    sms = client.get(f"/orientation/plan/{martine_plan.pk}/sms.txt").content.decode()
    messages = sms.split("\n\n")
    assert 1 <= len(messages) <= 3 and all(len(m) <= 160 for m in messages)
    pdf = client.get(f"/orientation/plan/{martine_plan.pk}/mon-plan.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


@pytest.mark.django_db
def test_another_browser_cannot_read_the_plan(client, martine_plan):
    client.cookies.clear()
    assert client.get(f"/orientation/plan/{martine_plan.pk}/").status_code == 404


@pytest.mark.django_db
def test_agent_mode_needs_login_and_shows_the_scoring(client, cahors_offer, django_user_model):
    assert client.get("/orientation/agent/").status_code == 302
    user = django_user_model.objects.create_user(username="agent", password="motdepasse-solide-1")
    client.force_login(user)
    response = client.post("/orientation/agent/", MARTINE)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Détail des points" in page and "Poids" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"commune": "Cieurak"}, "Vouliez-vous dire"),
        ({"disponibilites": "lundi 25-30"}, "25 h"),
        ({"voiture": "on"}, "une seule des deux"),
        ({"besoin": "", "besoin_2": "", "besoin_libre": "xyzzy plugh"}, "pas reconnu"),
        ({"besoin": "inconnu"}, "Sélectionnez un choix valide"),
        ({"age": "deux cents"}, "nombre"),
    ],
)
def test_bad_input_says_what_to_change_never_a_500(client, cahors_offer, changes, expected):
    response = client.post("/orientation/", {**MARTINE, **changes})
    assert response.status_code == 400
    assert expected in response.content.decode()
    assert SavedPlan.objects.count() == 0
