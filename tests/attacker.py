"""The analyst who has every download and solves equations – independent of maturity.suppression and
maturity.disclosure, so that it can catch them out.

``build`` makes a closed round from a plan of respondents (department, group, answers) through the real
scoring path. ``Attacker`` takes what the exports publish and asks exact linear algebra (fractions) whether
the sum of the answers of any set of 1 … k − 1 respondents to a statement is determined by the published
statement means and counts. A determined function of the answers only ever depends on respondents through
the published sets they belong to, so it is enough to look at unions of the classes of respondents that
no published set tells apart.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

from maturity.selectors import SUPPRESSED
from maturity.services.results import compute_round_results
from surveys.models import Answer, Department, RespondentGroup, Response, Round
from tests.factories import OrganisationFactory
from tests.reports.dashboard_data import period


@dataclass
class Respondent:
    department: int  # position in the plan's department list
    group: int
    answers: dict[str, int | None]  # statement code → 1–6 or None ("vet ej"); a missing code is a blank


@dataclass
class Built:
    organisation: object
    round: Round
    departments: list  # Department rows, in the plan's order
    groups: list
    parents: dict[int, int | None]
    respondents: list[Respondent]
    codes: list[str]

    def scope_members(self) -> dict[str, set[int]]:
        """Scope key → the positions of its respondents, computed here, not by the product."""
        children: dict[int | None, list[int]] = defaultdict(list)
        for pk, parent in self.parents.items():
            children[parent].append(pk)

        def subtree(pk: int) -> set[int]:
            found = {pk}
            for child in children.get(pk, []):
                found |= subtree(child)
            return found

        members: dict[str, set[int]] = defaultdict(set)
        for i, r in enumerate(self.respondents):
            department = self.departments[r.department].pk
            group = self.groups[r.group].pk
            members["organisation"].add(i)
            members[f"group:{group}"].add(i)
            for d in self.departments:
                if department in subtree(d.pk):
                    members[f"department:{d.pk}"].add(i)
                    members[f"department:{d.pk}/group:{group}"].add(i)
        return dict(members)


def build(tree: list[int], n_groups: int, respondents: list[Respondent], questionnaire, year: int) -> Built:
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
        RespondentGroup.objects.create(organisation=organisation, name=f"Grupp {g}", position=g)
        for g in range(n_groups)
    ]
    round_ = Round.objects.create(
        organisation=organisation,
        period=period(year),
        questionnaire=questionnaire,
        status=Round.Status.CLOSED,
    )
    statements = dict(questionnaire.statements.values_list("code", "pk"))
    responses, answers = [], []
    for r in respondents:
        response = Response(round=round_, department=departments[r.department], group=groups[r.group])
        responses.append(response)
        answers.extend(
            Answer(response=response, statement_id=statements[code], value=value)
            for code, value in r.answers.items()
        )
    Response.objects.bulk_create(responses)
    Answer.objects.bulk_create(answers)
    compute_round_results(round_id=round_.pk)
    return Built(organisation, round_, departments, groups, parents, respondents, sorted(statements))


def scopes_of(results: dict) -> dict[str, dict]:
    found = {results["organisation"]["key"]: results["organisation"]}
    for part in ("departments", "groups", "department_groups"):
        for view in results[part]:
            found[view["key"]] = view
    return found


def _echelon(rows: list[list[Fraction]]) -> list[tuple[int, list[Fraction]]]:
    reduced: list[tuple[int, list[Fraction]]] = []
    for row in rows:
        row = _reduce(reduced, row)
        pivot = next((i for i, v in enumerate(row) if v != 0), None)
        if pivot is not None:
            pivot_value = row[pivot]
            reduced.append((pivot, [v / pivot_value for v in row]))
    return reduced


def _reduce(reduced, vector):
    vector = vector[:]
    for pivot, row in reduced:
        if vector[pivot] != 0:
            factor = vector[pivot]
            vector = [a - factor * b for a, b in zip(vector, row, strict=True)]
    return vector


class Attacker:
    """Per statement: which sums of answers of sets of respondents the published figures determine."""

    def __init__(self, built: Built, results: dict, k: int):
        self.built, self.k = built, k
        self.members = built.scope_members()
        self.published = scopes_of(results)

    def known_sets(self, code: str) -> list[frozenset[int]]:
        """The sets of respondents (who answered ``code`` 1–6) whose answer sum is published: a shown
        statement mean with its count."""
        sets = []
        for key, view in self.published.items():
            statements = view["statements"]
            if statements == SUPPRESSED:
                continue
            figure = statements.get(code)
            if not isinstance(figure, dict) or figure.get("mean") is None:
                continue
            answered = frozenset(
                i for i in self.members[key] if self.built.respondents[i].answers.get(code) is not None
            )
            assert figure["n"] == len(answered), (key, code)  # the published count is the true one
            sets.append(answered)
        return sets

    def leaks(self, code: str) -> list[frozenset[int]]:
        """Every set of 1 … k − 1 respondents whose sum of answers to ``code`` can be determined."""
        sets = self.known_sets(code)
        everyone = frozenset().union(*sets) if sets else frozenset()
        # Classes: respondents that no published set tells apart.
        signature: dict[int, tuple] = {i: tuple(i in s for s in sets) for i in everyone}
        classes: dict[tuple, list[int]] = defaultdict(list)
        for i, sig in signature.items():
            classes[sig].append(i)
        class_list = list(classes.values())
        columns = {sig: j for j, sig in enumerate(classes)}
        rows = []
        for position in range(len(sets)):
            row = [Fraction(0)] * len(class_list)
            for sig, j in columns.items():
                if sig[position]:
                    row[j] = Fraction(1)
            rows.append(row)
        reduced = _echelon(rows)
        small = [j for j, members in enumerate(class_list) if len(members) < self.k]
        found = []
        for size in range(1, self.k):
            for chosen in itertools.combinations(small, size):
                total = sum(len(class_list[j]) for j in chosen)
                if not 0 < total < self.k:
                    continue
                vector = [Fraction(0)] * len(class_list)
                for j in chosen:
                    vector[j] = Fraction(1)
                if not any(_reduce(reduced, vector)):
                    found.append(frozenset(itertools.chain(*(class_list[j] for j in chosen))))
        return found
