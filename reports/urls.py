"""URLs of the reports app (namespace "reports"): the results dashboards and the annual report."""

from django.urls import path, re_path, register_converter

from .views import annual, dashboards, national


class YearConverter:
    """A calendar year of four digits (issue 11): /arsrapport/99999/ is a 404, never a year the database's
    small integer column cannot hold."""

    regex = "[12][0-9]{3}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return f"{int(value):04d}"


register_converter(YearConverter, "year")

app_name = "reports"
urlpatterns: list = [
    # The results dashboards
    path("o/<str:org>/resultat/", dashboards.dashboard, name="dashboard"),
    re_path(
        r"^o/(?P<org>[^/]+)/resultat/export\.(?P<fmt>csv|xlsx)$",
        dashboards.dashboard_export,
        name="dashboard_export",
    ),
    # The annual report
    path("o/<str:org>/arsrapport/", annual.report_overview, name="annual_report_overview"),
    path("o/<str:org>/arsrapport/<year:year>/", annual.report_overview, name="annual_report"),
    path("o/<str:org>/arsrapport/<year:year>/status/", annual.report_status, name="annual_report_status"),
    path("o/<str:org>/arsrapport/<year:year>/bestall/", annual.report_order, name="annual_report_order"),
    path(
        "o/<str:org>/arsrapport/<year:year>/slutsatser/ny/", annual.conclusion_edit, name="conclusion_create"
    ),
    path(
        "o/<str:org>/arsrapport/<year:year>/slutsatser/<int:number>/",
        annual.conclusion_edit,
        name="conclusion_update",
    ),
    path(
        "o/<str:org>/arsrapport/<year:year>/slutsatser/<int:number>/ta-bort/",
        annual.conclusion_delete,
        name="conclusion_delete",
    ),
    path("o/<str:org>/arsrapporter/<int:pk>/", annual.report_page, name="annual_report_page"),
    path("o/<str:org>/arsrapporter/<int:pk>/forsok-igen/", annual.report_retry, name="annual_report_retry"),
    path(
        "o/<str:org>/arsrapporter/<int:pk>/ladda-ned.<str:fmt>",
        annual.report_download,
        name="annual_report_download",
    ),
    path("arsrapporter/bestall-alla/", annual.report_order_all, name="annual_report_all"),
    # The national overview: the platform admin's page (with the public switch) and the public page
    path("plattform/nationell-oversikt/", national.national_overview, name="national_overview"),
    path(
        "plattform/nationell-oversikt/export.xlsx",
        national.national_overview_export,
        name="national_overview_export",
    ),
    path("nationell-oversikt/", national.national_overview_public, name="national_overview_public"),
    path(
        "nationell-oversikt/export.xlsx",
        national.national_overview_public_export,
        name="national_overview_public_export",
    ),
]
