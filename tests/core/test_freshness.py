"""When a sourced record is old enough to be doubted."""

from datetime import date, datetime, timedelta

from carteblanche.core.freshness import STALE_AFTER_DAYS, is_stale
from carteblanche.directory.hours import Slot
from carteblanche.directory.templatetags.directory_extras import opening_text
from carteblanche.territories.geo import PARIS


def test_a_record_is_stale_after_a_year_without_verification():
    today = date(2026, 12, 5)
    assert not is_stale(today - timedelta(days=STALE_AFTER_DAYS), today)
    assert is_stale(today - timedelta(days=STALE_AFTER_DAYS + 1), today)
    assert is_stale(date(2021, 1, 1), today)  # the France Services file of the shipped offer
    assert not is_stale(today, today)


def test_an_unknown_verification_date_is_not_called_stale():
    assert not is_stale(None, date(2026, 12, 5))


def test_opening_text_reads_in_a_sentence_whether_open_now_or_later():
    at = datetime(2026, 3, 3, 10, 0, tzinfo=PARIS)  # a Tuesday
    now = Slot(at - timedelta(hours=1), at + timedelta(hours=2))
    later = Slot(at + timedelta(days=1), at + timedelta(days=1, hours=3))
    assert opening_text(now, at) == "ouvert maintenant, jusqu'à 12 h"
    assert opening_text(later, at) == "ouvert demain de 10 h à 13 h"
    assert opening_text(None, at) == ""
