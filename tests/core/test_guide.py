"""The guide for newcomers (issue 17, docs/guide.md): its screenshots are made by a script from the demo, and
every image the guide shows is one the script makes, so the guide cannot keep a picture of a page that the
script no longer reaches. The script runs here in full (the demo, runserver, Chromium) into a temporary
folder."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import require_service

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "guide.md"

pytestmark = pytest.mark.browser


def _shown() -> set[str]:
    return set(re.findall(r"!\[[^\]]+\]\(guide/img/([\w-]+\.png)\)", GUIDE.read_text(encoding="utf-8")))


def test_every_image_the_guide_shows_is_committed():
    shown = _shown()
    assert len(shown) >= 12
    missing = sorted(name for name in shown if not (ROOT / "docs" / "guide" / "img" / name).is_file())
    assert not missing, missing


def test_the_script_makes_every_screenshot_of_the_guide(tmp_path):
    require_service("chromium", Path("/usr/bin/chromium").exists(), "Debian's Chromium is not installed")
    done = subprocess.run(
        [sys.executable, "docs/guide/screenshots.py", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    made = {p.name for p in tmp_path.glob("*.png")}
    assert _shown() <= made, sorted(_shown() - made)
    # Each shot is of the page it names: logged in (no login form), in Swedish.
    assert "/konto/logga-in/" not in done.stdout, done.stdout
    assert all(p.stat().st_size > 20_000 for p in tmp_path.glob("*.png"))
