"""The PDF engine: headless Chromium (Debian's /usr/bin/chromium, driven through Playwright's sync API)
prints the report's print HTML. plotly.js draws the charts as SVG in the page, so they reach the PDF as
vector graphics; the PDF is A4 with page numbers in the footer, tagged (structure tree, language from
``<html lang="sv-SE">``, title from ``<title>``) and has an outline (bookmarks) from the headings.

The table of contents gets its page numbers in two passes: the first print's outline says on which page
each heading landed, and the second print writes those numbers into the contents list (whose length does
not change between the passes).
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings

CHART_TIMEOUT_MS = 60_000
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--font-render-hinting=none",
]


class PdfEngineError(Exception):
    """Chromium could not be started or did not finish printing."""


def chromium_path() -> str:
    path = (
        getattr(settings, "REPORT_CHROMIUM_PATH", "")
        or os.environ.get("CHROMIUM_PATH")
        or shutil.which("chromium")
        or "/usr/bin/chromium"
    )
    if not Path(path).exists():
        raise PdfEngineError(f"Chromium was not found at {path}")
    return path


def footer_template(*, page_word: str, of_word: str) -> str:
    return (
        '<div style="font-size:8pt;width:100%;text-align:center;color:#444;'
        'font-family:system-ui,sans-serif;">'
        f'{page_word} <span class="pageNumber"></span> {of_word} <span class="totalPages"></span></div>'
    )


def heading_pages(pdf: bytes) -> list[tuple[str, int]]:
    """(title, 1-based page) of every entry of the PDF's outline, in document order."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    found: list[tuple[str, int]] = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
                continue
            try:
                index = reader.get_destination_page_number(item)
            except Exception:  # noqa: BLE001 - an entry without a page is simply skipped
                continue
            if index is None:  # ... as is one whose page is not in the document
                continue
            found.append((" ".join(str(item.title).split()), index + 1))

    walk(reader.outline)
    return found


def print_pdf(
    render_html: Callable[[dict[str, int]], str],
    *,
    page_word: str,
    of_word: str,
    base_dir: Path | None = None,
) -> bytes:
    """Print the HTML that ``render_html(toc_pages)`` returns. ``toc_pages`` maps a heading's text to its
    page number; it is empty on the first pass."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    options: dict[str, Any] = {
        "format": "A4",
        "print_background": True,
        "display_header_footer": True,
        "header_template": "<div></div>",
        "footer_template": footer_template(page_word=page_word, of_word=of_word),
        "margin": {"top": "18mm", "bottom": "18mm", "left": "16mm", "right": "16mm"},
        "tagged": True,
        "outline": True,
        "prefer_css_page_size": False,
    }
    try:
        with (
            tempfile.TemporaryDirectory(prefix="dimios-report-", dir=base_dir) as tmp,
            sync_playwright() as p,
        ):
            browser = p.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(locale="sv-SE")

                def print_once(toc_pages: dict[str, int]) -> bytes:
                    html_path = Path(tmp) / "report.html"
                    html_path.write_text(render_html(toc_pages), encoding="utf-8")
                    page.goto(html_path.as_uri(), wait_until="load")
                    page.wait_for_function("window.reportChartsDone === true", timeout=CHART_TIMEOUT_MS)
                    page.emulate_media(media="print")
                    return page.pdf(**options)

                first = print_once({})
                pages: dict[str, int] = {}
                for title, number in heading_pages(first):
                    pages.setdefault(title, number)
                return print_once(pages)
            finally:
                browser.close()
    except PlaywrightError as exc:
        raise PdfEngineError(str(exc).splitlines()[0] if str(exc) else repr(exc)) from exc
