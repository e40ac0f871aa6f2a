"""The weekly digest's pages (docs/actions.md, "Reminders"): a signed-in person switches their digest on or
off; the switch-off link of the e-mail works without a login (the signed token names the person), shows a
button on GET and changes the setting only on POST."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from dimios_web.exceptions import DomainError

from .services import action_digests as services


@login_required
@require_http_methods(["GET", "POST"])
def digest_settings(request):
    if request.method == "POST":
        enabled = request.POST.get("enabled") == "on"
        services.set_digest_enabled(user=request.user, enabled=enabled, actor=request.user, via="settings")
        if enabled:
            messages.success(request, _("The weekly digest of your actions is switched on."))
        else:
            messages.success(request, _("The weekly digest of your actions is switched off."))
        return redirect("maturity:digest_settings")
    return render(
        request,
        "maturity/digest_settings.html",
        {
            "enabled": services.digest_enabled(user=request.user),
            "due_within_days": services.DUE_WITHIN_DAYS,
        },
    )


@require_http_methods(["GET", "POST"])
def digest_switch(request, token: str):
    try:
        user = services.user_for_token(token)
    except DomainError as error:
        return render(request, "maturity/digest_switch.html", {"error": error.message}, status=400)
    done = False
    if request.method == "POST":
        services.set_digest_enabled(user=user, enabled=False, actor=None, via="link")
        done = True
    return render(
        request,
        "maturity/digest_switch.html",
        {"done": done, "enabled": services.digest_enabled(user=user)},
    )
