import datetime

from dimios_web.demo.open_round import DEMO_INVITED, load_demo_open_round
from maturity.rates import get_response_rates
from surveys.models import Invitation, PooledResponse, Response, Round, SubmissionDay
from surveys.services.organisations import create_department


def test_the_demo_has_an_open_round_with_real_looking_rates(organisation, org_admin):
    for name in DEMO_INVITED:
        if not organisation.departments.filter(name=name).exists():
            create_department(organisation=organisation, name=name)
    summary = {"organisation": organisation, "notes": []}
    round_ = load_demo_open_round(summary, today=datetime.date(2026, 11, 29))
    assert round_.status == Round.Status.OPEN and round_.period.code == "2026-HT"
    invited = Invitation.objects.filter(round=round_)
    assert invited.count() == sum(n for n, _s, _r in DEMO_INVITED.values())
    assert all(email.endswith("@example.se") for email in invited.values_list("email", flat=True))
    submitted = invited.filter(submitted=True).count()
    # Anonymous: the submitted answers wait, sealed, in the response pool until the round closes.
    assert 0 < submitted == PooledResponse.objects.filter(round=round_).count() < invited.count()
    assert sum(SubmissionDay.objects.filter(round=round_).values_list("count", flat=True)) == submitted
    assert invited.filter(started_on__isnull=False, submitted=False).exists()
    assert not Response.objects.filter(round=round_, invitation__isnull=False).exists()  # anonymous
    rates = get_response_rates(round_, visible=None)
    by_name = {row.label: row for row in rates.departments}
    culture = by_name["Kultur- och fritidsförvaltningen"]  # 4 invited: whether they answered is not shown
    assert culture.hidden and culture.submitted is None and not culture.fewer_than_k
    assert not by_name["Utbildningsförvaltningen"].hidden
    assert load_demo_open_round(summary, today=datetime.date(2026, 11, 29)) == round_  # rerun: nothing new
    assert Round.objects.count() == 1


def test_between_windows_the_demo_keeps_the_last_windows_round_open(organisation):
    """docs/decisions.md, "The demo between windows": on 10 January no window runs, so the demo has the
    round of the autumn window as it stood on its last day (1 December), open, and says so."""
    for name in DEMO_INVITED:
        if not organisation.departments.filter(name=name).exists():
            create_department(organisation=organisation, name=name)
    summary = {"organisation": organisation, "notes": []}
    round_ = load_demo_open_round(summary, today=datetime.date(2027, 1, 10))
    assert round_.status == Round.Status.OPEN and round_.period.code == "2026-HT"
    assert round_.period.ends_on == datetime.date(2026, 12, 1)
    latest = max(SubmissionDay.objects.filter(round=round_).values_list("day", flat=True))
    assert latest <= datetime.date(2026, 12, 1)
    assert any("No measurement window runs today" in note for note in summary["notes"])
