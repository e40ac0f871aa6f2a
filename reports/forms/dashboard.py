"""The dashboard filter (round, department, respondent group), held in the URL's query string."""

from __future__ import annotations

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from surveys.forms.common import department_choices_label


class DashboardFilterForm(forms.Form):
    round = forms.TypedChoiceField(label=_("Round"), coerce=int, required=False)
    department = forms.TypedChoiceField(label=_("Department"), coerce=int, required=False, empty_value=None)
    group = forms.TypedChoiceField(label=_("Respondent group"), coerce=int, required=False, empty_value=None)

    def __init__(self, data, *, rounds, departments, groups, whole_organisation: bool):
        super().__init__(data)
        self._choice_field("round").choices = [(r.pk, str(r.period)) for r in rounds]
        department_choices: list[tuple[int | str, str | Promise]] = [
            (d.pk, department_choices_label(d, depth)) for d, depth in departments
        ]
        if whole_organisation:
            department_choices.insert(0, ("", _("The whole organisation")))
        self._choice_field("department").choices = department_choices
        self._choice_field("group").choices = [
            ("", _("All respondent groups")),
            *[(g.pk, g.name) for g in groups],
        ]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"

    def _choice_field(self, name: str) -> forms.ChoiceField:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        return field
