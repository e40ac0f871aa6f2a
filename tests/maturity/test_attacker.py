"""The analyst with every download (DESIGN.md, "Anonymity"): over random organisations, answers and
"vet ej" patterns, through the real scoring path and the real exports (JSON and CSV), no published figure
rests on fewer than k respondents, the sum of no set of 1 … k − 1 respondents' answers to a statement can
be solved for, and every figure above a statement is a function of published statement figures (so it adds
nothing an attacker could subtract). Deterministic cases of issue 10's examples follow."""

from __future__ import annotations

import csv
import io
import itertools

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dimios_web.formatting import dimension_value
from maturity import scoring
from maturity.exports import results_as_csv
from maturity.selectors import SUPPRESSED, get_round_results
from reports.selectors.dashboard import get_dashboard, list_dashboard_rounds
from tests.attacker import Attacker, Respondent, build, scopes_of
from tests.factories import build_questionnaire

pytestmark = pytest.mark.django_db

YEARS = itertools.count(1700)


@st.composite
def plans(draw):
    tree = [draw(st.integers(0, 2)) for _ in range(draw(st.integers(1, 3)))]
    n_departments = len(tree) + sum(tree)
    n_groups = draw(st.integers(1, 3))
    k = draw(st.sampled_from([3, 4, 5]))
    codes_count = 6
    # Per statement how often people say "vet ej" or leave it blank: some statements tempt a leak.
    dont_know = [draw(st.sampled_from([0.0, 0.0, 0.2, 0.5, 0.8])) for _ in range(codes_count)]
    respondents = []
    for _ in range(draw(st.integers(0, 28))):
        department = draw(st.integers(0, n_departments - 1))
        group = draw(st.integers(0, n_groups - 1))
        answers = {}
        for position in range(codes_count):
            roll = draw(st.integers(0, 99))
            if roll < dont_know[position] * 100:
                if roll % 2:
                    answers[position] = None  # "vet ej"; otherwise left blank
            else:
                answers[position] = draw(st.integers(1, 6))
        respondents.append((department, group, answers))
    return tree, n_groups, k, respondents


def _floats(obj):
    if isinstance(obj, float):
        yield obj
    elif isinstance(obj, dict):
        for value in obj.values():
            yield from _floats(value)
    elif isinstance(obj, list | tuple):
        for value in obj:
            yield from _floats(value)


def _independent_view(view: dict, structure) -> dict:
    """The figures above the statements, recomputed here from the published statement means only."""
    statements = view["statements"]
    expected = {}
    cap_scores = {}
    for cap in structure.capabilities:
        means = [
            statements[s.code]["mean"]
            for s in structure.statements
            if s.capability == cap.code
            and isinstance(statements[s.code], dict)
            and statements[s.code]["mean"] is not None
        ]
        cap_scores[cap.code] = sum(means) / len(means) if means else None
        expected[("capabilities", cap.code)] = cap_scores[cap.code]
    cat_scores = {}
    for cat in structure.categories:
        parts = [cap_scores[c.code] for c in structure.capabilities if c.category == cat.code]
        shown = [p for p in parts if p is not None]
        cat_scores[cat.code] = sum(shown) / len(shown) if shown else None
        expected[("categories", cat.code)] = cat_scores[cat.code]
    for dim in structure.dimensions:
        parts = [cat_scores[c.code] for c in structure.categories if c.dimension == dim.code]
        shown = [p for p in parts if p is not None]
        expected[("dimensions", dim.code)] = sum(shown) / len(shown) if shown else None
    return expected


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def _legacy_just_below_the_cutoff():
    """Seven respondents whose legacy is 49,968 % (statement means 17/5, 22/6 and 24/7): the dashboards show
    it as 49,9 % beside its type (the cut-off rule), a figure the JSON does not publish as such. The case
    a fresh-clone run of this test found at random."""
    pos3, pos4, pos5 = [4, 4, 3, 3, 3], [4, 4, 4, 4, 3, 3], [4, 4, 4, 3, 3, 3, 3]
    respondents = []
    for i in range(7):
        answers = {0: 4, 1: 4, 2: 4, 5: pos5[i]}
        if i < 6:
            answers[4] = pos4[i]
        if i < 5:
            answers[3] = pos3[i]
        respondents.append((0, 0, answers))
    return [0], 1, 5, respondents


@given(plans())
@example(_legacy_just_below_the_cutoff())
def test_no_set_of_fewer_than_k_respondents_can_be_solved_for_from_every_download(case):
    tree, n_groups, k, raw = case
    questionnaire = build_questionnaire(categories_per_dimension=1, statements_per_category=3, k_anonymity=k)
    codes = list(questionnaire.statements.values_list("code", flat=True))
    respondents = [
        Respondent(d, g, {codes[position]: value for position, value in answers.items()})
        for d, g, answers in raw
    ]
    built = build(tree, n_groups, respondents, questionnaire, next(YEARS))
    results = get_round_results(round_id=built.round.pk)
    if not respondents:
        assert results["organisation"]["suppressed"]
        return
    views = scopes_of(results)
    members = built.scope_members()

    # 1. Directly: a shown scope has k respondents, a shown statement k answers.
    for key, view in views.items():
        if view["suppressed"]:
            assert view["n_respondents"] == SUPPRESSED and view["capability_percent"] == SUPPRESSED
            continue
        assert view["n_respondents"] == len(members[key]) >= k
        for figure in view["statements"].values():
            if isinstance(figure, dict) and figure["mean"] is not None:
                assert figure["n"] >= k

    # 2. By subtraction at statement level: nothing can be solved for.
    attacker = Attacker(built, results, k)
    for code in codes:
        assert attacker.leaks(code) == [], f"statement {code}: a set of fewer than {k} can be solved for"

    # 3. Everything above the statements is a function of the published statement figures.
    from maturity.selectors import get_structure

    structure = get_structure(questionnaire)
    for view in views.values():
        if view["suppressed"]:
            continue
        expected = _independent_view(view, structure)
        for (level, code), score in expected.items():
            published = view[level][code]
            if score is None:
                assert published == SUPPRESSED or published["score"] is None
            else:
                assert published["score"] == pytest.approx(score)
        dims = {d.kind: view["dimensions"][d.code] for d in structure.dimensions}
        for kind, field in (("capability", "capability_percent"), ("legacy", "legacy_percent")):
            part = dims[kind]
            assert view[field] == (part if part == SUPPRESSED else part["percent"])
        if SUPPRESSED in (view["capability_percent"], view["legacy_percent"]):
            assert view["overall_percent"] == SUPPRESSED and view["type"] == SUPPRESSED
        elif None not in (view["capability_percent"], view["legacy_percent"]):
            assert view["overall_percent"] == pytest.approx(
                (view["capability_percent"] + view["legacy_percent"]) / 2
            )
            assert view["type"] == scoring.maturity_type(view["capability_percent"], view["legacy_percent"])

    # 4. Every dashboard (organisation, each department, each group filter) – its tables are its CSV and XLSX
    # downloads – shows only numbers the JSON publishes (changes and gaps are differences of those).
    published = list(_floats(results))
    published_numbers = {round(x, 9) for x in published}
    # A capability or legacy figure beside its type is shown by the cut-off rule (docs/scoring.md: 49.97
    # against the cut-off 50 is shown as 49.9): still a function of one published figure, nothing more.
    cutoffs = {float(questionnaire.capability_cutoff), float(questionnaire.legacy_cutoff)}
    published_numbers |= {round(dimension_value(x, cutoff), 9) for x in published for cutoff in cutoffs}
    rounds = list_dashboard_rounds(built.organisation)
    for department, group in [
        (None, None),
        *[(None, g) for g in built.groups],
        *[(d, None) for d in built.departments],
    ]:
        dashboard = get_dashboard(
            organisation=built.organisation,
            round_=built.round,
            rounds=rounds,
            department=department,
            group=group,
        )
        for table in dashboard["tables"].values():
            for row in table.rows:
                for value, kind in zip(row, table.kinds, strict=True):
                    if kind == "mixed":
                        kind, value = value
                    if kind == "pp" or not isinstance(value, float):
                        continue
                    assert round(value, 9) in published_numbers, (table.id, value)

    # 5. The CSV download publishes nothing the JSON does not (rounded to one decimal).
    for row in csv.DictReader(io.StringIO(results_as_csv(results))):
        view = views[row["scope_key"]]
        if row["level"] == "respondents":
            assert row["value"] == (SUPPRESSED if view["suppressed"] else str(view["n_respondents"]))
        elif row["level"] in ("dimension", "category", "capability"):
            part = view[
                {"dimension": "dimensions", "category": "categories", "capability": "capabilities"}[
                    row["level"]
                ]
            ]
            part = part if part == SUPPRESSED else part[row["code"]]
            if part == SUPPRESSED:
                assert row["value"] == SUPPRESSED
            elif part["percent"] is None:
                assert row["value"] == ""
            else:
                assert row["value"] == f"{part['percent']:.1f}"
