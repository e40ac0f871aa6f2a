"""Every user-facing string is translatable and the Swedish catalogues are complete."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

from tests.conftest import ROOT, require_service, subprocess_env

CATALOGUE_DIRS = [ROOT, ROOT / "surveys", ROOT / "maturity", ROOT / "reports"]


def catalogues() -> list[Path]:
    return [
        d / "locale" / "sv" / "LC_MESSAGES" / "django.po"
        for d in CATALOGUE_DIRS
        if (d / "locale" / "sv" / "LC_MESSAGES" / "django.po").exists()
    ]


def test_there_is_a_swedish_catalogue_for_the_site_and_the_surveys_app():
    assert ROOT / "locale/sv/LC_MESSAGES/django.po" in catalogues()
    assert ROOT / "surveys/locale/sv/LC_MESSAGES/django.po" in catalogues()


@pytest.mark.parametrize("path", catalogues(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_swedish_message_is_translated(path):
    po = polib.pofile(str(path))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"untranslated in {path.relative_to(ROOT)}: {untranslated[:20]}"
    assert not fuzzy, f"fuzzy (needs checking) in {path.relative_to(ROOT)}: {fuzzy[:20]}"


@pytest.mark.parametrize("path", catalogues(), ids=lambda p: str(p.relative_to(ROOT)))
def test_placeholders_survive_translation(path):
    import re

    pattern = re.compile(r"%\(\w+\)[sdf]|\{\{ *\w+ *\}\}")
    for entry in polib.pofile(str(path)).translated_entries():
        if entry.msgid_plural:
            allowed = set(pattern.findall(entry.msgid)) | set(pattern.findall(entry.msgid_plural))
            for form in entry.msgstr_plural.values():
                assert set(pattern.findall(form)) <= allowed, f"{entry.msgid!r} → {form!r}"
            continue
        wanted = sorted(pattern.findall(entry.msgid))
        got = sorted(pattern.findall(entry.msgstr))
        assert wanted == got, f"{entry.msgid!r} → {entry.msgstr!r}"


def test_no_string_in_the_code_is_missing_from_the_catalogues(tmp_path):
    """Run makemessages on a copy of the project: it must find no message the catalogues lack."""
    require_service("GNU gettext (xgettext)", shutil.which("xgettext") is not None, "apt-get install gettext")
    copy = tmp_path / "project"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", "var", "staticfiles", "node_modules", "__pycache__", "*.mo"
        ),
    )
    env = subprocess_env(
        DATABASE_URL=f"sqlite:///{tmp_path}/x.sqlite3",
        EMAIL_URL="consolemail://",
        DJANGO_SETTINGS_MODULE="dimios_web.settings",
        PYTHONPATH=str(copy),
    )
    django_admin = Path(sys.executable).parent / "django-admin"
    ignores = [
        "--ignore=.venv",
        "--ignore=tests",
        "--ignore=benchmarks",
        "--ignore=static",
        "--ignore=staticfiles",
    ]
    for directory in CATALOGUE_DIRS:
        target = copy / directory.relative_to(ROOT)
        extra = [f"--ignore={app}" for app in ("surveys", "maturity", "reports")] if directory == ROOT else []
        if not (target / "locale").exists() and directory != ROOT:
            # An app without a catalogue must have no translatable strings at all.
            (target / "locale").mkdir()
        subprocess.run(
            [str(django_admin), "makemessages", "-l", "sv", "--no-obsolete", *ignores, *extra],
            cwd=target,
            env=env,
            check=True,
            capture_output=True,
            timeout=300,
        )
        fresh = target / "locale/sv/LC_MESSAGES/django.po"
        if not fresh.exists():
            continue
        committed_path = directory / "locale/sv/LC_MESSAGES/django.po"
        committed = {e.msgid for e in polib.pofile(str(committed_path))} if committed_path.exists() else set()
        missing = sorted({e.msgid for e in polib.pofile(str(fresh))} - committed)
        assert not missing, (
            f"strings not in {committed_path.relative_to(ROOT)} "
            f"(run `make po APP=…` and translate): {missing[:20]}"
        )
