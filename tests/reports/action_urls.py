"""The URL map with a stand-in for the action-create page (``maturity:action_create``, built on another
branch of issue 16), for the tests of the dashboards' "Skapa åtgärd" link."""

from django.http import HttpResponse
from django.urls import URLResolver, include, path

from dimios_web import urls as root
from maturity import urls as maturity_urls


def action_create(request, org):
    return HttpResponse(f"action create {org}")


urlpatterns = [
    *[p for p in root.urlpatterns if not (isinstance(p, URLResolver) and p.namespace == "maturity")],
    path(
        "",
        include(
            (
                [
                    *maturity_urls.urlpatterns,
                    path("o/<str:org>/atgarder/ny/", action_create, name="action_create"),
                ],
                "maturity",
            )
        ),
    ),
]
