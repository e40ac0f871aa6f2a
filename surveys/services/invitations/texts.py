"""The invitation and reminder e-mails' texts: the defaults, the round's own texts, their placeholders,
rendering and the link in them."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from dimios_web import localformat
from dimios_web.exceptions import DomainError

from ...models import Invitation, Round, Statement
from ..responding import answer_minutes

KINDS = ("invitation", "reminder")
LANGUAGES = ("sv", "en")
PLACEHOLDERS = ("link", "organisation", "closes_on", "name", "duration")

DEFAULT_TEXTS = {
    "invitation": {
        "subject": _("Survey of digital maturity in {organisation}"),
        "body": _(
            "Hello {name},\n\n"
            "{organisation} measures its digital maturity, and you are one of those asked to take part. "
            "Answering takes about {duration}. You can stop and continue later with the same link.\n\n"
            "Your personal link:\n{link}\n\n"
            "The survey is open until {closes_on}. Please do not pass the link on: it is yours.\n\n"
            "Thank you for your time!"
        ),
    },
    "reminder": {
        "subject": _("Reminder: survey of digital maturity in {organisation}"),
        "body": _(
            "Hello {name},\n\n"
            "We have not yet received your answers to {organisation}'s survey of digital maturity. It takes "
            "about {duration}, and every answer makes the results more reliable.\n\n"
            "Your personal link:\n{link}\n\n"
            "The survey is open until {closes_on}. If you have already answered, thank you, and please "
            "ignore this message."
        ),
    },
}

_PLACEHOLDER_RE = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")


def validate_text(*, subject: str, body: str, field: str = "body") -> None:
    if not subject:
        raise DomainError(
            _("Give the e-mail a subject, or leave both subject and text empty for the default."), field=field
        )
    if "\n" in subject or len(subject) > 200:
        raise DomainError(_("The subject must be one line of at most 200 characters."), field=field)
    if "{link}" not in body:
        raise DomainError(_("The text must contain {link}, where the personal link goes."), field=field)


def message_text(*, round: Round, kind: str, language: str) -> tuple[str, str]:
    """The round's own (subject, body) template for this kind and language, or the default."""
    language = language if language in LANGUAGES else "sv"
    own = ((round.message_texts or {}).get(kind) or {}).get(language) or {}
    if own.get("subject") and own.get("body"):
        return own["subject"], own["body"]
    with translation.override(language):
        return str(DEFAULT_TEXTS[kind]["subject"]), str(DEFAULT_TEXTS[kind]["body"])


def render_message(
    *,
    round: Round,
    kind: str,
    language: str,
    link: str,
    name: str = "",
) -> tuple[str, str]:
    """Subject and body with the placeholders filled in. Only the known placeholders are replaced, so a
    stray brace in an edited text is harmless."""
    language = language if language in LANGUAGES else "sv"
    subject, body = message_text(round=round, kind=kind, language=language)
    minutes = answer_minutes(_statement_count(round))
    with translation.override(language):
        values = {
            "link": link,
            "organisation": round.organisation.name,
            "closes_on": localformat.date(round.last_day),
            "name": name.strip() or gettext("colleague"),
            # The same estimate as the survey's start page (responding.answer_minutes).
            "duration": ngettext("%(minutes)s minute", "%(minutes)s minutes", minutes) % {"minutes": minutes},
        }

    def fill(text: str) -> str:
        return _PLACEHOLDER_RE.sub(lambda m: values[m.group(1)], text)

    return header_safe(fill(subject)), fill(body)


def _statement_count(round: Round) -> int:
    """The round's questionnaire's statements, counted once per round object (a send renders many)."""
    count = getattr(round, "_statement_count", None)
    if count is None:
        count = Statement.objects.filter(version_id=round.questionnaire_id).count()
        round._statement_count = count  # type: ignore[attr-defined]
    return count


def header_safe(text: str) -> str:
    """One line for a mail header: a line break or other control character in a filled-in value (a name
    imported from a spreadsheet cell with a line break in it) becomes a space. A header with a line break
    would be refused by the mail library (or, worse, start a new header)."""
    printable = "".join(ch if ch.isprintable() else " " for ch in text)
    return " ".join(printable.split())


def preview_message(*, round: Round, kind: str, language: str) -> tuple[str, str]:
    with translation.override(language):
        sample_name = gettext("Anna Andersson")
    link = settings.SITE_URL + "/s/" + "x" * 43 + "/"
    return render_message(round=round, kind=kind, language=language, link=link, name=sample_name)


def survey_link(raw_token: str) -> str:
    return settings.SITE_URL + reverse("surveys:respond_start", args=[raw_token])


def email_message(invitation: Invitation, round_: Round, kind: str, raw: str) -> EmailMessage:
    """The e-mail of one invitation or reminder, with the personal link of the raw token."""
    subject, body = render_message(
        round=round_, kind=kind, language=invitation.language, link=survey_link(raw), name=invitation.name
    )
    return EmailMessage(
        subject=subject, body=body, to=[invitation.email], headers={"Auto-Submitted": "auto-generated"}
    )
