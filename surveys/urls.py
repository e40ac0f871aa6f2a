from django.urls import path

from .views import organisation as views

app_name = "surveys"
urlpatterns = [
    path("tillganglighet/", views.accessibility_statement, name="accessibility"),
    path("o/<str:org>/", views.organisation_detail, name="organisation_detail"),
    path("o/<str:org>/departments/", views.department_list, name="department_list"),
    path("o/<str:org>/departments/new/", views.department_edit, name="department_create"),
    path("o/<str:org>/departments/<int:pk>/", views.department_edit, name="department_update"),
    path("o/<str:org>/departments/<int:pk>/delete/", views.department_delete, name="department_delete"),
    path("o/<str:org>/groups/", views.group_list, name="group_list"),
    path("o/<str:org>/groups/new/", views.group_edit, name="group_create"),
    path("o/<str:org>/groups/<int:pk>/", views.group_edit, name="group_update"),
    path("o/<str:org>/groups/<int:pk>/delete/", views.group_delete, name="group_delete"),
    path("o/<str:org>/roles/", views.role_list, name="role_list"),
    path("o/<str:org>/roles/<int:pk>/revoke/", views.role_revoke, name="role_revoke"),
]
