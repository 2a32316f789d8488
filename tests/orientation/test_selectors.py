from datetime import datetime

import pytest

from carteblanche.orientation.scoring import OptionKind
from carteblanche.orientation.selectors import OrientationInputError, OrientationRequest, compute_plan
from carteblanche.territories.geo import PARIS

NOW = datetime(2026, 5, 11, 8, 0, tzinfo=PARIS)


def _problems(request):
    with pytest.raises(OrientationInputError) as error:
        compute_plan(request, now=NOW)
    return {p.field: p for p in error.value.problems}


@pytest.mark.django_db
def test_martine_like_request_gets_no_online_and_no_car(cahors_offer):
    request = OrientationRequest(
        commune="Cieurac",
        besoin_libre="pension de réversion",
        besoins=["cheque-energie"],
        ne_conduit_pas=True,
        conduit_par_proche=True,
        conduit_quand="mardi 9-12",
        numerique="no_internet",
        disponibilites="mardi 9-12",
        age=78,
    )
    plan, person = compute_plan(request, now=NOW)
    assert person.commune_code == "46070"
    assert {n.slug for n in plan.needs} == {"pension-reversion", "cheque-energie"}
    kinds = {o.kind for o in plan.options}
    assert OptionKind.ONLINE not in kinds
    assert kinds & {OptionKind.PHONE, OptionKind.ITINERANT, OptionKind.HOME_VISIT}
    assert all(o.travel is None or o.travel.mode.value != "car" for o in plan.options)


@pytest.mark.django_db
def test_unknown_commune_comes_with_suggestions(cahors_offer):
    problems = _problems(OrientationRequest(commune="Cieurak", besoins=["allocations-familiales"]))
    assert "Cieurak" in problems["commune"].message
    assert any("Cieurac" in s for s in problems["commune"].suggestions)


@pytest.mark.django_db
def test_unknown_need_suggests_close_needs(cahors_offer):
    problems = _problems(OrientationRequest(commune="Cahors", besoin_libre="xyzzy plugh"))
    assert "n'avons pas reconnu" in problems["besoin_libre"].message
    bad_slug = _problems(OrientationRequest(commune="Cahors", besoins=["allocations-familialles"]))
    assert "Prestations familiales (allocations familiales, ASF, naissance)" in bad_slug["besoins"].suggestions


@pytest.mark.django_db
def test_impossible_and_contradictory_answers_are_all_reported(cahors_offer):
    problems = _problems(
        OrientationRequest(
            commune="Cahors",
            besoins=["allocations-familiales"],
            disponibilites="lundi 25-30",
            voiture=True,
            ne_conduit_pas=True,
        )
    )
    assert set(problems) == {"disponibilites", "voiture"}
    assert "25 h" in problems["disponibilites"].message
    assert "une seule des deux" in problems["voiture"].message
