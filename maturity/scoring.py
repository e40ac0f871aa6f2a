"""The scoring engine: answers in, maturity figures out. Pure Python, no Django (an import-linter contract
keeps it so); its tests need no database. ``docs/scoring.md`` states every formula used here.

Input: a :class:`Structure` (dimensions → categories → capabilities → statements, weights, cut-offs) and
respondents, each a mapping ``statement code → value`` where the value is 1–6, ``None`` for "vet ej"
(don't know), and a missing key for a statement left unanswered.

Output: a :class:`ScoreResult` with per statement (mean, n, sd, "vet ej" share), per capability, category
and dimension (score 1–6, percent 0–100, n, sd for capabilities), overall maturity, type A–D and the
number of respondents. Anything nobody answered is ``None`` – never 0.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

SCALE_MIN = 1
SCALE_MAX = 6
ENGINE_VERSION = "1"

CAPABILITY = "capability"
LEGACY = "legacy"
TYPES = ("A", "B", "C", "D")


# --- Structure ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DimensionDef:
    code: str
    kind: str  # "capability" (digital förmåga) or "legacy" (digitalt arv)
    weight: float = 1.0


@dataclass(frozen=True)
class CategoryDef:
    code: str
    dimension: str
    weight: float = 1.0


@dataclass(frozen=True)
class CapabilityDef:
    code: str
    category: str
    weight: float = 1.0


@dataclass(frozen=True)
class StatementDef:
    code: str
    capability: str
    reverse_scored: bool = False


@dataclass(frozen=True)
class Structure:
    """One questionnaire version as plain data, with the scoring settings stored with it."""

    dimensions: tuple[DimensionDef, ...]
    categories: tuple[CategoryDef, ...]
    capabilities: tuple[CapabilityDef, ...]
    statements: tuple[StatementDef, ...]
    capability_cutoff: float = 50.0
    legacy_cutoff: float = 50.0

    def __post_init__(self) -> None:
        dims = {d.code for d in self.dimensions}
        cats = {c.code for c in self.categories}
        caps = {c.code for c in self.capabilities}
        for cat in self.categories:
            if cat.dimension not in dims:
                raise ValueError(f"category {cat.code} names unknown dimension {cat.dimension}")
        for cap in self.capabilities:
            if cap.category not in cats:
                raise ValueError(f"capability {cap.code} names unknown category {cap.category}")
        for st in self.statements:
            if st.capability not in caps:
                raise ValueError(f"statement {st.code} names unknown capability {st.capability}")
        kinds = [d.kind for d in self.dimensions]
        if not set(kinds) <= {CAPABILITY, LEGACY} or len(kinds) != len(set(kinds)):
            raise ValueError("a structure has at most one dimension of each kind")

    @property
    def statement_codes(self) -> tuple[str, ...]:
        return tuple(s.code for s in self.statements)

    def settings(self) -> dict:
        """The scoring settings, as stored with every computed result."""
        return {
            "engine": ENGINE_VERSION,
            "capability_cutoff": self.capability_cutoff,
            "legacy_cutoff": self.legacy_cutoff,
            "weights": {
                "dimensions": {d.code: d.weight for d in self.dimensions},
                "categories": {c.code: c.weight for c in self.categories},
                "capabilities": {c.code: c.weight for c in self.capabilities},
            },
            "reverse_scored": sorted(s.code for s in self.statements if s.reverse_scored),
        }


# --- Results ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatementResult:
    code: str
    n: int  # respondents who answered 1–6
    n_dont_know: int  # respondents who answered "vet ej"
    mean: float | None  # after reverse scoring
    sd: float | None  # sample standard deviation (n − 1); None below 2 answers
    dont_know_share: float | None  # n_dont_know / (n + n_dont_know), 0–1

    def as_dict(self) -> dict:
        return {
            "n": self.n,
            "n_dont_know": self.n_dont_know,
            "mean": self.mean,
            "sd": self.sd,
            "dont_know_share": self.dont_know_share,
        }


@dataclass(frozen=True)
class PartResult:
    """A capability, category or dimension."""

    code: str
    n: int  # respondents with at least one answer 1–6 inside this part
    score: float | None  # on the 1–6 scale
    percent: float | None  # (score − 1) / 5 × 100
    sd: float | None = None  # capabilities only: sd of the respondents' own capability scores

    def as_dict(self) -> dict:
        data = {"n": self.n, "score": self.score, "percent": self.percent}
        if self.sd is not None:
            data["sd"] = self.sd
        return data


@dataclass(frozen=True)
class ScoreResult:
    n_respondents: int
    statements: dict[str, StatementResult]
    capabilities: dict[str, PartResult]
    categories: dict[str, PartResult]
    dimensions: dict[str, PartResult]
    capability_percent: float | None
    legacy_percent: float | None
    overall_percent: float | None
    type: str | None

    def as_dict(self) -> dict:
        return {
            "n_respondents": self.n_respondents,
            "capability_percent": self.capability_percent,
            "legacy_percent": self.legacy_percent,
            "overall_percent": self.overall_percent,
            "type": self.type,
            "statements": {c: r.as_dict() for c, r in self.statements.items()},
            "capabilities": {c: r.as_dict() for c, r in self.capabilities.items()},
            "categories": {c: r.as_dict() for c, r in self.categories.items()},
            "dimensions": {c: r.as_dict() for c, r in self.dimensions.items()},
        }


# --- Arithmetic ---------------------------------------------------------------------------------------------


def to_percent(score: float | None) -> float | None:
    """(score − 1) / 5 × 100; None stays None."""
    if score is None:
        return None
    return (score - SCALE_MIN) / (SCALE_MAX - SCALE_MIN) * 100.0


def scored_value(value: int, reverse_scored: bool) -> int:
    """A reverse-scored statement's answer v counts as 7 − v."""
    return (SCALE_MIN + SCALE_MAX) - value if reverse_scored else value


def weighted_mean(pairs: Iterable[tuple[float | None, float]]) -> float | None:
    """Weighted mean of the defined values; undefined values are skipped, never counted as 0."""
    total = 0.0
    weights = 0.0
    for value, weight in pairs:
        if value is None:
            continue
        total += value * weight
        weights += weight
    if weights <= 0:
        return None
    return total / weights


def _sample_sd(values: Sequence[float]) -> float | None:
    n = len(values)
    if n < 2:
        return None
    mean = math.fsum(values) / n
    return math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (n - 1))


def maturity_type(
    capability_percent: float | None,
    legacy_percent: float | None,
    *,
    capability_cutoff: float = 50.0,
    legacy_cutoff: float = 50.0,
) -> str | None:
    """A = low capability + restricting legacy, B = high + restricting, C = low + enabling,
    D = high + enabling. "High" and "enabling" mean at or above the cut-off."""
    if capability_percent is None or legacy_percent is None:
        return None
    high = capability_percent >= capability_cutoff
    enabling = legacy_percent >= legacy_cutoff
    if enabling:
        return "D" if high else "C"
    return "B" if high else "A"


def _validate(value) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not SCALE_MIN <= value <= SCALE_MAX:
        raise ValueError(f"an answer must be an integer {SCALE_MIN}–{SCALE_MAX} or None, not {value!r}")
    return value


# --- The engine ---------------------------------------------------------------------------------------------


def score(structure: Structure, respondents: Iterable[Mapping[str, int | None]]) -> ScoreResult:
    """Score a set of respondents (one organisation, department, group, …) in one pass over the answers.

    Answers to statement codes that are not in the structure are ignored."""
    statements = {s.code: s for s in structure.statements}
    values: dict[str, list[int]] = {code: [] for code in statements}
    dont_know: dict[str, int] = dict.fromkeys(statements, 0)
    capability_scores: dict[str, list[float]] = {c.code: [] for c in structure.capabilities}
    category_respondents: dict[str, int] = {c.code: 0 for c in structure.categories}
    dimension_respondents: dict[str, int] = {d.code: 0 for d in structure.dimensions}
    cap_to_cat = {c.code: c.category for c in structure.capabilities}
    cat_to_dim = {c.code: c.dimension for c in structure.categories}

    n_respondents = 0
    for answers in respondents:
        n_respondents += 1
        own: dict[str, list[int]] = {}
        for code, raw in answers.items():
            definition = statements.get(code)
            if definition is None:
                continue
            value = _validate(raw)
            if value is None:
                dont_know[code] += 1
                continue
            scored = scored_value(value, definition.reverse_scored)
            values[code].append(scored)
            own.setdefault(definition.capability, []).append(scored)
        touched_categories = set()
        for capability, scores in own.items():
            capability_scores[capability].append(math.fsum(scores) / len(scores))
            touched_categories.add(cap_to_cat[capability])
        for category in touched_categories:
            category_respondents[category] += 1
        for dimension in {cat_to_dim[c] for c in touched_categories}:
            dimension_respondents[dimension] += 1

    statement_results: dict[str, StatementResult] = {}
    for code in statements:
        vals = values[code]
        n = len(vals)
        dk = dont_know[code]
        statement_results[code] = StatementResult(
            code=code,
            n=n,
            n_dont_know=dk,
            mean=math.fsum(vals) / n if n else None,
            sd=_sample_sd(vals),
            dont_know_share=dk / (n + dk) if n + dk else None,
        )

    by_capability: dict[str, list[StatementResult]] = {c.code: [] for c in structure.capabilities}
    for st in structure.statements:
        by_capability[st.capability].append(statement_results[st.code])
    capability_results: dict[str, PartResult] = {}
    for cap in structure.capabilities:
        cap_score = weighted_mean((r.mean, 1.0) for r in by_capability[cap.code])
        capability_results[cap.code] = PartResult(
            code=cap.code,
            n=len(capability_scores[cap.code]),
            score=cap_score,
            percent=to_percent(cap_score),
            sd=_sample_sd(capability_scores[cap.code]),
        )

    category_results: dict[str, PartResult] = {}
    for cat in structure.categories:
        cat_score = weighted_mean(
            (capability_results[c.code].score, c.weight)
            for c in structure.capabilities
            if c.category == cat.code
        )
        category_results[cat.code] = PartResult(
            code=cat.code, n=category_respondents[cat.code], score=cat_score, percent=to_percent(cat_score)
        )

    dimension_results: dict[str, PartResult] = {}
    for dim in structure.dimensions:
        dim_score = weighted_mean(
            (category_results[c.code].score, c.weight)
            for c in structure.categories
            if c.dimension == dim.code
        )
        dimension_results[dim.code] = PartResult(
            code=dim.code, n=dimension_respondents[dim.code], score=dim_score, percent=to_percent(dim_score)
        )

    by_kind = {d.kind: dimension_results[d.code] for d in structure.dimensions}
    cap_pct = by_kind[CAPABILITY].percent if CAPABILITY in by_kind else None
    leg_pct = by_kind[LEGACY].percent if LEGACY in by_kind else None
    # Overall maturity needs both dimensions: a figure from one dimension alone would be mislabelled.
    if (
        all(dimension_results[d.code].percent is not None for d in structure.dimensions)
        and structure.dimensions
    ):
        overall = weighted_mean((dimension_results[d.code].percent, d.weight) for d in structure.dimensions)
    else:
        overall = None
    return ScoreResult(
        n_respondents=n_respondents,
        statements=statement_results,
        capabilities=capability_results,
        categories=category_results,
        dimensions=dimension_results,
        capability_percent=cap_pct,
        legacy_percent=leg_pct,
        overall_percent=overall,
        type=maturity_type(
            cap_pct,
            leg_pct,
            capability_cutoff=structure.capability_cutoff,
            legacy_cutoff=structure.legacy_cutoff,
        ),
    )


# --- Group gaps ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupGap:
    """How differently respondent groups see one capability: the highest and lowest group percent."""

    capability: str
    percents: dict[str, float]  # group → capability percent (groups with a defined, shown figure)
    highest: str | None
    lowest: str | None
    gap: float | None  # percentage points, highest − lowest; None with fewer than two groups

    def as_dict(self) -> dict:
        return {"percents": self.percents, "highest": self.highest, "lowest": self.lowest, "gap": self.gap}


def group_gaps(
    by_group: Mapping[str, Mapping[str, tuple[float | None, int]]], *, min_n: int = 1
) -> dict[str, GroupGap]:
    """Per capability, the difference between respondent groups.

    ``by_group`` maps a group to ``{capability code: (percent, n)}``. Groups whose figure is undefined or
    rests on fewer than ``min_n`` respondents (pass k for anything that is shown) are left out."""
    capabilities: list[str] = []
    for figures in by_group.values():
        for code in figures:
            if code not in capabilities:
                capabilities.append(code)
    gaps: dict[str, GroupGap] = {}
    for code in capabilities:
        percents: dict[str, float] = {}
        for group, figures in by_group.items():
            if code in figures:
                percent, n = figures[code]
                if percent is not None and n >= min_n:
                    percents[group] = percent
        if len(percents) < 2:
            gaps[code] = GroupGap(code, percents, None, None, None)
            continue
        highest = max(percents, key=lambda g: (percents[g], g))
        lowest = min(percents, key=lambda g: (percents[g], g))
        gaps[code] = GroupGap(code, percents, highest, lowest, percents[highest] - percents[lowest])
    return gaps
