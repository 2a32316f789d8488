"""The plan's SMS, checked as properties over many plans (real and generated).

At most three messages of 160 GSM-7 characters; French words only; a phone number, a URL or a
word is never cut across two messages; options come in rank order and the ones left out are
counted ("2 autres possibilités : voir le plan").
"""

import re
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carteblanche.core import sms
from carteblanche.mobility.travel import Mode
from carteblanche.orientation.engine import HoursStatus
from carteblanche.orientation.render import plan_to_sms, sms_option, sms_safety
from carteblanche.orientation.scoring import OptionKind
from carteblanche.territories.geo import PARIS
from tests.orientation.situations import NOW, computed_plans

LINK = "https://carteblanche.example/orientation/lien/AbCdEfGhIjKlMnOpQrStUv.340." + "b" * 22 + "/"
# Words that leaked from the code into SMS before (mode and kind codes): never in a French SMS.
ENGLISH = re.compile(
    r"\b(walk|driven|solidarity|on[ _]demand|public[ _]transport|online|callback|home[ _]visit|counter|itinerant)\b",
    re.IGNORECASE,
)
RANK = re.compile(r"(?:^| )(\d+)\) ")
LEFT_OUT = re.compile(r"(\d+) autres? possibilités? : voir le plan")


def check_sms(messages: list[str], data: dict, link: str = "") -> None:
    options = data["options"]
    assert 1 <= len(messages) <= 3
    for message in messages:
        assert sms.is_gsm7(message), message
        assert sms.gsm7_length(message) <= 160, message
        assert not ENGLISH.search(message), message
    text = " ".join(messages)
    # Nothing is cut: each message holds whole units (a phone number split in two would be one
    # unit of the joined text but two of the messages), and every word comes from the source.
    assert [u for m in messages for u in sms.units(m)] == sms.units(text)
    source = " ".join(
        [
            sms_safety(data),
            "Carte Blanche, votre plan.",
            "autres autre possibilités possibilité : voir le plan en ligne.",
        ]
        + ["Le plan :", link, "Aucune solution trouvée. Un espace France Services peut vous aider."]
        + [f"{o.get('rank')}) " + sms_option(o) for o in options]
    )
    vocabulary = set(sms.units(sms.to_gsm7(source).replace(sms.NBSP, " "))) | {str(n) for n in range(1, 10)}
    for unit in sms.units(text):
        assert unit in vocabulary, (unit, text)
    # Options in rank order, the first ones kept, the others counted.
    ranks = [int(r) for r in RANK.findall(text)]
    assert ranks == list(range(1, len(ranks) + 1)), text
    left = LEFT_OUT.search(text)
    if len(ranks) < len(options):
        assert left and int(left.group(1)) == len(options) - len(ranks), text
    else:
        assert not left, text
    for option in options[: len(ranks)]:
        phone = option.get("phone") if option["kind"] in ("phone", "callback", "home_visit") else ""
        url = option.get("url") if option["kind"] in ("online", "video") else ""
        for whole in (phone, url):
            if whole:
                assert any(sms.to_gsm7(whole) in message for message in messages), (whole, messages)
    if link:
        assert any(link in message for message in messages)


@pytest.mark.django_db
def test_the_sms_rules_hold_on_120_real_plans(shipped_data):
    counts = {"kept_all": 0, "left_out": 0}
    for _plan, data in computed_plans():
        for link in ("", LINK):
            messages = plan_to_sms(data, link=link)
            check_sms(messages, data, link)
            counts["left_out" if LEFT_OUT.search(" ".join(messages)) else "kept_all"] += 1
    assert counts["left_out"] and counts["kept_all"]  # both cases really happen


NAMES = st.lists(
    st.one_of(
        st.sampled_from(["France Services", "Mairie", "CCAS", "Maison des solidarités", "Puy-l'Évêque", "Cœur"]),
        st.text(alphabet="abcdéèêëàâîïôûùçœ'-ABCÉ", min_size=1, max_size=30),
    ),
    min_size=1,
    max_size=8,
).map(" ".join)
PHONES = st.one_of(
    st.from_regex(r"0[1-9]( [0-9][0-9]){4}", fullmatch=True),
    st.from_regex(r"0[1-9](\.[0-9][0-9]){4}", fullmatch=True),
    st.sampled_from(["3960", "115", "3919", "0 800 00 12 34"]),
)
URLS = st.from_regex(r"https://(www\.)?[a-z]{3,25}\.(fr|gouv\.fr)(/[a-z0-9-]{1,30}){0,3}", fullmatch=True)


@st.composite
def option(draw, rank: int) -> dict:
    kind = draw(st.sampled_from(list(OptionKind)))
    start = NOW + timedelta(days=draw(st.integers(0, 13)), hours=draw(st.integers(0, 10)))
    slots = draw(st.sampled_from([[], [{"start": start.isoformat(), "end": (start + timedelta(hours=3)).isoformat()}]]))
    name = draw(NAMES)
    return {
        "rank": rank,
        "kind": kind.value,
        "title": f"Au guichet : {name}",
        "phone": draw(st.one_of(st.just(""), PHONES)),
        "url": draw(st.one_of(st.just(""), URLS)),
        "location": {"name": name, "address": draw(st.one_of(st.just(""), NAMES)), "commune_name": "Cahors"},
        "slots": slots,
        "hours_status": HoursStatus.OPEN
        if slots
        else draw(st.sampled_from([HoursStatus.TO_CONFIRM, "by_appointment"])),
        "travel": draw(
            st.one_of(
                st.none(),
                st.builds(lambda m, t: {"mode": m.value, "minutes": t}, st.sampled_from(list(Mode)), st.floats(1, 180)),
            )
        ),
        "stale": draw(st.booleans()),
    }


@st.composite
def snapshots(draw) -> dict:
    count = draw(st.integers(0, 5))
    return {"needs": [], "options": [draw(option(rank)) for rank in range(1, count + 1)]}


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(snapshots(), st.sampled_from(["", LINK]))
def test_the_sms_rules_hold_on_generated_plans(data, link):
    check_sms(plan_to_sms(data, link=link), data, link)


def test_a_time_is_written_in_french():
    start = datetime(2026, 12, 8, 9, 0, tzinfo=PARIS)
    data = {
        "options": [
            {
                "rank": 1,
                "kind": "counter",
                "title": "Au guichet : France Services",
                "location": {"name": "France Services", "address": "8 Grande Rue, 46240"},
                "slots": [{"start": start.isoformat(), "end": (start + timedelta(hours=3)).isoformat()}],
                "hours_status": "open",
                "travel": {"mode": "driven", "minutes": 46},
                "stale": True,
            }
        ]
    }
    assert " ".join(plan_to_sms(data)) == (
        "Carte Blanche, votre plan. 1) Allez à France Services, 8 Grande Rue, 46240. "
        "Ouvert mardi 8 décembre de 9 h à 12 h. Trajet : 46 minutes conduit par un proche. A vérifier."
    )


SAFETY = {
    "headline": "En cas d'urgence, d'abord : appelez le 17 (Police ou gendarmerie, 24 h/24, 7 j/7, gratuit).",
    "no_home": True,
    "lines": [
        {
            "number": "17",
            "label": "Police ou gendarmerie",
            "channel": "call",
            "availability": "24/7",
            "availability_text": "24 h/24, 7 j/7, gratuit",
        },
        {
            "number": "3919",
            "label": "Violences Femmes Info",
            "channel": "call",
            "availability": "24/7",
            "availability_text": "24 h/24, 7 j/7, gratuit et anonyme",
        },
        {
            "number": "114",
            "label": "Urgence par SMS",
            "channel": "sms",
            "availability": "24/7",
            "availability_text": "24 h/24, 7 j/7, gratuit, par SMS",
        },
    ],
}


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(snapshots(), st.sampled_from(["", LINK]))
def test_an_urgent_plan_starts_with_the_national_lines_and_keeps_them(data, link):
    data = {**data, "safety": SAFETY}
    messages = plan_to_sms(data, link=link)
    assert messages[0].startswith("Urgence 24 h/24 : appelez le 17 ou le 3919. Par SMS : 114. Carte Blanche")
    assert len(messages) <= 3 and all(sms.gsm7_length(m) <= 160 for m in messages)
