"""The person's own online request to be accompanied (/accompagnement/demande/): consent first, right structure."""

from html import unescape

import pytest
from django.core.cache import cache
from django.test import Client

from carteblanche.accounts.models import Membership
from carteblanche.core.models import AuditEntry
from carteblanche.referrals.models import CaseFile, Consent, FollowLink, Notification
from tests.referrals.conftest import make_structure, make_user

URL = "/accompagnement/demande/"
CAHORS = "46042"


@pytest.fixture(autouse=True)
def _clear_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def cahors_fs(shipped_data):
    """The France Services nearest to Cahors, its agent, and an agent of another France Services."""
    from carteblanche.referrals.selectors import nearest_france_services
    from carteblanche.territories.models import Commune

    nearest = nearest_france_services(Commune.objects.get(pk=CAHORS))
    assert nearest is not None and "France Services" in nearest["structure"].name
    structure = nearest["structure"]
    other = type(structure).objects.filter(name__icontains="France Services Catus").exclude(
        pk=structure.pk
    ).first() or make_structure("Autre France Services")
    return {
        "structure": structure,
        "agent": make_user("agent-fs-cahors", role=Membership.Role.AGENT, structure=structure),
        "other_agent": make_user("agent-autre", role=Membership.Role.AGENT, structure=other),
    }


def _data(**extra):
    return {
        "first_name": "Sarah",
        "contact_preference": "sms",
        "contact_value": "06 12 34 56 78",
        "commune": "Cahors",
        "need": "Remplir ma demande de prime d'activité",
        "structure": "",
        **extra,
    }


def _send(client, structure, **extra):
    data = _data(step="send", consent="on", **{"structure": str(structure.pk), **extra})
    return client.post(URL, data)


def test_form_is_public_and_shows_the_benefit(cahors_fs):
    response = Client().get(URL, {"droit": "ppa", "simulation": "pas-un-uuid"})
    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert "Prime d'activité" in html
    assert 'name="first_name"' in html and 'name="contact_value"' in html


def test_confirm_step_names_the_nearest_france_services(cahors_fs):
    response = Client().post(URL, _data(step="confirm"))
    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert cahors_fs["structure"].name in html
    assert 'name="consent"' in html
    assert CaseFile.objects.count() == 0


def test_nothing_is_created_without_consent(cahors_fs):
    data = _data(step="send", structure=str(cahors_fs["structure"].pk))
    response = Client().post(URL, data)
    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert "sans votre accord, rien n'est envoyé" in html
    assert CaseFile.objects.count() == 0
    assert Consent.objects.count() == 0
    assert Notification.objects.count() == 0
    assert not AuditEntry.objects.filter(actor_label="demande en ligne").exists()


def test_happy_path_creates_case_consent_audit_notification_and_follow_link(cahors_fs):
    from carteblanche.core.situations import get_or_start_situation, save_situation_section

    client = Client()
    # The person already answered the rights questionnaire in this browser: the profile gives the commune.
    session_response = client.get("/")
    assert session_response.status_code == 200
    request = type("R", (), {"session": client.session})()
    situation = get_or_start_situation(request)
    request.session.save()
    save_situation_section(situation=situation, section="profile", data={"commune_code": CAHORS})
    form_html = unescape(client.get(URL, {"droit": "ppa"}).content.decode())
    assert 'value="Cahors"' in form_html  # prefilled from the shared situation

    response = _send(client, cahors_fs["structure"], droit="ppa")
    html = unescape(response.content.decode())
    assert response.status_code == 200, html
    case = CaseFile.objects.get()
    assert case.structure_id == cahors_fs["structure"].pk
    assert case.situation_id == situation.pk  # the agent sees the answers: nothing retyped
    assert case.first_name == "Sarah" and case.last_name == ""
    assert case.contact_preference == "sms" and case.phone == "06 12 34 56 78"
    assert case.commune_code == CAHORS
    assert "Prime d'activité" in case.needs_note
    consent = Consent.objects.get(case=case)
    assert consent.method == Consent.Method.ONLINE
    assert consent.recipient_id == cahors_fs["structure"].pk
    assert set(consent.scope) == {"identity", "situation", "needs"}
    audit = AuditEntry.objects.filter(actor_label="demande en ligne", object_id=str(case.pk))
    assert audit.filter(action=AuditEntry.Action.CREATE).exists()
    notices = Notification.objects.filter(url=f"/accompagnement/dossiers/{case.pk}/")
    assert set(notices.values_list("recipient_id", flat=True)) >= {cahors_fs["agent"].pk}
    assert not notices.filter(recipient=cahors_fs["other_agent"]).exists()
    assert FollowLink.objects.filter(case=case).count() == 1
    assert "/accompagnement/suivi/" in html and cahors_fs["structure"].name in html
    assert response["Cache-Control"] == "private, no-store"
    # The private link works for the person, without an account.
    follow_url = html.split('id="follow-link" href="')[1].split('"')[0]
    follow = Client().get(follow_url)
    assert follow.status_code == 200
    assert cahors_fs["structure"].name in unescape(follow.content.decode())


@pytest.mark.parametrize(
    ("extra", "field_message"),
    [
        ({"first_name": ""}, "Indiquez votre prénom ou vos initiales."),
        ({"first_name": "1234"}, "des lettres, 50 caractères au plus"),
        ({"contact_value": "12"}, "Numéro de téléphone non reconnu"),
        ({"contact_value": "05 65 00 00 00"}, "numéro de portable (06 ou 07)"),
        ({"contact_preference": "email", "contact_value": "pas-un-mail"}, "Adresse e-mail non reconnue"),
        ({"contact_preference": "letter", "contact_value": "ici"}, "adresse complète"),
        ({"contact_preference": "pigeon"}, "Choisissez dans la liste."),
        ({"contact_value": ""}, "Indiquez comment vous joindre"),
        ({"commune": "Zzzzzzville"}, "Nous ne trouvons pas la commune « Zzzzzzville »"),
        ({"commune": ""}, "Indiquez votre commune."),
        ({"need": ""}, "Indiquez pour quoi vous souhaitez être aidé(e)."),
        ({"need": "x" * 600}, "500 caractères"),
    ],
)
def test_bad_input_gets_a_clear_field_message_and_creates_nothing(cahors_fs, extra, field_message):
    response = _send(Client(), cahors_fs["structure"], **extra)
    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert field_message in html
    assert CaseFile.objects.count() == 0


def test_garbage_parameters_never_give_a_500(cahors_fs):
    client = Client()
    for params in ({"droit": "\x00" * 100, "simulation": "' OR 1=1"}, {"droit": ["a", "b"]}):
        assert client.get(URL, params).status_code == 200
    assert client.post(URL, {"step": "send", "consent": "on", "structure": "abc"}).status_code == 200
    assert CaseFile.objects.count() == 0


def test_changed_commune_asks_to_confirm_again(cahors_fs):
    response = Client().post(URL, _data(step="send", consent="on", structure="999999"))
    assert "La commune a changé" in unescape(response.content.decode())
    assert CaseFile.objects.count() == 0


def test_rate_limited_per_connection(cahors_fs, settings):
    settings.REFERRALS_PUBLIC_REQUESTS_PER_HOUR = 2
    client = Client()
    assert _send(client, cahors_fs["structure"]).status_code == 200
    assert _send(client, cahors_fs["structure"]).status_code == 200
    response = _send(client, cahors_fs["structure"])
    assert response.status_code == 429
    assert "Trop de demandes" in unescape(response.content.decode())
    assert CaseFile.objects.count() == 2


def test_rate_limit_behind_a_proxy_counts_each_client_not_the_proxy(cahors_fs, settings):
    settings.REFERRALS_PUBLIC_REQUESTS_PER_HOUR = 1
    settings.CARTEBLANCHE_TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    first = Client(HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)
    second = Client(HTTP_X_FORWARDED_FOR="198.51.100.9", **proxy)
    assert _send(first, cahors_fs["structure"]).status_code == 200
    assert _send(second, cahors_fs["structure"]).status_code == 200  # another person, same proxy
    # a client cannot escape its limit by writing its own X-Forwarded-For entry in front
    spoofing = Client(HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.7", **proxy)
    assert _send(spoofing, cahors_fs["structure"]).status_code == 429
    assert CaseFile.objects.count() == 2


def test_agent_of_that_france_services_sees_it_and_another_does_not(cahors_fs):
    _send(Client(), cahors_fs["structure"])
    case = CaseFile.objects.get()
    own = Client()
    own.force_login(cahors_fs["agent"])
    dashboard = unescape(own.get("/accompagnement/").content.decode())
    assert f"/accompagnement/dossiers/{case.pk}/" in dashboard
    assert "Nouvelle demande d'accompagnement en ligne" in dashboard
    assert own.get(f"/accompagnement/dossiers/{case.pk}/").status_code == 200

    other = Client()
    other.force_login(cahors_fs["other_agent"])
    assert f"/accompagnement/dossiers/{case.pk}/" not in unescape(other.get("/accompagnement/").content.decode())
    assert other.get(f"/accompagnement/dossiers/{case.pk}/").status_code == 404


def test_rights_result_button_points_to_the_public_request():
    from django.template.loader import get_template

    source = get_template("rights/_summary.html").template.source
    assert "{% url 'referrals:public_request' %}?droit=" in source


def test_the_case_file_links_the_person_s_own_simulation_by_a_foreign_key(cahors_fs):
    """Finding 8: the simulation is a foreign key of the case file (not text in the needs note),
    and only the simulation of the same browser session is linked."""
    from carteblanche.core.situations import get_or_start_situation
    from carteblanche.rights.models import Simulation

    client = Client()
    client.get("/")
    request = type("R", (), {"session": client.session})()
    situation = get_or_start_situation(request)
    request.session.save()
    own = Simulation.objects.create(month="2026-11", inputs={}, openfisca_france_version="x", situation=situation)
    stranger = Simulation.objects.create(month="2026-11", inputs={}, openfisca_france_version="x")
    response = _send(client, cahors_fs["structure"], droit="ppa", simulation=str(own.pk))
    assert response.status_code == 200
    case = CaseFile.objects.get()
    assert case.simulation_id == own.pk and "Simulation" not in case.needs_note
    CaseFile.objects.all().delete()
    _send(Client(), cahors_fs["structure"], droit="ppa", simulation=str(stranger.pk))
    assert CaseFile.objects.get().simulation_id is None


def test_a_right_described_as_data_can_be_asked_for_with_help(cahors_fs):
    """Martine's pension de réversion is no OpenFisca benefit: its card leads to the same request."""
    from carteblanche.rights.models import LocalAid

    reversion = LocalAid.objects.get(slug="pension-de-reversion")
    form_html = unescape(Client().get(URL, {"droit": reversion.slug}).content.decode())
    assert "Votre demande : <strong>Pension de réversion</strong>" in form_html
    response = _send(Client(), cahors_fs["structure"], droit=reversion.slug, need="")
    assert response.status_code == 200
    case = CaseFile.objects.get()
    assert "Demander : Pension de réversion" in case.needs_note
    assert list(case.needs.values_list("slug", flat=True)) == list(reversion.needs)


def test_an_unknown_or_ended_right_is_ignored(cahors_fs):
    from carteblanche.rights.models import LocalAid

    assert "Votre demande" not in unescape(Client().get(URL, {"droit": "pas-un-droit"}).content.decode())
    LocalAid.objects.filter(slug="pension-de-reversion").update(active=False)
    assert "Votre demande" not in unescape(Client().get(URL, {"droit": "pension-de-reversion"}).content.decode())


@pytest.mark.parametrize("raw", ["\x00pension-de-reversion", "pension de réversion", "' OR 1=1 --", "pension/../x"])
def test_a_right_that_is_no_slug_is_never_looked_up(shipped_data, raw, django_assert_num_queries):
    from carteblanche.rights.selectors import claimable_right

    with django_assert_num_queries(0):
        assert claimable_right(raw) is None
