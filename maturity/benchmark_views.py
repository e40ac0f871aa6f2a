"""The platform admin's pages of benchmark data (issue 15; docs/benchmark-format.md): upload a file of
benchmark records (every problem shown with its line, or the import's summary), the list of imported
sources, and deleting a source after a confirmation. Platform admins only, like the other platform pages
(``reports:annual_report_all``): anyone else signed in gets 403, an anonymous visitor the login page.
Thin: check the user, bind a form, call one service, redirect or render."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from surveys.forms.common import ConfirmForm
from surveys.scoping import get_scope

from .forms import BenchmarkImportForm
from .models import BenchmarkSource
from .services.benchmarks import (
    BenchmarkFileRejected,
    delete_benchmark_source,
    import_benchmarks,
    list_benchmark_sources,
)


def platform_admin_view(view):
    """Signed in (else the login page) and a platform admin (else 403), for GET and POST only."""

    @login_required
    @require_http_methods(["GET", "POST"])
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not get_scope(request.user).is_platform_admin:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


@platform_admin_view
def benchmark_sources(request):
    form = BenchmarkImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    rejection = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            summary = import_benchmarks(file=upload, file_name=upload.name, actor=request.user)
        except BenchmarkFileRejected as error:
            rejection, problems = str(error), error.messages
        else:
            messages.success(
                request,
                _(
                    "%(records)s records (%(figures)s figures) of %(sources)s were imported, for the "
                    "periods %(periods)s. The comparisons include them now."
                )
                % {
                    "records": summary.records,
                    "figures": summary.figures,
                    "sources": ", ".join(f"“{name}”" for name in summary.sources),
                    "periods": ", ".join(summary.periods),
                },
            )
            if summary.replaced:
                messages.info(
                    request,
                    _("The earlier records of %(sources)s were replaced.")
                    % {"sources": ", ".join(f"“{name}”" for name in summary.replaced)},
                )
            return redirect("maturity:benchmark_sources")
    return render(
        request,
        "maturity/benchmark_sources.html",
        {"form": form, "problems": problems, "rejection": rejection, "sources": list_benchmark_sources()},
    )


@platform_admin_view
def benchmark_source_delete(request, pk: int):
    source = get_object_or_404(BenchmarkSource, pk=pk)
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        n_records = delete_benchmark_source(source=source, actor=request.user)
        messages.success(
            request,
            _("The source “%(name)s” and its %(records)s records were deleted.")
            % {"name": source.name, "records": n_records},
        )
        return redirect("maturity:benchmark_sources")
    return render(
        request,
        "maturity/benchmark_source_delete.html",
        {"source": source, "form": form, "cancel_url": reverse("maturity:benchmark_sources")},
    )
