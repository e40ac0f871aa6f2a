from django.urls import path

from . import action_views, api, benchmark_views, digest_views, public_views, views

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
    # The action plans (issue 16, docs/actions.md). The create page takes a suggestion's prefill:
    # ?round=<id>&department=<id or empty>&capability=<code> (repeatable)&title=<text>.
    path("o/<str:org>/atgarder/", action_views.action_list, name="action_list"),
    path("o/<str:org>/atgarder/export.<str:fmt>", action_views.action_export, name="action_export"),
    path("o/<str:org>/atgarder/ny/", action_views.action_create, name="action_create"),
    path("o/<str:org>/atgarder/<int:pk>/", action_views.action_detail, name="action_detail"),
    path("o/<str:org>/atgarder/<int:pk>/andra/", action_views.action_update, name="action_update"),
    path("o/<str:org>/atgarder/<int:pk>/status/", action_views.action_status, name="action_status"),
    path(
        "o/<str:org>/atgarder/<int:pk>/anteckningar/ny/",
        action_views.action_note_create,
        name="action_note_create",
    ),
    # The weekly digest of actions (docs/actions.md, "Reminders"): the signed-in person's setting, and the
    # e-mail's switch-off link (a signed token, no login; GET shows a button, POST switches off).
    path("atgarder/paminnelser/", digest_views.digest_settings, name="digest_settings"),
    path("atgarder/paminnelser/av/<str:token>/", digest_views.digest_switch, name="digest_switch"),
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
