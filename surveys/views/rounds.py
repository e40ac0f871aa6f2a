"""Staff pages for measurement windows and survey rounds: create, respondents, texts, open, send,
remind. (The round's own page, with its response rates, and closing, which freezes the results, are
``maturity.views``: they apply and freeze the results' anonymity rule.)

Views are thin: scope to the user, bind a form, call one service, redirect or render."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dimios_web.exceptions import DomainError, add_domain_error_to_form

from ..access import ADMIN, VIEWERS, OrganisationAccess, organisation_view
from ..forms.common import ConfirmForm
from ..forms.rounds import (
    ClosingDateForm,
    ImportDecisionForm,
    MessageTextsForm,
    ReminderScheduleForm,
    RespondentForm,
    RespondentUploadForm,
    RoundForm,
)
from ..models import Round
from ..selectors import rounds as selectors_rounds
from ..services import invitations as invitation_services
from ..services import periods as period_services
from ..services import respondents as respondent_services
from ..services import rounds as round_services


def _queue_message(request, outcome, done: str) -> None:
    """Tell the admin whether the work reached the mail queue; it is saved either way."""
    if outcome is None or outcome.queued is None or outcome.queued:
        messages.success(request, done)
    else:
        messages.warning(
            request,
            _(
                "%(done)s The mail queue cannot be reached just now. Nothing is lost: the e-mails are saved "
                "as not sent and go out automatically when the queue is back (within minutes), or press "
                "“Send” again later."
            )
            % {"done": done},
        )


def _round(access: OrganisationAccess, pk):
    return access.organisation, selectors_rounds.get_round_for(access.organisation, pk)


def _detail(round_):
    return redirect("maturity:round_detail", org=round_.organisation.code, pk=round_.pk)


@organisation_view(VIEWERS)
def round_list(request, access: OrganisationAccess):
    organisation = access.organisation
    period_services.ensure_periods()
    return render(
        request,
        "surveys/round_list.html",
        {
            "organisation": organisation,
            "periods": selectors_rounds.list_periods(),
            "rounds": selectors_rounds.list_rounds(organisation),
            "is_admin": access.is_admin,
        },
    )


@organisation_view(ADMIN, methods=("GET", "POST"))
def round_create(request, access: OrganisationAccess):
    organisation = access.organisation
    form = RoundForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            round_ = round_services.create_round(
                organisation=organisation, created_by=request.user, **form.cleaned_data
            )
        except DomainError as error:
            add_domain_error_to_form(form, error)
        else:
            messages.success(request, _("The round was created. Next, add its respondents."))
            return redirect("surveys:round_respondents", org=organisation.code, pk=round_.pk)
    return render(request, "surveys/round_form.html", {"organisation": organisation, "form": form})


@organisation_view(ADMIN, methods=("GET", "POST"))
def round_edit(request, access: OrganisationAccess, pk):
    organisation, round_ = _round(access, pk)
    form = RoundForm(request.POST or None, organisation=organisation, round=round_)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "period"}
        try:
            round_services.update_round(round=round_, actor=request.user, **data)
        except DomainError as error:
            add_domain_error_to_form(form, error)
        else:
            messages.success(request, _("The round was saved."))
            return _detail(round_)
    return render(
        request, "surveys/round_form.html", {"organisation": organisation, "form": form, "round": round_}
    )


@organisation_view(ADMIN, methods=("GET", "POST"))
def round_open(request, access: OrganisationAccess, pk):
    organisation, round_ = _round(access, pk)
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = round_services.open_round(round=round_, actor=request.user)
        except DomainError as error:
            add_domain_error_to_form(form, error)
        else:
            _queue_message(request, outcome, _("The round is open and the invitations are being sent."))
            return _detail(round_)
    return render(
        request,
        "surveys/round_confirm.html",
        {
            "organisation": organisation,
            "round": round_,
            "form": form,
            "action": "open",
            # said before the question is asked, not after "Yes, I am sure" (issue 17)
            "blocked": round_services.why_round_cannot_open(round_),
        },
    )


@organisation_view(ADMIN, methods=("POST",))
def round_send(request, access: OrganisationAccess, pk):
    """Send what is not sent yet: pending invitations and, again, failed or bounced ones."""
    _organisation, round_ = _round(access, pk)
    try:
        count, outcome = invitation_services.retry_failed_invitations(round=round_, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        _queue_message(
            request,
            outcome,
            (
                ngettext(
                    "Sending the invitations that have not gone out (%(retried)s failed before and is tried "
                    "again).",
                    "Sending the invitations that have not gone out (%(retried)s failed before and are tried "
                    "again).",
                    count,
                )
                % {"retried": count}
                if count
                else _("Sending the invitations that have not gone out.")
            ),
        )
    return _detail(round_)


@organisation_view(ADMIN, methods=("POST",))
def round_remind(request, access: OrganisationAccess, pk):
    _organisation, round_ = _round(access, pk)
    try:
        _run, outcome, count = invitation_services.request_reminders(round=round_, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        _queue_message(
            request,
            outcome,
            ngettext(
                "A reminder is being sent to %(count)s person who has not submitted.",
                "Reminders are being sent to %(count)s people who have not submitted.",
                count,
            )
            % {"count": count},
        )
    return _detail(round_)


@organisation_view(ADMIN, methods=("POST",))
def round_reminder_schedule(request, access: OrganisationAccess, pk):
    _organisation, round_ = _round(access, pk)
    form = ReminderScheduleForm(request.POST)
    if form.is_valid():
        try:
            round_services.set_reminder_schedule(
                round=round_, days=form.cleaned_data["days"], actor=request.user
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The reminder schedule was saved."))
    else:
        messages.error(request, " ".join(str(e) for e in form.errors.get("days", [])))
    return _detail(round_)


@organisation_view(ADMIN, methods=("POST",))
def round_closing_date(request, access: OrganisationAccess, pk):
    _organisation, round_ = _round(access, pk)
    form = ClosingDateForm(request.POST)
    if form.is_valid():
        try:
            round_services.set_closing_date(
                round=round_, closes_on=form.cleaned_data["closes_on"], actor=request.user
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The closing date was saved."))
    else:
        messages.error(request, _("Enter a valid date."))
    return _detail(round_)


@organisation_view(ADMIN, methods=("POST",))
def round_open_link(request, access: OrganisationAccess, pk):
    _organisation, round_ = _round(access, pk)
    enable = request.POST.get("enabled") == "1"
    try:
        round_services.set_open_link(round=round_, enabled=enable, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("The open link is offered.") if enable else _("The open link was withdrawn.")
        )
    return _detail(round_)


@organisation_view(ADMIN, methods=("GET", "POST"))
def round_texts(request, access: OrganisationAccess, pk):
    organisation, round_ = _round(access, pk)
    form = MessageTextsForm(request.POST or None, round=round_)
    previews = []
    if request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            preview_round = Round(
                pk=round_.pk,
                organisation=round_.organisation,
                period=round_.period,
                opens_on=round_.opens_on,
                closes_on=round_.closes_on,
                message_texts=form.texts(),
            )
            for kind, lang, _subject, _body in form.field_pairs():
                subject, body = invitation_services.preview_message(
                    round=preview_round, kind=kind, language=lang
                )
                previews.append({"kind": kind, "language": lang, "subject": subject, "body": body})
        else:
            try:
                round_services.set_message_texts(round=round_, texts=form.texts(), actor=request.user)
            except DomainError as error:
                add_domain_error_to_form(form, error)
            else:
                messages.success(request, _("The texts were saved."))
                return _detail(round_)
    return render(
        request,
        "surveys/round_texts.html",
        {"organisation": organisation, "round": round_, "form": form, "previews": previews},
    )


# --- Respondents -------------------------------------------------------------------------------------------


@organisation_view(ADMIN, methods=("GET", "POST"))
def round_respondents(request, access: OrganisationAccess, pk):
    organisation, round_ = _round(access, pk)
    upload_form = RespondentUploadForm(
        request.POST if "upload" in request.POST else None,
        request.FILES if "upload" in request.POST else None,
    )
    add_form = RespondentForm(request.POST if "add" in request.POST else None, organisation=organisation)
    if request.method == "POST" and "upload" in request.POST and upload_form.is_valid():
        uploaded = upload_form.cleaned_data["file"]
        try:
            content = uploaded.read(respondent_services.MAX_FILE_BYTES + 1)
            upload = respondent_services.store_upload(
                round=round_, filename=uploaded.name, content=content, uploaded_by=request.user
            )
        except DomainError as error:
            add_domain_error_to_form(upload_form, error)
        else:
            return redirect("surveys:round_import", org=organisation.code, pk=round_.pk, upload=upload.pk)
    if request.method == "POST" and "add" in request.POST and add_form.is_valid():
        try:
            _invitation, outcome = respondent_services.add_respondent(
                round=round_, actor=request.user, **add_form.cleaned_data
            )
        except DomainError as error:
            add_domain_error_to_form(add_form, error)
        else:
            _queue_message(
                request, outcome, _("%(email)s was added.") % {"email": add_form.cleaned_data["email"]}
            )
            return redirect("surveys:round_respondents", org=organisation.code, pk=round_.pk)
    page = Paginator(selectors_rounds.list_invitations(round_), 100).get_page(request.GET.get("page"))
    return render(
        request,
        "surveys/round_respondents.html",
        {
            "organisation": organisation,
            "round": round_,
            "page": page,
            "upload_form": upload_form,
            "add_form": add_form,
            "send_counts": selectors_rounds.count_send_status(round_),
        },
    )


@organisation_view(ADMIN, methods=("GET", "POST"))
def round_import(request, access: OrganisationAccess, pk, upload):
    organisation, round_ = _round(access, pk)
    upload_row = selectors_rounds.get_upload_for(round_, upload)
    form = ImportDecisionForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        action = form.cleaned_data["action"]
        if action == "cancel":
            respondent_services.discard_upload(upload=upload_row)
            messages.info(request, _("Nothing was imported."))
            return redirect("surveys:round_respondents", org=organisation.code, pk=round_.pk)
        try:
            count, outcome = respondent_services.import_respondents(
                upload=upload_row, only_good_rows=action == "good", actor=request.user
            )
        except DomainError as exc:
            error = exc.message
        else:
            _queue_message(request, outcome, _("%(count)s respondents were imported.") % {"count": count})
            return redirect("surveys:round_respondents", org=organisation.code, pk=round_.pk)
    preview = respondent_services.preview_upload(upload=upload_row, round=round_)  # no re-parsing
    return render(
        request,
        "surveys/round_import.html",
        {
            "organisation": organisation,
            "round": round_,
            "upload": upload_row,
            "preview": preview,
            "bad_rows": preview.bad[:500],
            "good_sample": preview.good[:20],
            "error": error,
        },
    )


@organisation_view(ADMIN, methods=("GET", "POST"))
def respondent_remove(request, access: OrganisationAccess, pk, invitation):
    organisation, round_ = _round(access, pk)
    invitation_row = selectors_rounds.get_invitation_for(round_, invitation)
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = respondent_services.remove_respondent(invitation=invitation_row, actor=request.user)
        except DomainError as error:
            add_domain_error_to_form(form, error)
        else:
            if outcome == "deleted":
                messages.success(request, _("%(email)s was removed.") % {"email": invitation_row.email})
            else:
                messages.success(
                    request,
                    _("%(email)s was removed; the link that was already sent no longer works.")
                    % {"email": invitation_row.email},
                )
            return redirect("surveys:round_respondents", org=organisation.code, pk=round_.pk)
    return render(
        request,
        "surveys/confirm_delete.html",
        {
            "organisation": organisation,
            "object": invitation_row,
            "form": form,
            "cancel_url": reverse("surveys:round_respondents", args=[organisation.code, round_.pk]),
        },
    )
