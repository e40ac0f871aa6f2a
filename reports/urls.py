from django.urls import path  # noqa: F401

app_name = "reports"
urlpatterns: list = []

# The annual report (issue 7).
from .urls_annual import urlpatterns as annual_urlpatterns  # noqa: E402

urlpatterns += annual_urlpatterns
