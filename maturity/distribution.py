"""The distribution of a comparison set's figures: quartiles, extremes and where one value stands among
them (issue 15). Pure Python.

Quartiles are interpolated linearly between the sorted values (the "type 7" definition of Hyndman & Fan,
as Excel's QUARTILE.INC, PostgreSQL's percentile_cont and pandas' default), so a hand computation in a
spreadsheet gives the same figures (docs/dashboards.md, "Comparison sets")."""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

# The percentile bands an organisation's own position is shown in (never a rank among named peers).
BANDS = ((0, 25), (25, 50), (50, 75), (75, 100))


def quantile(values: Sequence[float], p: float) -> float | None:
    """The p-quantile (0 ≤ p ≤ 1) of values sorted in ascending order, interpolated linearly."""
    if not values:
        return None
    position = (len(values) - 1) * p
    low = math.floor(position)
    high = math.ceil(position)
    return values[low] + (values[high] - values[low]) * (position - low)


@dataclass(frozen=True)
class Distribution:
    n: int
    mean: float
    minimum: float
    q1: float
    median: float
    q3: float
    maximum: float

    def as_dict(self) -> dict[str, float | int]:
        return {
            "n": self.n,
            "mean": self.mean,
            "min": self.minimum,
            "q1": self.q1,
            "median": self.median,
            "q3": self.q3,
            "max": self.maximum,
        }


def distribution(values: Sequence[float]) -> Distribution | None:
    """The distribution of values sorted in ascending order (None for none)."""
    if not values:
        return None
    return Distribution(
        n=len(values),
        mean=math.fsum(values) / len(values),
        minimum=values[0],
        q1=quantile(values, 0.25),  # type: ignore[arg-type]  # not None: values is not empty
        median=quantile(values, 0.5),  # type: ignore[arg-type]
        q3=quantile(values, 0.75),  # type: ignore[arg-type]
        maximum=values[-1],
    )


def percentile_rank(values: Sequence[float], own: float) -> float | None:
    """The share (0–100) of the others' values below ``own``, ties counted half (the mid-rank)."""
    if not values:
        return None
    below = bisect_left(values, own)
    ties = bisect_right(values, own) - below
    return 100.0 * (below + ties / 2) / len(values)


def band(values: Sequence[float], own: float | None) -> tuple[int, int] | None:
    """The percentile band (0–25, 25–50, 50–75 or 75–100) ``own`` falls in among the others' values."""
    if own is None:
        return None
    rank = percentile_rank(values, own)
    if rank is None:
        return None
    for low, high in BANDS:
        if rank < high:
            return (low, high)
    return BANDS[-1]


def without(values: Sequence[float], taken: Sequence[float]) -> list[float]:
    """The sorted values with each of ``taken`` removed once (an organisation's own figures)."""
    remaining = list(values)
    for value in taken:
        index = bisect_left(remaining, value)
        if index < len(remaining) and remaining[index] == value:
            del remaining[index]
    return remaining
