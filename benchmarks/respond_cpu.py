"""CPU time of each respondent request in-process: the WSGI application called directly (no HTTP, no
Locust), production settings (DEBUG off, the collected static files), PostgreSQL with kept connections.
This is the server's own work per request, repeatable to a few per cent on a quiet machine, where the load
test (benchmarks/load.py) also measures gunicorn, the sockets and Locust sharing the same two cores.

Run (PostgreSQL at 127.0.0.1:5432, user postgres, trust; Redis at 127.0.0.1:6379, database 12):

    .venv/bin/python benchmarks/respond_cpu.py                  # 2 000 requests of each kind
    .venv/bin/python benchmarks/respond_cpu.py --profile save   # and a cProfile of one kind

It creates the database ``dimios_respond_cpu`` (dropped first and afterwards), collects the static files
into a temporary folder as the image does, seeds one open round of the default questionnaire (31
statements, 6 pages) with personal links, opens a link as a browser would (cookies, the page's save token),
then times, alternating kinds so that a slow moment hits all of them alike: the bare view (/livez/), a save
of one answer and of a page's answers (the page script's request), a questionnaire page, the page's form
POST (no script), the summary; and a complete respondent's requests on fresh links: link, start page,
every page GET, its saves, its POST, summary, submit, receipt. It prints the median CPU milliseconds of
each (process time, so another process on the machine does not count) and the ratio of each to the bare
view's."""

from __future__ import annotations

import argparse
import cProfile
import io
import itertools
import os
import pstats
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE = "dimios_respond_cpu"
HOST = "127.0.0.1"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests of each kind (default 2 000)")
    parser.add_argument("--respondents", type=int, default=40, help="complete respondents timed")
    parser.add_argument("--profile", choices=["bare", "save", "save5", "page", "post", "summary"])
    parser.add_argument("--keep", action="store_true", help="leave the database in place")
    return parser.parse_args(argv)


def psql(sql: str) -> None:
    subprocess.run(
        ["psql", "-h", HOST, "-U", "postgres", "-d", "postgres", "-qc", sql],
        check=True,
        capture_output=True,
    )


def configure(static_root: str) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "dimios_web.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_READ_DOT_ENV": "0",
            "DJANGO_SECRET_KEY": "benchmark-only-secret-0123456789abcdefghijklmnopqrstuvwxyz",
            "DJANGO_ALLOWED_HOSTS": f"{HOST},localhost",
            "DJANGO_SITE_URL": f"https://{HOST}",
            "DJANGO_BEHIND_TLS_PROXY": "1",
            "DIMIOS_TRUSTED_PROXIES": "1",
            "DATABASE_URL": f"postgres://postgres@{HOST}:5432/{DATABASE}",
            "DJANGO_CONN_MAX_AGE": "600",
            "REDIS_URL": "redis://127.0.0.1:6379/12",
            "EMAIL_URL": "dummymail://",
            "DJANGO_STATIC_ROOT": static_root,
            "DJANGO_LOG_LEVEL": "WARNING",
        }
    )


class Browser:
    """One browser's cookies against the WSGI application, over the TLS proxy's headers."""

    def __init__(self, app):
        self.app = app
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, data: dict | None = None) -> tuple[int, dict, bytes]:
        body = urlencode(data or {}).encode()
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": HOST,
            "SERVER_PORT": "443",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": HOST,
            "HTTP_X_FORWARDED_PROTO": "https",
            "HTTP_X_FORWARDED_FOR": "10.1.2.3",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64) benchmark",
            "HTTP_ACCEPT": "text/html,application/xhtml+xml",
            "HTTP_ACCEPT_LANGUAGE": "sv-SE,sv;q=0.9",
            "HTTP_ACCEPT_ENCODING": "gzip, deflate, br",
            "wsgi.input": io.BytesIO(body),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
            "wsgi.version": (1, 0),
        }
        if self.cookies:
            environ["HTTP_COOKIE"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            environ["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
            environ["CONTENT_LENGTH"] = str(len(body))
            environ["HTTP_ORIGIN"] = f"https://{HOST}"
            environ["HTTP_REFERER"] = f"https://{HOST}/enkat/sida/1/"
            if "csrftoken" in self.cookies:
                environ["HTTP_X_CSRFTOKEN"] = self.cookies["csrftoken"]
        status_headers = {}

        def start_response(status, headers, exc_info=None):
            status_headers["status"] = int(status.split()[0])
            status_headers["headers"] = headers

        result = self.app(environ, start_response)
        content = b"".join(result)
        if hasattr(result, "close"):
            result.close()
        headers: dict[str, str] = {}
        for name, value in status_headers["headers"]:
            if name.lower() == "set-cookie":
                cookie = SimpleCookie()
                cookie.load(value)
                for key, morsel in cookie.items():
                    self.cookies[key] = morsel.value
            else:
                headers[name.lower()] = value
        return status_headers["status"], headers, content

    def follow(self, method: str, path: str, data: dict | None = None) -> tuple[str, bytes]:
        status, headers, content = self.request(method, path, data)
        while status in (301, 302, 303):
            path = urlsplit(headers["location"]).path
            status, headers, content = self.request("GET", path)
        assert status == 200, (path, status, content[:300])
        return path, content


def open_link(app, token: str) -> tuple[Browser, str, list[str]]:
    browser = Browser(app)
    path, content = browser.follow("GET", f"/s/{token}/")
    html = content.decode()
    start = re.search(r'href="(/enkat/sida/1/)"', html)
    path, content = browser.follow("GET", start.group(1) if start else "/enkat/sida/1/")
    html = content.decode()
    found = re.search(r'data-save-token="([^"]+)"', html)
    assert found, "the page carries no save token"
    names = re.findall(r'type="radio" name="(s\d+)" id="s\d+-1"', html)
    return browser, found.group(1), names


def cpu_ms(func, *args) -> tuple[float, object]:
    """The CPU milliseconds of ``func(*args)`` in this process, and its result."""
    start = time.process_time()
    result = func(*args)
    return (time.process_time() - start) * 1000, result


def repeat(func, times: int) -> None:
    for _ in range(times):
        func()


def main(argv=None) -> int:
    args = parse_args(argv)
    static_root = tempfile.mkdtemp(prefix="dimios-cpu-static-")
    configure(static_root)
    psql(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{DATABASE}"')
    try:
        env = {**os.environ, "PYTHON": sys.executable, "DJANGO_STATIC_ROOT": static_root}
        subprocess.run(["sh", str(ROOT / "scripts/build-assets.sh")], check=True, env=env, cwd=ROOT)
        import django

        django.setup()
        from django.core.management import call_command
        from django.core.wsgi import get_wsgi_application

        call_command("prepare_database", verbosity=0)
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from load import seed  # the load test's round: the default questionnaire, personal links

        tokens = [raw for _invitation, raw in seed(3 + args.respondents)["links"]]
        app = get_wsgi_application()
        return run(app, args, tokens)
    finally:
        from django.db import connections

        connections.close_all()
        shutil.rmtree(static_root, ignore_errors=True)
        if not args.keep:
            psql(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


def run(app, args, tokens) -> int:
    browser, save_token, names = open_link(app, tokens[0])
    bare = Browser(app)
    one = [{names[i % len(names)]: str(1 + i % 6), "t": save_token} for i in range(len(names))]
    singles = itertools.cycle(one)
    page_answers = {name: "4" for name in names}
    kinds = {
        "bare": lambda: bare.request("GET", "/livez/"),
        "save": lambda: browser.request("POST", "/enkat/spara/", next(singles)),
        "save5": lambda: browser.request("POST", "/enkat/spara/", page_answers | {"t": save_token}),
        "page": lambda: browser.request("GET", "/enkat/sida/1/"),
        "post": lambda: browser.request(
            "POST", "/enkat/sida/1/", page_answers | {"nav": "stay", "t": save_token}
        ),
        "summary": lambda: browser.request("GET", "/enkat/sammanfattning/"),
    }
    expected = {"bare": 200, "save": 200, "save5": 200, "page": 200, "post": 302, "summary": 200}
    for name, func in kinds.items():  # warm up, and check every kind answers as it should
        for _ in range(20):
            status = func()[0]
            assert status == expected[name], (name, status)
    if args.profile:
        profiler = cProfile.Profile(time.process_time)
        func = kinds[args.profile]
        profiler.enable()
        for _ in range(args.requests):
            func()
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(45)
        print(out.getvalue())
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(30)
        print(out.getvalue())
    samples: dict[str, list[float]] = {name: [] for name in kinds}
    rounds = 20
    size = max(1, args.requests // rounds)
    for _ in range(rounds):
        for name, func in kinds.items():
            samples[name].append(cpu_ms(repeat, func, size)[0] / size)

    flows = {"one save an answer": False, "a page's answers a save": True}
    respondents: dict[str, list[float]] = {name: [] for name in flows}
    counts: dict[str, int] = {}
    links = iter(tokens[3:])
    for _ in range(args.respondents // 2):
        for name, batch in flows.items():
            token = next(links)
            spent, counts[name] = cpu_ms(complete_respondent, app, token, batch)
            respondents[name].append(spent)
    print(f"in-process CPU a request, median of {rounds} batches of {size} (DEBUG off, PostgreSQL)")
    base = statistics.median(samples["bare"])
    labels = {
        "bare": "bare view (/livez/)",
        "save": "save, one answer (script)",
        "save5": "save, a page's answers (script)",
        "page": "questionnaire page (GET)",
        "post": "the page's form (POST, redirect)",
        "summary": "summary (GET)",
    }
    for name, values in samples.items():
        median = statistics.median(values)
        print(
            f"  {labels[name]:<34} {median:6.3f} ms   ({min(values):.3f}–{max(values):.3f})"
            f"   {median / base:5.2f} × bare   {base / median:5.2f} bare ÷ it"
        )
    for name, values in respondents.items():
        print(
            f"  a complete respondent, {name} ({counts[name]} requests): median "
            f"{statistics.median(values):.1f} ms ({min(values):.1f}–{max(values):.1f}), {len(values)} links"
        )
    return 0


def complete_respondent(app, token: str, batch: bool) -> int:
    """A respondent's requests on a fresh link, as benchmarks/load_users.py makes them (and the page's
    script): the link, the start page, per page its GET, its saves (one an answer, or the page's answers in
    one) and the form's POST with every answer of the page, then summary, submit and receipt. Returns the
    number of requests."""
    browser = Browser(app)
    made = 0

    def call(method, path, data=None, expect=200):
        nonlocal made
        made += 1
        status, headers, content = browser.request(method, path, data)
        assert status == expect, (method, path, status, content[:300])
        return headers, content.decode()

    headers, _html = call("GET", f"/s/{token}/", expect=302)
    assert urlsplit(headers["location"]).path == "/enkat/", headers["location"]
    call("GET", "/enkat/")
    number = 1
    while True:
        path = f"/enkat/sida/{number}/"
        _headers, html = call("GET", path)
        save_token = re.search(r'data-save-token="([^"]+)"', html).group(1)
        names = list(dict.fromkeys(re.findall(r'type="radio" name="(s\d+)" id="s\d+-1"', html)))
        answers = {name: str(1 + (len(name) + number) % 6) for name in names}
        bodies = [answers] if batch else [{name: value} for name, value in answers.items()]
        for body in bodies:
            call("POST", "/enkat/spara/", body | {"t": save_token})
        last = 'name="nav" value="summary"' in html
        fields = answers | {"nav": "summary" if last else "next", "t": save_token}
        headers, _html = call("POST", path, fields, expect=302)
        if last:
            break
        number += 1
    call("GET", "/enkat/sammanfattning/")
    headers, _html = call("POST", "/enkat/sammanfattning/", {"confirm": "on"}, expect=302)
    assert urlsplit(headers["location"]).path == "/enkat/kvitto/", headers["location"]
    call("GET", "/enkat/kvitto/")
    return made


if __name__ == "__main__":
    sys.exit(main())
