"""Nothing of maturity's is edited in the admin: stored results are written only by
``maturity.services.results``. (The questionnaire admin is in ``surveys.admin``.)

Closing rounds from the round admin is maturity's use case (the round is closed exactly when its results
are stored), so this app adds that action to ``surveys.admin.RoundAdmin``; the admin loads this module
after surveys' (INSTALLED_APPS order)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from surveys.admin import RoundAdmin

from .services import closing


@admin.action(description=_("Close the selected rounds"), permissions=["change"])
def close_rounds(modeladmin, request, queryset):
    modeladmin._each(request, queryset, closing.close_round)


RoundAdmin.actions = [*RoundAdmin.actions, close_rounds]
