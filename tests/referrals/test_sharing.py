"""A referral carries only the answers relevant to its need (referrals/data/need_answers.json), shown
to the receiving partner as French sentences; the structure that follows the person sees them all."""

import json

import pytest
from django.test import Client

from carteblanche.core.models import Situation
from carteblanche.directory.models import Need
from carteblanche.orientation.competence import NEEDS_FILE
from carteblanche.referrals import actions, sharing
from carteblanche.referrals.models import Referral

ANSWERS = {
    "profile": {"commune_code": "46070", "birth_date": "1948-03-02"},
    "orientation": {"needs": ["pension-reversion"], "travel": {"does_not_drive": True}, "digital": "no_internet"},
    "household": {
        "steps": {"foyer": {"couple": "no"}},
        "persons": [{"relation": "demandeur", "activity": "retraite", "pension_gross": 820}],
        "housing_status": "proprietaire",
        "farm_scheme": True,
    },
}


def test_the_table_names_only_needs_of_the_catalogue_and_never_the_raw_steps():
    slugs = {n["slug"] for n in json.loads(NEEDS_FILE.read_text(encoding="utf-8"))}
    shares = sharing.table()
    assert set(shares) - {""} <= slugs
    assert not any(key.startswith("household.steps") for keys in shares.values() for key in keys)


def test_a_bad_table_is_refused(tmp_path):
    bad = tmp_path / "t.json"
    bad.write_text(json.dumps({"bundles": {"x": ["household.steps"]}, "default": ["x"], "needs": {}}))
    with pytest.raises(sharing.SharingDataError):
        sharing.table(bad)
    bad.write_text(json.dumps({"bundles": {"x": ["profile.age"]}, "default": ["y"], "needs": {}}))
    with pytest.raises(sharing.SharingDataError, match="bundle inconnu"):
        sharing.table(bad)


def test_incomes_go_to_the_pension_fund_not_to_the_town_hall():
    reversion = sharing.answers_for_needs(ANSWERS, ["pension-reversion"])
    assert reversion["household"]["persons"][0]["pension_gross"] == 820 and reversion["household"]["farm_scheme"]
    assert "steps" not in reversion["household"]
    civil = sharing.answers_for_needs(ANSWERS, ["etat-civil"])
    assert "household" not in civil and "birth_date" not in civil["profile"]
    assert civil["orientation"]["travel"] == {"does_not_drive": True}  # how to reach her is always useful
    assert sharing.answers_for_needs(ANSWERS, [None]) == civil  # no need of the catalogue: the default


def _referral(world, need_slug):
    case = world.case()
    case.situation = Situation.objects.create(answers=ANSWERS)
    case.save(update_fields=["situation"])
    consent = world.consent(case, world.carsat)
    referral = actions.create_referral(
        actor=world.agent_fs,
        case=case,
        to_structure_id=world.carsat.pk,
        need_label="besoin",
        need_slug=need_slug,
        consent=consent,
    )
    actions.transition_referral(
        actor=world.agent_fs, referral_id=referral.pk, expected_version=referral.version, target="sent"
    )
    return Referral.objects.get(pk=referral.pk)


@pytest.mark.parametrize(("need", "income_shown"), [("pension-reversion", True), ("etat-civil", False)])
def test_the_receiving_partner_reads_only_the_relevant_sentences(world, shipped_data, need, income_shown):
    assert Need.objects.filter(slug=need).exists()
    referral = _referral(world, need)
    receiver = Client()
    receiver.force_login(world.agent_carsat)
    for url in (f"/accompagnement/orientations/{referral.pk}/", f"/accompagnement/dossiers/{referral.case_id}/"):
        body = receiver.get(url).content.decode()
        assert "Ne conduit pas" in body  # sentences, not raw keys
        assert ("820" in body) is income_shown and ("Dépend de la MSA" in body) is income_shown
        assert "pension_gross" not in body and "steps" not in body
    sender = Client()
    sender.force_login(world.agent_fs)
    body = sender.get(f"/accompagnement/dossiers/{referral.case_id}/").content.decode()
    assert "820" in body and "Dépend de la MSA" in body  # the structure that follows her sees all
