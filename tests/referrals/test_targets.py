"""Response targets: per partner and per need, default 5 / 15 working days."""

from datetime import datetime

from carteblanche.directory.models import Need
from carteblanche.referrals import selectors
from carteblanche.referrals.models import Referral, ResponseTarget
from carteblanche.territories.geo import PARIS


def test_default_then_partner_then_need_specific_targets(world):
    referral = world.sent_referral()
    Referral.objects.filter(pk=referral.pk).update(sent_at=datetime(2026, 12, 23, 9, tzinfo=PARIS))
    referral.refresh_from_db()
    assert selectors.targets_for(referral) == (5, 15)
    assert selectors.deadlines(referral)["acknowledge_by"].date().isoformat() == "2026-12-31"
    ResponseTarget.objects.create(structure=world.carsat, acknowledge_days=2, answer_days=10)
    assert selectors.targets_for(referral) == (2, 10)
    need, _ = Need.objects.get_or_create(slug="test-reversion", defaults={"label": "Réversion", "thematiques": []})
    ResponseTarget.objects.create(structure=world.carsat, need=need, acknowledge_days=1, answer_days=5)
    assert selectors.targets_for(referral) == (2, 10)
    Referral.objects.filter(pk=referral.pk).update(need=need)
    referral.refresh_from_db()
    assert selectors.targets_for(referral) == (1, 5)
    now = datetime(2026, 12, 28, 12, tzinfo=PARIS)  # ack due 24 Dec, answer due 31 Dec
    assert selectors.overdue_state(referral, now) == "acknowledge"
    assert selectors.overdue_state(referral, datetime(2027, 2, 1, tzinfo=PARIS)) == "answer"
