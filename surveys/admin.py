from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import (
    AuditEvent,
    County,
    Department,
    MeasurementPeriod,
    Municipality,
    Organisation,
    RespondentGroup,
    RoleAssignment,
    Round,
)
from .services import organisations as org_services


class OrganisationAdminForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["code", "name", "kind", "municipality", "county"]

    def clean(self):
        data = super().clean()
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
        super().save_model(request, obj, form, change)
        if not change:
            org_services.ensure_default_groups(organisation=obj)


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "county"]
    list_filter = ["county"]
    search_fields = ["code", "name"]


@admin.register(County)
class CountyAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "parent"]
    list_filter = ["organisation"]
    search_fields = ["name"]


@admin.register(RespondentGroup)
class RespondentGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "position"]
    list_filter = ["organisation"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role"]
    list_filter = ["role", "organisation"]
    filter_horizontal = ["departments"]


@admin.register(MeasurementPeriod)
class MeasurementPeriodAdmin(admin.ModelAdmin):
    list_display = ["__str__", "starts_on", "ends_on"]


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ["organisation", "period", "status", "questionnaire"]
    list_filter = ["status", "period"]
    readonly_fields = ["opened_at", "closed_at", "data_changed_at"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "organisation", "actor", "action", "target"]
    list_filter = ["action"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
