"""The numbered conclusions the digitalisation staff write for an organisation's annual report, written in
Markdown (rendered safely by ``reports.markdown.render_markdown``)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dimios_web.exceptions import DomainError
from surveys.models import Organisation
from surveys.services.audit import AuditAction, record_event

from ..models import Conclusion

MAX_CONCLUSIONS = 20
MIN_YEAR, MAX_YEAR = 1900, 2999  # issue 11: the year column is a small integer


@transaction.atomic
def save_conclusion(
    *,
    organisation: Organisation,
    year: int,
    title: str,
    body: str,
    number: int | None = None,
    actor=None,
) -> Conclusion:
    """Add a conclusion (``number`` None: the next number) or rewrite the one with this number."""
    if not MIN_YEAR <= int(year) <= MAX_YEAR:
        raise DomainError(_("A conclusion belongs to a calendar year, e.g. 2026."), field="year")
    title = (title or "").strip()
    if not title:
        raise DomainError(_("Give the conclusion a title."), field="title")
    existing = Conclusion.objects.select_for_update().filter(organisation=organisation, year=year)
    if number is None:
        if existing.count() >= MAX_CONCLUSIONS:
            raise DomainError(_("A report has at most %(count)d conclusions.") % {"count": MAX_CONCLUSIONS})
        number = (max((c.number for c in existing), default=0)) + 1
    conclusion, created = Conclusion.objects.update_or_create(
        organisation=organisation,
        year=year,
        number=number,
        defaults={"title": title, "body": body or "", "written_by": actor, "updated_at": timezone.now()},
    )
    record_event(
        action=AuditAction.REPORT_CONCLUSION_ADDED if created else AuditAction.REPORT_CONCLUSION_CHANGED,
        organisation=organisation,
        actor=actor,
        target=conclusion,
        details={"year": year, "number": number},
    )
    return conclusion


@transaction.atomic
def delete_conclusion(*, conclusion: Conclusion, actor=None) -> None:
    """Delete a conclusion and renumber the ones after it, so the numbers stay 1, 2, 3, …"""
    organisation, year, number = conclusion.organisation, conclusion.year, conclusion.number
    conclusion.delete()
    for later in (
        Conclusion.objects.select_for_update()
        .filter(organisation=organisation, year=year, number__gt=number)
        .order_by("number")
    ):
        later.number -= 1
        later.updated_at = timezone.now()
        later.save(update_fields=["number", "updated_at"])
    # The conclusions of the year changed (also when the last one went): bump nothing else, the
    # fingerprint counts conclusions and their last change.
    record_event(
        action=AuditAction.REPORT_CONCLUSION_DELETED,
        organisation=organisation,
        actor=actor,
        target=f"{year} #{number}",
        details={"year": year, "number": number},
    )
