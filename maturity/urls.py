from django.urls import path

from . import api, benchmark_views, public_views, views

app_name = "maturity"
urlpatterns = [
    path("o/<str:org>/results/", views.results_list, name="results_list"),
    path(
        "o/<str:org>/results/<str:period>/download.<str:fmt>",
        views.results_download,
        name="results_download",
    ),
    path("o/<str:org>/results/import/", views.response_import, name="response_import"),
    # The round's page shows its response rates under the results' anonymity rule (maturity.rates), and
    # closing a round freezes its results (maturity.services.closing); the paths stay among the round's.
    path("o/<str:org>/rounds/<int:pk>/", views.round_detail, name="round_detail"),
    path("o/<str:org>/rounds/<int:pk>/rates/", views.round_rates, name="round_rates"),
    path("o/<str:org>/rounds/<int:pk>/close/", views.round_close, name="round_close"),
    # The platform admin's benchmark data (issue 15): import a file, the sources, delete one.
    path("jamforelsedata/", benchmark_views.benchmark_sources, name="benchmark_sources"),
    path(
        "jamforelsedata/<int:pk>/ta-bort/",
        benchmark_views.benchmark_source_delete,
        name="benchmark_source_delete",
    ),
    # The open data (issue 15, docs/open-data.md): public, read-only.
    path("oppna-data/", public_views.open_data_page, name="open_data"),
    path("oppna-data/dcat.rdf", public_views.open_data_dcat, name="open_data_dcat"),
    path(
        "oppna-data/dimios-oppna-data.<str:fmt>", public_views.open_data_download, name="open_data_download"
    ),
    path("api/v1/open-data/", api.records, name="api_open_data"),
    path("api/v1/periods/", api.periods, name="api_periods"),
    path("api/v1/schema/", api.schema, name="api_schema"),
]
