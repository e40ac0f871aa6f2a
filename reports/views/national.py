"""The national overview (docs/national-overview.md): the platform admin's page, where the public page is
switched on or off, and the public page (404 while it is off); each with its XLSX download. Thin: read the
chosen periods, one selector call, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import get_format
from django.views.decorators.http import require_http_methods

from maturity import national
from maturity.services.site_settings import set_public_national_overview
from surveys.scoping import get_scope

from .. import exports
from ..selectors.national import build_national_page


def _page(request) -> dict | None:
    overview = national.get_national_overview(
        period_code=request.GET.get("period") or None,
        panel_from_code=request.GET.get("from") or None,
        panel_to_code=request.GET.get("to") or None,
    )
    if overview is None:
        return None
    return build_national_page(overview, decimal=get_format("DECIMAL_SEPARATOR"))


def _render(request, *, public: bool):
    page = _page(request)
    return render(
        request,
        "reports/national_overview.html",
        {
            "page": page,
            "public": public,
            "settings": None if public else national.get_site_settings(),
            "export_url": (
                "reports:national_overview_public_export" if public else "reports:national_overview_export"
            ),
            "query": request.GET.urlencode(),
        },
    )


def _xlsx(request) -> HttpResponse:
    page = _page(request)
    if page is None:
        raise Http404
    response = HttpResponse(
        exports.national_overview_xlsx(page),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"dimios-nationell-oversikt-{page['overview'].period.code}"
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


def _platform_admin(request) -> None:
    if not get_scope(request.user).is_platform_admin:
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def national_overview(request):
    """The platform admin's national overview; a POST switches the public page on or off."""
    _platform_admin(request)
    if request.method == "POST":
        set_public_national_overview(enabled=request.POST.get("public") == "on", actor=request.user)
        return redirect("reports:national_overview")
    return _render(request, public=False)


@login_required
@require_http_methods(["GET"])
def national_overview_export(request):
    _platform_admin(request)
    return _xlsx(request)


@require_http_methods(["GET"])
def national_overview_public(request):
    """The public national overview: 404 unless the platform admin has switched it on."""
    if not national.is_national_overview_public():
        raise Http404
    return _render(request, public=True)


@require_http_methods(["GET"])
def national_overview_public_export(request):
    if not national.is_national_overview_public():
        raise Http404
    return _xlsx(request)
