"""The open data's JSON API, version 1 (issue 15, docs/open-data.md), with Django REST framework and its
OpenAPI 3 document by drf-spectacular:

- ``/api/v1/open-data/``: the records (benchmark format v1), paginated, filtered by period and kind;
- ``/api/v1/periods/``: the periods that have records;
- ``/api/v1/schema/``: the OpenAPI document.

Read-only (GET and HEAD), anonymous (open data: no authentication, so neither sessions nor CSRF),
throttled per client address. Every 200 carries a strong ETag, the hash of the body, and a conditional
GET with a matching ``If-None-Match`` gets 304 Not Modified; any site's pages may read it (CORS ``*``: no
credentials are involved). Views are thin: the selector is ``maturity.open_data``."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from dimios_web.client_address import client_ip
from dimios_web.middleware import staff_session_exempt

from . import open_data

READ_ONLY = ["get", "head"]


class OpenDataThrottle(AnonRateThrottle):
    """Requests per client address (``DIMIOS_API_THROTTLE``), the address read through the trusted proxies
    as everywhere else (``dimios_web.client_address``)."""

    scope = "open_data"

    def get_rate(self):
        return settings.DIMIOS_API_THROTTLE  # read at call time, not when DRF loads its settings

    def get_ident(self, request):
        return client_ip(request)


class OpenDataPagination(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


class RecordSerializer(serializers.Serializer):
    """One record of benchmark format v1: an organisation's published figures in one period."""

    organisation_code = serializers.CharField(help_text=_("The organisation's code (SCB code)."))
    organisation_name = serializers.CharField()
    kind = serializers.ChoiceField(choices=open_data.KINDS)
    county_code = serializers.CharField(allow_null=True, help_text=_("The county's two-digit SCB code."))
    period = serializers.CharField(help_text=_("The measurement period, e.g. 2026-HT."))
    n_respondents = serializers.IntegerField(min_value=0)
    figures = serializers.DictField(
        child=serializers.FloatField(allow_null=True),
        help_text=_(
            "Per cent (0–100) per figure: overall, capability, legacy, dimension:<code>, "
            "category:<code>, capability:<code>; null when not known or hidden."
        ),
    )


class PeriodSerializer(serializers.Serializer):
    code = serializers.CharField()
    year = serializers.IntegerField()
    term = serializers.ChoiceField(choices=["VT", "HT"])
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    n_records = serializers.IntegerField(min_value=0)


class RecordPageSerializer(serializers.Serializer):
    """A page of records, under the head of format v1's JSON document (format, version, source): how many
    records there are in all, the addresses of the next and previous pages."""

    format = serializers.ChoiceField(choices=[open_data.FORMAT_NAME])
    version = serializers.ChoiceField(choices=[open_data.FORMAT_VERSION])
    source = serializers.CharField()
    count = serializers.IntegerField(min_value=0)
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = RecordSerializer(many=True)


class RecordFilterSerializer(serializers.Serializer):
    period = serializers.CharField(required=False)

    def validate_period(self, value: str) -> str:
        if open_data.parse_period_code(value) is None:
            raise serializers.ValidationError(_("A measurement period is written e.g. 2026-HT or 2027-VT."))
        return value

    kind = serializers.ChoiceField(choices=open_data.KINDS, required=False)


class ConditionalMixin:
    """A strong ETag on every 200 (the SHA-256 of the rendered body, so it changes exactly when the data,
    the query or the format does) and 304 for a matching If-None-Match. Public data: any cache may keep a
    copy but must revalidate it."""

    http_method_names = READ_ONLY
    authentication_classes: list = []
    throttle_classes = [OpenDataThrottle]

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        # Open data without cookies or credentials: a web page on any site may read it.
        response["Access-Control-Allow-Origin"] = "*"
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        response.render()
        etag = '"' + hashlib.sha256(response.content).hexdigest() + '"'
        response["ETag"] = etag
        patch_cache_control(response, public=True, no_cache=True, max_age=0)
        conditional = get_conditional_response(request._request, etag=etag, response=response)
        if conditional is None or conditional is response:
            return response
        patch_cache_control(conditional, public=True, no_cache=True, max_age=0)
        conditional["Access-Control-Allow-Origin"] = "*"
        return conditional

    @classmethod
    def as_view(cls, **initkwargs):
        return staff_session_exempt(super().as_view(**initkwargs))  # type: ignore[misc]


PAGE_PARAMETERS = [
    OpenApiParameter(
        "period", OpenApiTypes.STR, pattern=open_data.PERIOD_PATTERN, description=_("e.g. 2026-HT")
    ),
    OpenApiParameter("kind", OpenApiTypes.STR, enum=open_data.KINDS),
    OpenApiParameter("page", OpenApiTypes.INT, description=_("The page, from 1.")),
    OpenApiParameter(
        "page_size",
        OpenApiTypes.INT,
        description=_("Records per page (default 100, at most 1000)."),
    ),
]


class OpenDataRecordsView(ConditionalMixin, APIView):
    """The records of the sharing organisations, by period and organisation code."""

    pagination_class = OpenDataPagination

    @extend_schema(
        operation_id="list_open_data_records",
        parameters=PAGE_PARAMETERS,
        responses={200: RecordPageSerializer},
    )
    def get(self, request):
        filters = RecordFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        keys = open_data.list_open_data_record_keys(**filters.validated_data)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(keys, request, view=self)
        records = open_data.list_open_data_records(round_ids=list(page or []))
        page_data = {
            "format": open_data.FORMAT_NAME,
            "version": open_data.FORMAT_VERSION,
            "source": open_data.open_data_source(),
            "count": paginator.page.paginator.count,
            "next": paginator.get_next_link(),
            "previous": paginator.get_previous_link(),
            "results": [record.as_dict() for record in records],
        }
        return Response(RecordPageSerializer(page_data).data)


class OpenDataPeriodsView(ConditionalMixin, APIView):
    """The measurement periods that have records, oldest first."""

    @extend_schema(operation_id="list_open_data_periods", responses={200: PeriodSerializer(many=True)})
    def get(self, request):
        return Response(PeriodSerializer(open_data.list_open_data_periods(), many=True).data)


class OpenDataSchemaView(ConditionalMixin, SpectacularAPIView):
    """The OpenAPI 3 document of version 1 (YAML, or JSON with ``?format=json``), in English (the
    descriptions in Swedish with ``?lang=sv``), whatever the browser's language."""

    api_version = "v1"

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        if request.GET.get("lang"):
            return super().get(request, *args, **kwargs)
        with translation.override("en"):
            return super().get(request, *args, **kwargs)


records = OpenDataRecordsView.as_view()
periods = OpenDataPeriodsView.as_view()
schema = OpenDataSchemaView.as_view()
