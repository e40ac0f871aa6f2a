"""The open data round trip (issue 15): the open data exported from one database (``export_open_data``)
and imported into a fresh one (``import_benchmarks``, a new SQLite database prepared in a subprocess as
the image's entrypoint prepares one) give
the same comparison figures (means, distributions, respondents) for an organisation of the same kind,
county and SKR group. On the first database that organisation is local and does not share, so that
it compares with exactly the records the second one imports."""

from __future__ import annotations

import io
import json
import math
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from maturity.models import RoundResult
from maturity.selectors import ORGANISATION_BASES, get_comparisons
from maturity.services.comparisons import record_round_figures
from surveys.models import MeasurementPeriod, Organisation, Round
from surveys.services.organisations import add_organisation, load_reference_data
from surveys.services.questionnaires import ensure_default_questionnaire

pytestmark = pytest.mark.django_db

# Municipalities of Östergötland (05) and elsewhere, several SKR groups; 0580 Linköping is the one compared.
PEERS = ["0509", "0512", "0513", "0560", "0561", "0562", "0563", "0581", "0582", "0583", "0180", "1480"]
FOCUS = "0580"

SCRIPT = """
import json, sys
import django
django.setup()
from django.core.management import call_command
from maturity.selectors import get_comparisons
from surveys.models import MeasurementPeriod
from surveys.services.organisations import add_organisation, load_reference_data
call_command("import_benchmarks", sys.argv[1])
focus, _ = add_organisation(code=sys.argv[2])
bases = sys.argv[3].split(",")
out = {}
for period in MeasurementPeriod.objects.all():
    out[period.code] = get_comparisons(organisation=focus, period=period, bases=bases)
print("RESULT" + json.dumps(out))
"""


def _published(rng: random.Random, structure_codes: dict[str, list[str]]) -> tuple[dict, dict]:
    def percent():
        return rng.uniform(15, 90)

    headline = {
        "hidden": False,
        "n": rng.randint(6, 40),
        "overall_percent": percent(),
        "capability_percent": percent(),
        "legacy_percent": percent(),
    }
    breakdown = {
        level: {
            code: ({"percent": percent(), "n": 8} if rng.random() > 0.1 else "suppressed") for code in codes
        }
        for level, codes in structure_codes.items()
    }
    return headline, breakdown


def _same(a, b, where):
    if isinstance(a, dict):
        assert isinstance(b, dict) and set(a) == set(b), where
        for key in a:
            _same(a[key], b[key], (*where, key))
    elif isinstance(a, float) or isinstance(b, float):
        assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9), (where, a, b)
    else:
        assert a == b, where


def test_exported_and_imported_into_a_fresh_database_the_comparisons_are_the_same(tmp_path):
    load_reference_data()
    version = ensure_default_questionnaire()
    codes = {
        "dimensions": list(version.dimensions.values_list("code", flat=True)),
        "categories": list(version.categories.values_list("code", flat=True)),
        "capabilities": list(version.capabilities.values_list("code", flat=True)),
    }
    rng = random.Random("round-trip")
    periods = []
    for year in (2024, 2025):
        starts_on, ends_on = MeasurementPeriod.window(year, "HT")
        periods.append(
            MeasurementPeriod.objects.get_or_create(
                year=year, term="HT", defaults={"starts_on": starts_on, "ends_on": ends_on}
            )[0]
        )
    focus, _created = add_organisation(code=FOCUS)
    Organisation.objects.filter(pk=focus.pk).update(shares_comparisons=False)
    focus.refresh_from_db()
    for code in [FOCUS, *PEERS]:
        organisation, _created = add_organisation(code=code)
        for period in periods:
            if code == "0183" or rng.random() < 0.1:
                continue  # not every organisation in every period
            round_ = Round.objects.create(
                organisation=organisation, period=period, questionnaire=version, status=Round.Status.CLOSED
            )
            published, breakdown = _published(rng, codes)
            result = RoundResult.objects.create(
                round=round_,
                questionnaire=version,
                scope=RoundResult.Scope.ORGANISATION,
                scope_key="organisation",
                n_respondents=published["n"],
                published=published,
                published_figures=breakdown,
            )
            record_round_figures(round_=round_, organisation_result=result)
    before = {
        period.code: get_comparisons(organisation=focus, period=period, bases=ORGANISATION_BASES)
        for period in periods
    }
    assert before["2025-HT"]["national"]["n_organisations"] >= 5  # something to compare

    exported = tmp_path / "open-data.csv"
    call_command("export_open_data", "--format", "csv", "--output", str(exported), stderr=io.StringIO())

    fresh = tmp_path / "fresh.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{fresh}",
        "DJANGO_SETTINGS_MODULE": "dimios_web.settings",
        "DJANGO_DEBUG": "1",
        "DJANGO_READ_DOT_ENV": "0",
        "EMAIL_URL": "dummymail://",
    }
    root = Path(settings.BASE_DIR)
    subprocess.run(
        [sys.executable, "manage.py", "prepare_database"],
        cwd=root,
        env=env,
        check=True,
        timeout=600,
        capture_output=True,
    )
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(exported), FOCUS, ",".join(ORGANISATION_BASES)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    after = json.loads(done.stdout.split("RESULT", 1)[1])
    for period in periods:
        _same(json.loads(json.dumps(before[period.code])), after[period.code], (period.code,))
