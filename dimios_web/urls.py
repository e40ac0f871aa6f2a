from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.i18n import set_language

from dimios_web.identity import urls as identity_urls
from dimios_web.identity import views as identity_views
from reports.views import start as start_views

from . import views

# Django admin's own login page is not used: it redirects to the product's login (throttling, single sign-on,
# the second factor), and the admin is reached once logged in as a platform admin.
admin.site.login = identity_views.admin_login  # type: ignore[method-assign]  # AdminSite.login is the hook

urlpatterns = [
    path("", start_views.home, name="home"),
    path("livez/", views.livez, name="livez"),
    path("healthz/", views.healthz, name="healthz"),
    re_path(r"^readyz/?$", views.readyz, name="readyz"),
    # surveys first: its respondent pages lead it (the volume of a round's answers; surveys/urls.py).
    path("", include("surveys.urls")),
    path("konto/", include(identity_urls.account_urlpatterns)),
    path("", include((identity_urls.organisation_urlpatterns, "identity"))),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("", include("maturity.urls")),
    path("", include("reports.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
