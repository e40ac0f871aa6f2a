"""The production path without Docker (issue 11): on a fresh copy of the repository's tracked files, run the
image's own build steps (scripts/build-assets.sh: compilemessages, collectstatic with the production
storage), start gunicorn through the image's entrypoint (which migrates a fresh PostgreSQL database) with
DEBUG off, behind a simulated TLS proxy on another host, then log in as every role and check that their
pages, a respondent's pages and the static files answer 200, with hashed names served by WhiteNoise.

Marked ``production``; part of `make test`. It needs PostgreSQL, Redis and git."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

from tests.conftest import ROOT, free_port, require_postgres, require_service

pytestmark = [pytest.mark.production, pytest.mark.postgres, pytest.mark.redis]

PUBLIC_ORIGIN = "https://dimios.kommun.example"
SECRET = "production-test-" + "q7Wm2xRk9vLp4sTn8bYc3hJd6fGz1aQe5uKo0iXw"
HASHED = re.compile(r"/static/[\w/.-]+\.[0-9a-f]{12}\.\w+")


def tracked_copy(destination: Path) -> Path:
    """The files git tracks, as they are in the working tree: a file that was never added is missing here,
    as it would be on a fresh clone."""
    require_service("git", shutil.which("git") is not None, "apt-get install git")
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    for raw in filter(None, listed):
        relative = raw.decode()
        source = ROOT / relative
        if not source.is_file():
            continue  # deleted in the working tree
        target = destination / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    return destination


class Browser:
    """A small HTTP client for the proxied site: it keeps cookies (Secure ones too: the public side is
    HTTPS, only the proxy's hop is plain HTTP), sends what a TLS proxy on another host sends, and never
    follows redirects by itself."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, *, data: dict | None = None, proxied: bool = True):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Host": f"127.0.0.1:{self.port}", "Accept-Encoding": "gzip"}
        if proxied:
            headers["X-Forwarded-Proto"] = "https"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            # The browser is on the public site; the proxy forwards to another host name.
            headers["Origin"] = PUBLIC_ORIGIN
            headers["Referer"] = PUBLIC_ORIGIN + path
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                cookie = SimpleCookie()
                cookie.load(value)
                for name, morsel in cookie.items():
                    if morsel.value:
                        self.cookies[name] = morsel.value
                    else:
                        self.cookies.pop(name, None)
        connection.close()
        return response, content

    def get(self, path: str, **kwargs):
        return self.request("GET", path, **kwargs)

    def text(self, path: str) -> tuple[int, str, http.client.HTTPResponse]:
        response, content = self.get(path)
        if response.getheader("Content-Encoding") == "gzip":
            import gzip

            content = gzip.decompress(content)
        return response.status, content.decode("utf-8", errors="replace"), response

    def post_form(self, path: str, fields: dict):
        status, html, _response = self.text(path)
        assert status == 200, (path, status)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        assert token, f"no CSRF token on {path}"
        return self.request("POST", path, data={"csrfmiddlewaretoken": token.group(1), **fields})


def _links(html: str) -> list[str]:
    found = []
    for href in re.findall(r'href="(/[^"#]*)"', html):
        href = href.replace("&amp;", "&")
        if href.startswith(("/static/", "/konto/logga-ut", "/admin/logout")) or "download" in href:
            continue
        if href.startswith("/admin/") and href.count("/") > 4:
            continue  # the admin's own pages: its index and changelists are enough here
        found.append(href)
    return found


def crawl(browser: Browser, start: str, *, limit: int = 60) -> dict[str, tuple[int, str]]:
    """GET the start page and the site's pages it links to (two levels): status and HTML of each."""
    seen: dict[str, tuple[int, str]] = {}
    queue = [(start, 0)]
    while queue and len(seen) < limit:
        path, depth = queue.pop(0)
        if path in seen:
            continue
        status, html, response = browser.text(path)
        location = urlsplit(response.getheader("Location") or "")
        if status == 302 and not location.netloc and location.path.startswith("/"):
            # a page that sends on to another one of the site (an overview to its latest year)
            status, target = 200, location.path + (f"?{location.query}" if location.query else "")
            queue.insert(0, (target, depth))
        seen[path] = (status, html)
        if depth < 2 and status == 200:
            queue.extend((link, depth + 1) for link in _links(html) if link not in seen)
    return seen


@pytest.fixture
def production_site(tmp_path, redis_url, django_db_blocker):
    """The copy, built; a fresh database; gunicorn started by the entrypoint; the demo data loaded."""
    database_url = require_postgres()
    import psycopg2

    with django_db_blocker.unblock():
        from django.db import connection

        params = connection.settings_dict
    database = f"{params['NAME']}_production"[:63]
    admin = psycopg2.connect(
        dbname="postgres",
        user=params.get("USER") or "postgres",
        password=params.get("PASSWORD") or None,
        host=params.get("HOST") or "127.0.0.1",
        port=params.get("PORT") or "5432",
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{database}"')
        cursor.execute(f'CREATE DATABASE "{database}"')
    redis_production = redis_url.rsplit("/", 1)[0] + "/14"  # a database of its own: tasks stay unconsumed

    repo = tracked_copy(tmp_path / "repo")
    static_root = tmp_path / "staticfiles"
    base_env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DIMIOS_", "CELERY_", "PYTEST_", "REDIS_", "CACHE_", "EMAIL_"))
        and k != "DATABASE_URL"
    }
    build = subprocess.run(
        ["sh", "scripts/build-assets.sh"],
        cwd=repo,
        env={**base_env, "PYTHON": sys.executable, "DJANGO_STATIC_ROOT": str(static_root)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert build.returncode == 0, (
        f"the image's build steps fail on a fresh copy:\n{build.stdout}{build.stderr}"
    )
    assert (static_root / "staticfiles.json").exists()
    assert list(repo.glob("locale/sv/LC_MESSAGES/django.mo"))

    env = {
        **base_env,
        "PYTHON": sys.executable,
        "PYTHONPATH": str(repo),
        "DJANGO_DEBUG": "0",
        "DJANGO_READ_DOT_ENV": "0",
        "DJANGO_SECRET_KEY": SECRET,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SITE_URL": PUBLIC_ORIGIN,
        "DJANGO_BEHIND_TLS_PROXY": "1",
        "DIMIOS_TRUSTED_PROXIES": "1",
        "DATABASE_URL": database_url.rsplit("/", 1)[0] + "/" + database,
        "REDIS_URL": redis_production,
        "EMAIL_URL": "dummymail://",
        "DJANGO_STATIC_ROOT": str(static_root),
        "DJANGO_MEDIA_ROOT": str(tmp_path / "media"),
    }
    port = free_port()
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [
                str(repo / "docker" / "entrypoint.sh"),
                sys.executable,
                "-m",
                "gunicorn",
                "dimios_web.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--timeout",
                "120",
            ],
            cwd=repo,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        browser = Browser(port)
        deadline = time.monotonic() + 240
        while True:
            assert server.poll() is None, f"gunicorn exited:\n{log_path.read_text()}"
            try:
                status, body, _response = browser.text("/readyz")
                if status == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, f"the site did not become ready:\n{log_path.read_text()}"
            time.sleep(0.5)
        demo = subprocess.run(
            [sys.executable, "manage.py", "load_demo_data"],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert demo.returncode == 0, demo.stdout + demo.stderr
        link = subprocess.run(  # a fresh personal link to the demo's open round (the demo prints one too)
            [
                sys.executable,
                "manage.py",
                "shell",
                "-c",
                "from tests.demo_window import ensure_open_demo_round; print(ensure_open_demo_round({}))",
            ],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert link.returncode == 0, link.stdout + link.stderr
        yield {
            "port": port,
            "repo": repo,
            "demo": demo.stdout + link.stdout,
            "log": log_path,
            "body": body,
        }
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        import redis

        redis.Redis.from_url(redis_production).delete("celery")
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.close()


def _login(browser: Browser, username: str) -> None:
    response, _content = browser.post_form(
        "/konto/logga-in/", {"login": username, "password": "demo-dimios-2026"}
    )
    assert response.status == 302, f"login of {username} behind the proxy answered {response.status}"
    location = urlsplit(response.getheader("Location")).path
    if location == "/konto/tvafaktor/kod/":  # the platform admin's second factor (the demo's published key)
        from dimios_web.demo.identity import current_code

        response, _content = browser.post_form(location, {"code": current_code()})
        assert response.status == 302, f"second factor of {username} answered {response.status}"
        location = urlsplit(response.getheader("Location")).path
    assert location == "/", (username, location)


def test_the_production_build_serves_every_role_and_the_static_files(production_site):
    port = production_site["port"]
    assert '"migrations": "ok"' in production_site["body"]
    logins = re.findall(r"^\s+(\S+)\s{2,}", production_site["demo"], flags=re.MULTILINE)
    assert len(logins) == 4, production_site["demo"]
    static_paths: set[str] = set()
    pages_per_role = {}
    for username in logins:
        browser = Browser(port)
        _login(browser, username)
        pages = crawl(browser, "/")
        failures = {path: status for path, (status, _html) in pages.items() if status != 200}
        assert not failures, f"{username}: {failures}\n{production_site['log'].read_text()[-3000:]}"
        pages_per_role[username] = len(pages)
        for _status, html in pages.values():
            static_paths.update(re.findall(r'(?:src|href)="(/static/[^"]+)"', html))
    assert all(count >= 5 for count in pages_per_role.values()), pages_per_role

    # A respondent: the personal link from the demo, the start page, the first page of statements.
    link = re.search(r"(/s/[\w-]+/)", production_site["demo"])
    assert link, production_site["demo"]
    respondent = Browser(port)
    response, _content = respondent.get(link.group(1))
    assert response.status == 302
    status, html, page = respondent.text(urlsplit(response.getheader("Location")).path)
    assert status == 200
    assert "no-store" in page.getheader("Cache-Control")
    static_paths.update(re.findall(r'(?:src|href)="(/static/[^"]+)"', html))
    # The page script's autosave through gunicorn (the short way of surveys.middleware): saved, with every
    # response's headers; the same save from another site is refused.
    status, html, page = respondent.text("/enkat/sida/1/")
    assert status == 200
    static_paths.update(re.findall(r'(?:src|href)="(/static/[^"]+)"', html))
    token = re.search(r'data-save-token="([^"]+)"', html).group(1)
    statement = re.search(r'type="radio" name="(s\d+)"', html).group(1)
    response, content = respondent.request("POST", "/enkat/spara/", data={statement: "4", "t": token})
    assert response.status == 200, content
    assert json.loads(content)["ok"] is True
    for header in ("Content-Security-Policy", "X-Frame-Options", "Strict-Transport-Security"):
        assert response.getheader(header), header
    assert "no-store" in response.getheader("Cache-Control")
    forged = Browser(port)
    forged.cookies = dict(respondent.cookies)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request(
        "POST",
        "/enkat/spara/",
        body=urlencode({statement: "1", "t": token}),
        headers={
            "Host": f"127.0.0.1:{port}",
            "X-Forwarded-Proto": "https",
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": "https://forger.example",
            "Cookie": "; ".join(f"{k}={v}" for k, v in forged.cookies.items()),
        },
    )
    refused = connection.getresponse()
    assert refused.status == 403
    connection.close()

    # Static files: every reference is a hashed name, served by WhiteNoise (compressed, cached for ever).
    assert static_paths
    unhashed = sorted(p for p in static_paths if not HASHED.fullmatch(p))
    assert not unhashed, f"pages reference static files without a hashed name: {unhashed}"
    assert any("plotly-cartesian.min." in p for p in static_paths) and any(
        "bootstrap.min." in p for p in static_paths
    )
    client = Browser(port)
    for path in sorted(static_paths):
        response, content = client.get(path)
        assert response.status == 200, path
        assert "immutable" in response.getheader("Cache-Control", ""), path
        assert content


def test_production_headers_and_the_https_redirect(production_site):
    browser = Browser(production_site["port"])
    response, _content = browser.get("/konto/logga-in/", proxied=False)
    assert response.status == 301 and response.getheader("Location").startswith("https://")
    response, _content = browser.get("/konto/logga-in/")
    assert response.status == 200
    assert response.getheader("Strict-Transport-Security").startswith("max-age=31536000")
    policy = response.getheader("Content-Security-Policy")
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-eval" not in policy
    assert "no-store" in response.getheader("Cache-Control")
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    assert response.getheader("Referrer-Policy") == "same-origin"
    cookies = [v for k, v in response.getheaders() if k.lower() == "set-cookie"]
    assert cookies and all("Secure" in c and "HttpOnly" in c for c in cookies), cookies
    # The health probe of the load balancer talks plain HTTP inside the network.
    response, _content = browser.get("/healthz/", proxied=False)
    assert response.status == 200
