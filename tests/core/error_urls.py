"""The site's URLs plus one that fails, for the server error page's tests (test_error_pages*.py)."""

from django.urls import path

from dimios_web.urls import urlpatterns as site_urlpatterns


def fail(request):
    raise RuntimeError("a test of the server error page")


urlpatterns = [path("test-serverfel/", fail), *site_urlpatterns]
