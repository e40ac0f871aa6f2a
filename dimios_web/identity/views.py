"""The identity pages of the product itself: starting single sign-on from an e-mail address, an organisation's
login settings, and its audit log (page and CSV). Thin: scope, bind a form, one service call, render."""

from __future__ import annotations

import csv
import io

from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dimios_web.exceptions import DomainError, add_domain_error_to_form
from surveys.access import ADMIN, OrganisationAccess, organisation_view
from surveys.audit_texts import describe

from . import selectors
from .forms import AuditFilterForm, SecuritySettingsForm, SSOStartForm
from .models import OrganisationLogin
from .policy import login_for_domain
from .services import audit_log as audit_log_services
from .services import settings as settings_services


def signup_closed(request, *args, **kwargs):
    """Nobody signs up here: staff accounts come from an organisation admin granting a role."""
    raise Http404


@require_POST
def sso_start(request):
    """Find the organisation by the e-mail address's domain and send the browser to its login service."""
    form = SSOStartForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("Enter your work e-mail address to log in with your organisation's account.")
        )
        return redirect("account_login")
    email = form.cleaned_data["email"].strip().lower()
    row = login_for_domain(email)
    if row is None:
        messages.error(
            request,
            _(
                "No organisation here logs in with single sign-on for %(email)s. Log in with your password "
                "instead."
            )
            % {"email": email},
        )
        return redirect("account_login")
    adapter = get_social_adapter()
    if row.protocol == OrganisationLogin.Protocol.OIDC:
        provider = adapter.get_provider(request, row.provider_id)
        return provider.redirect(
            request,
            "login",
            next_url=request.POST.get("next") or None,
            auth_params={**provider.get_auth_params(), "login_hint": email},
        )
    provider = adapter.get_provider(request, "saml", client_id=row.provider_id)
    return provider.redirect(request, "login", next_url=request.POST.get("next") or None)


@organisation_view(ADMIN, methods=("GET", "POST"))
def security_settings(request, access: OrganisationAccess):
    organisation = access.organisation
    row = selectors.get_login_policy(organisation)
    form = SecuritySettingsForm(request.POST if request.method == "POST" else None, instance=row)
    if request.method == "POST" and form.is_valid():
        try:
            settings_services.change_security_settings(
                organisation=organisation,
                actor=request.user,
                mfa_required=form.cleaned_data["mfa_required"],
                local_passwords_allowed=form.cleaned_data["local_passwords_allowed"],
            )
        except DomainError as error:
            add_domain_error_to_form(form, error)
        else:
            messages.success(request, _("The login settings were saved."))
            return redirect("identity:security_settings", org=organisation.code)
    return render(
        request,
        "identity/security_settings.html",
        {"organisation": organisation, "policy": row, "form": form},
    )


def _filtered_events(request, organisation):
    form = AuditFilterForm(request.GET or None, people=selectors.list_audit_people(organisation))
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    events = selectors.list_audit_events(
        organisation,
        action=filters.get("action") or "",
        person=filters.get("person") or "",
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
    )
    return form, events


@organisation_view(ADMIN)
def audit_log(request, access: OrganisationAccess):
    organisation = access.organisation
    if request.method not in ("GET", "HEAD"):  # after the permission check: 403/404 come first
        return HttpResponseNotAllowed(["GET"])
    form, events = _filtered_events(request, organisation)
    page = Paginator(events, selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(event, describe(event)) for event in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "identity/audit_log.html",
        {
            "organisation": organisation,
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "status": 400 if form.errors else 200,
        },
        status=400 if form.errors else 200,
    )


@organisation_view(ADMIN)
def audit_log_export(request, access: OrganisationAccess):
    organisation = access.organisation
    if request.method not in ("GET", "HEAD"):  # after the permission check: 403/404 come first
        return HttpResponseNotAllowed(["GET"])
    form, events = _filtered_events(request, organisation)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([_("When"), _("Who"), _("What"), _("Action code"), _("Target")])
    for event in events.iterator(chunk_size=500):
        if event.actor is not None:
            who = event.actor.email or event.actor.get_username()
        else:
            who = event.actor_pseudonym or _("System")
        writer.writerow(
            [
                timezone.localtime(event.created_at).strftime("%Y-%m-%d %H:%M:%S"),
                _csv_safe(who),
                _csv_safe(describe(event)),
                event.action,
                _csv_safe(event.target),
            ]
        )
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    audit_log_services.record_audit_export(organisation=organisation, actor=request.user, filters=filters)
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="dimios-logg-{organisation.code}-{stamp}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


def _csv_safe(value: str) -> str:
    """A cell that a spreadsheet would run as a formula gets a leading apostrophe."""
    value = str(value)
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def admin_login(request, extra_context=None):
    """Django admin's login, replaced: the product's own login page does every login (throttling, single
    sign-on, the second factor). A logged-in user who is not a platform admin gets 403, not a second login
    form."""
    from django.contrib.auth.views import redirect_to_login
    from django.core.exceptions import PermissionDenied
    from django.urls import reverse
    from django.utils.http import url_has_allowed_host_and_scheme

    next_url = request.GET.get("next") or reverse("admin:index")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("admin:index")
    if request.user.is_authenticated:
        if request.user.is_active and request.user.is_staff:
            return redirect(next_url)
        raise PermissionDenied
    return redirect_to_login(next_url, reverse("account_login"))
