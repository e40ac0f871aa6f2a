"""The respondent's questionnaire page: server render time, the save-on-change request, the submit, their
query counts, and the page weight compressed with its assets. Targets: a save is at most 3 queries (the
session, the claim, the upsert; docs/performance.md "Respondent path"), fixed page query counts, under
150 KB compressed, and render/save well under 100 ms on a laptop.

Run: DJANGO_DEBUG=1 DJANGO_READ_DOT_ENV=0 .venv/bin/python benchmarks/respond_page.py
(uses a throw-away SQLite database unless DATABASE_URL is set; then the tables must exist).

The questionnaire is the default's size (two dimensions × three categories, 30 statements) built with the
test factories; requests go through the full Django stack with the test client."""

from __future__ import annotations

import gzip
import os
import re
import statistics
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
os.environ.setdefault("EMAIL_URL", "consolemail://")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")

import django

django.setup()

from django.contrib.staticfiles import finders  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

RUNS = 50


_CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT)\b", re.I)


def timed(func) -> tuple[float, int, int]:
    """Milliseconds, the statements that read or write data, and the transaction control statements. A
    refused request (4xx/5xx) stops the run: its figures would mean nothing."""
    with CaptureQueriesContext(connection) as captured:
        start = time.perf_counter()
        response = func()
        elapsed = time.perf_counter() - start
    if response.status_code >= 400:
        raise SystemExit(
            f"{response.request['PATH_INFO']} answered {response.status_code}: {response.content!r}"
        )
    control = sum(1 for q in captured.captured_queries if _CONTROL.match(q["sql"]))
    return elapsed * 1000, len(captured) - control, control


def main() -> None:
    call_command("migrate", "--no-input", verbosity=0)
    from surveys.models import Statement
    from tests.factories import InvitationFactory, RoundFactory, build_questionnaire, issue_link_token

    questionnaire = build_questionnaire(categories_per_dimension=3, statements_per_category=5)
    invitation = InvitationFactory(round=RoundFactory(questionnaire=questionnaire))
    client = Client()
    client.get(reverse("surveys:respond_start", args=[issue_link_token(invitation)]))
    ids = list(Statement.objects.filter(version=questionnaire).values_list("pk", flat=True))
    page_url = reverse("surveys:respond_page", args=[1])

    save_url = reverse("surveys:respond_save")
    renders = [timed(lambda: client.get(page_url)) for _ in range(RUNS)]
    summaries = [timed(lambda: client.get(reverse("surveys:respond_summary"))) for _ in range(RUNS)]
    found = re.search(r'data-save-token="([^"]+)"', client.get(page_url).content.decode())
    assert found, "the page carries no save token"
    token = found.group(1)  # sent by the page's script with every save
    saves = [
        timed(lambda i=i: client.post(save_url, {f"s{ids[i % 5]}": "3", "t": token})) for i in range(RUNS)
    ]
    session_saves = [timed(lambda i=i: client.post(save_url, {f"s{ids[i % 5]}": "3"})) for i in range(RUNS)]
    batches = [
        timed(
            lambda i=i: client.post(
                save_url, {f"s{pk}": str(1 + (i + n) % 6) for n, pk in enumerate(ids[:5])} | {"t": token}
            )
        )
        for i in range(RUNS)
    ]
    page_posts = [
        timed(lambda: client.post(page_url, {f"s{pk}": "4" for pk in ids[:5]} | {"nav": "stay"}))
        for _ in range(RUNS)
    ]
    html = client.get(page_url).content.decode()
    sizes = {"page (HTML)": len(gzip.compress(html.encode(), 6))}
    for asset in re.findall(r'(?:href|src)="/static/([^"]+)"', html):
        sizes[asset] = len(gzip.compress(Path(finders.find(asset)).read_bytes(), 6))
    submit = timed(lambda: client.post(reverse("surveys:respond_summary"), {"confirm": "on"}))

    def line(name, samples):
        times = sorted(t for t, _q, _c in samples)
        queries = sorted({q for _t, q, _c in samples})
        control = sorted({c for _t, _q, c in samples})
        median = statistics.median(times)
        print(
            f"{name:<34} median {median:6.1f} ms   worst {times[-1]:6.1f} ms   queries {queries}"
            f" (+ transaction control {control})"
        )

    print(f"database: {connection.vendor}; questionnaire: {len(ids)} statements, 5 a page; {RUNS} runs each")
    print("queries: statements that read or write data, the session's load included (the budget);")
    print("transaction control: BEGIN/COMMIT/SAVEPOINT as Django logs them, counted apart")
    line("questionnaire page (GET)", renders)
    line("summary (GET)", summaries)
    line("save one answer (script, token)", saves)
    line("save one answer (no token: session)", session_saves)
    line("save 5 answers at once (script)", batches)
    line("save a page of 5 (no script)", page_posts)
    print(f"{'submit (30 statements)':<34} {submit[0]:6.1f} ms   queries {submit[1]} (+ {submit[2]})")
    for name, size in sizes.items():
        print(f"  {name:<40} {size / 1024:6.1f} KB gzip")
    total = sum(sizes.values())
    verdict = "OK" if total < 150 * 1024 else "OVER"
    print(f"{'page weight, compressed':<32} {total / 1024:6.1f} KB (target < 150 KB): {verdict}")


if __name__ == "__main__":
    main()
