"""The respondent's pages: personal link → start page → one category a page → summary → receipt.

The personal link's token is swapped for a session on the first request and the browser is redirected, so
the token leaves the address bar; every page here sends ``Referrer-Policy: no-referrer`` and is not cached.
Views are thin: find the respondent in the session, bind a form, call one service, redirect or render.

Over 400 lines on purpose: the respondent's whole flow (link, pages, summary, receipt, open link) and
the shared refusal pages it ends on; every view stays thin."""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.html import conditional_escape, format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from dimios_web import localformat
from dimios_web.exceptions import DomainError, add_domain_error_to_form
from dimios_web.middleware import staff_session_exempt

from .. import ratelimit
from ..forms.respond import (
    CategoryAnswersForm,
    OpenStartForm,
    SubmitForm,
    parse_saved_answers,
)
from ..models import Draft, Invitation, Round
from ..selectors import respond as selectors
from ..services import responding
from ..services.responding import ALREADY_SUBMITTED, REVOKED, ROUND_NOT_OPEN
from ..tokens import hash_token, read_save_token, save_token

SESSION_KEY = "dimios_respondent"
OPEN_PENDING_KEY = "dimios_open_round"
RECEIPT_KEY = "dimios_receipt"


def respondent_page(view=None, *, referrer_policy: str = "same-origin"):
    """Respondent pages are never cached and send no Referer to other sites. The pages at a link's own
    address (the token is in it) send none at all: ``no-referrer``. That policy is kept off the pages with
    forms, because under it browsers send ``Origin: null`` with a POST, which CSRF protection refuses."""

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            response.headers["Referrer-Policy"] = referrer_policy
            add_never_cache_headers(response)
            return response

        return wrapped

    return decorate(view) if view is not None else decorate


@dataclass
class Respondent:
    round: Round
    draft: Draft
    invitation: Invitation | None


# --- Pages that end the flow -------------------------------------------------------------------------------


def _message(
    request,
    *,
    title: str,
    message: str,
    status: int = 200,
    round: Round | None = None,
    kind: str = "info",
    at_link: bool = False,
    department_id: int | None = None,
) -> HttpResponse:
    context: dict[str, object] = {
        "title": title,
        "message": message,
        "round": round,
        "kind": kind,
        "at_link": at_link,
        "department_id": department_id,
    }
    # A closed round's results, and the actions decided for the respondent's department (known only from a
    # personal invitation: ``department_id``), are added by the template (maturity's ``round_results`` tags).
    return render(request, "surveys/respond_message.html", context, status=status)


def _expired(request, *, json: bool = False) -> HttpResponse:
    message = _(
        "Your session has ended, perhaps because the browser was closed for a long time. Open the "
        "link in your e-mail again: every answer you saved is kept."
    )
    if json:
        return JsonResponse({"ok": False, "message": message}, status=403)
    return _message(request, title=_("Open your link again"), message=message, status=403, kind="warning")


def _refusal(
    request, error: DomainError, round: Round | None, *, json: bool = False, department_id: int | None = None
) -> HttpResponse:
    """The page for a service's refusal that ends the flow (submitted, revoked, round not open).
    ``department_id``: the department of the respondent's personal invitation, for the closed round's page
    (the actions decided for it); never given for an open link, whose department is the respondent's own
    word."""
    if json:
        return JsonResponse({"ok": False, "message": str(error.message)}, status=409)
    if error.code == ALREADY_SUBMITTED:
        if round is not None and round.status == Round.Status.CLOSED:
            return _closed(request, round, department_id=department_id)
        return _message(request, title=_("Already submitted"), message=error.message, round=round)
    if error.code == REVOKED:
        return _message(
            request, title=_("The link has been withdrawn"), message=error.message, status=410, kind="warning"
        )
    if error.code == ROUND_NOT_OPEN and round is not None:
        if round.status == Round.Status.CLOSED:
            return _closed(request, round, department_id=department_id)
        return _message(
            request,
            title=_("The survey has not opened yet"),
            message=_("The survey opens on %(date)s. Welcome back then!")
            % {"date": localformat.date(round.first_day)},
            round=round,
        )
    return _message(
        request, title=_("Something is not right"), message=error.message, status=400, kind="warning"
    )


def _closed(request, round: Round, *, department_id: int | None = None) -> HttpResponse:
    return _message(
        request,
        title=_("Thank you – the survey has closed"),
        message=_("The survey closed and no more answers can be given. Thank you to everyone who took part."),
        round=round,
        department_id=department_id,
    )


# --- The respondent in the session -------------------------------------------------------------------------


def _remember_draft(request, state: dict, draft: Draft) -> None:
    """Keep the respondent's resolved context in the session (written once, when the link is opened), so
    that a save needs no lookup and a page one query (docs/performance.md, "Respondent path")."""
    context = {
        "draft": draft.pk,
        "round": draft.round_id,
        "questionnaire": draft.round.questionnaire_id,
        "organisation": draft.round.organisation_id,
    }
    if any(state.get(key) != value for key, value in context.items()):
        request.session[SESSION_KEY] = {**state, **context}


def _context(state: dict) -> responding.DraftContext | None:
    """The respondent's draft as the session holds it, or None (a session from before the context was
    kept, or none at all)."""
    try:
        if "draft" not in state:
            return None
        if "invitation" in state:
            return responding.DraftContext(
                draft_id=state["draft"],
                round_id=state["round"],
                questionnaire_id=state["questionnaire"],
                invitation_id=state["invitation"],
            )
        if "open_round" in state:
            return responding.DraftContext(
                draft_id=state["draft"],
                round_id=state["open_round"],
                questionnaire_id=state["questionnaire"],
                open_key_hash=hash_token(state.get("open_key", "")),
            )
    except KeyError:
        return None
    return None


def _save_token(request, draft: Draft) -> str:
    """The page's token for its autosave requests: the draft's context, bound to this session."""
    context = responding.DraftContext.of(draft)
    return save_token(
        [
            context.draft_id,
            context.round_id,
            context.questionnaire_id,
            context.invitation_id,
            context.open_key_hash,
        ],
        request.session.session_key or "",
    )


def _token_context(request) -> responding.DraftContext | None:
    """The context of a save's token, read without the session's row: the token is bound to the session
    cookie's key. None when the request has no valid token (an older page, another session): the save then
    reads the session."""
    value = read_save_token(request.POST.get("t", ""), request.COOKIES.get(settings.SESSION_COOKIE_NAME))
    if value is None or len(value) != 5:
        return None
    try:
        draft, round_id, questionnaire, invitation, open_key_hash = value
        return responding.DraftContext(
            draft_id=int(draft),
            round_id=int(round_id),
            questionnaire_id=int(questionnaire),
            invitation_id=None if invitation is None else int(invitation),
            open_key_hash=str(open_key_hash or ""),
        )
    except (TypeError, ValueError):
        return None


def _respondent(request, *, json: bool = False) -> Respondent | HttpResponse:
    state = request.session.get(SESSION_KEY) or {}
    if "submitted_round" in state:
        round = Round.objects.filter(pk=state["submitted_round"]).first()
        return _refusal(request, responding.already_submitted_error(), round, json=json)
    context = _context(state)
    if context is not None:
        # One query: the draft with its round, organisation, questionnaire and invitation.
        draft = selectors.get_draft_in_context(
            context.draft_id,
            context.round_id,
            invitation_id=context.invitation_id,
            open_key_hash=context.open_key_hash,
        )
        if draft is not None:
            invitation = draft.invitation
            try:
                if invitation is not None:
                    invitation.round = draft.round
                    responding.check_invitation_can_answer(invitation)
                elif draft.round.status != Round.Status.OPEN:
                    raise responding.round_not_open_error()
            except DomainError as error:
                department_id = invitation.department_id if invitation is not None else None
                return _refusal(request, error, draft.round, json=json, department_id=department_id)
            return Respondent(draft.round, draft, invitation)
        if "invitation" not in state:
            return _expired(request, json=json)
        # A personal link whose draft is gone (submitted on another device, …): the full lookup says why.
    if "invitation" in state:
        invitation = selectors.get_invitation_with_draft(state["invitation"])
        if invitation is None:
            return _expired(request, json=json)
        try:
            responding.check_invitation_can_answer(invitation)
            draft = getattr(invitation, "draft", None) or responding.start_response(invitation=invitation)
        except DomainError as error:
            return _refusal(
                request, error, invitation.round, json=json, department_id=invitation.department_id
            )
        draft.round = invitation.round  # already loaded with its questionnaire and organisation
        _remember_draft(request, state, draft)
        return Respondent(invitation.round, draft, invitation)
    if "open_round" in state:
        draft = selectors.get_open_draft(state["open_round"], state.get("open_key", ""))
        if draft is None:
            return _expired(request, json=json)
        if draft.round.status != Round.Status.OPEN:
            return _refusal(request, responding.round_not_open_error(), draft.round, json=json)
        _remember_draft(request, state, draft)
        return Respondent(draft.round, draft, None)
    return _expired(request, json=json)


def _page_url(number: int, statement_id: int | None = None) -> str:
    url = reverse("surveys:respond_page", args=[number])
    return f"{url}#s{statement_id}" if statement_id else url


def _resume_url(summary: selectors.Summary) -> str:
    """Where a returning respondent continues: the first unanswered statement, or the summary."""
    if summary.first_unanswered is None:
        return reverse("surveys:respond_summary")
    return _page_url(summary.first_unanswered.page, summary.first_unanswered.statement.pk)


def _remember_language(request, response: HttpResponse, language: str) -> None:
    """The invitation's language is the default until the respondent switches (kept for the session)."""
    if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES and language in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE
        )


# --- Views -------------------------------------------------------------------------------------------------


@respondent_page(referrer_policy="no-referrer")
@require_http_methods(["GET", "HEAD"])
def respond_start(request, token):
    """The personal link. Swap the token for a session and redirect: the token leaves the address bar."""
    invitation = selectors.get_invitation_for_token(token)
    if invitation is None:
        return _unknown_link(request)
    request.session.cycle_key()
    request.session[SESSION_KEY] = {"invitation": invitation.pk}
    request.session.pop(RECEIPT_KEY, None)
    target = reverse("surveys:respond_welcome")
    try:
        responding.check_invitation_can_answer(invitation)
        draft = responding.start_response(invitation=invitation)
        draft.round = invitation.round
        _remember_draft(request, request.session[SESSION_KEY], draft)
        if draft.answers.exists():
            categories = selectors.list_categories(invitation.round.questionnaire_id)
            target = _resume_url(selectors.get_summary(draft, categories))
    except DomainError:
        pass  # the start page explains (submitted, revoked, closed)
    response = redirect(target)
    _remember_language(request, response, invitation.language)
    return response


@respondent_page
@require_http_methods(["GET", "HEAD"])
def respond_welcome(request):
    respondent = _respondent(request)
    if isinstance(respondent, HttpResponse):
        return respondent
    categories = selectors.list_categories(respondent.round.questionnaire_id)
    summary = selectors.get_summary(respondent.draft, categories)
    return render(
        request,
        "surveys/respond_start.html",
        {
            "round": respondent.round,
            "organisation": respondent.round.organisation,
            "questionnaire": respondent.round.questionnaire,
            "open_link": respondent.invitation is None,
            "summary": summary,
            "pages": len(categories),
            "minutes": responding.answer_minutes(summary.progress.total),
            "resume_url": _resume_url(summary) if summary.progress.answered else _page_url(1),
        },
    )


def _scale(questionnaire) -> list[dict]:
    """The seven choices with their labels in the active language: 1..6 and "vet ej"."""
    lang = (get_language() or "sv")[:2]
    labels = (
        (questionnaire.scale_labels or {}).get(lang) or (questionnaire.scale_labels or {}).get("sv") or []
    )
    labels = list(labels) + [""] * (6 - len(labels))
    choices = []
    for value in range(1, 7):
        text = labels[value - 1]
        if not text and value == 1:
            text = _("does not apply at all")
        elif not text and value == 6:
            text = _("applies completely")
        label = (
            format_html('<strong>{}</strong> <span class="scale-text">{}</span>', value, text)
            if text
            else format_html("<strong>{}</strong>", value)
        )
        choices.append(
            {"value": str(value), "number": value, "text": text, "suffix": value, "label_html": label}
        )
    dont_know = (questionnaire.dont_know_label or {}).get(lang) or _("Don't know")
    choices.append(
        {
            "value": "dk",
            "number": None,
            "text": dont_know,
            "suffix": "dk",
            "label_html": conditional_escape(dont_know),
        }
    )
    return choices


@respondent_page
@require_http_methods(["GET", "HEAD", "POST"])
def respond_page(request, number: int):
    respondent = _respondent(request)
    if isinstance(respondent, HttpResponse):
        return respondent
    categories = selectors.list_categories(respondent.round.questionnaire_id)
    if not 1 <= number <= len(categories):
        return redirect("surveys:respond_page", 1) if categories else redirect("surveys:respond_summary")
    structure = selectors.get_questionnaire_structure(respondent.round.questionnaire_id)
    form = CategoryAnswersForm(
        request.POST if request.method == "POST" else None,
        statements=structure.by_category.get(categories[number - 1].pk, []),
    )
    if request.method == "POST" and form.is_valid():  # saved and on to the next page: no answers read
        try:
            responding.save_answers(
                draft=respondent.draft, answers=form.answers(), statement_ids=structure.statement_ids
            )
        except DomainError as error:
            if error.code in (ALREADY_SUBMITTED, REVOKED, ROUND_NOT_OPEN):
                return _refusal(request, error, respondent.round)
            add_domain_error_to_form(form, error)
        else:
            nav = request.POST.get("nav", "next")
            if nav == "prev" and number > 1:
                return redirect("surveys:respond_page", number - 1)
            if nav == "summary" or number >= len(categories):
                return redirect("surveys:respond_summary")
            if nav == "stay":
                return redirect("surveys:respond_page", number)
            return redirect("surveys:respond_page", number + 1)
    page = selectors.get_questionnaire_page(respondent.draft, categories, number)
    posted = form.data if form.is_bound else {}
    for row in page.rows:
        name = f"s{row.statement.pk}"
        row.field_name = name
        row.errors = form.errors.get(name, []) if form.is_bound else []
        # After an error, show what was sent where it was valid, otherwise the saved answer.
        row.checked = (
            posted.get(name)
            if posted and not row.errors
            else (("dk" if row.value is None else str(row.value)) if row.answered else "")
        )
    return render(
        request,
        "surveys/respond_page.html",
        {
            "round": respondent.round,
            "organisation": respondent.round.organisation,
            "page": page,
            "form": form,
            "scale": _scale(respondent.round.questionnaire),
            "save_token": _save_token(request, respondent.draft),
            "error_rows": [row for row in page.rows if row.errors],
            "is_last": number >= len(categories),
        },
    )


def _same_origin(request) -> bool:
    """A browser's ``Origin`` header, when it sends one, names this site (or a trusted origin)."""
    origin = request.META.get("HTTP_ORIGIN")
    if origin is None:
        return True
    try:
        own = f"{request.scheme}://{request.get_host()}"
    except DisallowedHost:
        return False
    return origin == own or origin in settings.CSRF_TRUSTED_ORIGINS


@csrf_exempt  # see below: the page's save token is the request's proof; without it Django's check runs
@require_POST
@staff_session_exempt
def respond_save(request):
    """Save the answers given on a page since the last save (the page script: its coalesced requests and
    the beacon sent when the page is left). All or nothing. JSON out.

    One query (docs/performance.md): the page's token carries the respondent's context, bound to the
    session cookie, and one upsert writes the answers only where the draft may still be answered (round
    open, link neither submitted nor revoked) and returns the count; the statements are checked against
    the questionnaire kept in the process. Without a valid token the session is read (two queries). Only a
    refused save looks up why. A save that succeeds with its token is usually answered before it gets
    here, by ``save_from_page`` through ``surveys.middleware.AutosaveMiddleware``; this view answers the
    rest (refusals, answers off the scale, no token, another origin), with the language and the whole
    middleware.

    Cross-site request forgery: the save token is a synchroniser token. It is written only into the
    questionnaire page, which another site cannot read, and is signed with the secret key and bound to the
    session cookie's key, so that another site can neither know nor make one for this browser's session
    (and the session cookie, ``SameSite=Lax``, is not sent with another site's POST at all). With a valid
    token the request is as proven as Django's CSRF token would make it, and Django's check (which read the
    body a second way and checked a second secret) is not run; a browser's ``Origin`` must still be this
    site's. Without a valid token (an older page) Django's CSRF check runs as on every other POST
    (``tests/respond/test_save_csrf.py`` plays the forging site both ways)."""
    context = _token_context(request)
    if context is None:
        return _save_with_session(request)
    if not _same_origin(request):
        return JsonResponse(
            {
                "ok": False,
                "message": _("The answers were not saved: the request did not come from this site."),
            },
            status=403,
        )
    return _save(request, context)


def save_from_page(request) -> HttpResponse | None:
    """The autosave's short way (surveys.middleware.AutosaveMiddleware): the response to a save that
    carries a valid page token, comes from this site (host and origin) and is saved; None for anything else,
    which ``respond_save`` then answers in full (its refusals and messages need the language, the session
    or Django's CSRF check). A save refused here wrote nothing, so answering it again there is harmless."""
    try:
        request.get_host()  # an unknown host: Django's 400, from the full way
    except DisallowedHost:
        return None
    context = _token_context(request)
    if context is None or not _same_origin(request):
        return None
    answers = parse_saved_answers(request.POST)
    if answers is None:
        return None
    try:
        answered = responding.save_answers(
            draft=context,
            answers=answers,
            statement_ids=selectors.get_questionnaire_structure(context.questionnaire_id).statement_ids,
        )
    except DomainError:
        return None
    response = JsonResponse({"ok": True, "answered": answered})
    response.headers["Content-Length"] = str(len(response.content))  # CommonMiddleware's, not run here
    return response


@csrf_protect
def _save_with_session(request):
    """A save without a valid page token: Django's CSRF check, then the respondent from the session."""
    context = _context(request.session.get(SESSION_KEY) or {})
    if context is None:
        respondent = _respondent(request, json=True)  # refusals, an expired session, an older session
        if isinstance(respondent, HttpResponse):
            return respondent
        context = responding.DraftContext.of(respondent.draft)
    return _save(request, context)


def _save(request, context: responding.DraftContext):
    answers = parse_saved_answers(request.POST)
    if answers is None:
        return JsonResponse(
            {
                "ok": False,
                "message": _("The answers were not saved: one of them was not one of the choices."),
            },
            status=400,
        )
    try:
        answered = responding.save_answers(
            draft=context,
            answers=answers,
            statement_ids=selectors.get_questionnaire_structure(context.questionnaire_id).statement_ids,
        )
    except DomainError as error:
        status = 409 if error.code in (ALREADY_SUBMITTED, REVOKED, ROUND_NOT_OPEN) else 400
        if error.code == responding.BUSY:
            status = 503
        return JsonResponse({"ok": False, "message": str(error.message)}, status=status)
    return JsonResponse({"ok": True, "answered": answered})


@respondent_page
@require_http_methods(["GET", "HEAD", "POST"])
def respond_summary(request):
    respondent = _respondent(request)
    if isinstance(respondent, HttpResponse):
        return respondent
    form = SubmitForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            receipt = responding.submit_response(
                draft=respondent.draft, confirm_unanswered=form.cleaned_data["confirm"]
            )
        except DomainError as error:
            if error.code in (ALREADY_SUBMITTED, REVOKED, ROUND_NOT_OPEN):
                return _refusal(request, error, respondent.round)
            add_domain_error_to_form(form, error)
        else:
            request.session[SESSION_KEY] = {"submitted_round": receipt.round_id}
            request.session[RECEIPT_KEY] = {
                "round": receipt.round_id,
                "submitted_on": receipt.submitted_on,
                "answered": receipt.answered,
                "total": receipt.total,
                "open_link": respondent.invitation is None,
            }
            return redirect("surveys:respond_receipt")
    categories = selectors.list_categories(respondent.round.questionnaire_id)
    return render(
        request,
        "surveys/respond_summary.html",
        {
            "round": respondent.round,
            "organisation": respondent.round.organisation,
            "summary": selectors.get_summary(respondent.draft, categories),
            "pages": len(categories),
            "form": form,
        },
    )


@respondent_page
@require_http_methods(["GET", "HEAD"])
def respond_receipt(request):
    receipt = request.session.get(RECEIPT_KEY)
    if not receipt:
        return redirect("surveys:respond_welcome")
    round = Round.objects.select_related("organisation").filter(pk=receipt["round"]).first()
    return render(
        request,
        "surveys/respond_receipt.html",
        {"receipt": receipt, "round": round, "organisation": round and round.organisation},
    )


def _unknown_link(request) -> HttpResponse:
    """An unknown token or open-link key: counted against the IP; 404, or 429 over the limit. Shown at the
    link's own address, so without the language form (a POST from a no-referrer page is refused)."""
    if ratelimit.register_unknown_token(request):
        response = _message(
            request,
            title=_("Too many attempts"),
            message=_(
                "Too many unknown links were opened from your network. Wait a few minutes and try again, or "
                "copy the link from your e-mail exactly."
            ),
            status=429,
            kind="warning",
            at_link=True,
        )
        response["Retry-After"] = str(ratelimit.window_seconds())
        return response
    return _message(
        request,
        title=_("The link was not found"),
        message=_(
            "This survey link is not valid. Check that you copied the whole link from your e-mail. If it "
            "still does not work, ask the organisation that sent it for a new link."
        ),
        status=404,
        kind="warning",
        at_link=True,
    )


@respondent_page(referrer_policy="no-referrer")
@require_http_methods(["GET", "HEAD"])
def respond_open(request, key):
    """An open link (a round without personal invitations): remember the round and leave the address."""
    round = selectors.get_round_for_open_key(key)
    if round is None:
        return _unknown_link(request)
    state = request.session.get(SESSION_KEY) or {}
    if state.get("open_round") == round.pk and selectors.get_open_draft(round.pk, state.get("open_key", "")):
        return redirect("surveys:respond_welcome")
    request.session[OPEN_PENDING_KEY] = round.pk
    return redirect("surveys:respond_open_start")


@respondent_page
@require_http_methods(["GET", "HEAD", "POST"])
def respond_open_start(request):
    """The open link's first page: the respondent names department and role, and a draft is started."""
    round_id = request.session.get(OPEN_PENDING_KEY)
    round = selectors.get_open_round(round_id) if round_id else None
    if round is None:
        return _expired(request)
    if round.status != Round.Status.OPEN:
        return _refusal(request, responding.round_not_open_error(), round)
    form = OpenStartForm(
        request.POST if request.method == "POST" else None,
        organisation=round.organisation,
        departments=list(round.departments.all()) or None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            draft, raw_key = responding.start_open_response(
                round=round, department=form.cleaned_data["department"], group=form.cleaned_data["group"]
            )
        except DomainError as error:
            add_domain_error_to_form(form, error)
        else:
            request.session.cycle_key()
            request.session.pop(OPEN_PENDING_KEY, None)
            draft.round = round
            state = {"open_round": round.pk, "open_key": raw_key}
            request.session[SESSION_KEY] = state
            _remember_draft(request, state, draft)
            request.session.pop(RECEIPT_KEY, None)
            return redirect("surveys:respond_welcome")
    return render(
        request,
        "surveys/respond_open.html",
        {"round": round, "organisation": round.organisation, "form": form},
    )
