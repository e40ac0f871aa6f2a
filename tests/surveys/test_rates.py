"""Response rates on the round page: counts per organisation, department and group, the anonymity rule,
the department representative's view, and the daily curve."""

import datetime

from surveys.models import Invitation, Response, Round
from surveys.selectors_rounds import get_response_rates, get_submission_curve
from tests.surveys.conftest import add_invitations


def invite(round_, department, group, count, *, started=0, submitted=0, prefix="p"):
    invitations = add_invitations(round_, department, group, count, prefix=prefix)
    for invitation in invitations[:started]:
        Invitation.objects.filter(pk=invitation.pk).update(started_on=datetime.date.today())
    for invitation in invitations[:submitted]:
        Invitation.objects.filter(pk=invitation.pk).update(submitted=True)
    return invitations


def by_label(rows):
    return {row.label: row for row in rows}


def test_rates_count_invited_started_and_submitted(organisation, draft_round, groups, org_admin):
    Round.objects.filter(pk=draft_round.pk).update(anonymous=False)
    draft_round.refresh_from_db()
    social = organisation.departments.get(name="Socialförvaltningen")
    elderly = organisation.departments.get(name="Äldreomsorg")
    school = organisation.departments.get(name="Utbildningsförvaltningen")
    invite(draft_round, social, groups[0], 6, started=4, submitted=3, prefix="s")
    invite(draft_round, elderly, groups[1], 2, started=1, submitted=1, prefix="e")
    invite(draft_round, school, groups[0], 8, started=0, submitted=0, prefix="u")
    rates = get_response_rates(draft_round, user=org_admin)
    assert (rates.total.invited, rates.total.started, rates.total.submitted) == (16, 5, 4)
    assert rates.total.rate == "25,0\u00a0%"
    departments = by_label(rates.departments)
    assert (departments["Socialförvaltningen"].invited, departments["Socialförvaltningen"].submitted) == (
        8,
        4,
    )
    assert departments["Äldreomsorg"].depth == 1
    assert departments["Utbildningsförvaltningen"].rate == "0,0\u00a0%"
    groups_rows = by_label(rates.groups)
    assert groups_rows[groups[0].name].invited == 14 and groups_rows[groups[1].name].submitted == 1


def test_in_an_anonymous_round_a_set_smaller_than_k_shows_no_answers(
    organisation, draft_round, groups, org_admin
):
    social = organisation.departments.get(name="Socialförvaltningen")
    elderly = organisation.departments.get(name="Äldreomsorg")
    school = organisation.departments.get(name="Utbildningsförvaltningen")
    invite(draft_round, social, groups[0], 6, submitted=2, prefix="s")
    invite(draft_round, elderly, groups[0], 3, submitted=3, prefix="e")
    invite(draft_round, school, groups[0], 8, submitted=1, prefix="u")
    rates = get_response_rates(draft_round, user=org_admin)
    departments = by_label(rates.departments)
    elderly_row = departments["Äldreomsorg"]
    assert elderly_row.hidden and elderly_row.submitted is None and elderly_row.rate == "–"
    assert elderly_row.invited == 3  # who was invited is the ledger, not a secret
    assert departments["Socialförvaltningen"].submitted == 5  # 9 invited: shown
    assert rates.hidden_any


def test_a_hidden_group_cannot_be_worked_out_from_the_others(organisation, draft_round, groups, org_admin):
    social = organisation.departments.get(name="Socialförvaltningen")
    invite(draft_round, social, groups[0], 8, submitted=4, prefix="a")
    invite(draft_round, social, groups[1], 3, submitted=3, prefix="b")
    invite(draft_round, social, groups[2], 6, submitted=2, prefix="c")
    rates = by_label(get_response_rates(draft_round, user=org_admin).groups)
    assert rates[groups[1].name].hidden  # 3 < k
    assert rates[groups[2].name].hidden  # the next smallest: else total − the others gives it away
    assert not rates[groups[0].name].hidden and rates[groups[0].name].submitted == 4


def test_a_department_representative_sees_only_their_own_departments(
    organisation, draft_round, groups, dept_rep, org_admin
):
    social = organisation.departments.get(name="Socialförvaltningen")
    school = organisation.departments.get(name="Utbildningsförvaltningen")
    invite(draft_round, social, groups[0], 6, submitted=2, prefix="s")
    invite(draft_round, school, groups[0], 8, submitted=1, prefix="u")
    rates = get_response_rates(draft_round, user=dept_rep)
    assert [row.label for row in rates.departments] == ["Socialförvaltningen", "Äldreomsorg"]
    assert rates.groups == []
    assert len(get_response_rates(draft_round, user=org_admin).departments) == 3


def test_the_daily_curve_counts_submissions_per_day_and_in_all(organisation, open_round, groups, org_admin):
    social = organisation.departments.get(name="Socialförvaltningen")
    today = datetime.date.today()
    for days_ago, count in [(2, 3), (0, 4)]:
        for _ in range(count):
            Response.objects.create(
                round=open_round,
                department=social,
                group=groups[0],
                submitted_on=today - datetime.timedelta(days=days_ago),
            )
    figure = get_submission_curve(open_round, user=org_admin)
    bars, line = figure["data"]
    assert bars["y"][-3:] == [3, 0, 4]
    assert line["y"][-1] == 7
    assert figure["layout"]["separators"] == ", "


def test_no_curve_is_shown_for_fewer_than_k_responses_in_an_anonymous_round(
    organisation, open_round, groups, dept_rep
):
    social = organisation.departments.get(name="Socialförvaltningen")
    Response.objects.create(round=open_round, department=social, group=groups[0])
    assert get_submission_curve(open_round, user=dept_rep) is None
