"""End to end on real services: a real Celery worker over the real Redis builds the demo organisation's
annual report (Chromium prints the PDF); the PDF and the XLSX say what the stored results say. A worker
killed mid-build is replaced and the job ends with exactly one report."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

import pytest

from reports.charts import format_percent
from reports.models import ReportJob
from reports.services import jobs
from tests.conftest import CHROMIUM, require_service, wait_for

pytestmark = [pytest.mark.redis, pytest.mark.celery_worker, pytest.mark.postgres]

CONCLUSIONS = [
    ("Styrningen av digitaliseringen behöver stärkas", "Förvaltningarna **saknar** en gemensam färdplan."),
    ("Kompetensförsörjning", "Satsa på *nyckelanvändare* i varje förvaltning."),
]


def _normalise(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


@pytest.fixture
def worker_env(media_root):
    require_service("Chromium", Path(CHROMIUM).exists(), f"looked for {CHROMIUM}")
    return {"DJANGO_MEDIA_ROOT": str(media_root), "CHROMIUM_PATH": CHROMIUM}


def _order(organisation, user, year=2025):
    outcome = jobs.order_report(organisation=organisation, year=year, language="sv", actor=user)
    assert outcome.created and outcome.queued, "the broker took the task"
    return outcome.job


def _report_files(media_root: Path, job: ReportJob) -> list[str]:
    directory = media_root / "reports" / job.organisation.code / str(job.year) / str(job.pk)
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


def test_a_real_worker_builds_the_demo_report_and_its_pdf_and_xlsx_match_the_stored_results(
    celery_harness, demo, worker_env, media_root
):
    from openpyxl import load_workbook
    from pypdf import PdfReader

    from maturity.models import RoundResult
    from reports.services.conclusions import save_conclusion
    from surveys.models import Department, RoleAssignment

    organisation = demo["organisation"]
    staff = RoleAssignment.objects.get(organisation=organisation, role="org_admin").user
    management = RoleAssignment.objects.get(organisation=organisation, role="management").user
    for title, body in CONCLUSIONS:
        save_conclusion(organisation=organisation, year=2025, title=title, body=body, actor=staff)
    celery_harness.start_worker(extra_env=worker_env)

    job = _order(organisation, management)
    done = wait_for(
        lambda: ReportJob.objects.filter(pk=job.pk, state__in=["done", "failed"]).first(),
        timeout=180,
        interval=0.5,
        message="the report was not built within 3 minutes",
    )
    assert done.state == "done", done.error
    assert done.ordered_by == management and done.finished_at and done.fingerprint
    assert [r["period"] for r in done.data_summary["rounds"]] == ["2024-HT", "2025-HT"]

    # The PDF: organisation, overall maturity as the dashboard shows it, every department, the conclusions.
    stored = RoundResult.objects.get(
        round__organisation=organisation, round__period__year=2025, scope="organisation"
    )
    pdf_path = Path(media_root) / done.pdf_file.name
    reader = PdfReader(pdf_path)
    text = _normalise("\n".join(page.extract_text() for page in reader.pages))
    assert "Linköpings kommun" in text
    assert _normalise(format_percent(stored.overall_percent)) in text  # e.g. "52,2 %"
    for department in Department.objects.filter(organisation=organisation):
        assert department.name in text, department.name
    for title, _body in CONCLUSIONS:
        assert title in text
    assert "saknar en gemensam färdplan" in text
    # A4, tagged, Swedish, titled, with an outline and page numbers.
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert abs(width - 595) < 2 and abs(height - 842) < 2
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "sv-SE" and root["/MarkInfo"]["/Marked"]
    assert "Linköpings kommun" in reader.metadata.title
    assert reader.outline
    assert f"av {len(reader.pages)}" in _normalise(reader.pages[-1].extract_text())

    # The XLSX: the figures are the stored results (numbers, unrounded).
    workbook = load_workbook(Path(media_root) / done.xlsx_file.name)
    summary = {row[0]: row[1] for row in workbook.worksheets[0].iter_rows(min_row=2, values_only=True)}
    # Excel keeps 15 significant digits: equal to the stored value within 1e-9 percentage points.
    numbers = [v for v in summary.values() if isinstance(v, float)]
    for figure in (stored.overall_percent, stored.capability_percent, stored.legacy_percent):
        assert any(v == pytest.approx(figure, abs=1e-9) for v in numbers), figure
    departments_sheet = workbook.worksheets[4]
    header = [c.value for c in departments_sheet[1]]
    rows = {
        row[0]: dict(zip(header, row, strict=True))
        for row in departments_sheet.iter_rows(min_row=2, values_only=True)
    }
    for result in RoundResult.objects.filter(round=stored.round, scope="department").select_related(
        "department"
    ):
        row = rows[result.department.name]
        assert row[header[2]] == result.n_respondents
        assert row[header[3]] == pytest.approx(result.overall_percent, abs=1e-9)
    capabilities = workbook.worksheets[3]
    by_code = {row[0]: row[3] for row in capabilities.iter_rows(min_row=2, values_only=True)}
    for code, part in stored.figures["capabilities"].items():
        assert by_code[code] == pytest.approx(part["percent"], abs=1e-9)
    for sheet in workbook.worksheets:
        assert not sheet.merged_cells.ranges
    # One file of each kind, nothing left over from writing.
    assert _report_files(Path(media_root), done) == sorted(
        Path(p).name for p in (done.pdf_file.name, done.xlsx_file.name, done.content_file.name)
    )


def test_a_worker_killed_mid_build_is_replaced_and_the_job_ends_with_exactly_one_report(
    celery_harness, demo, worker_env, media_root, settings
):
    settings.REPORT_STALE_AFTER_SECONDS = 3
    organisation = demo["organisation"]
    management = organisation.role_assignments.get(role="management").user
    first = celery_harness.start_worker(extra_env=worker_env)
    job = _order(organisation, management)
    wait_for(
        lambda: ReportJob.objects.filter(pk=job.pk, state="running").exists(),
        timeout=60,
        interval=0.1,
        message="the build did not start",
    )
    first.kill()  # SIGKILL in the middle of the build
    assert ReportJob.objects.get(pk=job.pk).state == "running"

    celery_harness.start_worker(extra_env=worker_env)
    time.sleep(settings.REPORT_STALE_AFTER_SECONDS + 1)
    swept = jobs.sweep_report_jobs()  # what the beat entry runs every minute
    assert swept["requeued"] == [job.pk] and swept["resent"] == [job.pk]
    done = wait_for(
        lambda: ReportJob.objects.filter(pk=job.pk, state__in=["done", "failed"]).first(),
        timeout=180,
        interval=0.5,
        message="the new worker did not finish the report",
    )
    assert done.state == "done", done.error
    assert done.attempts == 2
    assert ReportJob.objects.filter(organisation=organisation).count() == 1
    files = _report_files(Path(media_root), done)
    assert files == sorted(
        Path(p).name for p in (done.pdf_file.name, done.xlsx_file.name, done.content_file.name)
    )
    assert not [f for f in files if f.endswith(".part")]
    # The report is whole: the PDF opens and has its last section.
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO((Path(media_root) / done.pdf_file.name).read_bytes()))
    assert len(reader.pages) > 5
    assert os.path.getsize(Path(media_root) / done.xlsx_file.name) > 0


def test_a_platform_admin_orders_all_reports_and_the_running_workers_share_them(
    celery_harness, worker_env, organisation, other_organisation, platform_admin
):
    from surveys.models import AuditEvent
    from surveys.services.organisations import add_organisation, create_department
    from tests.reports.conftest import make_closed_round

    organisations = [organisation, other_organisation]
    for code in ("0581", "0582"):
        extra, _ = add_organisation(code=code)
        create_department(organisation=extra, name="Kommunstyrelseförvaltningen")
        organisations.append(extra)
    for each in organisations:
        make_closed_round(each, per_department=6)
    celery_harness.start_worker(extra_env=worker_env)
    celery_harness.start_worker(extra_env=worker_env)

    outcomes = jobs.order_all_reports(year=2025, language="sv", actor=platform_admin)
    assert len(outcomes) == 4 and all(o.created and o.queued for o in outcomes)
    wait_for(
        lambda: ReportJob.objects.filter(state__in=["done", "failed"]).count() == 4,
        timeout=240,
        interval=0.5,
        message="the four reports were not built within 4 minutes",
    )
    assert set(ReportJob.objects.values_list("state", flat=True)) == {"done"}
    workers = {e.details["worker"] for e in AuditEvent.objects.filter(action="report.built")}
    assert len(workers) == 2, workers  # both workers built some of them
