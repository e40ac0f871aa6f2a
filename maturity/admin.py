from django.contrib import admin

from .models import QuestionnaireVersion, Statement, TypeDescription


class TypeDescriptionInline(admin.StackedInline):
    model = TypeDescription
    extra = 0


@admin.register(QuestionnaireVersion)
class QuestionnaireVersionAdmin(admin.ModelAdmin):
    list_display = ["code", "name_sv", "k_anonymity", "capability_cutoff", "legacy_cutoff", "created_at"]
    inlines = [TypeDescriptionInline]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_locked:
            return [f.name for f in self.model._meta.fields]
        return ["source_checksum"]

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.is_locked


@admin.register(Statement)
class StatementAdmin(admin.ModelAdmin):
    list_display = ["code", "version", "reverse_scored", "text_sv"]
    list_filter = ["version"]
    search_fields = ["code", "text_sv", "text_en"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.version.is_locked:
            return [f.name for f in self.model._meta.fields]
        return []
