"""`make run` on another port (issue 17): `PORT=8001 make run` serves there, and the site's address (the
links the demo prints and the console e-mails carry) follows it. Read from make's dry run: the commands it
would run, without running them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def dry_run(*assignments: str) -> str:
    result = subprocess.run(
        ["make", "-n", "run", *assignments], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    return result.stdout


def test_make_run_serves_on_port_8000_by_default():
    commands = dry_run()
    assert "runserver 127.0.0.1:8000" in commands
    assert "DJANGO_SITE_URL=http://127.0.0.1:8000 " in commands


def test_port_moves_the_server_and_the_sites_address_together():
    commands = dry_run("PORT=8001")
    assert "runserver 127.0.0.1:8001" in commands and "runserver 127.0.0.1:8000" not in commands
    for command in ("load_demo_data", "runserver"):
        line = next(line for line in commands.splitlines() if command in line)
        assert "DJANGO_SITE_URL=http://127.0.0.1:8001 " in line, line


def test_an_address_given_by_the_user_wins():
    commands = dry_run("PORT=8001", "DJANGO_SITE_URL=http://demo.example:8001")
    assert "DJANGO_SITE_URL=http://demo.example:8001 " in commands
