"""What the surveys forms share: the crispy-forms submit button, department choices in tree order, and the
explicit confirmation of consequential actions. Forms validate and convert only; state changes go through
``surveys.services``."""

from __future__ import annotations

from typing import cast

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Department, Organisation
from ..tree import tree_ordered


class CrispyFormMixin:
    submit_label = _("Save")

    def _init_helper(self) -> None:
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", self.submit_label))


def department_choices_label(department: Department, depth: int) -> str:
    return f"{'— ' * depth}{department.name}"


class TreeChoiceMixin:
    fields: dict[str, forms.Field]  # the form's, which the mixin is mixed into

    def _tree_queryset(self, field_name: str, organisation: Organisation, exclude_pk=None) -> None:
        departments = list(Department.objects.filter(organisation=organisation))
        field = cast(forms.ModelChoiceField, self.fields[field_name])
        field.queryset = Department.objects.filter(organisation=organisation)
        choices = [
            (d.pk, department_choices_label(d, depth))
            for d, depth in tree_ordered(departments)
            if d.pk != exclude_pk
        ]
        if isinstance(field, forms.ModelMultipleChoiceField):
            field.choices = choices
        else:
            field.choices = [("", _("— top level —")), *choices]


class ConfirmForm(forms.Form):
    """An explicit confirmation for destructive or consequential actions."""

    confirm = forms.BooleanField(label=_("Yes, I am sure"), required=True)
