"""Forms of the maturity app: validation and conversion only."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from surveys.forms.common import department_choices_label
from surveys.models import Capability, Department, MeasurementPeriod, QuestionnaireVersion, Round
from surveys.services import periods
from surveys.services.questionnaires import DEFAULT_VERSION_CODE

from .benchmark_format import MAX_FILE_BYTES
from .models import Action
from .selectors_actions import NOT_DROPPED

MAX_IMPORT_BYTES = 5 * 1024 * 1024


class ResponseImportForm(forms.Form):
    period = forms.ModelChoiceField(
        label=_("Measurement period"),
        queryset=MeasurementPeriod.objects.none(),
        to_field_name="pk",
        help_text=_("The period the responses were given in (a window that has ended)."),
    )
    version = forms.ModelChoiceField(
        label=_("Questionnaire version"),
        queryset=QuestionnaireVersion.objects.all(),
        help_text=_("The questionnaire whose statement codes the file's columns use."),
    )
    file = forms.FileField(
        label=_("Responses file (CSV)"),
        help_text=_(
            "UTF-8 or UTF-16 (Excel's “Unicode text”), comma, semicolon or tab separated; columns "
            "respondent, department, group and one column per statement code."
        ),
    )
    replace = forms.BooleanField(
        label=_("Replace responses imported earlier for this period"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        period = self.fields["period"]
        version = self.fields["version"]
        assert isinstance(period, forms.ModelChoiceField) and isinstance(version, forms.ModelChoiceField)
        # Responses of an earlier round: only windows that have ended (issue 17); a running or coming one
        # is answered through a round of its own.
        period.queryset = MeasurementPeriod.objects.filter(ends_on__lt=periods.today()).order_by("-starts_on")
        version.label_from_instance = lambda obj: f"{obj.name} ({obj.code})"  # type: ignore[method-assign]
        default = QuestionnaireVersion.objects.filter(code=DEFAULT_VERSION_CODE).first()
        if default is not None:
            self.fields["version"].initial = default.pk
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload


class ImportConfirmForm(forms.Form):
    confirm = forms.BooleanField(label=_("Yes, import these responses"), required=True)


class BenchmarkImportForm(forms.Form):
    file = forms.FileField(
        label=_("Benchmark file (CSV or JSON)"),
        help_text=_(
            "The benchmark format, version 1: CSV in UTF-8 separated by commas or semicolons, or JSON. "
            "Importing a source again replaces its earlier records."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB. Split it into smaller files.")
                % {"size": MAX_FILE_BYTES // (1024 * 1024)}
            )
        return upload


# --- Action plans (docs/actions.md): validation and conversion only; maturity.services.actions decides ------


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ActionForm(forms.Form):
    """An action's fields. The choices are what the user may pick (closed rounds of the organisation, the
    departments they may record actions for, the capabilities of those rounds' questionnaires, the
    organisation's staff); the service checks the combination (a capability of the chosen round's
    questionnaire, a due date not before the start)."""

    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        error_messages={"required": _("Give the action a title.")},
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What will be done, and how you will know that it worked."),
    )
    round = forms.ModelChoiceField(
        label=_("Responds to the round"),
        queryset=Round.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("Choose a closed round of this organisation.")},
    )
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.none(),
        required=False,
        error_messages={
            "invalid_choice": _("You cannot record actions for this department."),
            "required": _("Choose one of your departments."),
        },
    )
    capabilities = forms.ModelMultipleChoiceField(
        label=_("Capabilities the action aims to improve"),
        queryset=Capability.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one capability the action aims to improve."),
            "invalid_choice": _("Choose capabilities of the round's questionnaire."),
            "invalid_pk_value": _("Choose capabilities of the round's questionnaire."),
        },
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=get_user_model().objects.none(),
        error_messages={
            "invalid_choice": _("The owner must be a member of the organisation's staff."),
            "required": _("Choose who owns the action."),
        },
    )
    priority = forms.ChoiceField(label=_("Priority"), choices=Action.Priority.choices, initial="medium")
    starts_on = forms.DateField(
        label=_("Start date"), widget=_date_widget(), error_messages={"required": _("Give a start date.")}
    )
    due_on = forms.DateField(
        label=_("Due date"), widget=_date_widget(), error_messages={"required": _("Give a due date.")}
    )
    plan_reference = forms.CharField(
        label=_("Plan or budget assignment"),
        max_length=200,
        required=False,
        help_text=_(
            "Where the organisation decided it, e.g. “Budgetuppdrag 2025:14” or the digitalisation plan."
        ),
    )

    def __init__(
        self,
        *args,
        rounds: Sequence[Round],
        departments: Sequence[tuple[Department, int]],
        whole_organisation: bool,
        capabilities: Sequence[Capability],
        staff: Sequence[Any],
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        fields = self.fields
        round_field = cast(forms.ModelChoiceField, fields["round"])
        round_field.queryset = Round.objects.filter(pk__in=[r.pk for r in rounds])
        round_field.choices = [(r.pk, str(r.period)) for r in rounds]
        department_field = cast(forms.ModelChoiceField, fields["department"])
        department_field.queryset = Department.objects.filter(pk__in=[d.pk for d, _depth in departments])
        department_choices: list[tuple[Any, Any]] = [
            (d.pk, department_choices_label(d, depth)) for d, depth in departments
        ]
        if whole_organisation:
            department_choices.insert(0, ("", _("The whole organisation")))
        else:
            department_field.required = True
        department_field.choices = department_choices
        versions = {c.version_id for c in capabilities}
        capability_field = cast(forms.ModelMultipleChoiceField, fields["capabilities"])
        capability_field.queryset = Capability.objects.filter(pk__in=[c.pk for c in capabilities])
        capability_field.choices = [
            (c.pk, f"{c.label} ({c.version.code})" if len(versions) > 1 else c.label) for c in capabilities
        ]
        owner_field = cast(forms.ModelChoiceField, fields["owner"])
        owner_field.queryset = get_user_model().objects.filter(pk__in=[u.pk for u in staff])
        owner_field.choices = [("", "---------"), *((u.pk, _person(u)) for u in staff)]
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self):
        super().clean()
        starts_on, due_on = self.cleaned_data.get("starts_on"), self.cleaned_data.get("due_on")
        if starts_on and due_on and due_on < starts_on:
            self.add_error("due_on", _("The due date cannot be before the start date."))
        return self.cleaned_data


def _person(user) -> str:
    name = user.get_full_name()
    return f"{name} ({user.email})" if name and user.email else (name or user.email or user.get_username())


def _select() -> forms.Select:
    return forms.Select(attrs={"class": "form-select"})


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Action.Status.choices, widget=_select())


class ActionNoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write the note.")},
    )
    written_on = forms.DateField(label=_("Date"), required=False, widget=_date_widget())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class ActionFilterForm(forms.Form):
    """The overview's filter, held in the query string; a value outside the choices is ignored."""

    # Bootstrap's classes on the widgets: the template lays the fields out in a row without crispy.
    department = forms.ChoiceField(label=_("Department"), required=False, widget=_select())
    status = forms.ChoiceField(label=_("Status"), required=False, widget=_select())
    capability = forms.ChoiceField(label=_("Capability"), required=False, widget=_select())
    owner = forms.ChoiceField(label=_("Owner"), required=False, widget=_select())
    overdue = forms.BooleanField(
        label=_("Only overdue"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(
        self,
        data,
        *,
        departments: Sequence[tuple[Department, int]],
        capabilities: Sequence[tuple[str, str]],
        staff: Sequence[Any],
    ):
        super().__init__(data)
        everything: list[tuple[str, Any]] = [("", _("All"))]
        self._choices("department").choices = [
            *everything,
            ("org", _("The whole organisation")),
            *((str(d.pk), department_choices_label(d, depth)) for d, depth in departments),
        ]
        self._choices("status").choices = [
            *everything,
            (NOT_DROPPED, _("All but dropped")),
            *Action.Status.choices,
        ]
        self._choices("capability").choices = [*everything, *capabilities]
        self._choices("owner").choices = [*everything, *((str(u.pk), _person(u)) for u in staff)]

    def _choices(self, name: str) -> forms.ChoiceField:
        return cast(forms.ChoiceField, self.fields[name])

    def values(self) -> dict[str, Any]:
        """The valid filter values (an invalid one is left out: no filter)."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in ("", None, False)}
