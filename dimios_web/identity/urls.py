"""The staff identity pages: allauth's views that this product uses (and only those), under Swedish paths with
allauth's URL names, plus the product's own (single sign-on start, login settings, audit log)."""

from allauth.account import views as account_views
from allauth.mfa.base import views as mfa_views
from allauth.mfa.recovery_codes import views as recovery_views
from allauth.mfa.totp import views as totp_views
from allauth.socialaccount import views as social_views
from allauth.socialaccount.providers.openid_connect import views as oidc_views
from allauth.socialaccount.providers.saml import views as saml_views
from django.urls import path, re_path

from . import views

account_urlpatterns = [
    path("logga-in/", account_views.login, name="account_login"),
    path("logga-ut/", account_views.logout, name="account_logout"),
    path("inaktivt/", account_views.account_inactive, name="account_inactive"),
    path("registrera/", views.signup_closed, name="account_signup"),
    path("bekrafta/", account_views.reauthenticate, name="account_reauthenticate"),
    path("losenord/", account_views.password_change, name="account_change_password"),
    path("losenord/nytt/", account_views.password_set, name="account_set_password"),
    path("aterstall/", account_views.password_reset, name="account_reset_password"),
    path("aterstall/skickat/", account_views.password_reset_done, name="account_reset_password_done"),
    re_path(
        r"^aterstall/nyckel/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
        account_views.password_reset_from_key,
        name="account_reset_password_from_key",
    ),
    path(
        "aterstall/klart/",
        account_views.password_reset_from_key_done,
        name="account_reset_password_from_key_done",
    ),
    # The second factor
    path("tvafaktor/", mfa_views.index, name="mfa_index"),
    path("tvafaktor/kod/", mfa_views.authenticate, name="mfa_authenticate"),
    path("tvafaktor/bekrafta/", mfa_views.reauthenticate, name="mfa_reauthenticate"),
    path("tvafaktor/app/", totp_views.activate_totp, name="mfa_activate_totp"),
    path("tvafaktor/app/ta-bort/", totp_views.deactivate_totp, name="mfa_deactivate_totp"),
    path("tvafaktor/reservkoder/", recovery_views.view_recovery_codes, name="mfa_view_recovery_codes"),
    path(
        "tvafaktor/reservkoder/nya/",
        recovery_views.generate_recovery_codes,
        name="mfa_generate_recovery_codes",
    ),
    path(
        "tvafaktor/reservkoder/ladda-ner/",
        recovery_views.download_recovery_codes,
        name="mfa_download_recovery_codes",
    ),
    # Single sign-on: the product's start page, allauth's OpenID Connect and SAML endpoints
    path("sso/", views.sso_start, name="sso_start"),
    path("sso/fel/", social_views.login_error, name="socialaccount_login_error"),
    path("sso/avbruten/", social_views.login_cancelled, name="socialaccount_login_cancelled"),
    path("sso/registrera/", views.signup_closed, name="socialaccount_signup"),
    path("sso/konton/", views.signup_closed, name="socialaccount_connections"),
    path("oidc/<str:provider_id>/login/", oidc_views.login, name="openid_connect_login"),
    path("oidc/<str:provider_id>/login/callback/", oidc_views.callback, name="openid_connect_callback"),
    path("saml/<str:organization_slug>/acs/", saml_views.acs, name="saml_acs"),
    path("saml/<str:organization_slug>/acs/finish/", saml_views.finish_acs, name="saml_finish_acs"),
    path("saml/<str:organization_slug>/sls/", saml_views.sls, name="saml_sls"),
    path("saml/<str:organization_slug>/metadata/", saml_views.metadata, name="saml_metadata"),
    path("saml/<str:organization_slug>/login/", saml_views.login, name="saml_login"),
]

organisation_urlpatterns = [
    path("o/<str:org>/inloggning/", views.security_settings, name="security_settings"),
    path("o/<str:org>/logg/", views.audit_log, name="audit_log"),
    path("o/<str:org>/logg/export.csv", views.audit_log_export, name="audit_log_export"),
]
