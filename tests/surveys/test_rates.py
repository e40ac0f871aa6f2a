"""Response rates on the round page: counts per organisation, department and group, the anonymity rule
(1 … k − 1 submitted is "färre än k" with the rate as a band; further sets are hidden so that no such count
can be worked out by subtraction), the department representative's view, and the daily curve."""

import datetime
import itertools
from fractions import Fraction

from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maturity.rates import get_response_rates, get_submission_curve
from surveys.models import Invitation, Round, SubmissionDay
from surveys.scoping import visible_department_ids
from tests.maturity.test_suppression import _echelon, _reduce
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


def rates_for(round_, user):
    return get_response_rates(round_, visible=visible_department_ids(user, round_.organisation_id))


def curve_for(round_, user):
    return get_submission_curve(round_, visible=visible_department_ids(user, round_.organisation_id))


def test_rates_count_invited_started_and_submitted(organisation, draft_round, groups, org_admin):
    Round.objects.filter(pk=draft_round.pk).update(anonymous=False)
    draft_round.refresh_from_db()
    social = organisation.departments.get(name="Socialförvaltningen")
    elderly = organisation.departments.get(name="Äldreomsorg")
    school = organisation.departments.get(name="Utbildningsförvaltningen")
    invite(draft_round, social, groups[0], 6, started=4, submitted=3, prefix="s")
    invite(draft_round, elderly, groups[1], 2, started=1, submitted=1, prefix="e")
    invite(draft_round, school, groups[0], 8, started=0, submitted=0, prefix="u")
    rates = rates_for(draft_round, org_admin)
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


def test_in_an_anonymous_round_fewer_than_k_submitted_is_a_band_never_the_count(
    organisation, draft_round, groups, org_admin
):
    social = organisation.departments.get(name="Socialförvaltningen")
    elderly = organisation.departments.get(name="Äldreomsorg")
    school = organisation.departments.get(name="Utbildningsförvaltningen")
    invite(draft_round, social, groups[0], 6, submitted=2, prefix="s")
    invite(draft_round, elderly, groups[0], 8, submitted=3, prefix="e")
    invite(draft_round, school, groups[0], 8, submitted=1, prefix="u")
    rates = rates_for(draft_round, org_admin)
    departments = by_label(rates.departments)
    elderly_row = departments["Äldreomsorg"]
    assert elderly_row.fewer_than_k and elderly_row.submitted is None
    assert elderly_row.submitted_display == "färre än 5"
    assert elderly_row.rate == "högst 50,0\u00a0%"  # 1 … 4 of 8 invited
    with translation.override("en"):
        assert elderly_row.submitted_display == "fewer than 5"
    assert elderly_row.invited == 8  # who was invited is the ledger, not a secret
    school_row = departments["Utbildningsförvaltningen"]
    assert school_row.fewer_than_k and school_row.submitted is None
    # Socialförvaltningen has 5 (its own 2 and Äldreomsorg's 3), but with the total (6) it would give
    # Utbildningsförvaltningen's 1 away: hidden too, and shown as nothing rather than as a band.
    social_row = departments["Socialförvaltningen"]
    assert social_row.hidden and not social_row.fewer_than_k
    assert social_row.submitted_display == "–" and social_row.rate == "–"
    assert rates.total.submitted == 6
    assert rates.hidden_any


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    cells=st.lists(
        st.tuples(
            st.sampled_from(["Socialförvaltningen", "Äldreomsorg", "Utbildningsförvaltningen"]),
            st.integers(0, 2),
            st.integers(0, 7),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_no_hidden_count_can_be_worked_out_from_the_published_counts(
    organisation, draft_round, groups, org_admin, cells
):
    """An analyst with the page: the published submitted counts (total, departments, groups) as equations
    (total = Σ top departments = Σ groups; a department = its units + its own), solved exactly with
    fractions. No hidden count of 1 … k − 1 – and no sum of hidden counts below k – follows."""
    Invitation.objects.filter(round=draft_round).delete()
    departments = {d.name: d for d in organisation.departments.all()}
    for i, (name, group, submitted) in enumerate(cells):
        invite(
            draft_round, departments[name], groups[group], submitted + 1, submitted=submitted, prefix=f"c{i}-"
        )
    rates = rates_for(draft_round, org_admin)
    rows = {("d", r.label): r for r in rates.departments} | {("g", r.label): r for r in rates.groups}
    rows[("total", "")] = rates.total
    own = {("own", name) for name in ("Socialförvaltningen",)}  # responses filed on a department with units
    unknown = [key for key, row in rows.items() if row.submitted is None] + sorted(own)
    index = {key: i for i, key in enumerate(unknown)}

    def equation(whole, parts):
        row = [Fraction(0)] * len(unknown)
        constant = Fraction(0)
        for key, sign in [(whole, -1), *((p, 1) for p in parts)]:
            if key in index:
                row[index[key]] += sign
            else:
                constant += sign * rows[key].submitted
        return row, constant

    group_keys = [("g", g.name) for g in groups]
    system = [
        equation(("total", ""), [("d", "Socialförvaltningen"), ("d", "Utbildningsförvaltningen")]),
        equation(("total", ""), group_keys),
        equation(("d", "Socialförvaltningen"), [("d", "Äldreomsorg"), ("own", "Socialförvaltningen")]),
    ]
    reduced = _echelon([row for row, _c in system if any(row)])
    true_counts = {
        key: rates_count
        for key, rates_count in _true_counts(draft_round, departments, groups).items()
        if key in index
    }
    small = [key for key, count in true_counts.items() if 0 < count < rates.k and key[0] != "own"]
    for size in range(1, len(small) + 1):
        for chosen in itertools.combinations(small, size):
            if sum(true_counts[c] for c in chosen) >= rates.k:
                continue
            vector = [Fraction(0)] * len(unknown)
            for key in chosen:
                vector[index[key]] = Fraction(1)
            assert any(_reduce(reduced, vector)), f"{chosen} can be worked out from the published counts"
    for key, row in rows.items():
        if row.submitted is None and 0 < true_counts.get(key, 0) < rates.k and row.invited >= rates.k:
            assert row.fewer_than_k
        if 0 < row.invited < rates.k:
            assert row.submitted is None and not row.fewer_than_k  # nor whether any of its few answered


def _true_counts(round_, departments, groups):
    submitted = Invitation.objects.filter(round=round_, submitted=True)
    social = departments["Socialförvaltningen"]
    counts = {
        ("total", ""): submitted.count(),
        ("d", "Socialförvaltningen"): submitted.filter(
            department__in=[social, departments["Äldreomsorg"]]
        ).count(),
        ("own", "Socialförvaltningen"): submitted.filter(department=social).count(),
        ("d", "Äldreomsorg"): submitted.filter(department=departments["Äldreomsorg"]).count(),
        ("d", "Utbildningsförvaltningen"): submitted.filter(
            department=departments["Utbildningsförvaltningen"]
        ).count(),
    }
    for group in groups:
        counts[("g", group.name)] = submitted.filter(group=group).count()
    return counts


def test_a_hidden_group_cannot_be_worked_out_from_the_others(organisation, draft_round, groups, org_admin):
    social = organisation.departments.get(name="Socialförvaltningen")
    invite(draft_round, social, groups[0], 8, submitted=6, prefix="a")
    invite(draft_round, social, groups[1], 8, submitted=3, prefix="b")
    invite(draft_round, social, groups[2], 6, submitted=5, prefix="c")
    rates = by_label(rates_for(draft_round, org_admin).groups)
    assert rates[groups[1].name].fewer_than_k  # 3 < k
    assert rates[groups[2].name].hidden  # the next smallest: else total − the others gives it away
    assert not rates[groups[2].name].fewer_than_k  # 5: hidden, not "fewer than 5"
    assert not rates[groups[0].name].hidden and rates[groups[0].name].submitted == 6


def test_whether_anybody_in_a_set_of_fewer_than_k_invited_answered_is_not_shown(
    organisation, draft_round, groups, org_admin
):
    social = organisation.departments.get(name="Socialförvaltningen")
    school = organisation.departments.get(name="Utbildningsförvaltningen")
    invite(draft_round, social, groups[0], 9, submitted=6, prefix="s")
    invite(draft_round, school, groups[0], 2, submitted=0, prefix="u")
    rows = by_label(rates_for(draft_round, org_admin).departments)
    # Nobody of the two has answered: not shown as 0 – the day one answers, it would say so.
    assert rows["Utbildningsförvaltningen"].submitted_display == "–"
    assert not rows["Utbildningsförvaltningen"].fewer_than_k
    assert rows["Utbildningsförvaltningen"].invited == 2


def test_a_department_representative_sees_only_their_own_departments(
    organisation, draft_round, groups, dept_rep, org_admin
):
    social = organisation.departments.get(name="Socialförvaltningen")
    school = organisation.departments.get(name="Utbildningsförvaltningen")
    invite(draft_round, social, groups[0], 6, submitted=2, prefix="s")
    invite(draft_round, school, groups[0], 8, submitted=1, prefix="u")
    rates = rates_for(draft_round, dept_rep)
    assert [row.label for row in rates.departments] == ["Socialförvaltningen", "Äldreomsorg"]
    assert rates.groups == []
    assert len(rates_for(draft_round, org_admin).departments) == 3


def test_the_daily_curve_counts_submissions_per_day_and_in_all(organisation, open_round, groups, org_admin):
    social = organisation.departments.get(name="Socialförvaltningen")
    invite(open_round, social, groups[0], 7, submitted=7, prefix="d")
    today = datetime.date.today()
    for days_ago, count in [(2, 3), (0, 4)]:
        SubmissionDay.objects.create(
            round=open_round, department=social, day=today - datetime.timedelta(days=days_ago), count=count
        )
    figure = curve_for(open_round, org_admin)
    bars, line = figure["data"]
    assert bars["y"][-3:] == [3, 0, 4]
    assert line["y"][-1] == 7
    assert figure["layout"]["separators"] == ", "


def test_no_curve_is_shown_for_fewer_than_k_responses_in_an_anonymous_round(
    organisation, open_round, groups, dept_rep, org_admin
):
    social = organisation.departments.get(name="Socialförvaltningen")
    SubmissionDay.objects.create(round=open_round, department=social, day=datetime.date.today(), count=1)
    Invitation.objects.filter(round=open_round).update(submitted=False)
    Invitation.objects.filter(pk=Invitation.objects.filter(round=open_round).first().pk).update(
        submitted=True
    )
    assert curve_for(open_round, dept_rep) is None
    assert curve_for(open_round, org_admin) is None


def test_a_representative_gets_no_curve_whose_total_would_give_a_hidden_count_away(
    organisation, draft_round, groups, dept_rep, org_admin
):
    """The representative's departments have 6 submitted, but with the total (7) that count would give
    Utbildningsförvaltningen's 1 away, so the page hides it – and their curve, whose total it is, too."""
    social = organisation.departments.get(name="Socialförvaltningen")
    elderly = organisation.departments.get(name="Äldreomsorg")
    school = organisation.departments.get(name="Utbildningsförvaltningen")
    invite(draft_round, social, groups[0], 6, submitted=4, prefix="s")
    invite(draft_round, elderly, groups[0], 4, submitted=2, prefix="e")
    invite(draft_round, school, groups[0], 8, submitted=1, prefix="u")
    for department, count in ((social, 4), (elderly, 2), (school, 1)):
        SubmissionDay.objects.create(
            round=draft_round, department=department, day=datetime.date.today(), count=count
        )
    rows = by_label(rates_for(draft_round, org_admin).departments)
    assert rows["Utbildningsförvaltningen"].fewer_than_k
    assert rows["Socialförvaltningen"].hidden and not rows["Socialförvaltningen"].fewer_than_k
    assert curve_for(draft_round, dept_rep) is None
    figure = curve_for(draft_round, org_admin)
    assert figure["data"][1]["y"][-1] == 7
