"""Indicators computed on the shipped territory and stored; pages and exports read them."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from carteblanche.mobility.travel import MobilityContext
from carteblanche.observatory import reach
from carteblanche.observatory.actions import compute_indicators
from carteblanche.observatory.models import ComputationRun, IndicatorValue
from carteblanche.territories.selectors import default_territory

pytestmark = pytest.mark.django_db
PERIOD = date(2026, 11, 1)


@pytest.fixture
def computed(shipped_data):
    territory = default_territory()
    run = compute_indicators(territory=territory, period=PERIOD + timedelta(days=9), context=MobilityContext())
    return territory, run


def test_a_run_stores_every_indicator_for_the_month_and_says_it_is_done(computed):
    territory, run = computed
    assert run.state == ComputationRun.State.DONE
    assert run.period == PERIOD
    assert run.done_steps == run.total_steps
    stored = set(IndicatorValue.objects.filter(territory_slug=territory.slug).values_list("indicator", flat=True))
    assert {"acces", "fraicheur"} <= stored
    assert IndicatorValue.objects.filter(territory_slug=territory.slug).count() == run.values_written


def test_territory_shares_are_the_population_weighted_sum_of_the_communes(computed):
    territory, _ = computed
    for profile in reach.Profile:
        communes = IndicatorValue.objects.filter(
            indicator="acces", area_kind="commune", dims__famille="retraite", dims__profil=profile.value, period=PERIOD
        )
        population = sum(v.extra["population"] for v in communes)
        reached = sum(
            v.extra["population"]
            for v in communes
            if v.extra["ways"]["20"] in ("permanence-dans-la-commune", "trajet", "a-domicile")
        )
        stored = IndicatorValue.objects.get(
            indicator="acces",
            area_kind="territory",
            area_code=territory.slug,
            period=PERIOD,
            dims__famille="retraite",
            dims__profil=profile.value,
            dims__seuil=20,
            dims__mesure="sur-place",
        )
        assert communes.count() == territory.communes.count()
        assert (stored.numerator, stored.denominator) == (reached, population)
        assert stored.value == pytest.approx(reached / population)


def test_without_a_car_nobody_is_better_served_than_with_one(computed):
    for car in IndicatorValue.objects.filter(indicator="acces", area_kind="commune", dims__profil="voiture"):
        without = IndicatorValue.objects.get(
            indicator="acces",
            area_kind="commune",
            area_code=car.area_code,
            period=car.period,
            dims__famille=car.dims["famille"],
            dims__profil="sans-voiture",
        )
        if without.value is not None:
            assert car.value is not None and car.value <= without.value + 1e-9


def test_recomputing_a_month_replaces_it_and_keeps_other_months(computed):
    territory, _ = computed
    before = IndicatorValue.objects.filter(period=PERIOD).count()
    compute_indicators(territory=territory, period=PERIOD, context=MobilityContext())
    assert IndicatorValue.objects.filter(period=PERIOD).count() == before
    compute_indicators(territory=territory, period=date(2026, 12, 3), context=MobilityContext())
    assert IndicatorValue.objects.filter(period=PERIOD).count() == before
    assert IndicatorValue.objects.filter(period=date(2026, 12, 1)).count() == before


def test_follow_through_counts_referrals_sent_in_the_month(shipped_data):
    from tests.referrals.conftest import World

    world = World()
    sent = world.sent_referral(case=world.case(commune_code="46070"))
    other_month = world.sent_referral(case=world.case(commune_code="46070"))
    type(other_month).objects.filter(pk=other_month.pk).update(sent_at=other_month.sent_at - timedelta(days=62))
    period = timezone.localdate(sent.sent_at)
    compute_indicators(territory=default_territory(), period=period, context=MobilityContext())
    total = IndicatorValue.objects.get(indicator="suivi-orientations", key="par=tous", period=period.replace(day=1))
    assert total.value == 1
    assert total.extra["sent"] == 1 and total.extra["accuse_dans_le_delai"] == 0
    by_partner = IndicatorValue.objects.get(
        indicator="suivi-orientations",
        dims__par="partenaire",
        dims__code=str(world.carsat.pk),
        period=period.replace(day=1),
    )
    assert by_partner.area_name == world.carsat.name


def test_capacity_scores_are_stored_per_commune_with_the_population_weighted_mean(computed):
    territory, _ = computed
    for profile in ("voiture", "sans-voiture"):
        communes = IndicatorValue.objects.filter(indicator="capacite", area_kind="commune", dims__profil=profile)
        total = IndicatorValue.objects.get(indicator="capacite", area_kind="territory", dims__profil=profile)
        population = sum(v.extra["population"] for v in communes)
        assert communes.count() == territory.communes.count()
        assert total.value == pytest.approx(sum(v.value * v.extra["population"] for v in communes) / population)
        assert total.extra["counters"] > 0


def test_weekly_hours_of_a_rule():
    from carteblanche.observatory.actions import weekly_hours

    assert weekly_hours("Mo-Fr 09:00-12:00", date(2026, 11, 1)) == pytest.approx(15)
    assert weekly_hours("", date(2026, 11, 1)) is None


def test_unmet_needs_are_counted_without_personal_data_and_summed_per_month(shipped_data, client):
    from carteblanche.observatory.models import AnswerCount

    client.get("/recherche/?commune=Cieurac&besoin=pension-reversion")
    response = client.post(
        "/orientation/",
        {
            "commune": "Cieurac",
            "besoins": ["pension-reversion"],
            "voiture": "non",
            "internet": "non",
            "telephone": "oui",
        },
    )
    assert response.status_code in (200, 302, 400)
    searches = AnswerCount.objects.filter(surface="recherche", commune_code="46070", need_slug="pension-reversion")
    assert searches.get(outcome="total").count == 1
    assert set(AnswerCount._meta.get_fields()) and not any(
        f.name in ("ip", "session", "situation", "person") for f in AnswerCount._meta.get_fields()
    )
    AnswerCount.objects.create(
        day=timezone.localdate(),
        surface="plan",
        commune_code="46070",
        need_slug="carte-identite",
        outcome="total",
        count=4,
    )
    AnswerCount.objects.create(
        day=timezone.localdate(),
        surface="plan",
        commune_code="46070",
        need_slug="carte-identite",
        outcome="aucune",
        count=3,
    )
    period = timezone.localdate().replace(day=1)
    compute_indicators(territory=default_territory(), period=period, context=MobilityContext())
    value = IndicatorValue.objects.get(
        indicator="besoins-non-couverts", area_code="46070", dims__besoin="carte-identite", dims__surface="plan"
    )
    assert (value.numerator, value.denominator, value.value) == (3, 4, 0.75)
