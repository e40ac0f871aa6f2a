"""The screenshots of docs/guide.md, made from `make run`'s demo: `make guide`.

Builds the demo in a temporary SQLite database, serves it with `runserver` on a free port, walks each role
through its job in Chromium (Debian's /usr/bin/chromium, Swedish browser language, laid out 1366 px wide)
and writes PNG images to docs/guide/img/. Run it again after a change to a page the guide shows; the images
are committed so that the guide reads on GitHub without running anything."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "guide" / "img"
PASSWORD = "demo-dimios-2026"
WIDTH, HEIGHT = 1366, 900


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(database: Path, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_DEBUG": "1",
        "DJANGO_READ_DOT_ENV": "0",
        "DATABASE_URL": f"sqlite:///{database}",
        "REDIS_URL": "",
        "CELERY_BROKER_URL": "",
        "EMAIL_URL": "consolemail://",
        "DJANGO_SITE_URL": f"http://127.0.0.1:{port}",
    }


def _manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


def _shot(page: Page, name: str, *, selector: str | None = None) -> None:
    """A screenshot of the browser's window (``selector``: scrolled to that element first)."""
    if selector:
        page.locator(selector).first.scroll_into_view_if_needed()
        page.evaluate("window.scrollBy(0, -80)")
    page.wait_for_timeout(400)  # charts finish drawing
    page.screenshot(path=_out / f"{name}.png")
    print(f"  {name}.png  {page.url}")


def _login(page: Page, base: str, username: str, env: dict[str, str]) -> None:
    page.goto(f"{base}/konto/logga-in/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_load_state()
    if "/tvafaktor/" in page.url:  # the platform admin's second factor: the demo's published key
        page.fill("input[name=code]", _manage(env, "demo_totp_code").strip().split()[-1])
        page.press("input[name=code]", "Enter")
        page.wait_for_load_state()


def _go(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")


_out = OUT


def main() -> None:
    global _out
    if len(sys.argv) > 1:  # another folder (the test of the guide writes to a temporary one)
        _out = Path(sys.argv[1])
    _out.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        env = _env(Path(tmp) / "guide.sqlite3", port)
        _manage(env, "migrate", "--no-input", "-v0")
        demo = _manage(env, "load_demo_data")
        link = re.search(r"(/s/[\w-]+/)", demo)
        if not link:
            sys.exit(f"The demo printed no respondent link:\n{demo}")
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(60):
                try:
                    urllib.request.urlopen(f"{base}/livez/", timeout=1)
                    break
                except OSError:
                    time.sleep(0.5)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium")
                _walk(browser, base, link.group(1), env)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)


def _walk(browser, base: str, link: str, env: dict[str, str]) -> None:
    def new_page() -> Page:
        # Laid out at 1 366 CSS px, saved 1 000 px wide: readable in the guide, a third of the bytes.
        return browser.new_page(
            viewport={"width": WIDTH, "height": HEIGHT}, device_scale_factor=1000 / WIDTH, locale="sv-SE"
        )

    print("Respondent")
    page = new_page()
    _go(page, base + link)
    _shot(page, "01-respondent-start")
    page.locator("main a.btn-primary").first.click()
    page.wait_for_load_state("networkidle")
    for fieldset in page.locator("fieldset.statement").all()[:3]:
        fieldset.locator("label").nth(3).click()
    page.wait_for_timeout(4500)  # the page's script sends the changes within 3 s: "Sparat"
    page.evaluate("window.scrollTo(0, 0)")
    _shot(page, "02-respondent-page")

    print("Organisation admin")
    page = new_page()
    _login(page, base, "digistab@linkoping.example", env)
    _shot(page, "10-admin-start")
    page.locator("a", has_text="HT 2026").first.click()
    page.wait_for_load_state("networkidle")
    _shot(page, "11-admin-round")
    _go(page, f"{base}/o/0580/departments/")
    _shot(page, "12-admin-departments")
    _go(page, f"{base}/o/0580/resultat/")
    _shot(page, "13-admin-dashboard")
    _shot(page, "14-admin-matrix", selector="[id$=matrix-chart], .chart-canvas")
    _go(page, f"{base}/o/0580/atgarder/")
    _shot(page, "15-admin-actions")
    _go(page, f"{base}/o/0580/arsrapport/2025/")
    _shot(page, "16-admin-report")

    print("Department representative")
    page = new_page()
    _login(page, base, "soc@linkoping.example", env)
    _shot(page, "20-rep-start")
    _go(page, f"{base}/o/0580/resultat/")
    _shot(page, "21-rep-dashboard")
    suggestions = page.locator(".suggestion")
    if suggestions.count():
        _shot(page, "22-rep-suggestions", selector=".suggestion")
    _go(page, f"{base}/o/0580/atgarder/?overdue=1")
    page.locator("table a[href*='/atgarder/']").first.click()
    page.wait_for_load_state("networkidle")
    _shot(page, "23-rep-action")

    print("Management")
    page = new_page()
    _login(page, base, "ledning@linkoping.example", env)
    _shot(page, "30-management-start")

    print("Platform admin")
    page = new_page()
    _login(page, base, "admin", env)
    _shot(page, "40-platform-start")
    _go(page, f"{base}/plattform/nationell-oversikt/")
    _shot(page, "41-platform-national")


if __name__ == "__main__":
    main()
