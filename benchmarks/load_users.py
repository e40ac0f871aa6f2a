"""The simulated users of benchmarks/load.py (a Locust file; run that script, not this one).

``load.py`` starts PostgreSQL's database, gunicorn and Locust itself, and hands this file its settings in a
JSON file named by ``DIMIOS_LOAD_CONFIG``: the personal links to answer, whether saves carry several
answers, the pacing, and where to write the figures. Every task sends exactly one request, so that Locust's
``constant_throughput`` paces requests (``--rate``), not whole respondents.

- ``Respondent`` does what a browser with the page's script (static/js/respond.js) does: it opens its
  personal link (302 to the start page), opens the start page, and for each page of statements GETs it,
  saves the answers as they are given (``save_bodies``: one request an answer, or all of the page's answers
  in one request with ``--batch-saves``), POSTs the page (``nav=next``, the last page ``nav=summary``),
  opens the summary, submits it and opens the receipt. Then it takes the next unused link.
- ``SaveSaturation`` opens one link and then only saves answers, as fast as the server answers.
- ``Bare`` (paced) and ``BareSaturation`` (as fast as possible) GET the bare view ``/livez/``.

Requests carry what the TLS-terminating proxy of docs/deployment.md sends (``X-Forwarded-Proto: https``,
``X-Forwarded-For``) and POSTs the browser's ``Origin``, so the production settings run unchanged."""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
from pathlib import Path

from locust import FastHttpUser, constant, constant_throughput, events, task
from locust.exception import StopUser

CONFIG = json.loads(Path(os.environ["DIMIOS_LOAD_CONFIG"]).read_text())
ORIGIN = CONFIG["origin"]
BATCH_SAVES = bool(CONFIG.get("batch_saves"))
VALUES = ["1", "2", "3", "4", "5", "6", "dk"]
VALUE_WEIGHTS = [1, 2, 4, 5, 4, 2, 1]

STATEMENT = re.compile(r'data-statement="(\d+)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SAVE_TOKEN = re.compile(r'data-save-token="([^"]+)"')
RESUME = re.compile(r"/enkat/sida/(\d+)/$")

LINKS: list[list] = list(CONFIG.get("links", []))  # [invitation id, raw token], taken from the end
SAVE_LINKS: list[list] = list(CONFIG.get("save_links", []))
ACKNOWLEDGED: list[int] = []  # invitations whose submit answered with the receipt's redirect
COUNTS = {"started": 0, "completed": 0, "abandoned": 0, "links_ran_out": 0}
_addresses = iter(range(1, 250 * 250))


def save_bodies(answers: dict[int, str], *, batch: bool = BATCH_SAVES) -> list[dict[str, str]]:
    """The bodies of the save requests that send a page's answers, in the order the page's script sends
    them (``s<id>=<value>``, the fields of surveys/views/respond.py's ``respond_save``): one request an
    answer, or with ``batch`` all of them in one request, as the coalesced autosave sends a page's answers
    given within a few seconds."""
    if batch:
        return [{f"s{statement}": value for statement, value in answers.items()}]
    return [{f"s{statement}": value} for statement, value in answers.items()]


class Flow(Exception):
    """A step answered something else than the page's script expects: the respondent gives up this link."""


class _Base(FastHttpUser):
    abstract = True
    # The same keep-alive connection per simulated browser, as a browser would.
    concurrency = 1

    def on_start(self) -> None:
        # Cookies are kept here, as the production test's browser keeps them: the session and CSRF cookies
        # are Secure (the public side is HTTPS; only the proxy's hop to gunicorn is plain HTTP).
        self.client.client.cookiejar = None
        self.cookies: dict[str, str] = {}
        number = next(_addresses)
        # Loopback addresses only, as the client addresses the proxy would append.
        self.forwarded_for = f"127.{100 + number // 62500}.{number // 250 % 250}.{number % 250 + 1}"

    def headers(self, *, post: bool = False, json_accept: bool = False) -> dict[str, str]:
        headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": self.forwarded_for}
        if post:
            headers["Origin"] = ORIGIN
        if json_accept:
            headers["Accept"] = "application/json"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return headers

    def keep_cookies(self, response) -> None:
        for value in response.headers.getlist("set-cookie") if response.headers else []:
            name, _, rest = value.partition("=")
            value = rest.split(";", 1)[0]
            if value and "max-age=0" not in rest.lower():
                self.cookies[name.strip()] = value
            else:
                self.cookies.pop(name.strip(), None)

    def get(self, path: str, name: str, *, expect: int = 200):
        with self.client.get(
            path, name=name, headers=self.headers(), allow_redirects=False, catch_response=True
        ) as response:
            self.keep_cookies(response)
            if response.status_code != expect:
                response.failure(f"{path}: {response.status_code}, expected {expect}")
                raise Flow(path)
            response.success()
            return response

    def post(self, path: str, name: str, data: dict[str, str], *, csrf: str, expect: int = 302):
        headers = self.headers(post=True, json_accept=expect == 200)
        headers["X-CSRFToken"] = csrf
        with self.client.post(
            path, name=name, data=data, headers=headers, allow_redirects=False, catch_response=True
        ) as response:
            self.keep_cookies(response)
            if response.status_code != expect:
                response.failure(f"{path}: {response.status_code}, expected {expect}")
                raise Flow(path)
            if expect == 200:
                try:
                    body = json.loads(response.text)
                except ValueError:
                    body = {}
                if not body.get("ok"):
                    response.failure(f"{path}: answered {response.text[:120]!r}")
                    raise Flow(path)
            response.success()
            return response

    def save(self, body: dict[str, str], csrf: str):
        """As the page's script sends it: the answers, the CSRF token and the page's save token."""
        body = {**body, "csrfmiddlewaretoken": csrf, "t": self.save_token}
        return self.post("/enkat/spara/", "save", body, csrf=csrf, expect=200)


def _location(response) -> str:
    return response.headers.get("location") or response.headers.get("Location") or ""


def _page(html: str) -> tuple[str, list[int], bool]:
    token = CSRF.search(html)
    if token is None:
        raise Flow("no CSRF token on the page")
    return token.group(1), [int(s) for s in STATEMENT.findall(html)], 'name="nav" value="summary"' in html


def _save_token(html: str) -> str:
    found = SAVE_TOKEN.search(html)
    if found is None:
        raise Flow("no save token on the page")
    return found.group(1)


class Respondent(_Base):
    wait_time = (
        constant_throughput(CONFIG["respondent_rate"]) if CONFIG.get("respondent_rate") else constant(0)
    )
    weight = 1

    def on_start(self) -> None:
        super().on_start()
        self.steps = self.flow()

    @task
    def step(self) -> None:
        next(self.steps)

    def flow(self):
        while True:
            if not LINKS:
                COUNTS["links_ran_out"] += 1
                raise StopUser()
            invitation, token = LINKS.pop()
            self.cookies.clear()
            COUNTS["started"] += 1
            try:
                yield from self.answer(invitation, token)
            except Flow:
                COUNTS["abandoned"] += 1
                yield

    def answer(self, invitation: int, token: str):
        response = self.get(f"/s/{token}/", "link (302)", expect=302)
        start = _location(response).split("#", 1)[0]
        yield
        resume = RESUME.search(start)
        on_pages = True
        number = 1
        if start.endswith("/enkat/"):
            self.get("/enkat/", "page: start")
            yield
        elif resume:  # a draft begun earlier: the link sends to the first unanswered statement
            number = int(resume.group(1))
        elif start.endswith("/enkat/sammanfattning/"):  # every page answered earlier
            on_pages = False
        else:
            raise Flow(f"the link sent to {start!r}")
        while on_pages:
            path = f"/enkat/sida/{number}/"
            html = self.get(path, "page: statements").text
            yield
            csrf, statements, is_last = _page(html)
            self.save_token = _save_token(html)
            answers = {s: random.choices(VALUES, VALUE_WEIGHTS)[0] for s in statements}
            for body in save_bodies(answers):
                self.save(body, csrf)
                yield
            fields = {f"s{s}": v for s, v in answers.items()}
            fields.update(csrfmiddlewaretoken=csrf, nav="summary" if is_last else "next")
            target = _location(self.post(path, "page: post (302)", fields, csrf=csrf))
            yield
            if target.endswith("/enkat/sammanfattning/"):
                break
            if not target.endswith(f"/enkat/sida/{number + 1}/"):
                raise Flow(f"page {number} sent to {target!r}")
            number += 1
        html = self.get("/enkat/sammanfattning/", "page: summary").text
        yield
        csrf, _statements, _last = _page(html)
        response = self.post(
            "/enkat/sammanfattning/",
            "submit (302)",
            {"csrfmiddlewaretoken": csrf, "confirm": "on"},
            csrf=csrf,
        )
        if not _location(response).endswith("/enkat/kvitto/"):
            raise Flow(f"the submit sent to {_location(response)!r}")
        ACKNOWLEDGED.append(invitation)
        yield
        self.get("/enkat/kvitto/", "page: receipt")
        COUNTS["completed"] += 1
        yield


class SaveSaturation(_Base):
    """Only saves, back to back, on one draft each: the server's save throughput at saturation."""

    wait_time = constant(0)

    def on_start(self) -> None:
        super().on_start()
        if not SAVE_LINKS:
            raise StopUser()
        _invitation, token = SAVE_LINKS.pop()
        self.get(f"/s/{token}/", "setup: link", expect=302)
        html = self.get("/enkat/sida/1/", "setup: page").text
        self.csrf, self.statements, _last = _page(html)
        self.save_token = _save_token(html)

    @task
    def save_answers(self) -> None:
        answers = {s: random.choices(VALUES, VALUE_WEIGHTS)[0] for s in self.statements}
        if not BATCH_SAVES:
            statement = random.choice(self.statements)
            answers = {statement: answers[statement]}
        with contextlib.suppress(Flow):
            self.save(save_bodies(answers)[0], self.csrf)


class Bare(_Base):
    """The bare view at a browser-like pace, alongside the respondents: the framework's floor under load."""

    wait_time = constant_throughput(CONFIG.get("bare_rate") or 1)
    fixed_count = int(CONFIG.get("bare_users") or 0)

    @task
    def bare(self) -> None:
        with contextlib.suppress(Flow):
            self.get("/livez/", "bare")


class BareSaturation(Bare):
    wait_time = constant(0)
    fixed_count = 0


@events.quitting.add_listener
def _write_figures(environment, **_kwargs) -> None:
    stats = environment.stats
    entries = {}
    for (name, method), entry in stats.entries.items():
        entries[name] = {
            "method": method,
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "p50": entry.get_response_time_percentile(0.5),
            "p95": entry.get_response_time_percentile(0.95),
            "p99": entry.get_response_time_percentile(0.99),
            "max": entry.max_response_time,
            "first": entry.start_time,
            "last": entry.last_request_timestamp,
            # Response times (ms, rounded as Locust keeps them) → count: for percentiles over several entries.
            "histogram": {str(k): v for k, v in entry.response_times.items()},
        }
    errors = [
        {"method": e.method, "name": e.name, "error": str(e.error), "count": e.occurrences}
        for e in stats.errors.values()
    ]
    Path(CONFIG["out"]).write_text(
        json.dumps(
            {
                "entries": entries,
                "total": {"requests": stats.total.num_requests, "failures": stats.total.num_failures},
                "errors": errors,
                "acknowledged": ACKNOWLEDGED,
                "counts": COUNTS,
            }
        )
    )
