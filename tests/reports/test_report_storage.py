"""Report files go through Django's storage API (issue 13): with another default storage (here Django's
in-memory one, standing in for an object store that web and worker hosts share) a report is built, read as a
page, downloaded (streamed, permission-checked, audited) and superseded, and nothing is written under
MEDIA_ROOT: no code assumes a path on a local disk."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from reports.models import ReportJob
from reports.services import building, jobs
from surveys.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_memory_storage(settings, media_root):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    return default_storage


def _build(closed_round, management, monkeypatch) -> ReportJob:
    monkeypatch.setattr(building.pdf_engine, "print_pdf", lambda render, **kwargs: b"%PDF-1.7 stand-in")
    monkeypatch.setattr(jobs, "_publish_on_commit", lambda outcome: None)
    job = jobs.order_report(organisation=closed_round.organisation, year=2025, actor=management).job
    token = jobs.claim_job(job_id=job.pk)
    building.build_report(job_id=job.pk, token=token)
    return ReportJob.objects.get(pk=job.pk)


def test_reports_are_stored_read_downloaded_and_removed_through_the_storage(
    client, closed_round, management, in_memory_storage, media_root, monkeypatch
):
    job = _build(closed_round, management, monkeypatch)
    storage = job.pdf_file.storage
    assert type(storage._wrapped).__name__ == "InMemoryStorage"  # the field follows STORAGES["default"]
    prefix = f"reports/{job.organisation.code}/2025/{job.pk}/"
    for stored in (job.pdf_file, job.xlsx_file, job.content_file):
        assert stored.name.startswith(prefix) and storage.exists(stored.name)
    assert storage.open(job.pdf_file.name).read() == b"%PDF-1.7 stand-in"
    assert building.load_content(job)["built_for"]["job"] == job.pk

    client.force_login(management)
    url = reverse("reports:annual_report_download", kwargs={"org": "0580", "pk": job.pk, "fmt": "pdf"})
    response = client.get(url)
    assert response.status_code == 200 and response.streaming
    assert b"".join(response.streaming_content) == b"%PDF-1.7 stand-in"
    assert 'filename="arsrapport-0580-2025-sv.pdf"' in response["Content-Disposition"]
    assert AuditEvent.objects.filter(action="report.downloaded").count() == 1
    page = reverse("reports:annual_report_page", kwargs={"org": "0580", "pk": job.pk})
    assert client.get(page).status_code == 200

    newer = _build(closed_round, management, monkeypatch)
    job.refresh_from_db()
    assert not job.pdf_file and not storage.exists(f"{prefix}arsrapport-0580-2025-sv.pdf")
    assert storage.listdir(prefix.rstrip("/"))[1] == []
    assert storage.exists(newer.pdf_file.name)
    assert client.get(url).status_code == 404  # only the newest report can be downloaded

    assert not media_root.exists() or not any(media_root.rglob("*"))  # nothing on the local disk


def test_a_rerun_of_the_same_job_leaves_one_file_of_each_kind(
    closed_round, management, in_memory_storage, monkeypatch
):
    job = _build(closed_round, management, monkeypatch)
    name = job.pdf_file.name
    assert building.store_file(name, b"again") == name  # the same name, replaced
    assert job.pdf_file.storage.open(name).read() == b"again"
    directory = building.report_directory(job)
    assert sorted(job.pdf_file.storage.listdir(directory)[1]) == sorted(
        n.rsplit("/", 1)[1] for n in (job.pdf_file.name, job.xlsx_file.name, job.content_file.name)
    )
