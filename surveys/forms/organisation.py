"""Forms of an organisation's departments, respondent groups and staff roles: validation and conversion only.
State changes go through ``surveys.services``."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Department, Organisation, RespondentGroup, RoleAssignment, Sector
from .common import CrispyFormMixin, TreeChoiceMixin


class DepartmentForm(CrispyFormMixin, TreeChoiceMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    parent = forms.ModelChoiceField(
        label=_("Part of"),
        queryset=Department.objects.none(),
        required=False,
        help_text=_("Leave empty for a department directly under the organisation."),
    )
    sector = forms.ChoiceField(
        label=_("Sector"),
        choices=[("", _("No sector"))] + list(Sector.choices),
        required=False,
        help_text=_(
            "Its results are compared with other organisations' departments of the same sector, and take "
            "part in theirs."
        ),
    )

    def __init__(self, *args, organisation: Organisation, department: Department | None = None, **kwargs):
        if department is not None:
            kwargs.setdefault(
                "initial",
                {"name": department.name, "parent": department.parent_id, "sector": department.sector},
            )
        super().__init__(*args, **kwargs)
        self._tree_queryset("parent", organisation, exclude_pk=department.pk if department else None)
        # Keep the department itself selectable in the queryset so that a forged POST reaches the service's
        # check and gets the same clear message.
        self._init_helper()


class DepartmentSuccessionForm(CrispyFormMixin, TreeChoiceMixin, forms.Form):
    """Which department carries on the work of which (``surveys.services.successions.add_succession``)."""

    submit_label = _("Add succession")

    predecessor = forms.ModelChoiceField(
        label=_("Earlier department"),
        queryset=Department.objects.none(),
        help_text=_(
            "The department as it was before the reorganisation (its actions are followed up in the later "
            "one)."
        ),
    )
    successor = forms.ModelChoiceField(
        label=_("Later department"),
        queryset=Department.objects.none(),
        help_text=_("The department that carries on its work."),
    )

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("predecessor", "successor"):
            self._tree_queryset(name, organisation)
            field = cast(forms.ModelChoiceField, self.fields[name])
            # A required choice: not the mixin's "top level" (a parent's choice) but a prompt.
            field.choices = [("", _("Choose a department")), *list(cast(list, field.choices))[1:]]
        self._init_helper()


class RespondentGroupForm(CrispyFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    position = forms.IntegerField(
        label=_("Position in lists"),
        min_value=0,
        max_value=1000,
        required=False,
        help_text=_("Lower numbers come first. Leave it empty to put a new group last."),
    )

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
