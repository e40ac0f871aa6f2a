"""How long the anonymity rules take for one round of a large organisation.

1. Scope level only (``maturity.suppression.hidden_scope_keys``), without Django: respondent counts per
   scope, built in memory (random but seeded) the way ``compute_round_results`` counts them.
2. The whole published view with statement-level checks (``maturity.disclosure.publish``), without Django:
   the default questionnaire's 31 statements, answers drawn with about 8 % "vet ej" or blanks per
   statement, scored with ``maturity.scoring`` per scope. This is what closing a round computes once.
   Target: under 2 s of CPU for 100 departments (CPU time is printed beside wall time: on a shared
   machine the wall time grows with the other processes' load).
3. The cached read: ``maturity.selectors.get_round_results`` of that round from a database (a throw-away
   SQLite file unless DATABASE_URL is set), i.e. what every download and page reads. Target: under 50 ms.

Cases: 25 förvaltningar with one unit each (50 departments, ~450 respondents) and 50 with one unit each
(100 departments, ~930 respondents), 5 respondent groups.

Run: .venv/bin/python benchmarks/suppression_large.py [--no-db]"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from maturity import disclosure, scoring  # noqa: E402
from maturity.suppression import hidden_scope_keys, scope_order  # noqa: E402

K = 5
CASES = ((25, 1), (50, 1))  # top departments, units under each
SEEDS = (2021, 2022, 2023)
NOT_ANSWERED = 0.08
TARGET_PUBLISH_S = 2.0
TARGET_READ_MS = 50.0


def default_structure() -> scoring.Structure:
    data = yaml.safe_load((ROOT / "surveys/data/questionnaires/dimios-open-2026.yaml").read_text())
    dimensions, categories, capabilities, statements = [], [], [], []
    for dim in data["dimensions"]:
        dimensions.append(scoring.DimensionDef(dim["code"], dim["kind"]))
        for cat in dim["categories"]:
            categories.append(scoring.CategoryDef(cat["code"], dim["code"]))
            for cap in cat["capabilities"]:
                capabilities.append(scoring.CapabilityDef(cap["code"], cat["code"]))
                for st in cap["statements"]:
                    statements.append(
                        scoring.StatementDef(st["code"], cap["code"], st.get("reverse_scored", False))
                    )
    return scoring.Structure(tuple(dimensions), tuple(categories), tuple(capabilities), tuple(statements))


def organisation(n_top: int, units_each: int, seed: int, codes: list[str]):
    """Parents, and per scope key its respondents' answers (statement code → 1–6 / None / missing)."""
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
    members: dict[str, list[dict]] = defaultdict(list)
    for department in parents:
        for _ in range(rng.randint(5, 13)):
            group = rng.randint(1, 5)
            answers: dict[str, int | None] = {}
            for code in codes:
                roll = rng.random()
                if roll >= NOT_ANSWERED:
                    answers[code] = rng.randint(1, 6)
                elif roll < NOT_ANSWERED / 2:
                    answers[code] = None
            keys = ["organisation", f"group:{group}"]
            current: int | None = department
            while current is not None:
                keys += [f"department:{current}", f"department:{current}/group:{group}"]
                current = parents[current]
            for key in keys:
                members[key].append(answers)
    return parents, members


def stored_rows(structure, members) -> dict[str, disclosure.Stored]:
    rows = {}
    for key, answers in members.items():
        result = scoring.score(structure, answers).as_dict()
        rows[key] = disclosure.Stored(result["n_respondents"], result)
    return rows


def order_for(parents) -> object:
    return scope_order(
        {d: (p, f"Förvaltning {d:03d}") for d, p in parents.items()},
        {g: (g, f"Grupp {g}") for g in range(1, 6)},
    )


def pure_benchmarks(structure) -> tuple[bool, dict]:
    ok = True
    kept = {}
    codes = [s.code for s in structure.statements]
    for n_top, units_each in CASES:
        n_departments = n_top * (1 + units_each)
        for seed in SEEDS:
            parents, members = organisation(n_top, units_each, seed, codes)
            rows = stored_rows(structure, members)
            counts = {key: row.n_respondents for key, row in rows.items()}
            started = time.perf_counter()
            hidden = hidden_scope_keys(counts, parents, K, order=order_for(parents))
            scopes_s = time.perf_counter() - started
            started, cpu = time.perf_counter(), time.process_time()
            views = disclosure.publish(
                rows, structure=structure, parents=parents, k=K, order=order_for(parents)
            )
            publish_s = time.perf_counter() - started
            publish_cpu = time.process_time() - cpu
            hidden_pairs = sum(
                1
                for view in views.values()
                if not view["hidden"]
                for figure in view["statements"].values()
                if figure == disclosure.SUPPRESSED
            )
            if n_departments == 100:
                ok = ok and publish_cpu < TARGET_PUBLISH_S
            print(
                f"{n_departments} departments, seed {seed}: {counts['organisation']} respondents, "
                f"{len(counts)} scopes, {len(hidden)} hidden; scope level {scopes_s:.2f} s; "
                f"published view with {len(codes)} statements {publish_s:.2f} s ({publish_cpu:.2f} s CPU) "
                f"({hidden_pairs} statement figures hidden in shown scopes)"
            )
            kept[(n_departments, seed)] = (parents, members)
    return ok, kept


def read_benchmark(structure_case) -> bool:
    """Store one 100-department round in a database and time get_round_results (the stored view)."""
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dimios_web.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.setdefault("DJANGO_READ_DOT_ENV", "0")
    os.environ.setdefault("EMAIL_URL", "consolemail://")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    call_command("migrate", verbosity=0)
    from maturity.selectors import get_round_results
    from maturity.services.results import compute_round_results
    from surveys.models import (
        Answer,
        Department,
        MeasurementPeriod,
        Organisation,
        RespondentGroup,
        Response,
        Round,
    )
    from surveys.services.questionnaires import ensure_default_questionnaire

    version = ensure_default_questionnaire()
    statement_ids = dict(version.statements.values_list("code", "pk"))
    rng = random.Random("bench-suppression-read")
    with transaction.atomic():
        organisation, _ = Organisation.objects.get_or_create(
            code="BENCH-SUPP", defaults={"name": "Benchkommun"}
        )
        Round.objects.filter(organisation=organisation).delete()
        tops = []
        departments = []
        for i in range(50):
            top, _ = Department.objects.get_or_create(organisation=organisation, name=f"Förvaltning {i:02d}")
            unit, _ = Department.objects.get_or_create(organisation=organisation, name="Enhet", parent=top)
            tops.append(top)
            departments += [top, unit]
        groups = [
            RespondentGroup.objects.get_or_create(organisation=organisation, name=f"Grupp {g}")[0]
            for g in range(5)
        ]
        starts_on, ends_on = MeasurementPeriod.window(2025, "HT")
        period, _ = MeasurementPeriod.objects.get_or_create(
            year=2025, term="HT", defaults={"starts_on": starts_on, "ends_on": ends_on}
        )
        round_ = Round.objects.create(
            organisation=organisation, period=period, questionnaire=version, status=Round.Status.CLOSED
        )
        responses, answers = [], []
        for department in departments:
            for _ in range(rng.randint(5, 13)):
                response = Response(round=round_, department=department, group=rng.choice(groups))
                responses.append(response)
                for _code, pk in statement_ids.items():
                    roll = rng.random()
                    if roll >= NOT_ANSWERED:
                        answers.append(Answer(response=response, statement_id=pk, value=rng.randint(1, 6)))
                    elif roll < NOT_ANSWERED / 2:
                        answers.append(Answer(response=response, statement_id=pk, value=None))
        Response.objects.bulk_create(responses, batch_size=500)
        Answer.objects.bulk_create(answers, batch_size=2000)
    started = time.perf_counter()
    compute_round_results(round_id=round_.pk)
    close_s = time.perf_counter() - started
    timings = []
    for _ in range(15):
        started = time.perf_counter()
        get_round_results(round_id=round_.pk)
        timings.append((time.perf_counter() - started) * 1000)
    median = statistics.median(timings)
    print(
        f"Database ({os.environ['DATABASE_URL'].split(':')[0]}): closing (scoring, published view, storing) "
        f"{close_s:.2f} s; reading the stored view: median {median:.1f} ms, worst {max(timings):.1f} ms "
        f"(target < {TARGET_READ_MS:.0f} ms)"
    )
    return median < TARGET_READ_MS


def main() -> int:
    structure = default_structure()
    ok, kept = pure_benchmarks(structure)
    if "--no-db" not in sys.argv:
        ok = read_benchmark(kept) and ok
    print("OK" if ok else "SLOWER THAN THE TARGET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
