"""What the national-scale benchmarks share (``seed_national.py`` seeds, ``dashboard_national.py``,
``national_overview.py`` and ``open_data_export.py`` read): Django set up on the PostgreSQL database that
``DATABASE_URL`` names, and the timing of a call as a median and a p95 in milliseconds.

Imported by the scripts as ``import national_scale`` (a script's own folder is first on ``sys.path``), before
anything of Django."""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

SEEDED = "DATABASE_URL must name the PostgreSQL database seeded by benchmarks/seed_national.py"


def environment(refusal: str = SEEDED) -> None:
    """The project on ``sys.path`` and Django's settings for the database of ``DATABASE_URL`` (development
    settings, mail to the console); exit with ``refusal`` when it is not a PostgreSQL database."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit(refusal)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dimios_web.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.setdefault("DJANGO_READ_DOT_ENV", "0")
    os.environ.setdefault("EMAIL_URL", "consolemail://")


def setup_django(refusal: str = SEEDED) -> None:
    """:func:`environment`, then Django set up."""
    environment(refusal)
    import django

    django.setup()


def times_ms(fn: Callable[[], object], runs: int) -> list[float]:
    """``runs`` timings of ``fn`` in milliseconds, after one call to warm up."""
    fn()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return times


def p95(times: list[float]) -> float:
    return sorted(times)[max(0, int(round(0.95 * len(times))) - 1)]


def describe(label: str, times: list[float], decimals: int = 2) -> float:
    """Print the median and p95 of ``times`` under ``label``; return the median."""
    median = statistics.median(times)
    print(f"{label}: median {median:.{decimals}f} ms, p95 {p95(times):.{decimals}f} ms")
    return median
