"""Forms of the respondent's pages: validation and conversion only.

An answer arrives as "1".."6" or "dk" ("vet ej"); it is converted to 1..6 or ``None``. Anything else (7, -1,
text, a statement that is not on the page) is a form error, and nothing of that submission is saved.
"""

from __future__ import annotations

import re
from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Department, RespondentGroup

DONT_KNOW_CHOICE = "dk"
NOT_ANSWERED = ""
_STATEMENT_FIELD = re.compile(r"^s(\d+)$")
# The answers a page or a save may send: "1".."6" → 1..6, "dk" ("vet ej") → None.
_SAVED_VALUES: dict[str, int | None] = {str(v): v for v in range(1, 7)} | {DONT_KNOW_CHOICE: None}


def statement_field_name(statement_id: int) -> str:
    return f"s{statement_id}"


class AnswerField(forms.Field):
    """One statement's answer: "1".."6" or "dk", converted to 1..6 or None; nothing sent is "not
    answered". Checked against the fixed set of answers rather than as a ChoiceField: the page writes its
    own radio buttons (surveys/templatetags/respond.py), and a ChoiceField normalises its choices each time
    it is built, a field a statement on every page request (docs/performance.md)."""

    default_error_messages = {
        "invalid_choice": _(
            "The answer was not one of the choices. Choose one of the six steps or “don't know”."
        ),
        "required": _("Choose an answer."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return NOT_ANSWERED
        if not isinstance(value, str) or value not in _SAVED_VALUES:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return _SAVED_VALUES[value]

    def validate(self, value):
        if value == NOT_ANSWERED and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")


class CategoryAnswersForm(forms.Form):
    """The answers of one questionnaire page (one category). Unanswered statements are allowed."""

    def __init__(self, data=None, *, statements):
        super().__init__(data)
        self.statements = list(statements)
        for statement in self.statements:
            self.fields[statement_field_name(statement.pk)] = AnswerField(label=statement.text)

    def clean(self):
        cleaned = super().clean()
        if self.data:
            foreign = [key for key in self.data if _STATEMENT_FIELD.match(key) and key not in self.fields]
            if foreign:
                raise forms.ValidationError(
                    _(
                        "The page sent an answer to a statement that is not on it. Nothing was saved; answer "
                        "the statements below again."
                    ),
                    code="foreign_statement",
                )
        return cleaned

    def answers(self) -> dict[int, int | None]:
        """Statement id → value for the statements answered on this page."""
        return {
            statement.pk: self.cleaned_data[statement_field_name(statement.pk)]
            for statement in self.statements
            if self.cleaned_data.get(statement_field_name(statement.pk), NOT_ANSWERED) != NOT_ANSWERED
        }


_SAVED_STATEMENT_FIELD = re.compile(r"s([0-9]{1,10})")
_SAVED_STATEMENT_ID = re.compile(r"[0-9]{1,10}")


def parse_saved_answers(data) -> dict[int, int | None] | None:
    """The answers of a save request from the page script: several (``s<statement id>`` = "1".."6" or
    "dk", the names of the page's own form) or one (``statement`` and ``value``, the earlier request).
    None when nothing was sent or one of them is not a choice: all or nothing. Which statements belong to
    the survey is the service's check.

    A plain parse rather than a form: the save is the most frequent request of the product, and a form
    with a field per answer cost more than the rest of the view (docs/performance.md)."""
    if "statement" in data:
        statement, value = data.get("statement", ""), data.get("value", "")
        if not _SAVED_STATEMENT_ID.fullmatch(statement) or value not in _SAVED_VALUES or int(statement) < 1:
            return None
        return {int(statement): _SAVED_VALUES[value]}
    answers: dict[int, int | None] = {}
    for key in data:
        match = _SAVED_STATEMENT_FIELD.fullmatch(key)
        if match is None:
            continue
        values = data.getlist(key)
        if len(values) != 1 or values[0] not in _SAVED_VALUES:
            return None
        answers[int(match.group(1))] = _SAVED_VALUES[values[0]]
    return answers or None


class SubmitForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, submit my answers even though some statements are not answered."), required=False
    )


class OpenStartForm(forms.Form):
    """Who answers through an open link: their department and respondent group."""

    department = forms.ModelChoiceField(
        label=_("Your department"),
        queryset=Department.objects.none(),
        empty_label=_("Choose…"),
        error_messages={
            "required": _("Choose your department."),
            "invalid_choice": _("Choose your department from the list."),
        },
    )
    group = forms.ModelChoiceField(
        label=_("Your role"),
        queryset=RespondentGroup.objects.none(),
        empty_label=_("Choose…"),
        error_messages={
            "required": _("Choose your role."),
            "invalid_choice": _("Choose your role from the list."),
        },
    )

    def __init__(self, data=None, *, organisation, departments=None):
        super().__init__(data)
        queryset = Department.objects.filter(organisation=organisation)
        if departments is not None:
            queryset = queryset.filter(pk__in=[d.pk for d in departments])
        cast(forms.ModelChoiceField, self.fields["department"]).queryset = queryset
        cast(forms.ModelChoiceField, self.fields["group"]).queryset = RespondentGroup.objects.filter(
            organisation=organisation
        )
