"""Load test of the respondent path (issue 14): simulated respondents answer the survey against gunicorn
as the image runs it, on PostgreSQL, with DEBUG off, and the same server's bare view (/livez/) alongside.

Run (PostgreSQL at 127.0.0.1:5432, user postgres, trust; Redis at 127.0.0.1:6379):

    .venv/bin/python benchmarks/load.py                 # 300 respondents at once for 2 minutes
    .venv/bin/python benchmarks/load.py --rate 60       # the same 300, paced to ≈60 requests/s in all
    .venv/bin/python benchmarks/load.py --quick         # 20 respondents for 30 s (a busy machine)
    .venv/bin/python benchmarks/load.py --batch-saves   # a page's answers in one save request

What it does, in order: build the static files and catalogues as the image does (scripts/build-assets.sh);
create a fresh database (``dimios_load``); start gunicorn through the image's entrypoint (which migrates it
and loads the reference data) with the Dockerfile's own CMD, bound to loopback; seed one open anonymous
round of the default questionnaire (31 statements, 6 pages) with personal invitations; then three Locust
phases, headless, on loopback only, each bounded in users and time (benchmarks/load_users.py):

1. the main run: the respondents (at full speed, or paced with ``--rate``) plus a few users GETting the
   bare view at one request a second each;
2. saves alone at saturation (users saving back to back on their drafts);
3. the bare view alone at saturation;
then 2 and 3 again (``--saturation-rounds``, default 2), alternating, so that a slower or faster moment
of the shared machine weighs on both alike; each kind's figures are summed over its phases.

Server CPU is read from /proc (psutil) before and after each phase: gunicorn's master and workers (plus
workers that exited, through the master's children times), and PostgreSQL's server (its backends, which
exit with each connection at DJANGO_CONN_MAX_AGE=0, are counted through the postmaster's children times).
Per save = gunicorn CPU of phase 2 / saves; per bare request = phase 3 / requests; per complete
respondent = gunicorn CPU of phase 1, less the bare requests of phase 1 at phase 3's cost each, / complete
respondents (respondents still half-way when the phase ends are counted by their requests: the CPU is
shared out over all respondent requests and multiplied by the requests of a complete respondent).
Save throughput / bare throughput compares phases 2 and 3 (the same workers, each alone, saturated).

Afterwards the database is checked: every submission acknowledged to a simulated user (the redirect to
the receipt) is a submitted invitation, and every submitted invitation is one response in the round's pool
(or released) with all its answers. Exit status 1 when a request failed or a submission is missing.

The machine's two cores are shared by Locust, gunicorn and PostgreSQL: throughput at saturation is that of
this whole machine, and the Locust process's own CPU is printed beside it."""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import resource
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
USERS_FILE = Path(__file__).resolve().parent / "load_users.py"
ORIGIN = "https://dimios.load.example"
SECRET = "load-test-only-" + "Vb7Xq2Lm9Rt4Kp8Wz3Nc6Hd1Jf5Gs0Ya"
TARGETS = {
    "save_vs_bare": 0.5,
    "respondent_cpu_ms": 150,
    "page_p95_ms": 250,
    "save_p95_ms": 400,
    "paced_rate": 60,
}
PAGE_NAMES = ("page: start", "page: statements", "page: summary", "page: receipt")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=300, help="simultaneous respondents (default 300)")
    parser.add_argument("--time", type=int, default=120, help="seconds of the main run (default 120)")
    parser.add_argument("--spawn-rate", type=float, default=50, help="respondents started a second")
    parser.add_argument(
        "--rate", type=float, default=0, help="pace all requests of the main run to about this many a second"
    )
    parser.add_argument("--bare-users", type=int, default=None, help="bare-view users in the main run")
    parser.add_argument(
        "--batch-saves",
        action="store_true",
        help="send a page's answers in one save request (s<id>=<value>), when the server supports it",
    )
    parser.add_argument("--saturation-time", type=int, default=20, help="seconds of each saturation phase")
    parser.add_argument("--saturation-users", type=int, default=24, help="users of each saturation phase")
    parser.add_argument(
        "--saturation-rounds",
        type=int,
        default=2,
        help="alternating saves-alone/bare-alone phases (default 2)",
    )
    parser.add_argument("--invitations", type=int, default=None, help="personal links to seed")
    parser.add_argument("--quick", action="store_true", help="20 respondents, 30 s, 8 s saturation phases")
    parser.add_argument("--database", default="dimios_load", help="the database to create (dropped first)")
    parser.add_argument("--redis-db", type=int, default=11, help="Redis database number for cache and broker")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=60,
        help="DJANGO_CONN_MAX_AGE of the server (default 60 as in the compose file; 0: one a request)",
    )
    parser.add_argument("--keep", action="store_true", help="leave the database in place afterwards")
    args = parser.parse_args(argv)
    if args.quick:
        args.users, args.time, args.spawn_rate = min(args.users, 20), min(args.time, 30), 10
        args.saturation_time, args.saturation_users = (
            min(args.saturation_time, 8),
            min(args.saturation_users, 12),
        )
    if args.bare_users is None:
        args.bare_users = max(1, args.users // 30)
    if args.invitations is None:
        # A respondent sends 47 requests (31 single saves); at full speed 300 of them finish a few each.
        args.invitations = max(200, args.users * 8)
    if (
        min(args.users, args.time, args.saturation_time, args.saturation_users, args.saturation_rounds) < 1
        or args.users > 2000
    ):
        parser.error("users, times: at least 1; at most 2000 users")
    return args


# --- Services ----------------------------------------------------------------------------------------------


def server_env(args, static_root: Path, media_root: Path) -> dict[str, str]:
    """The production settings (DEBUG off) behind a TLS-terminating proxy, as in docs/deployment.md."""
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DIMIOS_", "CELERY_", "REDIS_", "CACHE_", "EMAIL_"))
        and k != "DATABASE_URL"
    }
    return {
        **base,
        "PYTHON": sys.executable,
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "dimios_web.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_READ_DOT_ENV": "0",
        "DJANGO_SECRET_KEY": SECRET,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SITE_URL": ORIGIN,
        "DJANGO_BEHIND_TLS_PROXY": "1",
        "DIMIOS_TRUSTED_PROXIES": "1",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{args.database}",
        "REDIS_URL": f"redis://127.0.0.1:6379/{args.redis_db}",
        "EMAIL_URL": "dummymail://",
        "DJANGO_STATIC_ROOT": str(static_root),
        "DJANGO_MEDIA_ROOT": str(media_root),
        "DJANGO_LOG_LEVEL": "WARNING",
        "DJANGO_CONN_MAX_AGE": str(args.conn_max_age),
    }


def dockerfile_command() -> list[str]:
    """The image's CMD, as the Dockerfile states it (so the benchmark follows a change there)."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    found = re.search(r"^CMD\s+(\[.*\])\s*$", text, flags=re.MULTILINE)
    if not found:
        raise SystemExit("no CMD [...] line in the Dockerfile")
    return json.loads(found.group(1))


def gunicorn_command(port: int) -> list[str]:
    command = dockerfile_command()
    assert command[0] == "gunicorn", command
    args = command[1:]
    bind = args.index("--bind")
    args[bind + 1] = f"127.0.0.1:{port}"  # loopback only
    return [sys.executable, "-m", "gunicorn", *args]


def fresh_database(name: str) -> None:
    import psycopg2

    admin = psycopg2.connect(dbname="postgres", user="postgres", host="127.0.0.1", port=5432)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def drop_database(name: str) -> None:
    import psycopg2

    admin = psycopg2.connect(dbname="postgres", user="postgres", host="127.0.0.1", port=5432)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def postmaster_pid() -> int | None:
    import psycopg2

    try:
        connection = psycopg2.connect(dbname="postgres", user="postgres", host="127.0.0.1", port=5432)
        with connection.cursor() as cursor:
            cursor.execute("SHOW data_directory")
            directory = Path(cursor.fetchone()[0])
        connection.close()
        return int((directory / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, psycopg2.Error):  # not readable from here: not measured
        return None


def request(port: int, method: str, path: str, *, cookies: dict, data: dict | None = None, csrf: str = ""):
    """One request as the proxy forwards it (for the start-up checks outside Locust)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Host": f"127.0.0.1:{port}", "X-Forwarded-Proto": "https"}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    body = None
    if data is not None:
        body = urlencode(data)
        headers.update(
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": ORIGIN,
                "X-CSRFToken": csrf,
                "Accept": "application/json",
            }
        )
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    content = response.read().decode("utf-8", errors="replace")
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            name, _, rest = value.partition("=")
            cookies[name.strip()] = rest.split(";", 1)[0]
    connection.close()
    return response.status, response.getheader("Location") or "", content


def wait_ready(port: int, server: subprocess.Popen, log: Path, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited:\n{log.read_text()[-3000:]}")
        try:
            if request(port, "GET", "/readyz", cookies={})[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"the site did not become ready:\n{log.read_text()[-3000:]}")


# --- CPU ---------------------------------------------------------------------------------------------------


def tree_cpu(pid: int | None) -> float:
    """CPU seconds (user + system) of a process, its live descendants and the children it has reaped."""
    if pid is None:
        return 0.0
    import psutil

    try:
        root = psutil.Process(pid)
        times = root.cpu_times()
        total = times.user + times.system + times.children_user + times.children_system
        for child in root.children(recursive=True):
            try:
                child_times = child.cpu_times()
                total += child_times.user + child_times.system
            except psutil.NoSuchProcess:
                pass
        return total
    except psutil.NoSuchProcess:
        return 0.0


# --- Seeding and the checks afterwards (Django in this process, on the same database) ----------------------


def setup_django(env: dict[str, str]) -> None:
    os.environ.update({k: v for k, v in env.items() if k != "PYTHONPATH"})
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def seed(invitations: int, *, resumed: int = 0) -> dict:
    """One open anonymous round of the default questionnaire with personal invitations (raw tokens back).
    The last ``resumed`` invitations (the first a respondent takes) have a draft with 0, 1, … every page
    answered, spread evenly: the run starts in the steady state of a national peak, where respondents are
    at every stage of the survey, instead of all at the start page together (resume on any device sends
    such a link to the first unanswered statement, or to the summary)."""
    from django.db import transaction
    from django.utils import timezone

    from surveys.models import (
        Department,
        Draft,
        DraftAnswer,
        Invitation,
        InvitationToken,
        MeasurementPeriod,
        Round,
    )
    from surveys.selectors.respond import list_categories
    from surveys.services.organisations import add_organisation
    from surveys.services.questionnaires import ensure_default_questionnaire
    from surveys.tokens import new_token

    version = ensure_default_questionnaire()
    organisation, _created = add_organisation(code="0580")
    departments = [
        Department.objects.get_or_create(organisation=organisation, parent=None, name=f"Förvaltning {i + 1}")[
            0
        ]
        for i in range(8)
    ]
    groups = list(organisation.respondent_groups.all())
    year = timezone.localdate().year
    starts_on, ends_on = MeasurementPeriod.window(year, "HT")
    period, _ = MeasurementPeriod.objects.get_or_create(
        year=year, term="HT", defaults={"starts_on": starts_on, "ends_on": ends_on}
    )
    with transaction.atomic():
        round_ = Round.objects.create(
            organisation=organisation,
            period=period,
            questionnaire=version,
            status=Round.Status.OPEN,
            anonymous=True,
            opened_at=timezone.now(),
        )
        round_.departments.set(departments)
        rows = Invitation.objects.bulk_create(
            [
                Invitation(
                    round=round_,
                    email=f"svarande{i}@load.example",
                    department=departments[i % len(departments)],
                    group=groups[i % len(groups)],
                    send_status=Invitation.SendStatus.SENT,
                    sent_at=timezone.now(),
                )
                for i in range(invitations)
            ],
            batch_size=1000,
        )
        links, tokens = [], []
        for invitation in rows:
            raw, token_hash = new_token()
            tokens.append(InvitationToken(invitation=invitation, token_hash=token_hash))
            links.append([invitation.pk, raw])
        InvitationToken.objects.bulk_create(tokens, batch_size=1000)
        categories = list_categories(version.pk)
        by_page = [
            list(version.statements.filter(capability__category=c).values_list("pk", flat=True))
            for c in categories
        ]
        drafts, answers = [], []
        for index, invitation in enumerate(rows[len(rows) - resumed :] if resumed else []):
            pages_done = index % (len(categories) + 1)
            draft = Draft(round=round_, invitation=invitation)
            drafts.append(draft)
            answers.extend(
                DraftAnswer(draft=draft, statement_id=sid, value=3 + (sid + index) % 3)
                for page in by_page[:pages_done]
                for sid in page
            )
        Draft.objects.bulk_create(drafts, batch_size=1000)
        DraftAnswer.objects.bulk_create(answers, batch_size=5000)
        Invitation.objects.filter(draft__isnull=False, round=round_).update(started_on=timezone.localdate())

    statements = version.statements.count()
    pages = len(categories)
    assert sum(len(p) for p in by_page) == statements
    return {"round": round_.pk, "links": links, "statements": statements, "pages": pages}


def probe_batch_saves(port: int, link: list) -> tuple[bool, str]:
    """Does the save view take several answers in one request (``s<id>=<value>`` fields)? Tried once with a
    link of its own (not one of the respondents')."""
    cookies: dict[str, str] = {}
    status, location, _ = request(port, "GET", f"/s/{link[1]}/", cookies=cookies)
    if status != 302:
        return False, f"the probe's link answered {status}"
    status, _, html = request(port, "GET", "/enkat/sida/1/", cookies=cookies)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    statements = re.findall(r'data-statement="(\d+)"', html)
    if status != 200 or not csrf or len(statements) < 2:
        return False, f"the probe's first page answered {status}"
    body = {f"s{s}": "3" for s in statements}
    status, _, content = request(
        port, "POST", "/enkat/spara/", cookies=cookies, data=body, csrf=csrf.group(1)
    )
    try:
        answer = json.loads(content)
    except ValueError:
        answer = {}
    if status == 200 and answer.get("ok") and answer.get("answered") == len(statements):
        return True, f"the server saved {len(statements)} answers sent in one request"
    return (
        False,
        f"the server answered {status} {content[:100]!r} to {len(statements)} answers in one request",
    )


def check_database(round_id: int, acknowledged: list[int], statements: int, excluded: set[int]) -> dict:
    from django.db.models import Count

    from surveys.models import Answer, Invitation, PooledResponse, Response
    from surveys.sealing import unseal

    submitted = (
        set(Invitation.objects.filter(round_id=round_id, submitted=True).values_list("pk", flat=True))
        - excluded
    )
    pooled = [len(unseal(p.sealed)["answers"]) for p in PooledResponse.objects.filter(round_id=round_id)]
    released = list(
        Response.objects.filter(round_id=round_id).annotate(n=Count("answers")).values_list("n", flat=True)
    )
    counts = pooled + released
    missing = sorted(set(acknowledged) - submitted)
    return {
        "acknowledged": len(acknowledged),
        "acknowledged_twice": len(acknowledged) - len(set(acknowledged)),
        "submitted_invitations": len(submitted),
        "pooled": len(pooled),
        "released": len(released),
        "answers": Answer.objects.filter(response__round_id=round_id).count() + sum(pooled),
        "complete_responses": sum(1 for n in counts if n == statements),
        "incomplete_responses": sum(1 for n in counts if n != statements),
        "missing": missing,
        "responses_vs_submitted": len(counts) - len(submitted),
    }


# --- Locust phases -----------------------------------------------------------------------------------------


def run_phase(
    name: str,
    *,
    args,
    port: int,
    workdir: Path,
    classes: list[str],
    users: int,
    seconds: int,
    spawn_rate: float,
    config: dict,
    pids: dict,
) -> dict:
    config_path = workdir / f"{name}.json"
    out_path = workdir / f"{name}-figures.json"
    config_path.write_text(json.dumps({**config, "origin": ORIGIN, "out": str(out_path)}))
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(USERS_FILE),
        "--headless",
        "--host",
        f"http://127.0.0.1:{port}",
        "-u",
        str(users),
        "-r",
        str(spawn_rate),
        "-t",
        f"{seconds}s",
        "--stop-timeout",
        "10",
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--exit-code-on-error",
        "0",
        *classes,
    ]
    env = {**os.environ, "DIMIOS_LOAD_CONFIG": str(config_path)}
    print(f"\n== {name}: {users} users, {seconds} s, {' + '.join(classes)}", flush=True)
    log = workdir / f"{name}-locust.log"
    before = {k: tree_cpu(v) for k, v in pids.items()}
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    with log.open("w") as output:
        locust = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
        try:
            locust.wait(timeout=seconds + 120)
        except subprocess.TimeoutExpired:
            locust.kill()
            raise SystemExit(f"Locust did not stop in time: {log}") from None
    elapsed = time.monotonic() - started
    after = {k: tree_cpu(v) for k, v in pids.items()}
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if not out_path.exists():
        raise SystemExit(f"Locust wrote no figures ({locust.returncode}):\n{log.read_text()[-3000:]}")
    figures = json.loads(out_path.read_text())
    figures["cpu"] = {k: after[k] - before[k] for k in pids}
    figures["elapsed"] = elapsed
    figures["seconds"] = seconds
    figures["locust_cpu"] = (children_after.ru_utime + children_after.ru_stime) - (
        children_before.ru_utime + children_before.ru_stime
    )
    return figures


def combined(phases: list[dict], name: str) -> dict:
    """Several phases of one kind as one: requests, failures, seconds, CPU and Locust's CPU summed; the
    percentiles over all the requests (their histograms merged); each phase's own rate kept."""
    entries = [phase["entries"].get(name, {"requests": 0, "histogram": {}}) for phase in phases]
    histogram: dict[str, int] = {}
    for entry in entries:
        for time_ms, count in entry.get("histogram", {}).items():
            histogram[time_ms] = histogram.get(time_ms, 0) + count
    requests = sum(entry["requests"] for entry in entries)
    merged_entry = {"requests": requests, "histogram": histogram}
    merged_entry.update(percentiles(histogram))
    return {
        "entries": {name: merged_entry},
        "total": {
            "requests": sum(phase["total"]["requests"] for phase in phases),
            "failures": sum(phase["total"]["failures"] for phase in phases),
        },
        "errors": [error for phase in phases for error in phase["errors"]],
        "seconds": sum(phase["seconds"] for phase in phases),
        "cpu": {key: sum(phase["cpu"][key] for phase in phases) for key in phases[0]["cpu"]},
        "locust_cpu": sum(phase["locust_cpu"] for phase in phases),
        "rates": [rps(entry, phase["seconds"]) for entry, phase in zip(entries, phases, strict=True)],
    }


def percentiles(histogram: dict[str, int]) -> dict[str, float]:
    """p50, p95, p99 and max of response times given as {milliseconds: count}."""
    times = sorted((float(ms), count) for ms, count in histogram.items())
    total = sum(count for _ms, count in times)
    found = {}
    for key, share in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99)):
        seen = 0
        found[key] = 0.0
        for ms, count in times:
            seen += count
            if seen >= share * total:
                found[key] = ms
                break
    found["max"] = times[-1][0] if times else 0.0
    return found


def rps(entry: dict, seconds: float) -> float:
    return entry["requests"] / seconds if seconds else 0.0


def merged(figures: dict, names) -> dict:
    """The requests of several Locust entries together, with percentiles over all of them."""
    entries = [figures["entries"][n] for n in names if n in figures["entries"]]
    histogram: dict[int, int] = {}
    for entry in entries:
        for ms, count in entry["histogram"].items():
            histogram[int(ms)] = histogram.get(int(ms), 0) + count
    total = sum(histogram.values())

    def percentile(share: float) -> float:
        if not total:
            return 0.0
        seen = 0
        for ms in sorted(histogram):
            seen += histogram[ms]
            if seen >= share * total:
                return float(ms)
        return float(max(histogram))

    return {
        "requests": sum(e["requests"] for e in entries),
        "failures": sum(e["failures"] for e in entries),
        "p50": percentile(0.5),
        "p95": percentile(0.95),
        "p99": percentile(0.99),
        "max": max((e["max"] for e in entries), default=0),
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    args.load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    import psutil  # noqa: F401  (a dev dependency with Locust; fail early when it is missing)

    workdir = Path(tempfile.mkdtemp(prefix="dimios-load-"))
    static_root = ROOT / "var" / "load-staticfiles"
    env = server_env(args, static_root, workdir / "media")
    print(f"working files: {workdir}")
    print("building the static files and catalogues (scripts/build-assets.sh) …", flush=True)
    build = subprocess.run(
        ["sh", "scripts/build-assets.sh"],
        cwd=ROOT,
        env={**env, "DJANGO_STATIC_ROOT": str(static_root)},
        capture_output=True,
        text=True,
    )
    if build.returncode:
        raise SystemExit(f"scripts/build-assets.sh failed:\n{build.stdout}{build.stderr}")
    fresh_database(args.database)
    import redis

    redis.Redis.from_url(env["REDIS_URL"]).flushdb()  # this benchmark's own Redis database
    command = [str(ROOT / "docker" / "entrypoint.sh"), *gunicorn_command(args.port)]
    print(f"server: {shlex.join(command[1:])} (through docker/entrypoint.sh; DEBUG off)", flush=True)
    server_log = workdir / "gunicorn.log"
    with server_log.open("w") as log:
        server = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    status = 1
    try:
        wait_ready(args.port, server, server_log)
        setup_django(env)
        saturation_links = args.saturation_users
        seeded = seed(args.invitations + saturation_links + 1, resumed=args.users)
        links = seeded["links"]
        probe_link, save_links, respondent_links = (
            links[0],
            links[1 : 1 + saturation_links],
            links[1 + saturation_links :],
        )
        workers = [p.pid for p in psutil_children(server.pid)]
        print(
            f"seeded: round {seeded['round']}, {seeded['statements']} statements, {len(respondent_links)} "
            f"respondent links; gunicorn master {server.pid}, workers {workers}",
            flush=True,
        )
        batch = False
        if args.batch_saves:
            batch, why = probe_batch_saves(args.port, probe_link)
            print(f"--batch-saves: {'on' if batch else 'NOT SUPPORTED, one answer a request'} ({why})")
        pids = {"gunicorn": server.pid, "postgres": postmaster_pid()}

        bare_rate = 1.0
        respondent_rate = 0.0
        if args.rate:
            respondent_rate = max(0.001, (args.rate - args.bare_users * bare_rate) / args.users)
        main_run = run_phase(
            "main",
            args=args,
            port=args.port,
            workdir=workdir,
            classes=["Respondent", "Bare"],
            users=args.users + args.bare_users,
            seconds=args.time,
            spawn_rate=args.spawn_rate,
            config={
                "links": respondent_links,
                "batch_saves": batch,
                "respondent_rate": respondent_rate,
                "bare_rate": bare_rate,
                "bare_users": args.bare_users,
            },
            pids=pids,
        )
        # Saves alone and the bare view alone, alternating (save, bare, save, bare, …): a slower or faster
        # moment of this shared machine then weighs on both alike, and each kind's figures are the sums
        # over its phases (requests, seconds, CPU), its percentiles those of all its requests.
        save_phases: list[dict] = []
        bare_phases: list[dict] = []
        kinds = [
            ("saves-alone", "SaveSaturation", {"save_links": save_links, "batch_saves": batch}, save_phases),
            ("bare-alone", "BareSaturation", {}, bare_phases),
        ]
        for number in range(1, args.saturation_rounds + 1):
            for name, user_class, config, phases in kinds:
                phases.append(
                    run_phase(
                        f"{name}-{number}",
                        args=args,
                        port=args.port,
                        workdir=workdir,
                        classes=[user_class],
                        users=args.saturation_users,
                        seconds=args.saturation_time,
                        spawn_rate=args.saturation_users,
                        config=config,
                        pids=pids,
                    )
                )
        saves, bare = combined(save_phases, "save"), combined(bare_phases, "bare")
        excluded = {probe_link[0], *(link[0] for link in save_links)}
        check = check_database(seeded["round"], main_run["acknowledged"], seeded["statements"], excluded)
        status = report(args, seeded, batch, main_run, saves, bare, check, pids)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        if not args.keep:
            from django.db import connections

            connections.close_all()
            drop_database(args.database)
    return status


def psutil_children(pid: int):
    import psutil

    for _ in range(50):
        children = psutil.Process(pid).children(recursive=True)
        if children:
            return children
        time.sleep(0.1)
    return []


def report(args, seeded, batch, main_run, saves, bare, check, pids) -> int:
    seconds = main_run["seconds"]
    entries = main_run["entries"]
    counts = main_run["counts"]
    pages = merged(main_run, PAGE_NAMES)
    page_posts = merged(main_run, ["page: post (302)"])
    save = merged(main_run, ["save"])
    submit = merged(main_run, ["submit (302)"])
    link = merged(main_run, ["link (302)"])
    bare_main = merged(main_run, ["bare"])
    respondent_requests = sum(
        e["requests"] for n, e in entries.items() if n not in ("bare",) and not n.startswith("setup")
    )
    total_requests = main_run["total"]["requests"]
    failures = main_run["total"]["failures"] + saves["total"]["failures"] + bare["total"]["failures"]

    save_alone = saves["entries"].get("save", {"requests": 0})
    bare_alone = bare["entries"].get("bare", {"requests": 0})
    save_rps = rps(save_alone, saves["seconds"])
    bare_rps = rps(bare_alone, bare["seconds"])
    cpu_per_save = saves["cpu"]["gunicorn"] / save_alone["requests"] * 1000 if save_alone["requests"] else 0
    cpu_per_bare = bare["cpu"]["gunicorn"] / bare_alone["requests"] * 1000 if bare_alone["requests"] else 0
    db_per_save = saves["cpu"]["postgres"] / save_alone["requests"] * 1000 if save_alone["requests"] else 0
    db_per_bare = bare["cpu"]["postgres"] / bare_alone["requests"] * 1000 if bare_alone["requests"] else 0
    statements = seeded["statements"]
    # A complete respondent's requests: link, start, every page GET + POST, its saves, summary, submit,
    # receipt (counted from the run itself: requests of the respondents / respondents).
    respondent_cpu = main_run["cpu"]["gunicorn"] - bare_main["requests"] * cpu_per_bare / 1000
    respondent_db = main_run["cpu"]["postgres"] - bare_main["requests"] * db_per_bare / 1000
    cpu_per_request = respondent_cpu / respondent_requests * 1000 if respondent_requests else 0
    db_per_request = respondent_db / respondent_requests * 1000 if respondent_requests else 0
    per_respondent = requests_per_respondent(seeded, batch)
    complete_ms = cpu_per_request * per_respondent
    complete_db_ms = db_per_request * per_respondent

    def line(name: str, entry: dict) -> None:
        print(
            f"  {name:<26} {entry['requests']:>7} req {rps(entry, seconds):>7.1f}/s"
            f"   p50 {entry['p50']:>6.0f}"
            f"  p95 {entry['p95']:>6.0f}  p99 {entry['p99']:>6.0f}  max {entry['max']:>7.0f} ms"
            f"   failures {entry['failures']}"
        )

    paced = f"paced to ≈{args.rate:g} requests/s" if args.rate else "at full speed (no pacing)"
    print("\n" + "=" * 100)
    print(
        f"Load test: {args.users} respondents + {args.bare_users} bare-view users for {seconds} s, {paced}; "
        f"saves: {'a page a request (--batch-saves)' if batch else 'one answer a request'}"
    )
    server = shlex.join(gunicorn_command(args.port)[2:])
    age = args.conn_max_age
    print(f"server: {server}, DEBUG off, PostgreSQL (DJANGO_CONN_MAX_AGE {age}), Redis db {args.redis_db}")
    print(f"load average before the run: {args.load_before}; CPUs: {os.cpu_count()}")
    print(
        f"\nmain run: {total_requests / seconds:.1f} requests/s in all "
        f"({respondent_requests / seconds:.1f}/s respondents'); "
        f"Locust's own CPU {main_run['locust_cpu']:.1f} s"
    )
    line("page loads (GET)", pages)
    for name in PAGE_NAMES:
        if name in entries:
            line("  " + name.split(": ")[1], entries[name])
    line("page POST (nav=next)", page_posts)
    line("saves", save)
    line("submits", submit)
    line("personal link (302)", link)
    line("bare view (1/s per user)", bare_main)
    answering = counts["started"] - counts["completed"] - counts["abandoned"]
    print(
        f"  respondents: {counts['completed']} complete, {answering} still answering at the end, "
        f"{counts['abandoned']} abandoned after an error; {per_respondent} requests per complete respondent"
    )
    print(
        "  (the first respondent of each user resumes a draft with 0 to all pages answered, spread evenly:"
        "\n  the run starts in a steady state; 'complete' counts respondents who reached the receipt)"
    )
    rounds = len(saves.get("rates", [])) or 1
    print(
        f"\nalone, saturated ({rounds} phases of each, alternating; the same workers; Locust on the 2 cores):"
    )
    print(
        "  each phase: saves "
        + ", ".join(f"{rate:.0f}/s" for rate in saves.get("rates", []))
        + "; bare "
        + ", ".join(f"{rate:.0f}/s" for rate in bare.get("rates", []))
    )
    print(
        f"  saves: {save_rps:7.1f}/s   p95 {save_alone.get('p95', 0):.0f} ms   gunicorn CPU "
        f"{cpu_per_save:.2f} ms/save   PostgreSQL CPU {db_per_save:.2f} ms/save   "
        f"(Locust's CPU {saves['locust_cpu']:.1f} s)"
    )
    print(
        f"  bare : {bare_rps:7.1f}/s   p95 {bare_alone.get('p95', 0):.0f} ms   gunicorn CPU "
        f"{cpu_per_bare:.2f} ms/request   PostgreSQL CPU {db_per_bare:.2f} ms/request   "
        f"(Locust's CPU {bare['locust_cpu']:.1f} s)"
    )
    print(
        f"\nserver CPU per complete respondent: gunicorn {complete_ms:.0f} ms (+ PostgreSQL "
        f"{complete_db_ms:.0f} ms) = {cpu_per_request:.2f} ms a respondent request × "
        f"{per_respondent} requests"
    )
    print(
        "  method: gunicorn master + workers + reaped workers (and the postmaster + backends) CPU from /proc"
        "\n  before/after each phase; the main run's bare requests are taken out at the bare phase's cost"
        "\n  each;"
        "\n  per save and per bare request from the phases where each ran alone. PostgreSQL's figure counts"
        "\n  the whole server: other clients of it (another test run) inflate it."
    )
    if pids["postgres"] is None:
        print("  (PostgreSQL's processes could not be read: its CPU is not counted)")
    print(
        f"\ndatabase afterwards: {check['acknowledged']} submissions acknowledged (receipt redirect seen), "
        f"{check['submitted_invitations']} invitations submitted, {check['pooled']} responses pooled + "
        f"{check['released']} released = {check['pooled'] + check['released']}; "
        f"{check['complete_responses']} with all {statements} answers, {check['incomplete_responses']} "
        f"with fewer; {check['answers']} answers; acknowledged but missing: {len(check['missing'])}"
    )
    if not check["acknowledged"]:
        print(
            "  NOTE: no respondent reached the submit in this run (too few requests/s for its users, time):"
            "\n  the check of stored submissions had nothing to check. Use fewer --users or a longer --time."
        )
    for error in (main_run["errors"] + saves["errors"] + bare["errors"])[:15]:
        print(f"  error: {error['count']} × {error['method']} {error['name']}: {error['error'][:150]}")

    ratio = save_rps / bare_rps if bare_rps else 0.0
    achieved = total_requests / seconds
    paced_for_target = bool(args.rate) and args.rate >= 0.75 * TARGETS["paced_rate"]
    # The latency targets hold at ≈60 requests/s: judged when the run was paced for that; a server that
    # cannot even deliver the rate misses them whatever its latencies.
    reached = achieved >= 0.75 * TARGETS["paced_rate"]
    at_rate = paced_for_target and reached
    verdicts = [
        ("errors", f"{failures}", "0", failures == 0),
        (
            "acknowledged submissions stored",
            f"{len(check['missing'])} missing",
            "0 missing",
            not check["missing"],
        ),
        (
            "save throughput / bare",
            f"{ratio:.2f} ×",
            f"≥ {TARGETS['save_vs_bare']} ×",
            ratio >= TARGETS["save_vs_bare"],
        ),
        (
            "complete respondent, server CPU",
            f"{complete_ms:.0f} ms",
            f"≤ {TARGETS['respondent_cpu_ms']} ms",
            complete_ms <= TARGETS["respondent_cpu_ms"],
        ),
        (
            "page p95 at ≈60 requests/s",
            f"{pages['p95']:.0f} ms",
            f"< {TARGETS['page_p95_ms']} ms",
            (pages["p95"] < TARGETS["page_p95_ms"] and at_rate) if paced_for_target else None,
        ),
        (
            "save p95 at ≈60 requests/s",
            f"{save['p95']:.0f} ms",
            f"< {TARGETS['save_p95_ms']} ms",
            (save["p95"] < TARGETS["save_p95_ms"] and at_rate) if paced_for_target else None,
        ),
    ]
    print("\ntargets (issue 14):")
    for name, value, target, ok in verdicts:
        mark = "n/a (run with --rate 60)" if ok is None else ("met" if ok else "NOT MET")
        print(f"  {name:<34} {value:>12}   target {target:<10} {mark}")
    if paced_for_target and not reached:
        print(
            f"  (paced for {args.rate:g} requests/s, the server gave {achieved:.1f}/s: "
            "the latency is queueing)"
        )
    consistent = (
        not check["missing"] and check["incomplete_responses"] == 0 and check["responses_vs_submitted"] == 0
    )
    if check["responses_vs_submitted"]:
        print(f"  responses − submitted invitations = {check['responses_vs_submitted']} (should be 0)")
    return 0 if failures == 0 and consistent else 1


def requests_per_respondent(seeded: dict, batch: bool) -> int:
    """The requests of one complete respondent in this flow: link, start page, per page a GET, its saves and
    the POST, then summary, submit and receipt."""
    saves = seeded["pages"] if batch else seeded["statements"]
    return 2 + 2 * seeded["pages"] + saves + 3


if __name__ == "__main__":
    sys.exit(main())
