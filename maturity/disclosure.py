"""What of a round's stored results may be published (DESIGN.md, "Anonymity"). Pure Python, no Django.

Input: the stored result of every scope of one round (respondents and the figures ``scoring.score``
produced), the department tree as it was when the round closed, the questionnaire structure and k.
Output: per scope the figures that may be shown, every other figure replaced by ``SUPPRESSED``.

The rule, made exact (docs/scoring.md, "Anonymity"):

1. **Scopes.** A scope with fewer than k respondents is hidden, and more scopes are hidden until no set of
   hidden scopes with 1 … k − 1 respondents in all can be worked out by subtraction between scopes
   (``suppression.hidden_part_keys``). Everything of a hidden scope is hidden, its count included.
2. **Statements.** In a shown scope a statement's figures (mean, standard deviation, "vet ej" share and
   the counts) are shown only when at least k respondents answered it 1–6 there, and – the same check at
   statement level, on the numbers of people who answered that statement – no set of 1 … k − 1 answers
   to it can be worked out by subtraction between the scopes in which it is shown. Statement means times
   their counts (and, through the standard deviation, sums of squares) are additive over scopes exactly
   as respondent counts are, so the check of rule 1 applies unchanged with those counts; every count is
   treated as known to the attacker (it is published).
3. **Everything above a statement is computed from the shown statements only.** A capability is the mean
   of its *shown* statements' means, a category the weighted mean of its shown capabilities, a dimension
   of its shown categories; a part none of whose answered statements may be shown is hidden. So no
   published capability, category, dimension, overall figure or type contains a hidden statement – they
   are functions of figures that are themselves published, and add nothing an attacker could subtract.
   ``left_out`` says how many answered statements a figure leaves out; where it is 0 the figure is the
   one the formulas of docs/scoring.md give.
4. The overall figure and the type need both dimensions; a figure derived from a hidden one is hidden.

The capability standard deviation (of respondents' own capability scores) is stored but never published:
its sums of squares are not additive in the statements' figures, so rule 2 would not cover them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from . import scoring
from .suppression import effective_k, hidden_part_keys

SUPPRESSED = "suppressed"
LEVELS = ("statements", "capabilities", "categories", "dimensions")
HEADLINE = ("hidden", "n", "capability_percent", "legacy_percent", "overall_percent", "type", "left_out")


@dataclass(frozen=True)
class Stored:
    """One stored scope as far as publishing is concerned."""

    n_respondents: int
    figures: Mapping  # {"statements": {code: {...}}, "capabilities": …, "categories": …, "dimensions": …}


def _part(means: list[tuple[float, float]], *, n: int, answered: int, used: int) -> Any:
    """A capability, category or dimension from its shown children's (score, weight) pairs."""
    if means:
        score = scoring.weighted_mean(means)
        return {"n": n, "score": score, "percent": scoring.to_percent(score), "left_out": answered - used}
    if answered:
        return SUPPRESSED
    return {"n": n, "score": None, "percent": None, "left_out": 0}


def _level(
    wholes: list[tuple[str, list[tuple[str, float]]]],
    children: Mapping[str, Any],
    raw: Mapping,
    answered: dict[str, int],
    used: dict[str, int],
) -> dict[str, Any]:
    """One level (categories or dimensions) from the published level below; fills answered/used."""
    published: dict[str, Any] = {}
    for code, parts in wholes:
        shown = [
            (children[c]["score"], weight)
            for c, weight in parts
            if isinstance(children[c], dict) and children[c]["score"] is not None
        ]
        answered[code] = sum(answered[c] for c, _w in parts)
        used[code] = sum(used[c] for c, _w in parts if isinstance(children[c], dict))
        published[code] = _part(
            shown, n=(raw.get(code) or {}).get("n", 0), answered=answered[code], used=used[code]
        )
    return published


def publish_scope(
    stored: Stored,
    *,
    structure: scoring.Structure,
    hidden: bool,
    hidden_statements: set[str],
    k: int,
) -> dict:
    """The published view of one scope: ``hidden`` (the whole scope), ``hidden_statements`` (statement codes
    whose figures must not be shown in this scope, from rule 2)."""
    if hidden:
        return {
            "hidden": True,
            "n": SUPPRESSED,
            "capability_percent": SUPPRESSED,
            "legacy_percent": SUPPRESSED,
            "overall_percent": SUPPRESSED,
            "type": SUPPRESSED,
            "left_out": SUPPRESSED,
            **dict.fromkeys(LEVELS, SUPPRESSED),
        }
    raw = stored.figures
    raw_statements = raw.get("statements", {})
    statements: dict[str, Any] = {}
    for st in structure.statements:
        figure = raw_statements.get(st.code) or {}
        n, n_dont_know = figure.get("n", 0), figure.get("n_dont_know", 0)
        if n == 0:
            # Nobody answered 1–6: no mean. The "vet ej" share alone is a count figure, shown from k.
            statements[st.code] = dict(figure) if n_dont_know == 0 or n_dont_know >= k else SUPPRESSED
        elif n >= k and st.code not in hidden_statements:
            statements[st.code] = dict(figure)
        else:
            statements[st.code] = SUPPRESSED

    # Bottom up: a part is the (weighted) mean of its shown children; it leaves out the answered
    # statements beneath it that are not shown; none shown (but some answered) → hidden.
    answered: dict[str, int] = {}
    used: dict[str, int] = {}
    capabilities: dict[str, Any] = {}
    for cap in structure.capabilities:
        codes = [st.code for st in structure.statements if st.capability == cap.code]
        shown = [
            statements[c]
            for c in codes
            if isinstance(statements[c], dict) and statements[c]["mean"] is not None
        ]
        answered[cap.code] = sum(1 for c in codes if (raw_statements.get(c) or {}).get("n", 0) > 0)
        used[cap.code] = len(shown)
        capabilities[cap.code] = _part(
            [(part["mean"], 1.0) for part in shown],
            n=(raw.get("capabilities", {}).get(cap.code) or {}).get("n", 0),
            answered=answered[cap.code],
            used=used[cap.code],
        )
    categories = _level(
        [
            (c.code, [(x.code, x.weight) for x in structure.capabilities if x.category == c.code])
            for c in structure.categories
        ],
        capabilities,
        raw.get("categories", {}),
        answered,
        used,
    )
    dimensions = _level(
        [
            (d.code, [(x.code, x.weight) for x in structure.categories if x.dimension == d.code])
            for d in structure.dimensions
        ],
        categories,
        raw.get("dimensions", {}),
        answered,
        used,
    )

    def percent_of(kind: str) -> Any:
        for dim in structure.dimensions:
            if dim.kind == kind:
                part = dimensions[dim.code]
                return part if part == SUPPRESSED else part["percent"]
        return None

    capability_percent = percent_of(scoring.CAPABILITY)
    legacy_percent = percent_of(scoring.LEGACY)
    dimension_percents: list[tuple[Any, float]] = [
        (SUPPRESSED if dimensions[d.code] == SUPPRESSED else dimensions[d.code]["percent"], d.weight)
        for d in structure.dimensions
    ]
    if not dimension_percents or any(p == SUPPRESSED for p, _w in dimension_percents):
        overall: Any = SUPPRESSED if dimension_percents else None
    elif any(p is None for p, _w in dimension_percents):
        overall = None
    else:
        overall = scoring.weighted_mean(dimension_percents)
    if SUPPRESSED in (capability_percent, legacy_percent):
        type_: Any = SUPPRESSED
    else:
        type_ = scoring.maturity_type(
            capability_percent,
            legacy_percent,
            capability_cutoff=structure.capability_cutoff,
            legacy_cutoff=structure.legacy_cutoff,
        )
    left_out = sum(answered[d.code] - used[d.code] for d in structure.dimensions)
    return {
        "hidden": False,
        "n": stored.n_respondents,
        "capability_percent": capability_percent,
        "legacy_percent": legacy_percent,
        "overall_percent": overall,
        "type": type_,
        "left_out": left_out,
        "statements": statements,
        "capabilities": capabilities,
        "categories": categories,
        "dimensions": dimensions,
    }


def publish(
    rows: Mapping[str, Stored],
    *,
    structure: scoring.Structure,
    parents: Mapping[int, int | None],
    k: int,
    order: Callable[[str], object] | None = None,
) -> dict[str, dict]:
    """The published view of every stored scope of one round (rules 1–4 of the module docstring).
    ``parents``: the department tree when the round closed; ``order``: the natural order of the scope
    keys (names, not ids), which decides between equally good candidates for extra hiding."""
    k = effective_k(k)
    n_by_key = {key: row.n_respondents for key, row in rows.items()}
    n_by_statement = {
        st.code: {
            key: int(((row.figures.get("statements") or {}).get(st.code) or {}).get("n", 0))
            for key, row in rows.items()
        }
        for st in structure.statements
    }
    hidden, by_statement = hidden_part_keys(n_by_key, n_by_statement, parents, k, order=order)
    return {
        key: publish_scope(
            row,
            structure=structure,
            hidden=key in hidden,
            hidden_statements={code for code, keys in by_statement.items() if key in keys},
            k=k,
        )
        for key, row in rows.items()
    }
