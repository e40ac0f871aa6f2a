"""Shared fixtures: personas, real services (Redis, a Celery worker, an SMTP server, Chromium) and the
axe-core check.

A test that needs a real service asks for it through ``require_service``: on a newcomer's machine without
the service it is skipped with a reason naming what is missing; in CI (``CI=true``) it fails instead.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls a browser test makes between
# page actions are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() == "true"
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def require_service(name: str, available: bool, reason: str = "") -> None:
    """Skip (locally) or fail (in CI) when a real service a test needs is missing."""
    if available:
        return
    message = f"{name} is not available{': ' + reason if reason else ''}"
    if IN_CI:
        pytest.fail(f"{message} (in CI every service must be there)")
    pytest.skip(message)


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- Personas ----------------------------------------------------------------------------------------------


@pytest.fixture
def organisation(db):
    """A municipality with two departments (one with a unit) and the default respondent groups."""
    from surveys.services.organisations import add_organisation, create_department

    organisation, _ = add_organisation(code="0580")
    social = create_department(organisation=organisation, name="Socialförvaltningen")
    create_department(organisation=organisation, name="Äldreomsorg", parent=social)
    create_department(organisation=organisation, name="Utbildningsförvaltningen")
    return organisation


@pytest.fixture
def other_organisation(db):
    from surveys.services.organisations import add_organisation, create_department

    other, _ = add_organisation(code="0180")
    create_department(organisation=other, name="Stadsledningskontoret")
    return other


def _department(organisation, name):
    return organisation.departments.get(name=name)


@pytest.fixture
def social_department(organisation):
    return _department(organisation, "Socialförvaltningen")


@pytest.fixture
def school_department(organisation):
    return _department(organisation, "Utbildningsförvaltningen")


def _persona(username: str, organisation=None, role=None, departments=()):
    from surveys.models import RoleAssignment
    from tests.factories import UserFactory

    user = UserFactory(username=username, email=username)
    if organisation is not None:
        assignment = RoleAssignment.objects.create(user=user, organisation=organisation, role=role)
        if departments:
            assignment.departments.set(departments)
    return user


@pytest.fixture
def org_admin(organisation):
    return _persona("alice.admin@kommun.example", organisation, "org_admin")


@pytest.fixture
def management(organisation):
    return _persona("mats.ledning@kommun.example", organisation, "management")


@pytest.fixture
def dept_rep(organisation, social_department):
    return _persona("bob.rep@kommun.example", organisation, "department_rep", [social_department])


@pytest.fixture
def outsider(other_organisation):
    return _persona("charlie.other@annan.example", other_organisation, "org_admin")


TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # a test-only authenticator key


def enrol_totp(user, secret: str = TOTP_SECRET):
    """Give a user an authenticator app (TOTP) with this key, as allauth's enrolment would."""
    from allauth.mfa.totp.internal.auth import TOTP

    return TOTP.activate(user, secret)


@pytest.fixture
def platform_admin(db):
    """A superuser. Platform admins must have a second factor, so this one has an authenticator app."""
    from tests.factories import UserFactory

    user = UserFactory(username="root@plattform.example", is_staff=True, is_superuser=True)
    enrol_totp(user)
    return user


@pytest.fixture
def no_role_user(db):
    return _persona("nobody@kommun.example")


PASSWORD = "correct horse battery staple"


# --- Redis and a real Celery worker -------------------------------------------------------------------------


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A Redis database on the local server (TEST_REDIS_DB, default 13). It is not flushed, since other test
    runs may share it: Celery tests get a queue of their own instead (see ``celery_harness``)."""
    require_service(
        "Redis", _port_open(REDIS_HOST, REDIS_PORT), f"nothing listens on {REDIS_HOST}:{REDIS_PORT}"
    )
    import redis

    db = int(os.environ.get("TEST_REDIS_DB", "13")) + int(
        os.environ.get("PYTEST_XDIST_WORKER", "gw0")[2:] or 0
    )
    url = f"redis://{REDIS_HOST}:{REDIS_PORT}/{db}"
    client = redis.Redis.from_url(url)
    client.ping()
    yield url
    client.close()


def _database_url_for_subprocess() -> str:
    """The URL of the database this test runs on, for another process (a worker, a server) to use."""
    from django.db import connection

    settings_dict = connection.settings_dict
    if connection.vendor != "postgresql":
        return ""
    user = settings_dict.get("USER") or "postgres"
    password = settings_dict.get("PASSWORD") or ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or "5432"
    auth = f"{user}:{password}@" if password else f"{user}@"
    return f"postgres://{auth}{host}:{port}/{settings_dict['NAME']}"


def require_postgres() -> str:
    url = _database_url_for_subprocess()
    require_service(
        "PostgreSQL",
        bool(url),
        "this test shares its database with another process; set DATABASE_URL=postgres://…",
    )
    return url


def subprocess_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "DJANGO_ALLOW_ASYNC"))}
    env.update(
        DJANGO_DEBUG="1",
        DJANGO_SECRET_KEY="test-only-secret",
        DJANGO_READ_DOT_ENV="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        EMAIL_URL=os.environ.get("EMAIL_URL", "dummymail://"),
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


@dataclass
class WorkerProcess:
    process: subprocess.Popen
    log_path: Path
    name: str

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        """SIGKILL: the worker dies mid-task, as in a crash."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


@dataclass
class CeleryHarness:
    """Points this process's Celery app at a real broker and starts real worker processes on it."""

    broker_url: str
    database_url: str
    tmp_path: Path
    queue: str = "celery"
    workers: list[WorkerProcess] = field(default_factory=list)

    def start_worker(
        self, *, concurrency: int = 1, extra_env: dict[str, str] | None = None, timeout: float = 60
    ) -> WorkerProcess:
        name = f"test-{uuid.uuid4().hex[:8]}@%h"
        log_path = self.tmp_path / f"worker-{len(self.workers)}.log"
        env = subprocess_env(
            DATABASE_URL=self.database_url,
            REDIS_URL=self.broker_url,
            CELERY_BROKER_URL=self.broker_url,
            **(extra_env or {}),
        )
        with log_path.open("w") as log:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "dimios_web",
                    "worker",
                    "-l",
                    "INFO",
                    "-c",
                    str(concurrency),
                    "-n",
                    name,
                    "-Q",
                    self.queue,
                    "--without-mingle",
                    "--without-gossip",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        worker = WorkerProcess(process, log_path, name)
        self.workers.append(worker)
        self._wait_ready(worker, timeout)
        return worker

    def _wait_ready(self, worker: WorkerProcess, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if worker.process.poll() is not None:
                raise AssertionError(f"the Celery worker exited early:\n{worker.log()}")
            if " ready." in worker.log():
                return
            time.sleep(0.2)
        raise AssertionError(f"the Celery worker did not become ready in {timeout}s:\n{worker.log()}")

    def stop_all(self) -> None:
        for worker in self.workers:
            worker.stop()


def wait_for(
    condition: Callable[[], object], *, timeout: float = 30, interval: float = 0.2, message: str = ""
):
    """Poll until ``condition()`` is truthy; return its value or fail with ``message``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(message or f"condition not met within {timeout}s")


def _reset_celery_connections(app) -> None:
    """Forget pooled broker connections so that the next send uses the current broker_url."""
    from kombu import pools

    pools.reset()
    app._pool = None
    app.__dict__.pop("amqp", None)  # rebuilt from app.conf: queues, routes, producer pool


@pytest.fixture
def celery_harness(transactional_db, redis_url, tmp_path, settings) -> Iterator[CeleryHarness]:
    """Real Redis + real worker processes sharing this test's PostgreSQL database.

    Tasks sent from the test go through the broker (not eagerly). Use ``celery_harness.start_worker()``."""
    database_url = require_postgres()
    from dimios_web.celery import app

    previous = {k: app.conf.get(k) for k in ("broker_url", "task_always_eager", "task_default_queue")}
    # A queue of this test's own: test runs sharing the Redis server never take each other's tasks.
    queue = f"test-{uuid.uuid4().hex[:12]}"
    app.conf.broker_url = redis_url
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = redis_url
    _reset_celery_connections(app)
    harness = CeleryHarness(broker_url=redis_url, database_url=database_url, tmp_path=tmp_path, queue=queue)
    try:
        yield harness
    finally:
        harness.stop_all()
        import redis

        redis.Redis.from_url(redis_url).delete(queue)
        _reset_celery_connections(app)
        app.conf.update(previous)


@pytest.fixture
def celery_worker(celery_harness) -> WorkerProcess:
    """One real worker, ready."""
    return celery_harness.start_worker()


# --- A real SMTP server ---------------------------------------------------------------------------


@dataclass
class SMTPServer:
    host: str
    port: int
    messages: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    def wait_for_messages(self, count: int, timeout: float = 30) -> list:
        wait_for(
            lambda: len(self.messages) >= count,
            timeout=timeout,
            message=f"expected {count} e-mails, got {len(self.messages)}",
        )
        return list(self.messages)


@pytest.fixture
def smtp_server(settings) -> Iterator[SMTPServer]:
    """An aiosmtpd server on loopback; Django's e-mail goes to it over a real SMTP conversation."""
    from email import message_from_bytes, policy

    from aiosmtpd.controller import Controller

    server = SMTPServer(host="127.0.0.1", port=free_port())

    class Handler:
        async def handle_DATA(self, smtp, session, envelope):
            message = message_from_bytes(envelope.original_content, policy=policy.default)
            with server.lock:
                server.messages.append(message)
            return "250 OK"

    controller = Controller(Handler(), hostname=server.host, port=server.port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = server.host
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    try:
        yield server
    finally:
        controller.stop()


# --- Chromium and axe-core -------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright launches Debian's Chromium; no browser is ever downloaded."""
    available = Path(CHROMIUM).exists()
    if not available:
        if IN_CI:
            raise RuntimeError(f"Chromium is required in CI; not found at {CHROMIUM}")
        pytest.skip(f"Chromium is not installed (looked for {CHROMIUM}; apt-get install chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "sv-SE", "timezone_id": "Europe/Stockholm"}


def axe_violations(page) -> list[dict]:
    """Run axe-core (the copy inside the axe-playwright-python package) on the page: WCAG 2.1 A and AA."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    return results.response["violations"]


def assert_no_axe_violations(page) -> None:
    violations = axe_violations(page)
    summary = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
        for v in violations
    )
    assert not violations, f"axe-core found WCAG 2.1 A/AA violations on {page.url}:\n{summary}"


def assert_fits_and_accessible(page, *, reload: bool = False, widths: tuple[int, ...] = (1366, 375)) -> None:
    """At each width (a desktop, a phone) the page is no wider than the window and axe-core finds no WCAG
    2.1 A/AA violation; ``reload`` loads the page again at each width (as a phone would open it). The
    window is a desktop's again afterwards."""
    for width in widths:
        page.set_viewport_size({"width": width, "height": 800})
        if reload:
            page.reload()
            page.wait_for_load_state()
        assert page.evaluate("document.documentElement.scrollWidth") <= width, (
            f"the page is wider than {width} px"
        )
        assert_no_axe_violations(page)
    page.set_viewport_size({"width": 1366, "height": 900})


@pytest.fixture
def axe_check():
    return assert_no_axe_violations


def login(page, live_server, username: str, password: str = PASSWORD) -> None:
    """Log in through the real login form."""
    page.goto(f"{live_server.url}/konto/logga-in/")
    page.get_by_label("E-postadress eller användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_load_state()


def login_with_second_factor(page, live_server, username: str, password: str = PASSWORD) -> None:
    """Log in through the real login form and the second factor's page, with the code of ``TOTP_SECRET``
    (a platform admin enrolled by the ``platform_admin`` fixture); the caller allows one step's tolerance
    (``settings.MFA_TOTP_TOLERANCE = 1``) so a code made at a step's end still counts."""
    import pyotp

    login(page, live_server, username, password)
    page.get_by_label("Kod från autentiseringsappen eller en reservkod").fill(pyotp.TOTP(TOTP_SECRET).now())
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_load_state()


@pytest.fixture
def browser_login(live_server):
    def _login(page, user, password: str = PASSWORD):
        login(page, live_server, user.username, password)

    return _login


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (Django's test cases do not clear the local-memory cache)."""
    from django.core.cache import cache

    from surveys.selectors.respond import forget_questionnaire_structures

    cache.clear()
    # A rolled-back test database hands the next test the same ids for other questionnaires (SQLite).
    forget_questionnaire_structures()
    yield
    cache.clear()
