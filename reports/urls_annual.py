"""URLs of the annual report (issue 7), included by reports/urls.py (namespace "reports")."""

from django.urls import path

from .views import annual

urlpatterns = [
    path("o/<str:org>/arsrapport/", annual.report_overview, name="annual_report_overview"),
    path("o/<str:org>/arsrapport/<int:year>/", annual.report_overview, name="annual_report"),
    path("o/<str:org>/arsrapport/<int:year>/status/", annual.report_status, name="annual_report_status"),
    path("o/<str:org>/arsrapport/<int:year>/bestall/", annual.report_order, name="annual_report_order"),
    path(
        "o/<str:org>/arsrapport/<int:year>/slutsatser/ny/", annual.conclusion_edit, name="conclusion_create"
    ),
    path(
        "o/<str:org>/arsrapport/<int:year>/slutsatser/<int:number>/",
        annual.conclusion_edit,
        name="conclusion_update",
    ),
    path(
        "o/<str:org>/arsrapport/<int:year>/slutsatser/<int:number>/ta-bort/",
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
]
