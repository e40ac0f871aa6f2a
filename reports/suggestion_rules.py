"""Where to start: the ranking rules behind the dashboards' improvement suggestions (docs/dashboards.md,
"Suggestions"). Plain figures in, picks out, no Django (an import-linter contract keeps it so), so the rules
are tested without a database. ``reports.selectors.suggestions`` feeds them the *shown* figures of one scope
only and puts the picks into words.

Every rule is deterministic: ties are broken by the order the figures come in (the questionnaire's order),
never by anything else, so the same published figures always give the same suggestions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# How many of the scope's weakest capabilities are suggested, and how many capabilities must be shown for
# "the weakest" to mean anything (with three or fewer shown, the three lowest are simply all of them).
WEAKEST_COUNT = 3
MIN_RANKED_CAPABILITIES = WEAKEST_COUNT + 1
# Respondent groups disagree: at most this many capabilities, each with a gap of at least this many
# percentage points between the highest and the lowest shown group (15 points = 0.75 on the 1–6 scale).
GAP_COUNT = 2
MIN_GROUP_GAP = 15.0
# A knowledge gap: a statement that at least this share answered "vet ej" (the dashboard's "många vet ej"
# flag); at most this many capabilities, each with its statements over the threshold.
HIGH_DONT_KNOW_SHARE = 0.20
DONT_KNOW_COUNT = 3
# A negatively phrased (reverse-scored) statement is suggested when its score, after reversing, is below
# the middle of the 1–6 scale: on balance respondents say that what it describes is true. At most this many.
REVERSE_MIDPOINT = 3.5
REVERSE_COUNT = 2


@dataclass(frozen=True, slots=True)
class Ranked:
    """A picked figure: its code and the value it was picked by."""

    code: str
    value: float


@dataclass(frozen=True, slots=True)
class KnowledgeGap:
    """A capability with statements many answered "vet ej" to, highest share first."""

    capability: str
    statements: tuple[Ranked, ...]

    @property
    def highest(self) -> float:
        return self.statements[0].value


def _defined(figures: Iterable[tuple[str, float | None]]) -> list[tuple[int, str, float]]:
    return [(i, code, float(value)) for i, (code, value) in enumerate(figures) if value is not None]


def weakest(
    scores: Sequence[tuple[str, float | None]],
    *,
    count: int = WEAKEST_COUNT,
    minimum: int = MIN_RANKED_CAPABILITIES,
) -> list[Ranked]:
    """The ``count`` lowest scores, lowest first; none when fewer than ``minimum`` are defined."""
    defined = _defined(scores)
    if len(defined) < minimum:
        return []
    defined.sort(key=lambda item: (item[2], item[0]))
    return [Ranked(code, value) for _i, code, value in defined[:count]]


def largest_gaps(
    gaps: Sequence[tuple[str, float | None]],
    *,
    count: int = GAP_COUNT,
    minimum_gap: float = MIN_GROUP_GAP,
) -> list[Ranked]:
    """The ``count`` largest gaps of at least ``minimum_gap``, largest first."""
    defined = [item for item in _defined(gaps) if item[2] >= minimum_gap]
    defined.sort(key=lambda item: (-item[2], item[0]))
    return [Ranked(code, value) for _i, code, value in defined[:count]]


def knowledge_gaps(
    shares: Sequence[tuple[str, str, float | None]],
    *,
    threshold: float = HIGH_DONT_KNOW_SHARE,
    count: int = DONT_KNOW_COUNT,
) -> list[KnowledgeGap]:
    """Statements (code, capability code, "vet ej" share) at or over ``threshold``, grouped by capability:
    the ``count`` capabilities whose highest share is highest, each with its statements, highest first."""
    by_capability: dict[str, list[tuple[int, Ranked]]] = {}
    for i, (code, capability, share) in enumerate(shares):
        if share is not None and share >= threshold:
            by_capability.setdefault(capability, []).append((i, Ranked(code, float(share))))
    groups = []
    for capability, items in by_capability.items():
        items.sort(key=lambda item: (-item[1].value, item[0]))
        groups.append((items[0][0], KnowledgeGap(capability, tuple(r for _i, r in items))))
    groups.sort(key=lambda item: (-item[1].highest, item[0]))
    return [gap for _i, gap in groups[:count]]


def low_reverse_scored(
    means: Sequence[tuple[str, str, float | None]],
    *,
    below: float = REVERSE_MIDPOINT,
    count: int = REVERSE_COUNT,
    exclude: Iterable[str] = (),
) -> list[Ranked]:
    """Reverse-scored statements (code, capability code, mean after reversing on 1–6) whose mean is below
    ``below``, lowest first, at most one per capability and none of the capabilities in ``exclude`` (they
    are suggested already)."""
    excluded = set(exclude)
    defined = [
        (i, code, capability, float(mean))
        for i, (code, capability, mean) in enumerate(means)
        if mean is not None and mean < below and capability not in excluded
    ]
    defined.sort(key=lambda item: (item[3], item[0]))
    picked: list[Ranked] = []
    seen: set[str] = set()
    for _i, code, capability, mean in defined:
        if capability in seen:
            continue
        seen.add(capability)
        picked.append(Ranked(code, mean))
        if len(picked) == count:
            break
    return picked


def raw_mean(reversed_mean: float) -> float:
    """The mean answer to a reverse-scored statement as it is written: the score counts an answer v as
    7 − v, so the mean as written is 7 minus the score."""
    return 7.0 - reversed_mean
