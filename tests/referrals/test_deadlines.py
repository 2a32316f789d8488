from datetime import date, datetime

from carteblanche.referrals.deadlines import add_working_days, is_working_day, working_days_between


def test_weekends_and_french_holidays_are_skipped():
    assert not is_working_day(date(2026, 12, 25))  # Noël
    assert not is_working_day(date(2026, 11, 28))  # samedi
    # Wednesday 23 Dec 2026 + 5 working days: 24, 28, 29, 30, 31 (25 is Christmas, 26-27 weekend).
    assert add_working_days(datetime(2026, 12, 23, 9), 5) == datetime(2026, 12, 31, 9)
    assert working_days_between(date(2026, 12, 23), date(2026, 12, 31)) == 5
