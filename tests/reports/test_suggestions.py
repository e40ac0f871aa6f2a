# ruff: noqa: F811 - pytest fixtures imported from tests.reports.dashboard_data
"""Improvement suggestions (issue 16): the ranking rules, each kind of suggestion from a round whose answers
are chosen by hand (through the real scoring path), the anonymity rule played as an adversary, the
dashboards that show them with their "Skapa åtgärd" link, and the queries they cost (none)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from maturity.read_model import load_round_view
from maturity.services.results import compute_round_results
from reports import suggestion_rules as rules
from reports.selectors import suggestions as selector
from reports.selectors.dashboard.page import DONT_KNOW_FLAG
from surveys.models import (
    Answer,
    Capability,
    Department,
    RespondentGroup,
    Response,
    Round,
    Statement,
)
from surveys.scope_keys import ORGANISATION, ScopeKey
from tests.reports.dashboard_data import (  # noqa: F401 - fixtures
    SMALL_PLAN,
    build_round,
    default_questionnaire,
    period,
    small_questionnaire,
)

BLANK = object()  # a statement left unanswered

# --- The rules, without a database ------------------------------------------------------------------------


def test_the_weakest_are_the_lowest_scores_lowest_first_and_ties_keep_the_questionnaire_order():
    scores = [("a", 50.0), ("b", 20.0), ("c", None), ("d", 20.0), ("e", 10.0), ("f", 90.0)]
    assert rules.weakest(scores) == [
        rules.Ranked("e", 10.0),
        rules.Ranked("b", 20.0),
        rules.Ranked("d", 20.0),
    ]


def test_no_capability_is_called_weakest_when_too_few_are_shown():
    assert rules.weakest([("a", 10.0), ("b", 20.0), ("c", 30.0), ("d", None)]) == []
    assert len(rules.weakest([("a", 10.0), ("b", 20.0), ("c", 30.0), ("d", 40.0)])) == rules.WEAKEST_COUNT


def test_only_gaps_of_at_least_the_minimum_are_suggested_largest_first():
    gaps = [("a", 14.99), ("b", 15.0), ("c", None), ("d", 40.0), ("e", 30.0)]
    assert rules.largest_gaps(gaps) == [rules.Ranked("d", 40.0), rules.Ranked("e", 30.0)]
    assert rules.largest_gaps([("a", 14.99)]) == []


def test_knowledge_gaps_gather_a_capabilitys_statements_over_the_threshold():
    shares = [("s1", "A", 0.25), ("s2", "A", 0.45), ("s3", "B", 0.19), ("s4", "C", 0.30), ("s5", "D", None)]
    gaps = rules.knowledge_gaps(shares)
    assert [g.capability for g in gaps] == ["A", "C"]
    assert gaps[0].statements == (rules.Ranked("s2", 0.45), rules.Ranked("s1", 0.25))
    assert rules.knowledge_gaps([("s", "A", rules.HIGH_DONT_KNOW_SHARE)])  # the threshold itself counts


def test_a_high_dont_know_share_is_the_same_as_the_dashboards_many_dont_know_flag():
    assert rules.HIGH_DONT_KNOW_SHARE == DONT_KNOW_FLAG


def test_reverse_scored_statements_below_the_midpoint_one_per_capability_and_none_already_suggested():
    means = [("s1", "A", 2.0), ("s2", "A", 1.5), ("s3", "B", 3.5), ("s4", "C", 3.0), ("s5", "D", 1.0)]
    assert rules.low_reverse_scored(means, exclude={"D"}) == [
        rules.Ranked("s2", 1.5),
        rules.Ranked("s4", 3.0),
    ]


def test_the_mean_as_written_of_a_reverse_scored_statement_turns_the_score_back():
    assert rules.raw_mean(2.0) == 5.0
    assert rules.raw_mean(6.0) == 1.0


# --- A round answered by hand ----------------------------------------------------------------------------

PLAN = {
    ("Socialförvaltningen", "Chefer"): 6,
    ("Socialförvaltningen", "Strateger"): 6,
    ("Äldreomsorg", "Chefer"): 5,
    ("Utbildningsförvaltningen", "Chefer"): 7,
    ("Utbildningsförvaltningen", "Strateger"): 2,
}


OPEN_DATA = "Vi publicerar data som öppna data när det är möjligt"  # F.INN.2.1, without its full stop


def answered_round(organisation, questionnaire, answer, *, plan=PLAN, year=2025) -> Round:
    """A closed round whose every answer is ``answer(department name, group name, statement, i)`` (i: the
    respondent's number in their cell; a value 1–6, None for "vet ej" or BLANK), with its stored results."""
    round_ = Round.objects.create(
        organisation=organisation,
        period=period(year),
        questionnaire=questionnaire,
        status=Round.Status.CLOSED,
    )
    departments = {d.name: d for d in Department.objects.filter(organisation=organisation)}
    groups = {g.name: g for g in RespondentGroup.objects.filter(organisation=organisation)}
    statements = list(questionnaire.statements.all())
    responses, answers = [], []
    for (department, group), n in plan.items():
        for i in range(n):
            response = Response(round=round_, department=departments[department], group=groups[group])
            responses.append(response)
            for statement in statements:
                value = answer(department, group, statement, i)
                if value is not BLANK:
                    answers.append(Answer(response=response, statement=statement, value=value))
    Response.objects.bulk_create(responses)
    Answer.objects.bulk_create(answers)
    round_.departments.set({departments[d] for d, _g in plan})
    compute_round_results(round_id=round_.pk)
    return round_


def scenario(department, group, statement, i):
    """Every kind at once: three weak capabilities (one of them shadow IT, which many say is common), the
    groups far apart on strategic planning, many "vet ej" on open data, and the negatively phrased
    "key people" statement mostly agreed with."""
    code = statement.code
    if code == "F.INN.3.1":  # Öppen källkod: 0 %
        return 1
    if code == "A.ANV.3.1":  # Skugg-IT: "Medarbetare använder egna appar …" completely true → 0 %
        return 6
    if code == "F.BAL.1.1" or code.startswith("A.TEK.1."):  # Budget, System för vardagsarbete: 20 %
        return 2
    if code == "A.ORG.3.2":  # "Viktiga system fungerar bara tack vare ett fåtal nyckelpersoner": mostly true
        return 5
    if code == "F.EFF.1.1":  # the groups disagree
        return 6 if group == "Chefer" else 3
    if code == "F.INN.2.1":  # Öppna data: two in five do not know
        return None if i % 5 in (0, 1) else 4
    return 3 if statement.reverse_scored else 4  # 60 % either way


def suggestions_of(round_, department=None, *, visible=None):
    view = load_round_view(round_)
    groups = RespondentGroup.objects.filter(organisation=round_.organisation)
    if department is None:
        focus, name = ORGANISATION, round_.organisation.name
        columns = [(g.name, ScopeKey.group(g.pk)) for g in groups]
    else:
        focus, name = ScopeKey.department(department.pk), department.name
        columns = [(g.name, ScopeKey.department(department.pk, g.pk)) for g in groups]
    return selector.list_suggestions(
        view,
        focus=focus,
        name=name,
        capabilities=list(Capability.objects.filter(version=round_.questionnaire)),
        statements=list(Statement.objects.filter(version=round_.questionnaire).select_related("capability")),
        groups=columns,
        visible=visible,
    )


def of_kind(suggestions, kind):
    return [s for s in suggestions.items if s.kind == kind]


@pytest.fixture
def round_by_hand(organisation, default_questionnaire):
    return answered_round(organisation, default_questionnaire, scenario)


def test_the_weakest_capabilities_are_the_lowest_shown_ones_with_their_figures(round_by_hand):
    weakest = of_kind(suggestions_of(round_by_hand), selector.WEAKEST)
    # 0 %, 0 %, then 20 % (Budget before System för vardagsarbete, the questionnaire's order)
    assert [s.capability_codes for s in weakest] == [("F.INN.3",), ("A.ANV.3",), ("F.BAL.1",)]
    # a reversed capability is named by what a high figure means (Capability.label), as on the dashboards
    assert [s.title for s in weakest] == ["Öppen källkod", "Lite skugg-IT", "Budget för digitala initiativ"]
    first = weakest[0]
    assert first.sources[0].value == pytest.approx(0.0)
    assert first.sources[1].value == "1 av 26"
    assert first.explanation == (
        "Förmågan ligger på 0,0\u00a0% och är den lägsta av de 26 förmågor som visas för Linköpings kommun."
    )
    assert weakest[1].sources[1].value == "1 av 26"  # as low as the first: the same place
    assert weakest[2].sources[0].value == pytest.approx(20.0)
    assert weakest[2].sources[1].value == "3 av 26" and "den tredje lägsta" in weakest[2].explanation
    assert first.action_title == "Stärk ”Öppen källkod”"


def test_a_negatively_phrased_capability_is_read_in_its_own_terms(round_by_hand):
    shadow_it = of_kind(suggestions_of(round_by_hand), selector.WEAKEST)[1]
    # "Among the weakest: Lite skugg-IT" (much shadow IT), never "among the weakest: Skugg-IT"
    assert shadow_it.title == "Lite skugg-IT"
    # Not "strengthen shadow IT": every statement of it is negatively phrased
    assert shadow_it.action_title == "Åtgärda ”Skugg-IT”"
    assert "ett högt värde betyder att det som påståendet beskriver är ovanligt här" in shadow_it.reading
    assert "”Medarbetare använder egna appar" in shadow_it.reading
    assert "fick i snitt 6,0 som det är skrivet" in shadow_it.reading  # everyone said "stämmer helt"


def test_a_high_shadow_it_score_means_little_shadow_it_and_is_not_suggested(
    organisation, default_questionnaire
):
    def little_shadow_it(department, group, statement, i):
        return 1 if statement.code == "A.ANV.3.1" else scenario(department, group, statement, i)

    suggestions = suggestions_of(answered_round(organisation, default_questionnaire, little_shadow_it))
    assert all("A.ANV.3" not in s.capability_codes for s in suggestions.items)


def test_a_mostly_agreed_negatively_phrased_statement_is_explained_as_written(round_by_hand):
    (key_people,) = of_kind(suggestions_of(round_by_hand), selector.REVERSE_SCORED)
    assert key_people.capability_codes == ("A.ORG.3",)
    assert key_people.title == "IT-kompetens och resurser"
    assert key_people.explanation.startswith(
        "Påståendet ”Viktiga system fungerar bara tack vare ett fåtal nyckelpersoner” fick i snitt 5,0 i "
        "Linköpings kommun på skalan från 1 (stämmer inte alls) till 6 (stämmer helt): svaren lutar åt att "
        "det stämmer."
    )
    as_written, reversed_, capability = key_people.sources
    assert (as_written.value, reversed_.value) == (pytest.approx(5.0), pytest.approx(2.0))
    assert capability.value == pytest.approx(40.0)  # (60 % + 20 %) / 2
    assert (
        key_people.action_title == "Stärk ”IT-kompetens och resurser”"
    )  # the other statement is not negative


def test_the_groups_that_disagree_most_are_named_with_their_figures(round_by_hand):
    (gap,) = of_kind(suggestions_of(round_by_hand), selector.GROUP_GAP)
    assert gap.capability_codes == ("F.EFF.1",)
    high, low, difference = gap.sources
    assert (high.label, high.value) == ("Digitalisering i den strategiska planeringen, Chefer", 100.0)
    assert (low.label, low.value) == ("Digitalisering i den strategiska planeringen, Strateger", 40.0)
    assert difference.value == pytest.approx(60.0) and difference.kind == "points"
    assert (
        "Chefer ger 100,0\u00a0% och Strateger 40,0\u00a0%, en skillnad på 60,0 procentenheter."
        in gap.explanation
    )
    assert gap.reading == ""  # nothing negatively phrased in it


def test_groups_that_disagree_on_shadow_it_are_told_in_its_own_terms(organisation, default_questionnaire):
    def managers_see_little_shadow_it(department, group, statement, i):
        if statement.code == "A.ANV.3.1":
            return 1 if group == "Chefer" else 5
        return scenario(department, group, statement, i)

    suggestions = suggestions_of(
        answered_round(organisation, default_questionnaire, managers_see_little_shadow_it)
    )
    (shadow_it,) = [s for s in of_kind(suggestions, selector.GROUP_GAP) if s.capability_codes == ("A.ANV.3",)]
    high, low, _gap = shadow_it.sources
    assert (high.label, high.value) == ("Lite skugg-IT, Chefer", 100.0)  # "stämmer inte alls": no shadow IT
    assert (low.label, low.value) == ("Lite skugg-IT, Strateger", 20.0)
    assert "Strateger känner igen det som de beskriver mer än Chefer gör." in shadow_it.explanation
    assert "ett högt värde betyder att det som påståendet beskriver är ovanligt här" in shadow_it.reading


def test_a_high_dont_know_share_is_a_knowledge_gap_not_a_weakness(round_by_hand):
    suggestions = suggestions_of(round_by_hand)
    (gap,) = of_kind(suggestions, selector.KNOWLEDGE_GAP)
    assert gap.capability_codes == ("F.INN.2",) and gap.title == "Öppna data"
    (share,) = gap.sources
    assert share.kind == "share" and share.value == pytest.approx(14 / 26)
    assert gap.explanation.startswith("Av dem som svarade på ”%s” valde 53,8\u00a0%% ”vet ej”. " % OPEN_DATA)
    assert "kunskapslucka, inte en svaghet" in gap.explanation
    assert "svag" not in gap.label.lower()
    assert all("F.INN.2" not in s.capability_codes for s in of_kind(suggestions, selector.WEAKEST))
    assert gap.action_title == "Sprid kunskap om ”Öppna data”"


def test_the_types_general_advice_comes_with_the_figures_that_decide_the_type(round_by_hand):
    view = load_round_view(round_by_hand)
    (advice,) = of_kind(suggestions_of(round_by_hand), selector.TYPE)
    assert view.value(ORGANISATION, "type").value == "B"
    assert advice.title == "Allmänna råd för typ B"
    assert advice.capability_codes == () and advice.action_title == ""
    assert "Lägg kraften på grunden" in advice.explanation
    assert "(gränsvärde 50\u00a0%) och digitalt arv" in advice.explanation
    capability, legacy, type_ = advice.sources
    assert capability.value == pytest.approx(view.value(ORGANISATION, "capability_percent").value)
    assert legacy.value == pytest.approx(view.value(ORGANISATION, "legacy_percent").value)
    assert type_.value == "B"


def test_every_type_has_its_own_advice():
    texts = selector._type_advice()
    assert sorted(texts) == ["A", "B", "C", "D"] and len(set(texts.values())) == 4


def test_the_kinds_come_in_a_fixed_order(round_by_hand):
    kinds = [s.kind for s in suggestions_of(round_by_hand).items]
    assert kinds == sorted(kinds, key=selector.KINDS.index)
    assert set(kinds) == set(selector.KINDS)


# --- Anonymity: the adversary ----------------------------------------------------------------------------


def test_a_hidden_department_gives_no_suggestions_and_says_why(
    organisation, default_questionnaire, school_department
):
    plan = {**PLAN, ("Utbildningsförvaltningen", "Chefer"): 3}
    del plan[("Utbildningsförvaltningen", "Strateger")]
    round_ = answered_round(organisation, default_questionnaire, scenario, plan=plan)
    suggestions = suggestions_of(round_, school_department)
    assert suggestions.items == ()
    assert suggestions.unavailable.startswith("För få har svarat i Utbildningsförvaltningen")


def test_a_capability_hidden_in_the_scope_is_never_suggested_however_low(
    organisation, default_questionnaire, social_department
):
    from maturity.models import RoundResult

    def few_answer_governance(department, group, statement, i):
        if statement.code == "F.EFF.2.1" and department == "Socialförvaltningen" and group == "Chefer":
            return 1 if i < 3 else BLANK  # three answers: below k, and the lowest there is
        if statement.code == "F.EFF.2.1" and department in ("Socialförvaltningen", "Äldreomsorg"):
            return BLANK
        return scenario(department, group, statement, i)

    round_ = answered_round(organisation, default_questionnaire, few_answer_governance)
    stored = RoundResult.objects.get(round=round_, scope_key=f"department:{social_department.pk}")
    assert stored.figures["capabilities"]["F.EFF.2"]["percent"] == 0.0  # the truth, not to be told
    suggestions = suggestions_of(round_, social_department)
    assert suggestions.items
    assert all("F.EFF.2" not in s.capability_codes for s in suggestions.items)
    assert all("Styrning av systemförvaltning" not in s.title for s in suggestions.items)


def _without_round(suggestions):
    return suggestions.scope_name, suggestions.department_id, suggestions.items, suggestions.unavailable


def test_a_representative_of_one_department_learns_nothing_of_another(
    client, organisation, default_questionnaire, social_department, school_department, dept_rep
):
    def school_answers_low(department, group, statement, i):
        value = scenario(department, group, statement, i)
        if department == "Utbildningsförvaltningen" and isinstance(value, int):
            return 1 if value > 3 else 6  # the same people, the same blanks and "vet ej", other answers
        return value

    before = answered_round(organisation, default_questionnaire, scenario, year=2024)
    after = answered_round(organisation, default_questionnaire, school_answers_low, year=2025)
    # The organisation's suggestions change with the other department's answers …
    assert _without_round(suggestions_of(before)) != _without_round(suggestions_of(after))
    # … the representative's do not, on the page or in the selector
    assert _without_round(suggestions_of(before, social_department)) == _without_round(
        suggestions_of(after, social_department)
    )
    client.force_login(dept_rep)
    pages = []
    for round_ in (before, after):
        response = client.get(
            reverse("reports:dashboard", args=[organisation.code]),
            {"round": round_.pk, "department": social_department.pk},
        )
        assert response.status_code == 200
        # the create-action links name their round; everything else must be the same
        pages.append(re.sub(r"round=\d+", "round=…", _section(response.content.decode())))
    assert pages[0] == pages[1]
    assert "Utbildningsförvaltningen" not in pages[0]
    other = client.get(
        reverse("reports:dashboard", args=[organisation.code]), {"department": school_department.pk}
    )
    assert other.status_code == 404


def test_a_department_the_reader_may_not_see_gives_no_suggestions(
    round_by_hand, social_department, school_department
):
    suggestions = suggestions_of(round_by_hand, school_department, visible={social_department.pk})
    assert suggestions.items == () and suggestions.unavailable


# --- The dashboards --------------------------------------------------------------------------------------


def _section(page: str) -> str:
    match = re.search(r'<section aria-labelledby="suggestions-heading".*?</section>', page, re.S)
    assert match, "no suggestions section"
    return match.group(0)


def dashboard_url(organisation, **params):
    base = reverse("reports:dashboard", args=[organisation.code])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def test_the_organisation_dashboard_shows_the_suggestions_with_their_figures(
    client, organisation, round_by_hand, management
):
    client.force_login(management)
    response = client.get(dashboard_url(organisation))
    section = _section(response.content.decode())
    assert "Förslag: var du kan börja" in section
    assert section.count('class="suggestion ') == len(response.context["dashboard"]["suggestions"].items)
    assert "Kunskapslucka" in section and "Öppna data" in section
    assert "53,8\u00a0%" in section  # the "vet ej" share of open data, as the spread table shows it
    assert "Skapa åtgärd" not in section  # management records no actions


def test_the_department_dashboard_shows_the_departments_own_suggestions(
    client, organisation, round_by_hand, dept_rep, social_department
):
    client.force_login(dept_rep)
    response = client.get(dashboard_url(organisation, department=social_department.pk))
    suggestions = response.context["dashboard"]["suggestions"]
    assert (
        suggestions.scope_name == "Socialförvaltningen" and suggestions.department_id == social_department.pk
    )
    assert suggestions.items == suggestions_of(round_by_hand, social_department).items
    assert "Förslag för Socialförvaltningen" in _section(response.content.decode())


def test_a_group_filter_says_that_suggestions_are_for_the_whole_scope(
    client, organisation, round_by_hand, management
):
    client.force_login(management)
    chefer = RespondentGroup.objects.get(organisation=organisation, name="Chefer")
    section = _section(client.get(dashboard_url(organisation, group=chefer.pk)).content.decode())
    assert "välj ”Alla respondentgrupper”" in section
    assert 'class="suggestion ' not in section


def test_a_hidden_department_dashboard_says_why_it_has_no_suggestions(
    client, organisation, default_questionnaire, org_admin, school_department
):
    plan = {key: n for key, n in PLAN.items() if key[0] != "Utbildningsförvaltningen"}
    plan[("Utbildningsförvaltningen", "Chefer")] = 4
    answered_round(organisation, default_questionnaire, scenario, plan=plan)
    client.force_login(org_admin)
    section = _section(
        client.get(dashboard_url(organisation, department=school_department.pk)).content.decode()
    )
    assert "För få har svarat i Utbildningsförvaltningen" in section
    assert 'class="suggestion ' not in section


def _links(section: str) -> list[tuple[str, dict]]:
    found = []
    for href in re.findall(r'<a class="btn btn-outline-primary btn-sm" href="([^"]+)"', section):
        parts = urlsplit(href.replace("&amp;", "&"))
        found.append((parts.path, parse_qs(parts.query, keep_blank_values=True)))
    return found


def test_the_create_action_link_fills_in_round_organisation_capability_and_title(
    client, organisation, round_by_hand, org_admin
):
    client.force_login(org_admin)
    response = client.get(dashboard_url(organisation))
    items = response.context["dashboard"]["suggestions"].items
    links = _links(_section(response.content.decode()))
    targeted = [s for s in items if s.capability_codes]
    assert len(links) == len(targeted) == len(items) - 1  # the type's advice targets no capability
    for (path, query), suggestion in zip(links, targeted, strict=True):
        assert path == f"/o/{organisation.code}/atgarder/ny/"
        assert query == {
            "round": [str(round_by_hand.pk)],
            "department": [""],
            "capability": list(suggestion.capability_codes),
            "title": [suggestion.action_title],
        }
    created = client.get(links[0][0], links[0][1])
    assert created.status_code == 200
    assert created.context["form"].initial["title"] == targeted[0].action_title


def test_a_representatives_create_action_link_names_their_department(
    client, organisation, round_by_hand, dept_rep, social_department
):
    client.force_login(dept_rep)
    response = client.get(dashboard_url(organisation, department=social_department.pk))
    links = _links(_section(response.content.decode()))
    assert links
    assert {query["department"][0] for _path, query in links} == {str(social_department.pk)}
    assert links[0][1]["title"] == [response.context["dashboard"]["suggestions"].items[0].action_title]


def test_management_gets_no_create_action_link_even_where_the_page_exists(
    client, organisation, round_by_hand, management
):
    client.force_login(management)
    assert _links(_section(client.get(dashboard_url(organisation)).content.decode())) == []


# --- Queries ---------------------------------------------------------------------------------------------


def test_the_suggestions_cost_no_queries_for_a_small_or_a_large_organisation(
    organisation, small_questionnaire, django_assert_num_queries
):
    from surveys.services.organisations import add_organisation, create_department

    small_round = build_round(organisation, year=2025, questionnaire=small_questionnaire, plan=SMALL_PLAN)
    big, _ = add_organisation(code="0180")
    plan = {}
    for i in range(12):
        top = create_department(organisation=big, name=f"Förvaltning {i}")
        unit = create_department(organisation=big, name=f"Enhet {i}", parent=top)
        for j, group in enumerate(RespondentGroup.objects.filter(organisation=big)):
            plan[(top.name, group.name)] = 3 + (i + j) % 5
            plan[(unit.name, group.name)] = 2 + (i * j) % 6
    big_round = build_round(big, year=2025, questionnaire=small_questionnaire, plan=plan)
    capabilities = list(Capability.objects.filter(version=small_questionnaire))
    statements = list(Statement.objects.filter(version=small_questionnaire).select_related("capability"))
    for round_ in (small_round, big_round):
        view = load_round_view(round_)
        groups = [
            (g.name, ScopeKey.group(g.pk))
            for g in RespondentGroup.objects.filter(organisation=round_.organisation)
        ]
        with django_assert_num_queries(0):
            found = selector.list_suggestions(
                view,
                focus=ORGANISATION,
                name=round_.organisation.name,
                capabilities=capabilities,
                statements=statements,
                groups=groups,
            )
        assert found.items
