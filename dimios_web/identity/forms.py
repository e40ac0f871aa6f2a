"""The product's own texts on allauth's forms (labels and messages in our catalogue), and the forms of the
identity pages."""

from __future__ import annotations

from allauth.account import forms as account_forms
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.totp import forms as totp_forms
from django import forms
from django.utils.translation import gettext_lazy as _

from surveys.audit_texts import action_choices

from .models import OrganisationLogin


class LoginForm(account_forms.LoginForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("E-mail address or user name")
        self.fields["login"].widget.attrs.update({"autocomplete": "username", "placeholder": ""})
        self.fields["password"].label = _("Password")
        self.fields["password"].help_text = ""
        self.fields["password"].widget.attrs.pop("placeholder", None)


class ResetPasswordForm(account_forms.ResetPasswordForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("E-mail address")
        self.fields["email"].widget.attrs.pop("placeholder", None)

    def clean_email(self) -> str:
        email = super().clean_email()
        # Staff whose organisation logs in only through single sign-on get no reset link (and the page
        # says the same as for any address, so nothing is revealed).
        from .policy import local_password_allowed

        self.users: list = [user for user in self.users if local_password_allowed(user)]
        return email


class ResetPasswordKeyForm(account_forms.ResetPasswordKeyForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password1"].label = _("New password")
        self.fields["password2"].label = _("New password again")
        for field in self.fields.values():
            field.widget.attrs.pop("placeholder", None)


class ChangePasswordForm(account_forms.ChangePasswordForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["oldpassword"].label = _("Current password")
        self.fields["password1"].label = _("New password")
        self.fields["password2"].label = _("New password again")
        for field in self.fields.values():
            field.widget.attrs.pop("placeholder", None)


class SetPasswordForm(account_forms.SetPasswordForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password1"].label = _("New password")
        self.fields["password2"].label = _("New password again")
        for field in self.fields.values():
            field.widget.attrs.pop("placeholder", None)


class ReauthenticateForm(account_forms.ReauthenticateForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password"].label = _("Password")
        self.fields["password"].widget.attrs.pop("placeholder", None)


class SSOStartForm(forms.Form):
    email = forms.EmailField(label=_("Your work e-mail address"))


class SecuritySettingsForm(forms.ModelForm):
    class Meta:
        model = OrganisationLogin
        fields = ["mfa_required", "local_passwords_allowed"]


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label=_("What"), required=False)
    person = forms.ChoiceField(label=_("Who"), required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, people=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        action_field: forms.ChoiceField = self.fields["action"]  # type: ignore[assignment]
        person_field: forms.ChoiceField = self.fields["person"]  # type: ignore[assignment]
        action_field.choices = [("", _("All actions")), *action_choices()]
        person_field.choices = [("", _("Everyone")), *people]

    def clean(self):
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end date is before the start date."))
        return data


class MFAAuthenticateForm(mfa_forms.AuthenticateForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].label = _("Code from the authenticator app, or a recovery code")
        self.fields["code"].widget.attrs.pop("placeholder", None)
        self.fields["code"].widget.attrs.update({"inputmode": "numeric", "autofocus": True})


class MFAActivateTOTPForm(totp_forms.ActivateTOTPForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].label = _("Code from the authenticator app")
        self.fields["code"].widget.attrs.pop("placeholder", None)
        self.fields["code"].widget.attrs.update({"inputmode": "numeric"})
