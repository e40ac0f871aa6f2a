"""The charts as a reader sees them (Chromium), with 20 departments of long Swedish names crowded round the
middle of the maturity matrix: on the organisation dashboard at a desktop's and a phone's width and on the
annual report's print page (the HTML Chromium turns into the PDF). No two texts of the matrix overlap
(department numbers, the fields' type names, tick labels, axis titles, legend), the numbers are the
table's, "0 %" is written once at the origin, the axes run 0–100 %; the trend's values do not print over
each other; no toolbar lies over a chart."""

from __future__ import annotations

import pytest

from reports.models import ReportJob
from reports.services import building, jobs
from tests.reports.conftest import make_closed_round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOPICS = (
    "planering och bygglov",
    "miljö och hälsoskydd",
    "gator och parker",
    "mark och exploatering",
    "trafik och mobilitet",
    "vatten och avlopp",
    "lantmäteri och GIS",
    "hållbar utveckling",
    "fastighetsförvaltning",
    "kultur och fritid",
    "näringsliv och turism",
    "räddningstjänst",
    "kommunikation",
    "ekonomi och upphandling",
    "personal och löner",
    "digitalisering",
    "skola och förskola",
    "vuxenutbildning",
    "arbetsmarknad och integration",
    "överförmyndare",
)

# Every visible text box in a chart's SVG, in page pixels (hover labels are not drawn without a hover).
TEXT_BOXES = """(root) => [...root.querySelectorAll("svg text")].map((t) => {
  const r = t.getBoundingClientRect(), style = getComputedStyle(t);
  return {text: t.textContent.replace(/\\s+/g, " ").trim(), x0: r.left, y0: r.top, x1: r.right, y1: r.bottom,
          tick: !!t.closest(".xtick, .ytick"),
          axis: t.closest(".xtick") ? "x" : (t.closest(".ytick") ? "y" : ""),
          shown: r.width > 0 && r.height > 0 && style.visibility !== "hidden" && style.opacity !== "0"};
}).filter((b) => b.shown && b.text)"""

# The drawn matrix: its ranges, its department dots (hover names "3. Name") and its number annotations.
MATRIX = """(gd) => ({
  x: gd._fullLayout.xaxis.range, y: gd._fullLayout.yaxis.range,
  dots: gd.data.filter((t) => t.meta && t.meta.kind === "department").flatMap((t) =>
    t.x.map((x, i) => ({x: x, y: t.y[i], label: t.customdata[i][0]}))),
  numbers: gd.layout.annotations.filter((a) => a.meta && a.meta.number).map((a) =>
    ({x: a.x, y: a.y, number: a.meta.number})),
  fields: gd.layout.annotations.filter((a) => a.meta && a.meta.field).map((a) => a.text),
})"""


def _overlaps(boxes: list[dict]) -> list[tuple[str, str]]:
    found = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            width = min(a["x1"], b["x1"]) - max(a["x0"], b["x0"])
            height = min(a["y1"], b["y1"]) - max(a["y0"], b["y0"])
            if width > 1 and height > 1:  # a pixel's anti-aliasing is not an overlap
                found.append((a["text"], b["text"]))
    return found


def _check_matrix(chart, table_numbers: dict[str, str]) -> None:
    boxes = chart.evaluate(TEXT_BOXES)
    assert not _overlaps(boxes), _overlaps(boxes)
    texts = " | ".join(b["text"] for b in boxes)  # a text's lines (tspans) run together
    for name in ("Typ ABegränsad start", "Typ B", "Typ C", "Typ DDigitalt mogen"):
        assert name in texts, (name, texts)
    zeros = [b for b in boxes if b["tick"] and b["text"] == "0 %"]
    assert len(zeros) == 1 and zeros[0]["axis"] == "x", zeros
    assert "100 %" in [b["text"] for b in boxes if b["axis"] == "x"]
    drawn = chart.evaluate(MATRIX)
    assert drawn["x"] == [0, 100] and drawn["y"] == [0, 100]
    # 20 numbered dots, each number on or beside its own dot, and the same number beside the name in the
    # table
    assert len(drawn["dots"]) == 20 == len(drawn["numbers"])
    numbers = {n["number"]: n for n in drawn["numbers"]}
    for dot in drawn["dots"]:
        number, name = dot["label"].split(". ", 1)
        assert table_numbers[name] == number, (name, number, table_numbers)
        assert (numbers[number]["x"], numbers[number]["y"]) == (dot["x"], dot["y"])
    assert sorted(int(b["text"]) for b in boxes if b["text"].isdigit() and not b["tick"]) == sorted(
        int(number) for number in numbers
    )


def _no_toolbar_over(page, selector: str) -> None:
    """Hovered, the chart shows no toolbar over its texts (there is none: downloads are buttons under it)."""
    chart = page.locator(selector)
    chart.hover()
    bars = page.locator(f"{selector} .modebar-container .modebar")
    for i in range(bars.count()):
        box = bars.nth(i).bounding_box()
        if not box or not bars.nth(i).is_visible():
            continue
        toolbar = {"text": "toolbar", "x0": box["x"], "y0": box["y"]}
        toolbar.update({"x1": box["x"] + box["width"], "y1": box["y"] + box["height"]})
        labels = [b for b in chart.evaluate(TEXT_BOXES) if not b["tick"]]
        assert not _overlaps([toolbar, *labels]), _overlaps([toolbar, *labels])


@pytest.fixture
def crowded(organisation):
    """The persona organisation with 20 more departments of long names, all answered in a closed round."""
    from surveys.models import Response
    from surveys.services.organisations import create_department

    for topic in TOPICS:
        create_department(
            organisation=organisation, name=f"Samhällsbyggnadsförvaltningen – avdelningen för {topic}"
        )
    # Only the 20 answered: the persona's own departments are not in the round.
    answered = organisation.departments.filter(name__startswith="Samhällsbyggnadsförvaltningen")
    round_ = make_closed_round(organisation, per_department=6, seed="crowded")
    Response.objects.filter(round=round_).exclude(department__in=answered).delete()
    round_.departments.set(answered)
    from maturity.services.results import compute_round_results

    compute_round_results(round_id=round_.pk)
    return round_


@pytest.mark.parametrize("width", [1366, 375])
def test_the_crowded_matrix_and_trend_on_the_organisation_dashboard_are_readable(
    page, live_server, management, crowded, browser_login, width
):
    page.set_viewport_size({"width": width, "height": 900})
    browser_login(page, management)
    page.goto(f"{live_server.url}/o/0580/resultat/")
    page.wait_for_selector("#matrix-chart.chart-drawn svg.main-svg", timeout=20_000)
    page.wait_for_selector("#trend-chart.chart-drawn svg.main-svg", timeout=20_000)
    rows = page.locator("#matrix-chart ~ details table tbody tr")
    table_numbers = {
        rows.nth(i).locator("th").inner_text().strip(): rows.nth(i).locator("td").first.inner_text().strip()
        for i in range(rows.count())
    }
    assert sum(n.isdigit() for n in table_numbers.values()) == 20
    _check_matrix(page.locator("#matrix-chart"), table_numbers)
    trend = page.locator("#trend-chart").evaluate(TEXT_BOXES)
    assert not _overlaps(trend), _overlaps(trend)
    for chart in ("matrix", "trend", "capabilities"):
        _no_toolbar_over(page, f"#{chart}-chart")
    assert page.get_by_role("button", name="Ladda ner som PNG").count() >= 3
    # a phone's capability names wrap into lines instead of being cut to a stub
    ticks = page.locator("#capabilities-chart .ytick text").all_text_contents()
    assert "Lite skugg-IT" in ticks, ticks
    assert not [t for t in ticks if t.endswith("…") and len(t) <= 17], ticks


def test_the_crowded_matrix_on_the_annual_reports_print_page_is_readable(
    page, organisation, management, crowded, monkeypatch, tmp_path
):
    """The print page the PDF is made of, drawn the way the PDF engine draws it (reports/pdf.py)."""
    printed: list[str] = []

    def capture(render, **kwargs):
        printed.append(render({}))
        return b"%PDF-1.7 stand-in"

    job = ReportJob.objects.create(organisation=organisation, year=2025, ordered_by=management)
    token = jobs.claim_job(job_id=job.pk)
    monkeypatch.setattr(building.pdf_engine, "print_pdf", capture)
    building.build_report(job_id=job.pk, token=token)
    html = tmp_path / "report.html"
    html.write_text(printed[0], encoding="utf-8")
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(html.as_uri(), wait_until="load")
    page.wait_for_function("window.reportChartsDone === true", timeout=30_000)
    chart = page.locator("[data-report-chart='chart-matrix']")
    rows = page.locator("#chart-matrix + table tbody tr")
    table_numbers = {
        rows.nth(i).locator("th").inner_text().strip(): rows.nth(i).locator("td").first.inner_text().strip()
        for i in range(rows.count())
    }
    _check_matrix(chart, table_numbers)
    # the reversed capability is named by what a high figure means, in the chart and in the lists
    assert (
        "Lite skugg-IT" in page.locator("[data-report-chart='chart-capabilities'] .ytick").all_text_contents()
    )
    assert "Skugg-IT:" not in page.locator("body").inner_text()
