"""Ordering the annual report, the job's life (claim, progress, done, failed), the periodic sweep, outdated
reports, conclusions in Markdown and the files written through a temporary name."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import pytest
from django.utils import timezone

from dimios_web.exceptions import DomainError
from reports.markdown import render_markdown
from reports.models import Conclusion, ReportJob
from reports.selectors.annual import compute_fingerprint, is_outdated
from reports.selectors.report_content import get_report_content
from reports.services import building, conclusions, jobs
from surveys.access import Visibility


@pytest.fixture
def no_broker(monkeypatch):
    """Ordering without sending anything: the publish step is recorded instead."""
    sent = []

    def publish(job_id, language):
        sent.append(job_id)
        ReportJob.objects.filter(pk=job_id, state="queued").update(published_at=timezone.now())
        return True

    monkeypatch.setattr(jobs, "_publish", publish)
    return sent


@pytest.fixture(autouse=True)
def publish_at_once(monkeypatch):
    """The test's transaction never commits: publish at once instead of on commit (the real on-commit path
    is exercised by the view and worker tests)."""

    def publish_now(outcome):
        outcome.queued = jobs._publish(outcome.job.pk, outcome.job.language)

    monkeypatch.setattr(jobs, "_publish_on_commit", publish_now)
    monkeypatch.setattr(jobs, "_publish_all_on_commit", jobs._publish_many)


def test_ordering_creates_a_queued_job_with_who_and_when(closed_round, management, no_broker):
    outcome = jobs.order_report(organisation=closed_round.organisation, year=2025, actor=management)
    job = ReportJob.objects.get()
    assert outcome.created and job.state == ReportJob.State.QUEUED
    assert job.ordered_by == management and job.language == "sv"
    assert no_broker == [job.pk]


def test_ordering_again_while_one_is_queued_or_running_starts_no_second_build(
    closed_round, management, org_admin, no_broker
):
    first = jobs.order_report(organisation=closed_round.organisation, year=2025, actor=management)
    second = jobs.order_report(organisation=closed_round.organisation, year=2025, actor=org_admin)
    assert not second.created and second.job.pk == first.job.pk
    assert jobs.claim_job(job_id=first.job.pk)
    third = jobs.order_report(organisation=closed_round.organisation, year=2025, actor=org_admin)
    assert not third.created and third.job.pk == first.job.pk
    assert ReportJob.objects.count() == 1 and no_broker == [first.job.pk]


def test_a_report_in_another_language_is_its_own_build(closed_round, management, no_broker):
    jobs.order_report(organisation=closed_round.organisation, year=2025, language="sv", actor=management)
    jobs.order_report(organisation=closed_round.organisation, year=2025, language="en", actor=management)
    assert sorted(ReportJob.objects.values_list("language", flat=True)) == ["en", "sv"]


def test_a_year_without_results_cannot_be_ordered(closed_round, management, no_broker):
    with pytest.raises(DomainError) as error:
        jobs.order_report(organisation=closed_round.organisation, year=2019, actor=management)
    assert error.value.field == "year"
    assert not ReportJob.objects.exists()


def test_only_one_worker_can_claim_a_job(closed_round, management, no_broker):
    job = jobs.order_report(organisation=closed_round.organisation, year=2025, actor=management).job
    token = jobs.claim_job(job_id=job.pk)
    assert token
    assert jobs.claim_job(job_id=job.pk) is None
    assert ReportJob.objects.get().attempts == 1


def test_a_worker_that_lost_its_claim_cannot_finish_the_job(closed_round, management, no_broker, settings):
    settings.REPORT_STALE_AFTER_SECONDS = 60
    job = jobs.order_report(organisation=closed_round.organisation, year=2025, actor=management).job
    old = jobs.claim_job(job_id=job.pk)
    ReportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - datetime.timedelta(minutes=5))
    new = jobs.claim_job(job_id=job.pk)
    assert new and new != old
    assert not jobs.record_progress(job_id=job.pk, token=old, done=[], current="summary", total=10)
    assert not jobs.finish_job(job_id=job.pk, token=old, files={}, fingerprint="x", data_summary={}, total=10)
    assert ReportJob.objects.get().state == ReportJob.State.RUNNING


def test_the_sweep_resends_jobs_the_broker_never_took(closed_round, management, monkeypatch):
    monkeypatch.setattr(jobs, "_publish", lambda job_id, language: False)
    job = jobs.order_report(organisation=closed_round.organisation, year=2025, actor=management).job
    assert ReportJob.objects.get().published_at is None
    sent = []
    monkeypatch.setattr(jobs, "_publish", lambda job_id, language: sent.append(job_id) or True)
    result = jobs.sweep_report_jobs()
    assert result["resent"] == [job.pk] and sent == [job.pk]


def test_the_sweep_requeues_a_build_whose_worker_went_silent_and_gives_up_after_max_attempts(
    closed_round, management, no_broker, settings
):
    settings.REPORT_STALE_AFTER_SECONDS = 60
    settings.REPORT_MAX_ATTEMPTS = 2
    job = jobs.order_report(organisation=closed_round.organisation, year=2025, actor=management).job
    long_ago = timezone.now() - datetime.timedelta(minutes=10)
    jobs.claim_job(job_id=job.pk)
    ReportJob.objects.filter(pk=job.pk).update(heartbeat_at=long_ago)
    result = jobs.sweep_report_jobs()
    assert result["requeued"] == [job.pk] and result["resent"] == [job.pk]
    assert ReportJob.objects.get().state == ReportJob.State.QUEUED
    jobs.claim_job(job_id=job.pk)
    ReportJob.objects.filter(pk=job.pk).update(heartbeat_at=long_ago)
    result = jobs.sweep_report_jobs()
    failed = ReportJob.objects.get()
    assert result["failed"] == [job.pk] and failed.state == ReportJob.State.FAILED
    assert "2" in failed.error


def test_the_sweep_leaves_a_running_build_with_recent_progress_alone(closed_round, management, no_broker):
    job = jobs.order_report(organisation=closed_round.organisation, year=2025, actor=management).job
    jobs.claim_job(job_id=job.pk)
    assert jobs.sweep_report_jobs() == {"resent": [], "requeued": [], "failed": []}


def test_a_platform_admin_orders_every_organisation_with_results_in_one_go(
    closed_round, other_organisation, platform_admin, no_broker
):
    from tests.reports.conftest import make_closed_round

    make_closed_round(other_organisation)
    outcomes = jobs.order_all_reports(year=2025, language="sv", actor=platform_admin)
    assert {o.job.organisation.code for o in outcomes} == {"0580", "0180"}
    assert len({o.job.batch for o in outcomes}) == 1
    assert len(no_broker) == 2  # one task each: the workers share them


def _organisations_with_results(*codes: str) -> list:
    from surveys.services.organisations import add_organisation, create_department
    from tests.reports.conftest import make_closed_round

    made = []
    for code in codes:
        each, _ = add_organisation(code=code)
        create_department(organisation=each, name="Kommunstyrelseförvaltningen")
        make_closed_round(each, per_department=3)
        made.append(each)
    return made


def test_the_bulk_order_takes_the_same_few_queries_for_any_number_of_organisations(
    closed_round, platform_admin, monkeypatch
):
    """1 500 organisations ordered one at a time took about a minute in one request (issue 14). The jobs
    are handed to the broker together after the commit (``_publish_many``, one connection, one UPDATE);
    here that step only records what it was given."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from surveys.models import AuditEvent

    handed = []

    def record(outcomes):
        handed.append([o.job.pk for o in outcomes])
        for outcome in outcomes:
            outcome.queued = True

    monkeypatch.setattr(jobs, "_publish_all_on_commit", record)

    _organisations_with_results("0581")
    with CaptureQueriesContext(connection) as two:
        first = jobs.order_all_reports(year=2025, language="sv", actor=platform_admin)
    ReportJob.objects.update(state="done")
    _organisations_with_results("0582", "0583", "0584", "0586")
    with CaptureQueriesContext(connection) as six:
        second = jobs.order_all_reports(year=2025, language="sv", actor=platform_admin)
    assert (len(first), len(second)) == (2, 6)
    assert all(o.created and o.queued for o in first + second)
    assert len(six) == len(two), [q["sql"][:80] for q in six.captured_queries]
    assert handed == [[o.job.pk for o in first], [o.job.pk for o in second]]
    events = AuditEvent.objects.filter(action="report.ordered")
    assert sorted(e.details["report_job"] for e in events) == sorted(o.job.pk for o in first + second)
    assert all(e.actor_id == platform_admin.pk for e in events)
    assert {e.organisation_id for e in events} == {o.job.organisation_id for o in second}
    assert len({o.job.batch for o in second}) == 1


def test_the_bulk_publish_uses_one_broker_connection_and_marks_the_jobs_published(
    closed_round, platform_admin, settings, monkeypatch
):
    from reports.tasks import build_report_task

    _organisations_with_results("0581", "0582")
    sent = []
    monkeypatch.setitem(build_report_task.app.conf, "task_always_eager", False)
    monkeypatch.setattr(
        build_report_task, "apply_async", lambda args, **kw: sent.append((args, kw["producer"]))
    )
    outcomes = jobs.order_all_reports(year=2025, language="sv", actor=platform_admin)
    assert sorted(args for args, _producer in sent) == sorted((o.job.pk, "sv") for o in outcomes)
    assert len({id(producer) for _args, producer in sent}) == 1
    assert all(o.queued for o in outcomes)
    assert ReportJob.objects.filter(published_at__isnull=False).count() == 3


def test_with_the_broker_down_the_bulk_order_still_creates_every_job(
    closed_round, platform_admin, monkeypatch
):
    from reports.tasks import build_report_task

    _organisations_with_results("0581")
    calls = []

    def refuse(args, **kwargs):
        calls.append(args)
        raise OSError("broker down")

    monkeypatch.setitem(build_report_task.app.conf, "task_always_eager", False)
    monkeypatch.setattr(build_report_task, "apply_async", refuse)
    outcomes = jobs.order_all_reports(year=2025, language="sv", actor=platform_admin)
    assert len(outcomes) == 2 and all(o.created and o.queued is False for o in outcomes)
    assert len(calls) == 1  # the first failure stops the rest; the sweep sends them later
    assert ReportJob.objects.filter(state="queued", published_at__isnull=True).count() == 2


def test_the_bulk_order_keeps_the_one_active_job_rule(closed_round, management, platform_admin, no_broker):
    from surveys.models import AuditEvent

    _organisations_with_results("0581", "0582")
    already = jobs.order_report(
        organisation=closed_round.organisation, year=2025, language="sv", actor=management
    )
    outcomes = jobs.order_all_reports(year=2025, language="sv", actor=platform_admin)
    assert len(outcomes) == 3
    existing = [o for o in outcomes if o.job.organisation_id == closed_round.organisation_id]
    assert [(o.job.pk, o.created) for o in existing] == [(already.job.pk, False)]
    again = jobs.order_all_reports(year=2025, language="sv", actor=platform_admin)
    assert not any(o.created for o in again)
    assert ReportJob.objects.count() == 3
    assert AuditEvent.objects.filter(action="report.ordered").count() == 3


def test_the_report_is_outdated_when_the_data_change_after_it_was_built(closed_round, management):
    fingerprint, summary = compute_fingerprint(organisation=closed_round.organisation, year=2025)
    job = ReportJob.objects.create(
        organisation=closed_round.organisation,
        year=2025,
        state=ReportJob.State.DONE,
        fingerprint=fingerprint,
        data_summary=summary,
    )
    assert not is_outdated(job)
    closed_round.data_changed_at = timezone.now()  # a late import
    closed_round.save(update_fields=["data_changed_at"])
    assert is_outdated(job)


def test_new_conclusions_make_a_built_report_outdated(closed_round, org_admin):
    fingerprint, _ = compute_fingerprint(organisation=closed_round.organisation, year=2025)
    job = ReportJob.objects.create(
        organisation=closed_round.organisation, year=2025, state=ReportJob.State.DONE, fingerprint=fingerprint
    )
    conclusions.save_conclusion(
        organisation=closed_round.organisation, year=2025, title="Styrning", body="Text", actor=org_admin
    )
    assert is_outdated(job)


def test_conclusions_are_numbered_and_renumbered_after_a_delete(closed_round, org_admin):
    org = closed_round.organisation
    for title in ("Ett", "Två", "Tre"):
        conclusions.save_conclusion(organisation=org, year=2025, title=title, body="", actor=org_admin)
    conclusions.delete_conclusion(conclusion=Conclusion.objects.get(title="Ett"), actor=org_admin)
    assert list(Conclusion.objects.order_by("number").values_list("number", "title")) == [
        (1, "Två"),
        (2, "Tre"),
    ]


def test_a_conclusion_needs_a_title(closed_round, org_admin):
    with pytest.raises(DomainError) as error:
        conclusions.save_conclusion(organisation=closed_round.organisation, year=2025, title=" ", body="x")
    assert error.value.field == "title"
    assert not Conclusion.objects.exists()


def test_markdown_is_rendered_and_nothing_executable_gets_through():
    html = render_markdown(
        "# Rubrik\n\n**Viktigt** och *betonat*\n\n- ett\n- två\n\n<script>alert(1)</script>\n\n"
        '[länk](javascript:alert(1)) <img src=x onerror="alert(1)">'
    )
    assert "<strong>Viktigt</strong>" in html and "<em>betonat</em>" in html and "<li>ett</li>" in html
    assert "<h3>Rubrik</h3>" in html
    assert "<script" not in html and "<img" not in html and "href=" not in html
    assert "&lt;script&gt;" in html  # shown as text, never run


def test_files_are_written_to_a_temporary_name_and_moved_into_place(media_root):
    building.store_file("reports/x/a.pdf", b"first")
    building.store_file("reports/x/a.pdf", b"second")
    directory = Path(media_root) / "reports" / "x"
    assert [p.name for p in directory.iterdir()] == ["a.pdf"]
    assert (directory / "a.pdf").read_bytes() == b"second"


def test_the_content_applies_suppression_and_lists_no_actions_when_there_are_none(closed_round):
    from surveys.models import Department

    # A department with fewer than k responses is shown without figures.
    small = Department.objects.create(organisation=closed_round.organisation, name="Liten förvaltning")
    from maturity.services.results import compute_round_results
    from surveys.models import Answer, Response

    for _ in range(2):
        response = Response.objects.create(
            round=closed_round, department=small, group=closed_round.organisation.respondent_groups.first()
        )
        Answer.objects.create(
            response=response, statement=closed_round.questionnaire.statements.first(), value=3
        )
    compute_round_results(round_id=closed_round.pk)
    content = get_report_content(
        organisation=closed_round.organisation, year=2025, visibility=Visibility.everything()
    )
    shown = {d["name"]: d for d in content["departments"]}
    assert shown["Liten förvaltning"]["suppressed"] and shown["Liten förvaltning"]["overall"] is None
    assert shown["Liten förvaltning"]["n"] is None
    # Exactly one hidden top-level part: the next-smallest one is hidden too.
    assert sum(1 for d in content["departments"] if d["depth"] == 0 and d["suppressed"]) >= 2
    assert content["actions"] == {"available": True, "items": []}
    assert content["summary"]["comparisons"][0]["overall"] is None  # fewer than 5 others: no comparison


class _Retry(Exception):
    pass


def test_a_transient_error_puts_the_job_back_in_the_queue_and_retries_with_backoff(
    closed_round, management, no_broker, monkeypatch
):
    from reports import pdf
    from reports.tasks import build_report_task

    job = jobs.order_report(organisation=closed_round.organisation, year=2025, actor=management).job

    def broken(*args, **kwargs):
        raise pdf.PdfEngineError("Target page, context or browser has been closed")

    monkeypatch.setattr(building.pdf_engine, "print_pdf", broken)
    retries = []

    def fake_retry(*, exc, countdown):
        retries.append(countdown)
        return _Retry()

    monkeypatch.setattr(build_report_task, "retry", fake_retry)
    build_report_task.push_request(retries=1, is_eager=False)
    try:
        with pytest.raises(_Retry):
            build_report_task.run(job.pk, "sv")
    finally:
        build_report_task.pop_request()
    assert retries == [20]  # 10 s × 2^retries
    job.refresh_from_db()
    assert job.state == ReportJob.State.QUEUED and job.claim_token == "" and job.attempts == 1


def test_after_the_last_retry_the_job_fails_with_a_readable_reason(
    closed_round, management, no_broker, monkeypatch
):
    from reports import pdf
    from reports.tasks import build_report_task

    job = jobs.order_report(organisation=closed_round.organisation, year=2025, actor=management).job

    def broken(*args, **kwargs):
        raise pdf.PdfEngineError("Chromium crashed")

    monkeypatch.setattr(building.pdf_engine, "print_pdf", broken)
    build_report_task.push_request(retries=build_report_task.max_retries, is_eager=False)
    try:
        assert build_report_task.run(job.pk, "sv") == "failed"
    finally:
        build_report_task.pop_request()
    job.refresh_from_db()
    assert job.state == ReportJob.State.FAILED
    assert "PDF" in job.error and "Chromium" in job.error and "Traceback" not in job.error


def test_a_rerun_of_a_finished_job_does_nothing(closed_round, management, no_broker, monkeypatch):
    from reports.tasks import build_report_task

    monkeypatch.setattr(building.pdf_engine, "print_pdf", lambda render, **kwargs: b"%PDF-1.7 stand-in")
    job = jobs.order_report(organisation=closed_round.organisation, year=2025, actor=management).job
    assert build_report_task.apply(args=(job.pk, "sv")).get() == "built"
    finished = ReportJob.objects.get(pk=job.pk)
    assert build_report_task.apply(args=(job.pk, "sv")).get() == "skipped"
    again = ReportJob.objects.get(pk=job.pk)
    assert (again.state, again.finished_at, again.attempts) == ("done", finished.finished_at, 1)


def test_an_organisation_with_fewer_than_k_respondents_gets_a_report_without_figures(
    organisation, monkeypatch
):
    from reports.xlsx_report import build_xlsx
    from tests.reports.conftest import make_closed_round

    make_closed_round(organisation, per_department=1)  # 3 respondents, k = 5
    content = get_report_content(organisation=organisation, year=2025, visibility=Visibility.everything())
    assert content["summary"]["overall"] is None and content["summary"]["n"] is None
    assert content["matrix"]["points"] == []
    assert all(d["suppressed"] for d in content["departments"])
    assert all(c["percent"] is None for c in content["capabilities"])
    assert content["strongest"] == [] and content["group_gaps"] == []
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(build_xlsx({**content, "figures": {}})))
    numbers = [
        cell
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(min_row=2, values_only=True)
        for cell in row
        if isinstance(cell, float)
    ]
    assert numbers == [] or all(n in (50.0,) for n in numbers)  # only the type cut-offs are numbers
    from reports.annual_figures import build_figures

    content["figures"] = build_figures(content)
    html = building.render_print_html(content, toc_pages={})
    assert "För få svar för att visa siffror" in html


def test_a_new_build_removes_the_files_of_the_previous_report_but_keeps_its_record(
    closed_round, management, no_broker, monkeypatch, media_root
):
    monkeypatch.setattr(building.pdf_engine, "print_pdf", lambda render, **kwargs: b"%PDF-1.7 stand-in")
    jobs_built = []
    for _ in range(2):
        job = jobs.order_report(organisation=closed_round.organisation, year=2025, actor=management).job
        assert building.run_report_job(job_id=job.pk) == "built"
        jobs_built.append(ReportJob.objects.get(pk=job.pk))
    first, second = (ReportJob.objects.get(pk=j.pk) for j in jobs_built)
    assert first.state == second.state == ReportJob.State.DONE
    assert (first.pdf_file.name, first.xlsx_file.name, first.content_file.name) == ("", "", "")
    assert not (Path(media_root) / building.report_directory(first)).exists()
    assert (Path(media_root) / second.pdf_file.name).exists()


def test_ordering_again_restarts_a_build_whose_worker_went_silent(
    closed_round, management, no_broker, settings
):
    settings.REPORT_STALE_AFTER_SECONDS = 60
    job = jobs.order_report(organisation=closed_round.organisation, year=2025, actor=management).job
    jobs.claim_job(job_id=job.pk)
    ReportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - datetime.timedelta(minutes=5))
    again = jobs.order_report(organisation=closed_round.organisation, year=2025, actor=management)
    assert not again.created and again.job.pk == job.pk
    assert ReportJob.objects.get(pk=job.pk).state == ReportJob.State.QUEUED
    assert no_broker == [job.pk, job.pk]  # sent again
