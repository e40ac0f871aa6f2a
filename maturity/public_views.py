"""The public pages of the open data (issue 15, docs/open-data.md): the download page, the files in each
format (the writers of ``maturity.open_data``) and the DCAT-AP-SE catalogue. Anyone may read them; they
show only what the sharing organisations publish. The JSON API is ``maturity.api``."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from dimios_web.middleware import staff_session_exempt

from . import dcat, open_data


@require_safe
def open_data_page(request):
    """What the data is, its licence, the files, the API and the catalogue: links within the site, the
    absolute addresses (``DJANGO_SITE_URL``) shown as text for use elsewhere."""
    return render(
        request,
        "maturity/open_data.html",
        {
            "periods": open_data.list_open_data_periods(),
            "formats": [
                (fmt, reverse("maturity:open_data_download", args=[fmt])) for fmt in open_data.FORMATS
            ],
            "absolute": dcat.catalogue_urls(),
            "source": open_data.open_data_source(),
            "licence_name": open_data.LICENCE_NAME,
            "licence_url": open_data.LICENCE_URL,
            "format_version": open_data.FORMAT_VERSION,
        },
    )


@staff_session_exempt
@require_safe
def open_data_download(request, fmt):
    """The whole export (or one period's, ``?period=2026-HT``) as a file."""
    if fmt not in open_data.FORMATS:
        raise Http404
    period = request.GET.get("period") or None
    if period is not None and open_data.parse_period_code(period) is None:
        raise Http404
    content = open_data.write_records(fmt, open_data.list_open_data_records(period=period))
    response = HttpResponse(content, content_type=open_data.FORMATS[fmt])
    name = f"dimios-oppna-data-{period}" if period else "dimios-oppna-data"
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@staff_session_exempt
@require_safe
def open_data_dcat(request):
    return HttpResponse(dcat.catalogue_as_rdf_xml(), content_type=dcat.RDF_CONTENT_TYPE + "; charset=utf-8")
