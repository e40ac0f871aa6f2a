from django.urls import path

from . import views

app_name = "maturity"
urlpatterns = [
    path("o/<str:org>/results/", views.results_list, name="results_list"),
    path(
        "o/<str:org>/results/<str:period>/download.<str:fmt>",
        views.results_download,
        name="results_download",
    ),
    path("o/<str:org>/results/import/", views.response_import, name="response_import"),
]
