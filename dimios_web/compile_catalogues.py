"""Compile the .po catalogues to .mo without GNU gettext (for `make run` on a machine without msgfmt).

`make test` uses Django's compilemessages (msgfmt), which also checks the catalogues' syntax."""

from __future__ import annotations

from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    # The apps' catalogues (surveys/locale, dimios_web/identity/locale, …) and the project's (locale/).
    patterns = ("*/*/locale/*/LC_MESSAGES/*.po", "*/locale/*/LC_MESSAGES/*.po", "locale/*/LC_MESSAGES/*.po")
    for po_path in sorted({path for pattern in patterns for path in ROOT.glob(pattern)}):
        if ".venv" in po_path.parts:
            continue
        polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))


if __name__ == "__main__":
    main()
