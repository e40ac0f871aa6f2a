"""How long the anonymity rules (``maturity.suppression.hidden_scope_keys``) take for one round of a large
organisation, without Django: the respondent counts per scope are built in memory, random but seeded, the
way ``compute_round_results`` counts them.

Cases: the dashboard benchmark's organisation (25 förvaltningar with one unit each = 50 departments,
5 respondent groups, 5–13 responses filed on every department, ~450 respondents, ~284 scopes) and one
twice that size (100 departments). Targets: under 1 s and under 5 s.

Run: .venv/bin/python benchmarks/suppression_large.py [--profile]"""

from __future__ import annotations

import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from maturity.suppression import hidden_scope_keys  # noqa: E402

K = 5
CASES = ((25, 1, 1.0), (50, 1, 5.0))  # top departments, units under each, target in seconds
SEEDS = (2021, 2022, 2023)


def organisation(n_top: int, units_each: int, seed: int) -> tuple[dict[str, int], dict[int, int | None]]:
    """Respondents per stored scope and the department tree of a seeded random organisation."""
    rng = random.Random(f"bench-suppression-{n_top}-{seed}")
    parents: dict[int, int | None] = {}
    next_id = 1
    for _ in range(n_top):
        top = next_id
        parents[top] = None
        next_id += 1
        for _ in range(units_each):
            parents[next_id] = top
            next_id += 1
    groups = [1, 2, 3, 4, 5]
    counts: Counter[str] = Counter()
    for department in parents:
        for _ in range(rng.randint(5, 13)):
            group = rng.choice(groups)
            counts["organisation"] += 1
            counts[f"group:{group}"] += 1
            current: int | None = department
            while current is not None:
                counts[f"department:{current}"] += 1
                counts[f"department:{current}/group:{group}"] += 1
                current = parents[current]
    return dict(counts), parents


def main() -> int:
    profile = "--profile" in sys.argv
    ok = True
    for n_top, units_each, target in CASES:
        n_departments = n_top * (1 + units_each)
        for seed in SEEDS:
            counts, parents = organisation(n_top, units_each, seed)
            started = time.perf_counter()
            if profile:
                import cProfile
                import pstats

                profiler = cProfile.Profile()
                hidden = profiler.runcall(hidden_scope_keys, counts, parents, K)
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(15)
            else:
                hidden = hidden_scope_keys(counts, parents, K)
            elapsed = time.perf_counter() - started
            ok = ok and elapsed < target
            print(
                f"{n_departments} departments, seed {seed}: {counts['organisation']} respondents, "
                f"{len(counts)} scopes, {len(hidden)} hidden: {elapsed:.2f} s (target < {target:.0f} s)"
            )
    print("OK" if ok else "SLOWER THAN THE TARGET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
