from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language

from surveys.views import organisation as survey_views

from . import views

urlpatterns = [
    path("", survey_views.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    path("konto/logga-in/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("konto/logga-ut/", auth_views.LogoutView.as_view(), name="logout"),
    path("konto/losenord/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("konto/losenord/klart/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("konto/aterstall/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path("konto/aterstall/skickat/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "konto/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "konto/reset/klart/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"
    ),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("", include("surveys.urls")),
    path("", include("maturity.urls")),
    path("", include("reports.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
