"""Safety first for urgent needs: the national lines as validated data, said first at any hour,
nothing at the home of someone leaving a violent home, and on every error page of the public flows."""

import json
from datetime import datetime

import pytest
from django.test import Client, override_settings

from carteblanche.orientation import emergency
from carteblanche.orientation.availability import parse_availability
from carteblanche.orientation.engine import Engine, HoursStatus, NeedRequest
from carteblanche.orientation.render import plan_to_dict, plan_to_sms, plan_to_text
from carteblanche.orientation.scoring import OptionKind
from carteblanche.territories.geo import PARIS
from tests.orientation.factories import CAHORS, channel, location, person, service

VIOLENCE = NeedRequest("violences-conjugales", "Violences conjugales", thematiques=("famille--violence",))
SUNDAY_NIGHT = datetime(2026, 12, 6, 23, 0, tzinfo=PARIS)


def _violence_offer():
    line_3919 = service(
        "3919",
        (channel("phone", "3919-phone", phone="3919", hours="24/7"),),
        need_slugs=(VIOLENCE.slug,),
        operator="justice",
    )
    social = service(
        "social",
        (
            channel("home_visit", "social-visit", phone="05 00 00 00 09"),
            channel("counter", "social-counter", location=location("social", CAHORS, name="Accueil social")),
        ),
        need_slugs=(VIOLENCE.slug,),
        operator="departement",
    )
    listening = service(
        "listening",
        (channel("phone", "listening-phone", phone="05 00 00 00 10", hours="24/7"),),
        need_slugs=(VIOLENCE.slug,),
        operator="association",
    )
    return [line_3919, social, listening]


def _at_night(**kw):
    base = person(needs=(VIOLENCE,), **kw)
    return base.__class__(
        **{name: getattr(base, name) for name in base.__slots__}
        | {"now": SUNDAY_NIGHT, "availability": parse_availability("").windows(SUNDAY_NIGHT)}
    )


def test_the_shipped_lines_load_and_cover_every_urgent_need_with_a_source():
    data = emergency.load()
    assert {"17", "112", "114", "3919", "115", "119", "3114", "15"} <= set(data.lines)
    assert data.line("114").channel == "sms"
    for line in data.all_lines():
        assert line.always_open and line.source_url.startswith("https://") and line.source_date
    for slug in (
        "violences-conjugales",
        "hebergement-urgence",
        "enfant-en-danger",
        "idees-suicidaires",
        "urgence-medicale",
    ):
        assert data.needs[slug].always


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["lines"][0].update(channel="fax"), "champ « channel »"),
        (lambda d: d["lines"][1].update(number="17"), "numéro en double"),
        (lambda d: d["lines"][2].pop("source_url"), "champ « source_url » manquant"),
        (lambda d: d["needs"]["violences-conjugales"]["lines"].append("999"), "numéro inconnu 999"),
    ],
)
def test_a_wrong_lines_file_is_refused_naming_the_entry_and_the_field(change, message):
    data = json.loads(emergency.DATA_FILE.read_text(encoding="utf-8"))
    change(data)
    with pytest.raises(emergency.EmergencyDataError, match=message):
        emergency.parse(data)


def test_violence_at_night_puts_the_national_lines_first_and_never_the_home():
    plan = Engine().plan(_at_night(), _violence_offer())
    assert plan.safety is not None
    assert [line.number for line in plan.safety.lines][:4] == ["17", "112", "114", "3919"]
    text = plan_to_text(plan)
    assert text.splitlines()[0] == plan.safety.headline
    assert "17" in plan.safety.headline and "24 h/24" in plan.safety.headline
    assert plan_to_sms(plan_to_dict(plan))[0].startswith("Urgence")
    assert plan_to_sms(plan_to_dict(plan))[0].split(".")[0].split("appelez le ")[1].startswith("17")
    kinds = {option.kind for option in plan.options}
    assert OptionKind.HOME_VISIT not in kinds  # leaving a violent home: nothing at the home
    assert "3919" not in {option.phone for option in plan.options}  # said once, first, not as option 4
    assert "violences-conjugales" not in plan.uncovered


def test_a_24_7_line_is_open_now_not_monday_8_to_19():
    plan = Engine().plan(_at_night(), _violence_offer())
    listening = next(option for option in plan.options if option.phone == "05 00 00 00 10")
    assert listening.hours_status == HoursStatus.ALWAYS and not listening.slots


def test_an_ordinary_need_has_no_emergency_block_unless_said_urgent():
    need = NeedRequest("aide-alimentaire", "Aide alimentaire")
    offer = [service("ccas", (channel("phone", "ccas-phone"),), need_slugs=(need.slug,))]
    assert Engine().plan(person(needs=(need,)), offer).safety is None
    urgent = Engine().plan(person(needs=(need,), urgent=True), offer)
    assert urgent.safety is not None and urgent.safety.lines[0].number == "115"


def test_urgent_changes_the_ranking():
    need = NeedRequest("aide-financiere-urgence", "Aide financière")
    offer = [
        service(
            "later",
            (channel("counter", "c", location=location("c", CAHORS, hours="Mo-Fr 09:00-12:00")),),
            need_slugs=(need.slug,),
        ),
        service(
            "now", (channel("phone", "p", phone="05 00 00 00 11", hours="Mo-Su 08:00-20:00"),), need_slugs=(need.slug,)
        ),
    ]
    calm = Engine().plan(person(needs=(need,)), offer)
    hurry = Engine().plan(person(needs=(need,), urgent=True), offer)

    def soon_weight(plan):
        return next(line for line in plan.options[0].breakdown if line.criterion == "soon").weight

    assert soon_weight(hurry) > soon_weight(calm)


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_error_pages_of_the_public_flows_show_the_lines(shipped_data):
    client = Client(raise_request_exception=False)
    pages = [
        client.get("/cette-page-n-existe-pas/"),
        client.post(
            "/orientation/", {"commune": "Zzzqqq", "besoins": "rsa", "numerique": "autonomous", "telephone": "oui"}
        ),
        client.get("/recherche/?commune=Zzzqqq&besoin=rsa"),
    ]
    for response in pages:
        assert response.status_code in (400, 404)
        html = response.content.decode()
        for number in ("17", "112", "114", "3919", "115", "119", "3114"):
            assert f"<strong>{number}</strong>" in html or f"SMS au {number}" in html
    ok = client.get("/orientation/")
    assert ok.status_code == 200 and "cb-emergency-title" not in ok.content.decode()


def test_the_500_page_shows_the_lines():
    from carteblanche.orientation.middleware import with_emergency_lines

    html = with_emergency_lines("<html><body><main><h1>Erreur</h1></main></body></html>")
    assert html.index("3919") < html.index("</main>")
    assert with_emergency_lines(html) == html  # never twice


@pytest.mark.django_db
def test_the_plan_page_print_and_sms_say_the_lines_first(client, shipped_data):
    answers = {"commune": "Cahors", "besoin": "violences-conjugales", "numerique": "autonomous", "telephone": "oui"}
    response = client.post("/orientation/", {**answers, "ne_conduit_pas": "on", "langue": "fr"})
    assert response.status_code == 302, response.content.decode()[:2000]
    plan_url = response["Location"]
    page = client.get(plan_url).content.decode()
    assert 'class="cb-result' in page
    assert page.index('id="cb-safety-title"') < page.index('class="cb-result')
    assert 'href="tel:17"' in page and 'href="sms:114"' in page
    printed = client.get(plan_url.rstrip("/") + "/imprimer/").content.decode()
    assert printed.index('id="p-urgence"') < printed.index('id="p-1"')
    sms = client.get(plan_url.rstrip("/") + "/sms.txt").content.decode()
    assert sms.startswith("Urgence") and "appelez le 17" in sms.split(".")[0]
