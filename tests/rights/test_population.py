"""Batch mode: synthetic households are deterministic by seed; estimates are stored per commune and benefit."""

from datetime import date

import pytest
from django.core.management import CommandError, call_command

from carteblanche.rights.models import EligibilityEstimate
from carteblanche.rights.openfisca_adapter import BENEFITS
from carteblanche.rights.population import synthesize


def test_synthetic_households_are_deterministic_by_seed():
    today = date(2026, 10, 1)
    first = synthesize("46042", 30, seed=1, today=today)
    assert first == synthesize("46042", 30, seed=1, today=today)
    assert first != synthesize("46042", 30, seed=2, today=today)
    assert first[:10] == synthesize("46042", 10, seed=1, today=today)  # a prefix, whatever the sample size
    assert all(h.depcom == "46042" for h in first)
    assert {p.relation for h in first for p in h.persons} >= {"demandeur", "conjoint", "enfant"}


@pytest.mark.django_db
def test_simulate_population_stores_estimates_and_reruns_idempotently(shipped_data, tax_benefit_system):
    call_command(
        "simulate_population",
        "--territory",
        "bassin-de-vie-cahors",
        "--seed",
        "1",
        "--sample",
        "2",
        "--month",
        "2026-10",
        verbosity=0,
    )
    estimates = EligibilityEstimate.objects.filter(territory_slug="bassin-de-vie-cahors", month="2026-10")
    communes = estimates.values("commune").distinct().count()
    assert communes == 85
    assert estimates.count() == 85 * len(BENEFITS)
    cahors = estimates.get(commune_id="46042", benefit="af")
    assert cahors.households > 9000  # Cahors: about 19,000 inhabitants
    assert 0 <= cahors.eligible_share <= 1
    assert cahors.eligible_households == pytest.approx(cahors.households * cahors.eligible_share, abs=0.1)
    before = list(estimates.order_by("commune_id", "benefit").values_list("eligible_households", flat=True))
    call_command(
        "simulate_population",
        "--territory",
        "bassin-de-vie-cahors",
        "--seed",
        "1",
        "--sample",
        "2",
        "--month",
        "2026-10",
        verbosity=0,
    )
    after = list(estimates.order_by("commune_id", "benefit").values_list("eligible_households", flat=True))
    assert before == after


@pytest.mark.django_db
def test_simulate_population_refuses_an_unknown_territory(shipped_data):
    with pytest.raises(CommandError, match="Territoire inconnu"):
        call_command("simulate_population", "--territory", "atlantide", verbosity=0)
