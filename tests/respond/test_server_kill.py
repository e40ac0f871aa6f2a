"""The application server dies (``kill -9``) in the middle of a survey: every answer the respondent was told
was saved is there after a restart, on the page and in the database.

gunicorn runs in its own process group on loopback, on a SQLite file that the setup, both server lifetimes
and this test share (PostgreSQL is not needed for this guarantee: the answer is committed before the
response is sent)."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT, free_port, subprocess_env

SETUP = """
import json
from tests.factories import InvitationFactory, RoundFactory, build_questionnaire, issue_link_token
from surveys.models import Statement
questionnaire = build_questionnaire(categories_per_dimension=2, statements_per_category=3)
invitation = InvitationFactory(round=RoundFactory(questionnaire=questionnaire))
token = issue_link_token(invitation)
ids = list(Statement.objects.filter(version=questionnaire).values_list("pk", flat=True))
print("SETUP" + json.dumps({"token": token, "statements": ids}))
"""


class Server:
    def __init__(self, env: dict, log: Path):
        self.env, self.log, self.port, self.process = env, log, free_port(), None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "dimios_web.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--workers",
                    "2",
                    "--timeout",
                    "30",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            try:
                urllib.request.urlopen(f"{self.url}/tillganglighet/", timeout=5)
                return
            except OSError:  # refused, reset or timed out while the workers boot
                time.sleep(0.2)
        raise AssertionError(f"gunicorn did not start:\n{self.log.read_text()}")

    def kill(self) -> None:
        """``kill -9`` the master and its workers: no graceful shutdown, nothing flushed."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.kill()


class Browser:
    """Just enough of a browser: cookies, redirects, the CSRF token from the page."""

    def __init__(self, server: Server):
        self.server = server
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.csrf = ""

    def get(self, path: str) -> tuple[str, str]:
        with self.opener.open(self.server.url + path, timeout=30) as response:
            html = response.read().decode()
            found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
            if found:
                self.csrf = found.group(1)
            return response.geturl(), html

    def post(self, path: str, data: dict, *, ajax: bool = False) -> tuple[int, str]:
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": self.csrf}).encode()
        request = urllib.request.Request(self.server.url + path, data=body, method="POST")
        request.add_header("Referer", self.server.url + path)  # Django's CSRF check over plain HTTP
        if ajax:
            request.add_header("X-CSRFToken", self.csrf)
        with self.opener.open(request, timeout=30) as response:
            return response.status, response.read().decode()


@pytest.fixture
def server(tmp_path):
    database = tmp_path / "survey.sqlite3"
    env = subprocess_env(DATABASE_URL=f"sqlite:///{database}", REDIS_URL="", CELERY_BROKER_URL="")
    env.pop("DJANGO_SETTINGS_MODULE", None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v0"], cwd=ROOT, env=env, check=True
    )
    setup = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SETUP],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    data = json.loads(setup.stdout.split("SETUP", 1)[1])
    server = Server(env, tmp_path / "gunicorn.log")
    server.start()
    server.data, server.database = data, database
    yield server
    server.stop()


def _checked(html: str) -> dict[int, str]:
    return {int(pk): value for pk, value in re.findall(r'id="s(\d+)-\w+" value="(\w+)" checked', html)}


def test_every_answer_given_before_a_kill_9_is_there_after_the_restart(server):
    token, ids = server.data["token"], server.data["statements"]
    phone = Browser(server)
    url, _html = phone.get(f"/s/{token}/")
    assert url == f"{server.url}/enkat/"
    phone.get("/enkat/sida/1/")
    # Saved as given (the page script's requests) …
    for statement, value in [(ids[0], "5"), (ids[1], "dk")]:
        status, body = phone.post("/enkat/spara/", {"statement": statement, "value": value}, ajax=True)
        assert (status, json.loads(body)["ok"]) == (200, True)
    # … and with "next" (no script).
    status, _ = phone.post(
        "/enkat/sida/1/", {f"s{ids[2]}": "2", f"s{ids[0]}": "5", f"s{ids[1]}": "dk", "nav": "next"}
    )
    assert status == 200  # followed the redirect to part 2
    status, body = phone.post("/enkat/spara/", {"statement": ids[3], "value": "6"}, ajax=True)
    assert json.loads(body)["ok"] is True

    server.kill()
    server.start()

    expected = {ids[0]: 5, ids[1]: None, ids[2]: 2, ids[3]: 6}
    with sqlite3.connect(server.database) as db:
        stored = dict(db.execute("SELECT statement_id, value FROM surveys_draftanswer").fetchall())
    assert stored == expected

    # The same browser (its session survived in the database) sees its answers in place …
    _url, html = phone.get("/enkat/sida/1/")
    assert _checked(html) == {ids[0]: "5", ids[1]: "dk", ids[2]: "2"}
    # … and the link opened on another device resumes at the first unanswered statement.
    laptop = Browser(server)
    url, html = laptop.get(f"/s/{token}/")
    assert url == f"{server.url}/enkat/sida/2/#s{ids[4]}"
    assert _checked(html) == {ids[3]: "6"}
