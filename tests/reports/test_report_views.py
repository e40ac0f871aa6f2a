"""The annual report pages: who may order, read and download; the broker being down; downloads in the audit
log; the conclusions editor; a query-count guard on the report page."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from reports.models import Conclusion, ReportJob
from reports.services import building, jobs
from surveys.models import AuditEvent


def _order_url(org="0580", year=2025):
    return reverse("reports:annual_report_order", kwargs={"org": org, "year": year})


def _overview_url(org="0580", year=2025):
    return reverse("reports:annual_report", kwargs={"org": org, "year": year})


@pytest.fixture
def finished_job(closed_round, management):
    """A report built as the worker builds it, but without Chromium: the PDF is a stand-in file."""
    job = ReportJob.objects.create(organisation=closed_round.organisation, year=2025, ordered_by=management)
    token = jobs.claim_job(job_id=job.pk)
    original = building.pdf_engine.print_pdf
    building.pdf_engine.print_pdf = lambda render, **kwargs: render({}) and b"%PDF-1.7 stand-in"
    try:
        building.build_report(job_id=job.pk, token=token)
    finally:
        building.pdf_engine.print_pdf = original
    job.refresh_from_db()
    assert job.state == ReportJob.State.DONE
    return job


@pytest.fixture
def no_publish(monkeypatch):
    sent = []

    def publish(job_id, language):
        sent.append(job_id)
        ReportJob.objects.filter(pk=job_id, state="queued").update(published_at=timezone.now())
        return True

    monkeypatch.setattr(jobs, "_publish", publish)
    return sent


@pytest.mark.parametrize("persona", ["management", "org_admin"])
def test_management_and_org_admin_can_order_the_report(
    client, closed_round, persona, request, no_publish, django_capture_on_commit_callbacks
):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_order_url(), {"language": "sv"})
    assert response.status_code == 302
    job = ReportJob.objects.get()
    assert job.ordered_by == user and job.state == ReportJob.State.QUEUED
    assert no_publish == [job.pk]
    page = client.get(response.url)
    assert 'data-state="queued"' in page.content.decode()


def test_a_department_representative_cannot_order_read_or_download(client, dept_rep, finished_job):
    client.force_login(dept_rep)
    assert client.post(_order_url()).status_code == 403
    assert client.get(_overview_url()).status_code == 403
    for fmt in ("pdf", "xlsx"):
        url = reverse(
            "reports:annual_report_download", kwargs={"org": "0580", "pk": finished_job.pk, "fmt": fmt}
        )
        assert client.get(url).status_code == 403
    page = reverse("reports:annual_report_page", kwargs={"org": "0580", "pk": finished_job.pk})
    assert client.get(page).status_code == 403
    status = reverse("reports:annual_report_status", kwargs={"org": "0580", "year": 2025})
    assert client.get(status).status_code == 403
    retry = reverse("reports:annual_report_retry", kwargs={"org": "0580", "pk": finished_job.pk})
    assert client.post(retry).status_code == 403
    write = reverse("reports:conclusion_create", kwargs={"org": "0580", "year": 2025})
    assert client.post(write, {"title": "x", "body": ""}).status_code == 403
    assert not Conclusion.objects.exists()
    assert ReportJob.objects.count() == 1
    assert not AuditEvent.objects.filter(action="report.downloaded").exists()


def test_an_outsider_gets_not_found_everywhere(client, outsider, finished_job):
    client.force_login(outsider)
    assert client.post(_order_url()).status_code == 404
    assert client.get(_overview_url()).status_code == 404
    url = reverse(
        "reports:annual_report_download", kwargs={"org": "0580", "pk": finished_job.pk, "fmt": "pdf"}
    )
    assert client.get(url).status_code == 404
    # Nor through their own organisation's address.
    url = reverse(
        "reports:annual_report_download", kwargs={"org": "0180", "pk": finished_job.pk, "fmt": "pdf"}
    )
    assert client.get(url).status_code == 404


def test_anonymous_visitors_are_sent_to_the_login(client, finished_job):
    response = client.get(_overview_url())
    assert response.status_code == 302 and "/konto/logga-in/" in response.url


def test_downloads_are_recorded_in_the_audit_log(client, management, finished_job):
    client.force_login(management)
    for fmt in ("pdf", "xlsx"):
        url = reverse(
            "reports:annual_report_download", kwargs={"org": "0580", "pk": finished_job.pk, "fmt": fmt}
        )
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")
        b"".join(response.streaming_content)
    events = AuditEvent.objects.filter(action="report.downloaded").order_by("created_at")
    assert [e.details["format"] for e in events] == ["pdf", "xlsx"]
    assert {e.actor_id for e in events} == {management.pk}
    assert all(e.details["report_job"] == finished_job.pk for e in events)


def test_the_finished_report_lists_who_ordered_it_when_and_from_which_data(client, management, finished_job):
    client.force_login(management)
    html = client.get(_overview_url()).content.decode()
    assert management.email in html or management.get_full_name() in html
    # the period as people say it and the data's moment in local time, never "2025-HT" or an ISO stamp
    assert "mätomgång HT 2025 (data per " in html
    assert "2025-HT" not in html and " kl. " in html
    assert "Inaktuell" not in html


def test_a_late_import_marks_the_report_outdated_and_it_can_be_built_again(
    client, management, finished_job, closed_round, no_publish, django_capture_on_commit_callbacks
):

    closed_round.data_changed_at = timezone.now()
    closed_round.save(update_fields=["data_changed_at"])
    client.force_login(management)
    html = client.get(_overview_url()).content.decode()
    assert "Inaktuell" in html
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_order_url(), {"language": "sv"})
    assert ReportJob.objects.filter(state=ReportJob.State.QUEUED).count() == 1


def test_a_failed_build_shows_its_reason_and_a_retry_button(
    client, management, closed_round, no_publish, django_capture_on_commit_callbacks
):
    job = ReportJob.objects.create(organisation=closed_round.organisation, year=2025, ordered_by=management)
    jobs.fail_job(job_id=job.pk, reason="Skrivaren svarade inte.")
    client.force_login(management)
    html = client.get(_overview_url()).content.decode()
    assert "Skrivaren svarade inte." in html
    retry = reverse("reports:annual_report_retry", kwargs={"org": "0580", "pk": job.pk})
    assert retry in html
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(retry).status_code == 302
    assert ReportJob.objects.filter(state=ReportJob.State.QUEUED).count() == 1


def test_the_report_web_page_shows_the_report_with_its_charts(client, management, finished_job):
    client.force_login(management)
    url = reverse("reports:annual_report_page", kwargs={"org": "0580", "pk": finished_job.pk})
    html = client.get(url).content.decode()
    assert "Linköpings kommun" in html and 'data-report-chart="chart-matrix"' in html
    assert "plotly-cartesian.min.js" in html
    # The groups' heatmap fills a page of the PDF on its own: it carries its title, kept with it.
    figure = html[html.index('<div class="report-figure">') :]
    assert figure.index("Förmågor per respondentgrupp") < figure.index('data-report-chart="chart-groups"')
    assert AuditEvent.objects.filter(action="report.downloaded", details__format="html").count() == 1


def test_the_org_admin_writes_a_numbered_conclusion_in_markdown(client, org_admin, closed_round):
    client.force_login(org_admin)
    url = reverse("reports:conclusion_create", kwargs={"org": "0580", "year": 2025})
    response = client.post(url, {"title": "Styrningen behöver stärkas", "body": "**Tydligare** ägarskap"})
    assert response.status_code == 302
    conclusion = Conclusion.objects.get()
    assert (conclusion.number, conclusion.written_by) == (1, org_admin)


def test_management_cannot_write_conclusions(client, management, closed_round):
    client.force_login(management)
    url = reverse("reports:conclusion_create", kwargs={"org": "0580", "year": 2025})
    assert client.post(url, {"title": "x", "body": ""}).status_code == 403
    assert not Conclusion.objects.exists()


def test_only_a_platform_admin_can_order_all_reports(
    client, org_admin, platform_admin, closed_round, no_publish
):
    url = reverse("reports:annual_report_all")
    client.force_login(org_admin)
    assert client.post(url, {"year": 2025, "language": "sv"}).status_code == 403
    client.force_login(platform_admin)
    assert client.post(url, {"year": 2025, "language": "sv"}).status_code == 302
    assert ReportJob.objects.filter(batch__isnull=False).count() == 1


def test_the_report_page_needs_few_queries(client, management, finished_job, django_assert_max_num_queries):
    client.force_login(management)
    with django_assert_max_num_queries(25):
        assert client.get(_overview_url()).status_code == 200


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once the socket is closed


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_ordering_answers_at_once_with_queued(client, settings, request):
    """Redis unreachable: the order is saved as queued, the page answers at once (no 500, no hang) and the
    sweep sends it when the broker is back."""
    from dimios_web.celery import app
    from tests.conftest import _reset_celery_connections
    from tests.reports.conftest import make_closed_round

    organisation = request.getfixturevalue("organisation")
    management = request.getfixturevalue("management")
    make_closed_round(organisation)
    previous = {k: app.conf.get(k) for k in ("broker_url", "task_always_eager")}
    url = f"redis://127.0.0.1:{_closed_port()}/0"
    app.conf.broker_url = url
    app.conf.task_always_eager = False
    settings.CELERY_BROKER_URL = url
    _reset_celery_connections(app)
    try:
        client.force_login(management)
        started = time.monotonic()
        response = client.post(_order_url(), {"language": "sv"}, follow=True)
        elapsed = time.monotonic() - started
    finally:
        _reset_celery_connections(app)
        app.conf.update(previous)
    assert response.status_code == 200
    assert elapsed < 10
    job = ReportJob.objects.get()
    assert job.state == ReportJob.State.QUEUED and job.published_at is None
    html = response.content.decode()
    assert 'data-state="queued"' in html


def test_the_report_web_page_needs_few_queries(
    client, management, finished_job, django_assert_max_num_queries
):
    client.force_login(management)
    url = reverse("reports:annual_report_page", kwargs={"org": "0580", "pk": finished_job.pk})
    # 13: one of them is the second-factor rule of dimios_web.identity.middleware (does the user need MFA?)
    with django_assert_max_num_queries(13):
        assert client.get(url).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_without_a_broker_the_report_is_built_in_the_background_and_the_order_answers_at_once(
    client, request, monkeypatch
):
    """The embedded default (`make run`): tasks run in-process, yet the order does not wait for the build.

    The build's printer is held until the order's response is back: an order that waited for the build
    would not answer before the hold times out (30 s), and the job would then be done, not queued or
    running. No timing: the machine's speed does not matter."""
    from dimios_web.celery import app
    from tests.conftest import wait_for
    from tests.reports.conftest import make_closed_round

    organisation = request.getfixturevalue("organisation")
    management = request.getfixturevalue("management")
    make_closed_round(organisation)
    answered = threading.Event()

    def held_printer(render, **kwargs):
        render({})
        answered.wait(timeout=30)
        return b"%PDF-1.7 stand-in"

    monkeypatch.setattr(building.pdf_engine, "print_pdf", held_printer)
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    client.force_login(management)
    try:
        response = client.post(_order_url(), {"language": "sv"})
    finally:
        app.conf.task_always_eager = previous
    assert response.status_code == 302
    job = ReportJob.objects.get()
    assert job.state in (ReportJob.State.QUEUED, ReportJob.State.RUNNING)
    answered.set()
    done = wait_for(lambda: ReportJob.objects.filter(pk=job.pk, state="done").first(), timeout=30)
    assert done.pdf_file
