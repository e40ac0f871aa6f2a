"""Property: over random organisations, no number any dashboard shows (organisation view, every
department view, every group filter – together, as someone with access to all of them could combine
them) comes from fewer than k respondents, directly or by subtraction.

Each stored figure gets a value unique to its scope, so every number found in a dashboard's tables and
chart data can be traced back to the scope it comes from. The check of "by subtraction" is independent of
maturity.suppression: it writes down how the scopes add up (organisation = its departments = its groups,
a department = its groups = its units + the answers filed on it directly, …) and asks linear algebra
whether any set of up to three hidden cells with 1…k−1 respondents in all can be worked out from the
shown ones."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maturity.models import RoundResult
from maturity.read_model import HIDDEN
from maturity.services.results import publish_round_results
from reports.selectors import dashboard as selectors
from surveys.models import Department, RespondentGroup, Round
from tests.factories import OrganisationFactory, build_questionnaire
from tests.reports.dashboard_data import period

pytestmark = pytest.mark.django_db

K = 5
# Each example gets a measurement period of its own, so that earlier examples' organisations never show
# up as comparison means (their unique values would otherwise be mistaken for this example's).
YEARS = itertools.count(1900)


@st.composite
def organisations(draw):
    """Departments (1–3, each with 0–2 units), groups (2–3) and the number of responses filed on each
    department × group (mostly small numbers, so that suppression has work to do)."""
    n_groups = draw(st.integers(2, 3))
    tree = [draw(st.integers(0, 2)) for _ in range(draw(st.integers(1, 3)))]
    n_departments = len(tree) + sum(tree)
    counts = draw(
        st.lists(
            st.lists(st.sampled_from([0, 0, 1, 2, 3, 4, 5, 6, 8, 12]), min_size=n_groups, max_size=n_groups),
            min_size=n_departments,
            max_size=n_departments,
        )
    )
    return tree, n_groups, counts


class Values:
    """Unique figures: percents and sds from 1 upwards, shares below 1."""

    def __init__(self):
        self.counter = 0
        self.share_counter = 0
        self.owner: dict[float, str] = {}

    def percent(self, key: str) -> float:
        self.counter += 1
        value = round(1 + self.counter * 0.0131, 4)
        self.owner[value] = key
        return value

    def share(self, key: str) -> float:
        self.share_counter += 1
        value = round(self.share_counter * 0.0001, 4)
        self.owner[value] = key
        return value


def _figures(structure, key: str, n: int, values: Values) -> dict:
    capabilities, categories, dimensions, statements = structure
    return {
        "capabilities": {c: {"n": n, "score": None, "percent": values.percent(key)} for c in capabilities},
        "categories": {c: {"n": n, "score": None, "percent": values.percent(key)} for c in categories},
        "dimensions": {c: {"n": n, "score": None, "percent": values.percent(key)} for c in dimensions},
        "statements": {
            s: {
                "n": n,
                "n_dont_know": 0,
                "mean": values.percent(key) / 100 + 1,
                "sd": values.percent(key),
                "dont_know_share": values.share(key),
            }
            for s in statements
        },
    }


def _build(tree, n_groups, counts, questionnaire):
    organisation = OrganisationFactory()
    departments, parents = [], {}
    for i, n_units in enumerate(tree):
        top = Department.objects.create(organisation=organisation, name=f"Förvaltning {i}")
        departments.append(top)
        parents[top.pk] = None
        for j in range(n_units):
            unit = Department.objects.create(organisation=organisation, name=f"Enhet {i}.{j}", parent=top)
            departments.append(unit)
            parents[unit.pk] = top.pk
    groups = [
        RespondentGroup.objects.create(organisation=organisation, name=f"Grupp {g}") for g in range(n_groups)
    ]
    direct = {
        (d.pk, g.pk): counts[i][j]
        for i, d in enumerate(departments)
        for j, g in enumerate(groups)
        if counts[i][j]
    }

    def subtree(pk):
        found = [pk]
        for child, parent in parents.items():
            if parent == pk:
                found.extend(subtree(child))
        return found

    n = {"organisation": sum(direct.values())}
    for g in groups:
        n[f"group:{g.pk}"] = sum(v for (_d, gg), v in direct.items() if gg == g.pk)
    for d in departments:
        below = subtree(d.pk)
        n[f"department:{d.pk}"] = sum(v for (dd, _g), v in direct.items() if dd in below)
        for g in groups:
            n[f"department:{d.pk}/group:{g.pk}"] = sum(
                v for (dd, gg), v in direct.items() if dd in below and gg == g.pk
            )
    round_ = Round.objects.create(
        organisation=organisation,
        period=period(next(YEARS)),
        questionnaire=questionnaire,
        status=Round.Status.CLOSED,
    )
    structure = (
        list(questionnaire.capabilities.values_list("code", flat=True)),
        list(questionnaire.categories.values_list("code", flat=True)),
        list(questionnaire.dimensions.values_list("code", flat=True)),
        list(questionnaire.statements.values_list("code", flat=True)),
    )
    values = Values()
    rows = []
    for key, count in n.items():
        if count == 0:
            continue
        scope = (
            RoundResult.Scope.ORGANISATION
            if key == "organisation"
            else RoundResult.Scope.GROUP
            if key.startswith("group:")
            else RoundResult.Scope.DEPARTMENT_GROUP
            if "/" in key
            else RoundResult.Scope.DEPARTMENT
        )
        department_id = int(key.split("/")[0].split(":")[1]) if key.startswith("department:") else None
        group_id = int(key.rsplit(":", 1)[1]) if "group:" in key else None
        rows.append(
            RoundResult(
                round=round_,
                questionnaire=questionnaire,
                scope=scope,
                scope_key=key,
                department_id=department_id,
                group_id=group_id,
                n_respondents=count,
                capability_percent=values.percent(key),
                legacy_percent=values.percent(key),
                overall_percent=values.percent(key),
                type="A",
                figures=_figures(structure, key, count, values),
            )
        )
    RoundResult.objects.bulk_create(rows)
    # What may be published, decided as when the round closes; every number of it is traced to its scope.
    publish_round_results(round_id=round_.pk)
    for key, published, figures in RoundResult.objects.filter(round=round_).values_list(
        "scope_key", "published", "published_figures"
    ):
        for number in itertools.chain(_numbers(published), _numbers(figures)):
            values.owner.setdefault(round(number, 4), key)
    return organisation, round_, departments, groups, parents, direct, n, values


def _numbers(obj):
    """Every float anywhere in a dashboard's tables and figure data."""
    if isinstance(obj, float):
        yield obj
    elif isinstance(obj, dict):
        for value in obj.values():
            yield from _numbers(value)
    elif isinstance(obj, list | tuple):
        for value in obj:
            yield from _numbers(value)


def _shown_keys(dashboard, values: Values) -> set[str]:
    """The scopes whose own figures appear. Differences (kind "pp": changes, group gaps) are computed
    from shown figures and left out."""
    shown = set()
    for table in dashboard["tables"].values():
        for row in table.rows:
            for value, kind in zip(row, table.kinds, strict=True):
                if kind == "pp" or (isinstance(value, tuple) and value[0] == "pp"):
                    continue
                for number in _numbers(value):
                    if round(number, 4) in values.owner:
                        shown.add(values.owner[round(number, 4)])
    for number in _numbers(dashboard["figures"]):
        if round(number, 4) in values.owner:
            shown.add(values.owner[round(number, 4)])
    for entity in [dashboard["focus"], dashboard["organisation_total"], *dashboard["entities"]]:
        if isinstance(entity["n"], int):
            shown.add(entity["key"])
    return shown


def _equations(departments, groups, parents, direct):
    """whole − Σ parts = 0 over the cells: scope keys and the never-shown direct cells."""
    tops = [d.pk for d in departments if parents[d.pk] is None]
    children = {d.pk: [c for c, p in parents.items() if p == d.pk] for d in departments}
    equations = [("organisation", [f"department:{t}" for t in tops])]
    equations.append(("organisation", [f"group:{g.pk}" for g in groups]))
    for g in groups:
        equations.append((f"group:{g.pk}", [f"department:{t}/group:{g.pk}" for t in tops]))
    for d in departments:
        equations.append((f"department:{d.pk}", [f"department:{d.pk}/group:{g.pk}" for g in groups]))
        if children[d.pk]:
            for g in groups:
                equations.append(
                    (
                        f"department:{d.pk}/group:{g.pk}",
                        [f"direct:{d.pk}/{g.pk}"] + [f"department:{c}/group:{g.pk}" for c in children[d.pk]],
                    )
                )
    return equations


def _derivable(equations, unknown: list[str], cells: tuple[str, ...]) -> bool:
    index = {c: i for i, c in enumerate(unknown)}
    rows = []
    for whole, parts in equations:
        row = np.zeros(len(unknown))
        if whole in index:
            row[index[whole]] -= 1
        for part in parts:
            if part in index:
                row[index[part]] += 1
        if row.any():
            rows.append(row)
    if not rows:
        return False
    matrix = np.array(rows)
    target = np.zeros(len(unknown))
    for cell in cells:
        target[index[cell]] = 1
    return np.linalg.matrix_rank(np.vstack([matrix, target])) == np.linalg.matrix_rank(matrix)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(organisations())
def test_no_number_on_any_dashboard_comes_from_fewer_than_k_respondents_directly_or_by_subtraction(case):
    tree, n_groups, counts = case
    questionnaire = build_questionnaire(categories_per_dimension=1, statements_per_category=2, k_anonymity=K)
    organisation, round_, departments, groups, parents, direct, n, values = _build(
        tree, n_groups, counts, questionnaire
    )
    rounds = selectors.list_dashboard_rounds(organisation)
    views = [(None, None)]
    views += [(None, g) for g in groups]
    views += [(d, None) for d in departments]
    views += [(d, g) for d in departments for g in groups]
    shown: set[str] = set()
    for department, group in views:
        dashboard = selectors.get_dashboard(
            organisation=organisation, round_=round_, rounds=rounds, department=department, group=group
        )
        shown |= _shown_keys(dashboard, values)
        for entity in dashboard["entities"]:
            if entity["key"] not in shown:
                assert entity["n"] in (HIDDEN, None)

    # 1. directly: nothing shown rests on fewer than k respondents
    assert not [key for key in shown if n[key] < K], "a figure from fewer than k respondents is shown"

    # 2. by subtraction: no set of up to three hidden cells with 1..k−1 respondents can be derived
    cells = {key: count for key, count in n.items() if count > 0}
    for d in departments:
        if any(p == d.pk for p in parents.values()):
            for g in groups:
                if direct.get((d.pk, g.pk)):
                    cells[f"direct:{d.pk}/{g.pk}"] = direct[(d.pk, g.pk)]
    unknown = sorted(c for c in cells if c not in shown)
    equations = _equations(departments, groups, parents, direct)
    for size in (1, 2, 3):
        for combination in itertools.combinations(unknown, size):
            total = sum(cells[c] for c in combination)
            if 0 < total < K:
                assert not _derivable(equations, unknown, combination), (
                    f"{combination} ({total} respondents) can be worked out from the shown figures"
                )
