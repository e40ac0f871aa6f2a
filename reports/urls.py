from django.urls import path, re_path

from .views import dashboards

app_name = "reports"
urlpatterns: list = [
    path("o/<str:org>/resultat/", dashboards.dashboard, name="dashboard"),
    re_path(
        r"^o/(?P<org>[^/]+)/resultat/export\.(?P<fmt>csv|xlsx)$",
        dashboards.dashboard_export,
        name="dashboard_export",
    ),
]

# The annual report (issue 7).
from .urls_annual import urlpatterns as annual_urlpatterns  # noqa: E402

urlpatterns += annual_urlpatterns
