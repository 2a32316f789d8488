"""Local aids are data: rules are validated at load time and evaluated without eval."""

from datetime import date

import pytest

from carteblanche.rights.actions import load_local_aids
from carteblanche.rights.answers import parse_household
from carteblanche.rights.models import LocalAid
from carteblanche.rights.openfisca_adapter import BenefitResult
from carteblanche.rights.rules import evaluate, household_facts, validate_rule
from tests.rights.households import MARTINE, SARAH


def test_rules_compose():
    facts = {"claimant_age": 70, "housing_status": "proprietaire", "benefit.aspa.eligible": True}
    assert evaluate({}, facts)
    assert evaluate({"fact": "claimant_age", "op": ">=", "value": 65}, facts)
    assert not evaluate({"not": {"fact": "claimant_age", "op": ">=", "value": 65}}, facts)
    assert evaluate(
        {
            "all": [
                {"fact": "benefit.aspa.eligible", "op": "==", "value": True},
                {
                    "any": [
                        {"fact": "housing_status", "op": "in", "value": ["proprietaire"]},
                        {"fact": "claimant_age", "op": "<", "value": 20},
                    ]
                },
            ]
        },
        facts,
    )
    assert not evaluate({"fact": "rent", "op": ">", "value": 0}, facts)  # missing fact: false


def test_rule_validation_names_the_place_and_refuses_code():
    assert validate_rule({"fact": "claimant_age", "op": ">=", "value": 18}) == []
    errors = validate_rule(
        {"all": [{"fact": "__import__('os')", "op": "==", "value": 1}, {"fact": "rent", "op": "~", "value": 1}]}
    )
    assert any("conditions.all[0].fact" in e for e in errors)
    assert any("conditions.all[1].op" in e for e in errors)
    assert validate_rule({"fact": "housing_status", "op": "in", "value": "x"})
    assert validate_rule({"eval": "1"})


def test_facts_from_answers_and_results():
    parsed = parse_household(SARAH, today=date(2026, 10, 1), commune_exists=lambda c: True)
    facts = household_facts(parsed.household, {"af": BenefitResult("af", 153.0, True, "caf")}, on=date(2026, 10, 1))
    assert facts["single_parent"] is True
    assert facts["children"] == 2
    assert facts["youngest_child_age"] == 4
    assert facts["department"] == "46"
    assert facts["benefit.af.amount"] == 153.0
    assert facts["receives.af"] is False


@pytest.mark.django_db
def test_loader_is_all_or_nothing_and_idempotent(shipped_data):
    good = {
        "slug": "t-aid",
        "name": "Aide test",
        "level": "commune",
        "operator_name": "Mairie",
        "source": "test",
        "source_id": "t1",
        "amount": None,
        "amount_text": "montant non communiqué",
        "territory_codes": ["46042"],
    }
    bad = {**good, "slug": "t-bad", "source_id": "t2", "conditions": {"fact": "nope", "op": "==", "value": 1}}
    report = load_local_aids(entries=[good, bad])
    assert report["errors"] and not LocalAid.objects.filter(slug__startswith="t-").exists()
    assert load_local_aids(entries=[{**good, "source": "x" * 101}])["errors"]
    invented = {**good, "amount_text": ""}
    assert load_local_aids(entries=[invented])["errors"]  # no amount and no reason: refused
    assert load_local_aids(entries=[good])["created"] == 1
    assert load_local_aids(entries=[good])["updated"] == 1
    assert LocalAid.objects.filter(slug="t-aid").count() == 1


@pytest.mark.django_db
def test_shipped_cahors_aids_have_sources_and_match(shipped_data):
    from carteblanche.rights.selectors import matching_local_aids

    aids = LocalAid.objects.all()
    assert aids.exists()
    for aid in aids:
        assert aid.source and aid.source_url and aid.verified_on
        assert aid.amount is not None or aid.amount_text
    martine = parse_household(MARTINE, today=date(2026, 10, 1), commune_exists=lambda c: True)
    names = {a["slug"] for a in matching_local_aids(martine.household, {}, on=date(2026, 10, 1))}
    assert "lot-subvention-autonomie-logement" in names  # 78 years old in the Lot
    assert "lot-fsl" not in names  # owner
    sarah = parse_household(SARAH, today=date(2026, 10, 1), commune_exists=lambda c: True)
    assert "lot-fsl" in {a["slug"] for a in matching_local_aids(sarah.household, {}, on=date(2026, 10, 1))}
