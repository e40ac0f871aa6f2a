"""Forms: validation and conversion only. State changes go through ``surveys.services``."""

from __future__ import annotations

from typing import cast

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Department, Organisation, RespondentGroup, RoleAssignment


class CrispyFormMixin:
    submit_label = _("Save")

    def _init_helper(self) -> None:
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", self.submit_label))


def department_choices_label(department: Department, depth: int) -> str:
    return f"{'— ' * depth}{department.name}"


def tree_ordered(departments) -> list[tuple[Department, int]]:
    """Departments in tree order with their depth, from one list (no extra queries)."""
    by_parent: dict[int | None, list[Department]] = {}
    for department in departments:
        by_parent.setdefault(department.parent_id, []).append(department)
    ordered: list[tuple[Department, int]] = []

    def walk(parent_id, depth):
        for child in sorted(by_parent.get(parent_id, []), key=lambda d: d.name.lower()):
            ordered.append((child, depth))
            walk(child.pk, depth + 1)

    walk(None, 0)
    return ordered


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


class DepartmentForm(CrispyFormMixin, TreeChoiceMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    parent = forms.ModelChoiceField(
        label=_("Part of"),
        queryset=Department.objects.none(),
        required=False,
        help_text=_("Leave empty for a department directly under the organisation."),
    )

    def __init__(self, *args, organisation: Organisation, department: Department | None = None, **kwargs):
        if department is not None:
            kwargs.setdefault("initial", {"name": department.name, "parent": department.parent_id})
        super().__init__(*args, **kwargs)
        self._tree_queryset("parent", organisation, exclude_pk=department.pk if department else None)
        # Keep the department itself selectable in the queryset so that a forged POST reaches the service's
        # check and gets the same clear message.
        self._init_helper()


class RespondentGroupForm(CrispyFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    position = forms.IntegerField(label=_("Position in lists"), min_value=0, max_value=1000, initial=0)

    def __init__(self, *args, group: RespondentGroup | None = None, **kwargs):
        if group is not None:
            kwargs.setdefault("initial", {"name": group.name, "position": group.position})
        super().__init__(*args, **kwargs)
        self._init_helper()


class RoleGrantForm(CrispyFormMixin, TreeChoiceMixin, forms.Form):
    submit_label = _("Grant role")

    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("A person without an account gets one, and an e-mail with a link to choose a password."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=RoleAssignment.Role.choices)
    departments = forms.ModelMultipleChoiceField(
        label=_("Departments"),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only for department representatives: the departments whose results they see."),
    )

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        # All departments are valid choices for the field so that one of another organisation is caught with
        # a clear message by the service instead of a generic "not one of the choices".
        self._tree_queryset("departments", organisation)
        cast(forms.ModelChoiceField, self.fields["departments"]).queryset = Department.objects.all()
        self._init_helper()


class ConfirmForm(forms.Form):
    """An explicit confirmation for destructive or consequential actions."""

    confirm = forms.BooleanField(label=_("Yes, I am sure"), required=True)
