"""Time to check and import a respondent file of 10 000 rows, to send their invitations (in-memory mail
backend, so this measures our side: claims, tokens, rendering) and to compute the response rates of the
round page. Targets: import under 10 s, sending under 60 s, rates under 1 s.

Run: DJANGO_DEBUG=1 DJANGO_READ_DOT_ENV=0 .venv/bin/python benchmarks/rounds_import_send.py
(uses a throw-away SQLite database unless DATABASE_URL is set; that database is migrated first)."""

from __future__ import annotations

import datetime
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
if not os.environ.get("DATABASE_URL"):
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dimios_web.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("DJANGO_READ_DOT_ENV", "0")
os.environ["EMAIL_URL"] = "dummymail://"

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

ROWS = int(os.environ.get("BENCH_ROWS", "10000"))
BENCH_CODE = "0604"


def main() -> None:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from maturity.rates import get_response_rates
    from surveys.models import Invitation, MeasurementPeriod, Round
    from surveys.services import invitations, respondents, rounds
    from surveys.services.organisations import add_organisation, create_department
    from surveys.services.questionnaires import ensure_default_questionnaire

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("migrate", verbosity=0)
    organisation, _ = add_organisation(code=BENCH_CODE)
    names = [f"Förvaltning {i}" for i in range(10)]
    for name in names:
        if not organisation.departments.filter(name=name).exists():
            create_department(organisation=organisation, name=name)
    groups = [g.name for g in organisation.respondent_groups.all()]
    today = timezone.localdate()
    period, _ = MeasurementPeriod.objects.get_or_create(
        year=today.year + 60,
        term="HT",
        defaults={
            "starts_on": today - datetime.timedelta(days=5),
            "ends_on": today + datetime.timedelta(days=30),
        },
    )
    Round.objects.filter(organisation=organisation, period=period).delete()
    round_ = rounds.create_round(
        organisation=organisation, period=period, questionnaire=ensure_default_questionnaire()
    )
    lines = ["namn;e-post;förvaltning;grupp"] + [
        f"Person {i};p{i}@example.se;{names[i % 10]};{groups[i % len(groups)]}" for i in range(ROWS)
    ]
    content = "\n".join(lines).encode()

    started = time.perf_counter()
    preview = respondents.preview_respondent_file(round=round_, filename="r.csv", content=content)
    preview_s = time.perf_counter() - started
    upload = respondents.store_upload(round=round_, filename="r.csv", content=content)
    count, _ = respondents.import_respondents(upload=upload)
    import_s = time.perf_counter() - started
    assert preview.is_clean and count == ROWS

    Round.objects.filter(pk=round_.pk).update(status=Round.Status.OPEN, opened_at=timezone.now())
    started = time.perf_counter()
    while invitations.send_invitation_batch(round_id=round_.pk).remaining:
        pass
    send_s = time.perf_counter() - started
    assert Invitation.objects.filter(round=round_, send_status="sent").count() == ROWS

    Invitation.objects.filter(round=round_, pk__in=Invitation.objects.filter(round=round_)[:4000]).update(
        submitted=True
    )
    admin = get_user_model().objects.filter(is_superuser=True).first() or get_user_model().objects.create(
        username="bench-root", is_superuser=True
    )
    started = time.perf_counter()
    rates = get_response_rates(round_, user=admin)
    rates_s = time.perf_counter() - started

    print(
        f"respondent file of {ROWS} rows: preview {preview_s:.2f} s, "
        f"preview + import {import_s:.2f} s (target < 10 s)"
    )
    print(f"sending {ROWS} invitations: {send_s:.2f} s, {ROWS / send_s:.0f} per second (target < 60 s)")
    print(
        f"response rates ({rates.total.submitted} of {rates.total.invited}): "
        f"{rates_s * 1000:.0f} ms (target < 1 s)"
    )


if __name__ == "__main__":
    main()
