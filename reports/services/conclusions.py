"""The numbered conclusions the digitalisation staff write for an organisation's annual report.

Written in Markdown; rendered with markdown-it-py with raw HTML switched off and then cleaned with nh3 (an
allow-list sanitiser), so nothing a writer types can run in a reader's browser or in the PDF engine."""

from __future__ import annotations

import nh3
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from markdown_it import MarkdownIt

from dimios_web.exceptions import DomainError
from surveys.models import Organisation
from surveys.services.audit import AuditAction, record_event

from ..models import Conclusion

MAX_CONCLUSIONS = 20
ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "h3",
    "h4",
    "a",
    "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


MIN_YEAR, MAX_YEAR = 1900, 2999  # issue 11: the year column is a small integer


def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


def render_markdown(text: str) -> str:
    """Safe HTML of a conclusion's Markdown. Headings are moved down to h3/h4 so that they sit under the
    report's own section headings."""
    html = _markdown().render(text or "")
    for level, to in (("h1", "h3"), ("h2", "h3"), ("h5", "h4"), ("h6", "h4")):
        html = html.replace(f"<{level}>", f"<{to}>").replace(f"</{level}>", f"</{to}>")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


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
