import datetime

from surveys.models import MeasurementPeriod
from surveys.services.periods import ensure_periods, period_for


def test_windows_are_1_february_to_1_june_and_1_august_to_1_december(db):
    periods = ensure_periods(today=datetime.date(2026, 11, 29), ahead=3)
    assert [(p.code, p.starts_on, p.ends_on) for p in periods] == [
        ("2026-HT", datetime.date(2026, 8, 1), datetime.date(2026, 12, 1)),
        ("2027-VT", datetime.date(2027, 2, 1), datetime.date(2027, 6, 1)),
        ("2027-HT", datetime.date(2027, 8, 1), datetime.date(2027, 12, 1)),
    ]


def test_ensuring_periods_twice_creates_nothing_new(db):
    ensure_periods(today=datetime.date(2026, 11, 29))
    count = MeasurementPeriod.objects.count()
    ensure_periods(today=datetime.date(2026, 11, 29))
    assert MeasurementPeriod.objects.count() == count == 4


def test_periods_are_created_ahead_between_windows(db):
    codes = [p.code for p in ensure_periods(today=datetime.date(2027, 6, 2), ahead=2)]
    assert codes == ["2027-HT", "2028-VT"]


def test_both_the_first_and_the_last_day_belong_to_the_window(db):
    assert period_for(datetime.date(2026, 8, 1)).code == "2026-HT"
    assert period_for(datetime.date(2026, 12, 1)).code == "2026-HT"
    assert period_for(datetime.date(2026, 12, 2)) is None
    assert period_for(datetime.date(2027, 1, 31)) is None


def test_a_period_is_upcoming_running_or_ended(db):
    period = ensure_periods(today=datetime.date(2026, 11, 29), ahead=1)[0]
    assert period.state_on(datetime.date(2026, 7, 31)) == "upcoming"
    assert period.state_on(datetime.date(2026, 12, 1)) == "running"
    assert period.state_on(datetime.date(2026, 12, 2)) == "ended"


def test_the_periodic_task_creates_the_windows(db):
    from surveys.tasks import ensure_periods_task

    ensure_periods_task.delay()
    assert MeasurementPeriod.objects.filter(ends_on__gte=datetime.date.today()).count() >= 3
