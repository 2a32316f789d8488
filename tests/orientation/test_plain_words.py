"""Public texts of a plan say why in words (never points) and stay easy to read (Kandel–Moles >= 60).

Over a broad set of situations on the shipped Cahors offer (tests/orientation/situations.py):
every reason, instruction, time, trip, warning, "à vérifier" flag, finding, print line, e-mail
and SMS the product writes for the public.
"""

import re
from datetime import date

import pytest

from carteblanche.orientation.render import plan_to_dict, plan_to_sms, plan_to_text, printable, public_plan
from carteblanche.orientation.selectors import compute_plan
from tests.orientation.situations import NOW, computed_plans, situations
from tests.readability import KANDEL_MOLES_MIN, kandel_moles

LINK = "https://carteblanche.example/orientation/lien/AbCdEfGhIjKlMnOpQrStUv.340." + "a" * 22 + "/"
POINTS = re.compile(r"\bpoints?\b|sur 100|Total :", re.IGNORECASE)


@pytest.fixture
def plans(shipped_data):
    return computed_plans()


def public_texts(plan, data) -> dict[str, list[str]]:
    """Every public text of one plan, by kind."""
    texts: dict[str, list[str]] = {}
    printed = printable(public_plan(data))
    for option, shown in zip(data["options"], printed["options"], strict=True):
        texts.setdefault("explanation", []).append(option["explanation"])
        texts.setdefault("how", []).append(option["how"])
        texts.setdefault("when", []).append(option["when"])
        texts.setdefault("print: when", []).append(shown["when"])
        if shown["why"]:
            texts.setdefault("print: why", []).append(shown["why"])
        if option["travel"]:
            texts.setdefault("travel", []).append(option["travel"]["text"])
        if option["stale"]:
            texts.setdefault("stale", []).append(option["stale_text"])
        # "Condition (MSA) : …" quotes the source's own words: not ours to simplify.
        texts.setdefault("warning", []).extend(w for w in option["warnings"] if not w.startswith("Condition ("))
    for group in printed["papers"]:
        texts.setdefault("print: papers", []).append(f"Pour {group['ranks']} : " + group["documents"])
    # "excluded" findings are shown to agents only.
    texts["finding"] = [f["text"] for f in data["findings"] if f["kind"] != "excluded"]
    texts["print: finding"] = printed["findings"]
    texts["sms"] = [" ".join(plan_to_sms(data)), " ".join(plan_to_sms(data, link=LINK))]
    return texts


@pytest.mark.django_db
def test_public_texts_never_show_points(plans):
    for plan, data in plans:
        for kind, items in public_texts(plan, data).items():
            for text in items:
                assert not POINTS.search(text), (kind, text)
        assert not POINTS.search(plan_to_text(plan))


@pytest.mark.django_db
def test_the_agent_text_keeps_the_scoring(plans):
    plan, _data = next((p, d) for p, d in plans if p.options)
    agent = plan_to_text(plan, agent=True)
    assert f"Total : {round(plan.options[0].score)} sur 100." in agent


@pytest.mark.django_db
def test_every_public_text_is_easy_to_read(plans):
    seen: dict[str, set[str]] = {}
    for plan, data in plans:
        for kind, items in public_texts(plan, data).items():
            seen.setdefault(kind, set()).update(items)
    # The set really covers the texts: many distinct ones of each main kind.
    for kind in ("explanation", "how", "when", "travel", "sms", "print: why"):
        assert len(seen[kind]) >= 10, kind
    assert seen["stale"]  # the shipped offer has records from 2021
    hard = [(kind, round(kandel_moles(t), 1), t) for kind, texts in seen.items() for t in texts]
    hard = [item for item in hard if item[1] < KANDEL_MOLES_MIN]
    assert not hard, hard[:5]


def test_the_legacy_points_sentence_is_removed_from_old_snapshots():
    old = {
        "needs": [],
        "options": [
            {
                "rank": 1,
                "explanation": "Choix numéro 1. Vous appelez de chez vous. Points : moyen 21 sur 25, "
                "organisme 20 sur 20. Total : 88 sur 100.",
            }
        ],
    }
    shown = public_plan(old)["options"][0]["explanation"]
    assert shown == "Choix numéro 1. Vous appelez de chez vous."


@pytest.mark.django_db
def test_stale_records_are_flagged_in_page_text_sms_and_print(shipped_data):
    from django.utils import timezone

    from carteblanche.directory.models import Place, Service

    Service.objects.update(verified_on=date(2024, 6, 1), updated_at=timezone.now())  # > 1 year before NOW
    plan, _person = compute_plan(situations(1)[0], now=NOW)
    data = plan_to_dict(plan)
    assert data["options"] and all(option["stale"] for option in data["options"])
    assert all(option["stale_text"].startswith("À vérifier") for option in data["options"])
    assert "1 juin 2024" in " ".join(option["stale_text"] for option in data["options"])
    assert "À vérifier" in plan_to_text(plan)
    assert "A vérifier." in " ".join(plan_to_sms(data))
    assert all(option["notes"][0].startswith("À vérifier") for option in printable(data)["options"])

    Service.objects.update(verified_on=date(2026, 11, 1), updated_at=timezone.now())
    Place.objects.update(verified_on=date(2026, 11, 1), updated_at=timezone.now())
    fresh = plan_to_dict(compute_plan(situations(1)[0], now=NOW)[0])
    assert fresh["options"] and not any(option["stale"] for option in fresh["options"])
    assert "vérifier" not in " ".join(plan_to_sms(fresh))
