"""The dashboard filter (round, department, respondent group), held in the URL's query string."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from surveys.forms import department_choices_label


class DashboardFilterForm(forms.Form):
    round = forms.TypedChoiceField(label=_("Round"), coerce=int, required=False)
    department = forms.TypedChoiceField(label=_("Department"), coerce=int, required=False, empty_value=None)
    group = forms.TypedChoiceField(label=_("Respondent group"), coerce=int, required=False, empty_value=None)

    def __init__(self, data, *, rounds, departments, groups, whole_organisation: bool):
        super().__init__(data)
        self.fields["round"].choices = [(r.pk, str(r.period)) for r in rounds]
        department_choices = [(d.pk, department_choices_label(d, depth)) for d, depth in departments]
        if whole_organisation:
            department_choices.insert(0, ("", _("The whole organisation")))
        self.fields["department"].choices = department_choices
        self.fields["group"].choices = [("", _("All respondent groups")), *[(g.pk, g.name) for g in groups]]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"
