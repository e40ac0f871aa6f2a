from django.urls import path

from .views import organisation as views
from .views import respond as respond_views

app_name = "surveys"

# The respondent's pages (issue 5) come first: they carry the volume (a save an answer), and URL resolution
# tries patterns in order. The personal link is swapped for a session on the first request.
urlpatterns = [
    path("s/<str:token>/", respond_views.respond_start, name="respond_start"),
    path("s/open/<str:key>/", respond_views.respond_open, name="respond_open"),
    path("enkat/", respond_views.respond_welcome, name="respond_welcome"),
    path("enkat/oppen/", respond_views.respond_open_start, name="respond_open_start"),
    path("enkat/sida/<int:number>/", respond_views.respond_page, name="respond_page"),
    path("enkat/spara/", respond_views.respond_save, name="respond_save"),
    path("enkat/sammanfattning/", respond_views.respond_summary, name="respond_summary"),
    path("enkat/kvitto/", respond_views.respond_receipt, name="respond_receipt"),
]

urlpatterns += [
    path("tillganglighet/", views.accessibility_statement, name="accessibility"),
    path("o/<str:org>/", views.organisation_detail, name="organisation_detail"),
    path("o/<str:org>/departments/", views.department_list, name="department_list"),
    path("o/<str:org>/departments/new/", views.department_edit, name="department_create"),
    path("o/<str:org>/departments/<int:pk>/", views.department_edit, name="department_update"),
    path("o/<str:org>/departments/<int:pk>/delete/", views.department_delete, name="department_delete"),
    path(
        "o/<str:org>/departments/successions/",
        views.department_successions,
        name="department_successions",
    ),
    path(
        "o/<str:org>/departments/successions/<int:pk>/delete/",
        views.department_succession_delete,
        name="department_succession_delete",
    ),
    path("o/<str:org>/groups/", views.group_list, name="group_list"),
    path("o/<str:org>/groups/new/", views.group_edit, name="group_create"),
    path("o/<str:org>/groups/<int:pk>/", views.group_edit, name="group_update"),
    path("o/<str:org>/groups/<int:pk>/delete/", views.group_delete, name="group_delete"),
    path("o/<str:org>/roles/", views.role_list, name="role_list"),
    path("o/<str:org>/roles/<int:pk>/revoke/", views.role_revoke, name="role_revoke"),
]

# Comparison settings and named networks (issue 15).
from .views import comparisons as comparison_views  # noqa: E402

urlpatterns += [
    path("o/<str:org>/jamforelser/", comparison_views.comparison_settings, name="comparison_settings"),
    path("o/<str:org>/jamforelser/natverk/ny/", comparison_views.network_edit, name="network_create"),
    path("o/<str:org>/jamforelser/natverk/<int:pk>/", comparison_views.network_edit, name="network_update"),
    path(
        "o/<str:org>/jamforelser/natverk/<int:pk>/ta-bort/",
        comparison_views.network_delete,
        name="network_delete",
    ),
]

# Measurement windows and survey rounds (issue 4).
from .views import rounds as round_views  # noqa: E402

urlpatterns += [
    path("o/<str:org>/rounds/", round_views.round_list, name="round_list"),
    path("o/<str:org>/rounds/new/", round_views.round_create, name="round_create"),
    path("o/<str:org>/rounds/<int:pk>/edit/", round_views.round_edit, name="round_edit"),
    path("o/<str:org>/rounds/<int:pk>/open/", round_views.round_open, name="round_open"),
    path("o/<str:org>/rounds/<int:pk>/send/", round_views.round_send, name="round_send"),
    path("o/<str:org>/rounds/<int:pk>/remind/", round_views.round_remind, name="round_remind"),
    path(
        "o/<str:org>/rounds/<int:pk>/reminders/",
        round_views.round_reminder_schedule,
        name="round_reminder_schedule",
    ),
    path(
        "o/<str:org>/rounds/<int:pk>/closing-date/", round_views.round_closing_date, name="round_closing_date"
    ),
    path("o/<str:org>/rounds/<int:pk>/open-link/", round_views.round_open_link, name="round_open_link"),
    path("o/<str:org>/rounds/<int:pk>/texts/", round_views.round_texts, name="round_texts"),
    path("o/<str:org>/rounds/<int:pk>/respondents/", round_views.round_respondents, name="round_respondents"),
    path(
        "o/<str:org>/rounds/<int:pk>/respondents/import/<int:upload>/",
        round_views.round_import,
        name="round_import",
    ),
    path(
        "o/<str:org>/rounds/<int:pk>/respondents/<int:invitation>/remove/",
        round_views.respondent_remove,
        name="respondent_remove",
    ),
]
