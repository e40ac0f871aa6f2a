"""Django admin for the platform admin. Every change that the application audits goes through its service
here too (issue 13): departments, respondent groups and roles are saved and deleted by
``surveys.services.organisations``; a round's status, anonymity, questionnaire and schedule cannot be edited
as fields (read-only), they change through admin actions that call ``surveys.services.rounds``."""

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from dimios_web.exceptions import DomainError, add_domain_error_to_form

from .models import (
    County,
    Department,
    MeasurementPeriod,
    Municipality,
    Organisation,
    QuestionnaireVersion,
    RespondentGroup,
    RoleAssignment,
    Round,
    Statement,
    TypeDescription,
)
from .services import organisations as org_services
from .services import rounds as round_services


class OrganisationAdminForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["code", "name", "kind", "municipality", "county"]

    def clean(self):
        data = super().clean() or {}
        municipality = data.get("municipality")
        if data.get("kind") == Organisation.Kind.MUNICIPALITY and municipality is None:
            self.add_error("municipality", _("Pick the municipality from the SCB list."))
        if municipality is not None and data.get("code") and data["code"] != municipality.code:
            self.add_error(
                "code",
                _("A municipality's code is its SCB code, %(code)s.") % {"code": municipality.code},
            )
        return data


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    form = OrganisationAdminForm
    list_display = ["name", "code", "kind", "county"]
    list_filter = ["kind", "county"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["municipality"]

    def save_model(self, request, obj, form, change):
        """Through the service: a new organisation gets its default groups, and either is audited."""
        org_services.save_organisation(organisation=obj, actor=request.user)


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "county"]
    list_filter = ["county"]
    search_fields = ["code", "name"]


@admin.register(County)
class CountyAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]


def _report(modeladmin, request, done: int, errors: list[str]) -> None:
    if done:
        modeladmin.message_user(
            request, ngettext("%(count)d changed.", "%(count)d changed.", done) % {"count": done}
        )
    for error in errors:
        modeladmin.message_user(request, error, messages.ERROR)


class ServiceDeleteMixin:
    """Deleting (one, or the selected ones) calls the service's delete, which audits it and refuses what it
    must refuse (a department with responses, …)."""

    def delete_with_service(self, request, obj) -> None:
        raise NotImplementedError

    def delete_model(self, request, obj):
        try:
            self.delete_with_service(request, obj)
        except DomainError as error:
            self.message_user(request, str(error), messages.ERROR)  # type: ignore[attr-defined]

    def delete_queryset(self, request, queryset):
        done, errors = 0, []
        for obj in queryset:
            try:
                self.delete_with_service(request, obj)
                done += 1
            except DomainError as error:
                errors.append(f"{obj}: {error}")
        _report(self, request, done, errors)


class DepartmentAdminForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = ["organisation", "name", "parent"]

    def clean(self):
        data = super().clean() or {}
        organisation = data.get("organisation") or getattr(self.instance, "organisation", None)
        if organisation is not None and data.get("name"):
            try:
                org_services.check_department(
                    organisation=organisation,
                    department=self.instance if self.instance.pk else None,
                    parent=data.get("parent"),
                    name=data["name"],
                )
            except DomainError as error:
                add_domain_error_to_form(self, error)
        return data


class RespondentGroupAdminForm(forms.ModelForm):
    class Meta:
        model = RespondentGroup
        fields = ["organisation", "name", "position"]

    def clean(self):
        data = super().clean() or {}
        organisation = data.get("organisation") or getattr(self.instance, "organisation", None)
        if organisation is not None and data.get("name"):
            try:
                org_services.check_respondent_group(
                    organisation=organisation,
                    group=self.instance if self.instance.pk else None,
                    name=data["name"],
                )
            except DomainError as error:
                add_domain_error_to_form(self, error)
        return data


@admin.register(Department)
class DepartmentAdmin(ServiceDeleteMixin, admin.ModelAdmin):
    form = DepartmentAdminForm
    list_display = ["name", "organisation", "parent"]
    list_filter = ["organisation"]
    search_fields = ["name"]

    def get_readonly_fields(self, request, obj=None):
        return ["organisation"] if obj is not None else []

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        if change:
            org_services.update_department(
                department=obj, name=obj.name, parent=obj.parent, actor=request.user
            )
        else:
            created = org_services.create_department(
                organisation=obj.organisation, name=obj.name, parent=obj.parent, actor=request.user
            )
            obj.pk = created.pk

    def delete_with_service(self, request, obj) -> None:
        org_services.delete_department(department=obj, actor=request.user)


@admin.register(RespondentGroup)
class RespondentGroupAdmin(ServiceDeleteMixin, admin.ModelAdmin):
    form = RespondentGroupAdminForm
    list_display = ["name", "organisation", "position"]
    list_filter = ["organisation"]

    def get_readonly_fields(self, request, obj=None):
        return ["organisation"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            org_services.update_respondent_group(
                group=obj, name=obj.name, position=obj.position, actor=request.user
            )
        else:
            created = org_services.create_respondent_group(
                organisation=obj.organisation,
                name=obj.name,
                # a position left at its default puts the new group last, not first
                position=obj.position if "position" in form.changed_data else None,
                actor=request.user,
            )
            obj.pk = created.pk

    def delete_with_service(self, request, obj) -> None:
        org_services.delete_respondent_group(group=obj, actor=request.user)


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ServiceDeleteMixin, admin.ModelAdmin):
    """Roles are granted on the organisation's staff page (by e-mail, with the welcome link); here they are
    read, and revoked through the service."""

    list_display = ["user", "organisation", "role"]
    list_filter = ["role", "organisation"]
    readonly_fields = ["user", "organisation", "role", "departments", "granted_by", "granted_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_with_service(self, request, obj) -> None:
        org_services.revoke_role(assignment=obj, actor=request.user)


class ReadOnlyMixin:
    """Shown, never changed here: the model changes only through its service."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    pass


@admin.register(MeasurementPeriod)
class MeasurementPeriodAdmin(ReadOnlyAdmin):
    """The periods follow the national windows (surveys.services.periods.ensure_periods creates them)."""

    list_display = ["__str__", "starts_on", "ends_on"]


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    """Read-only: a round's settings change on the round's pages (or by the actions below), through the
    services that check and audit them. Deleting a round is not offered: its responses and results go with
    it."""

    list_display = ["organisation", "period", "status", "questionnaire", "anonymous"]
    list_filter = ["status", "period"]
    # "close_rounds" is added by maturity.admin: closing freezes the results (maturity.services.closing).
    actions = ["open_rounds"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Round._meta.fields] + ["departments"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        """Nothing to save: every field is read-only (a crafted POST changes nothing)."""

    def save_related(self, request, form, formsets, change):
        """Nothing to save (participating departments are read-only too)."""

    def _each(self, request, queryset, service) -> None:
        done, errors = 0, []
        for round_ in queryset:
            try:
                service(round=round_, actor=request.user)
                done += 1
            except DomainError as error:
                errors.append(f"{round_}: {error}")
        _report(self, request, done, errors)

    @admin.action(
        description=_("Open the selected rounds (and send their invitations)"), permissions=["change"]
    )
    def open_rounds(self, request, queryset):
        self._each(request, queryset, round_services.open_round)


class TypeDescriptionInline(ReadOnlyMixin, admin.StackedInline):
    model = TypeDescription
    extra = 0


@admin.register(QuestionnaireVersion)
class QuestionnaireVersionAdmin(ReadOnlyAdmin):
    """Read-only: a questionnaire version is loaded from its file by ``manage.py load_questionnaire``
    (surveys.services.questionnaires.load_questionnaire, audited), which also refuses to change a version a
    round has used."""

    list_display = ["code", "name_sv", "k_anonymity", "capability_cutoff", "legacy_cutoff", "created_at"]
    inlines = [TypeDescriptionInline]


@admin.register(Statement)
class StatementAdmin(ReadOnlyAdmin):
    """Read-only, like its questionnaire version."""

    list_display = ["code", "version", "reverse_scored", "text_sv"]
    list_filter = ["version"]
    search_fields = ["code", "text_sv", "text_en"]
