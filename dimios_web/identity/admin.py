"""The platform admin's single sign-on configuration per organisation. Every save is audited (without the
client secret's value); the secret is never shown again once saved.

The audit log (``surveys.AuditEvent``) is registered here, read-only, because its sentences live here
(``audit_texts``): the admin shows each event as the sentence the audit log page shows, never its code."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from surveys.audit_texts import action_choices, describe
from surveys.models import AuditEvent

from .models import OrganisationLogin
from .services import settings as settings_services


class OrganisationLoginForm(forms.ModelForm):
    oidc_issuer = forms.URLField(
        label=_("issuer"),
        required=False,
        assume_scheme="https",
        help_text=_("For Microsoft Entra ID: https://login.microsoftonline.com/<tenant id>/v2.0"),
    )
    saml_idp_sso_url = forms.URLField(
        label=_("IdP single sign-on URL"), required=False, assume_scheme="https"
    )
    oidc_client_secret = forms.CharField(
        label=_("client secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to keep the saved secret."),
    )

    class Meta:
        model = OrganisationLogin
        fields = [
            "organisation",
            "protocol",
            "allowed_domains",
            "require_verified_email",
            "oidc_issuer",
            "oidc_client_id",
            "oidc_client_secret",
            "saml_idp_entity_id",
            "saml_idp_sso_url",
            "saml_idp_certificate",
            "saml_email_attribute",
            "local_passwords_allowed",
            "mfa_required",
        ]

    def clean_oidc_client_secret(self):
        value = self.cleaned_data.get("oidc_client_secret")
        return value or (self.instance.oidc_client_secret if self.instance.pk else "")

    def clean(self):
        data = super().clean() or {}
        protocol = data.get("protocol")
        row = OrganisationLogin(allowed_domains=data.get("allowed_domains") or "")
        if protocol and not row.domains:
            self.add_error("allowed_domains", _("Name at least one e-mail domain for single sign-on."))
        if protocol == OrganisationLogin.Protocol.OIDC:
            for name in ("oidc_issuer", "oidc_client_id", "oidc_client_secret"):
                if not data.get(name):
                    self.add_error(name, _("Needed for OpenID Connect."))
        if protocol == OrganisationLogin.Protocol.SAML:
            for name in ("saml_idp_entity_id", "saml_idp_sso_url", "saml_idp_certificate"):
                if not data.get(name):
                    self.add_error(name, _("Needed for SAML."))
        if data.get("local_passwords_allowed") is False and not protocol:
            self.add_error(
                "local_passwords_allowed", _("Passwords can only be switched off with single sign-on.")
            )
        return data


@admin.register(OrganisationLogin)
class OrganisationLoginAdmin(admin.ModelAdmin):
    form = OrganisationLoginForm
    list_display = ["organisation", "protocol", "allowed_domains", "local_passwords_allowed", "mfa_required"]
    list_filter = ["protocol", "mfa_required", "local_passwords_allowed"]
    autocomplete_fields = ["organisation"]

    def save_model(self, request, obj, form, change):
        previous = {}
        if change:
            saved = OrganisationLogin.objects.get(pk=obj.pk)
            previous = {f.name: getattr(saved, f.name) for f in OrganisationLogin._meta.fields}
        settings_services.save_sso_configuration(row=obj, actor=request.user, previous=previous)


class AuditActionFilter(admin.SimpleListFilter):
    title = _("action")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return action_choices()

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "organisation", "actor", "sentence"]
    list_filter = [AuditActionFilter]
    # Every field read-only, the action as its sentence (never its code).
    readonly_fields = (
        "created_at",
        "organisation",
        "actor",
        "actor_pseudonym",
        "sentence",
        "target",
        "details",
        "round",
        "department",
        "respondent_group",
        "subject_user",
    )
    fields = readonly_fields

    @admin.display(description=_("what happened"))
    def sentence(self, event: AuditEvent) -> str:
        return describe(event)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
