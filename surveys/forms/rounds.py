"""Forms of the round pages: validation and conversion only; the services decide."""

from __future__ import annotations

import re
from typing import cast

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..models import Department, MeasurementPeriod, Organisation, QuestionnaireVersion, RespondentGroup
from ..services.invitations import KINDS, LANGUAGES
from .common import CrispyFormMixin, TreeChoiceMixin

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RoundForm(CrispyFormMixin, TreeChoiceMixin, forms.Form):
    submit_label = _("Save the round")

    period = forms.ModelChoiceField(label=_("Measurement window"), queryset=MeasurementPeriod.objects.none())
    questionnaire = forms.ModelChoiceField(
        label=_("Questionnaire version"), queryset=QuestionnaireVersion.objects.all()
    )
    anonymous = forms.BooleanField(
        label=_("Anonymous round"),
        required=False,
        initial=True,
        help_text=_("Answers cannot be traced back to a person, not even in the database. Recommended."),
    )
    departments = forms.ModelMultipleChoiceField(
        label=_("Participating departments"),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: the whole organisation takes part."),
    )
    opens_on = forms.DateField(
        label=_("Opening date"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("Optional: a later start than the window's first day."),
    )
    closes_on = forms.DateField(
        label=_("Closing date"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("Optional: an earlier end than the window's last day."),
    )

    def __init__(self, *args, organisation: Organisation, round=None, **kwargs):
        if round is not None:
            kwargs.setdefault(
                "initial",
                {
                    "period": round.period_id,
                    "questionnaire": round.questionnaire_id,
                    "anonymous": round.anonymous,
                    "departments": list(round.departments.values_list("pk", flat=True)),
                    "opens_on": round.opens_on,
                    "closes_on": round.closes_on,
                },
            )
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        period = cast(forms.ModelChoiceField, self.fields["period"])
        period.queryset = MeasurementPeriod.objects.filter(ends_on__gte=today).order_by("starts_on")
        period.label_from_instance = lambda obj: (  # type: ignore[method-assign]  # Django's documented hook
            f"{obj} ({obj.starts_on:%Y-%m-%d} – {obj.ends_on:%Y-%m-%d})"
        )
        if round is not None:
            period.disabled = True
            period.queryset = MeasurementPeriod.objects.filter(pk=round.period_id)
        self._tree_queryset("departments", organisation)
        cast(forms.ModelChoiceField, self.fields["departments"]).queryset = Department.objects.all()
        self._init_helper()


class RespondentUploadForm(CrispyFormMixin, forms.Form):
    submit_label = _("Check the file")

    file = forms.FileField(
        label=_("File with respondents (CSV or Excel .xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
        help_text=_(
            "First row: column names. Columns: e-post (e-mail), förvaltning (department), grupp (respondent "
            "group); optional namn (name) and språk (language, sv or en). Comma or semicolon separated."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._init_helper()


class ImportDecisionForm(forms.Form):
    ACTIONS = [("all", _("Import")), ("good", _("Import only the good rows")), ("cancel", _("Cancel"))]
    action = forms.ChoiceField(choices=ACTIONS)


class RespondentForm(CrispyFormMixin, TreeChoiceMixin, forms.Form):
    submit_label = _("Add respondent")

    email = forms.EmailField(label=_("E-mail address"))
    name = forms.CharField(label=_("Name (optional)"), max_length=200, required=False)
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.none())
    group = forms.ModelChoiceField(label=_("Respondent group"), queryset=RespondentGroup.objects.none())
    language = forms.ChoiceField(label=_("Language of the e-mails"), choices=settings.LANGUAGES, initial="sv")

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self._tree_queryset("department", organisation)
        department = cast(forms.ChoiceField, self.fields["department"])
        department.choices = cast(list, department.choices)[1:]  # _tree_queryset's list, without "top level"
        cast(forms.ModelChoiceField, self.fields["group"]).queryset = RespondentGroup.objects.filter(
            organisation=organisation
        )
        self._init_helper()


class MessageTextsForm(forms.Form):
    """Subject and text of the invitation and the reminder, in Swedish and English."""

    def __init__(self, *args, round, **kwargs):
        from ..services.invitations import message_text

        super().__init__(*args, **kwargs)
        labels = {"invitation": _("Invitation"), "reminder": _("Reminder")}
        # In running text: Swedish writes language names in lower case ("Inbjudan på svenska: ämne").
        languages = {
            "sv": pgettext_lazy("language in running text", "Swedish"),
            "en": pgettext_lazy("language in running text", "English"),
        }
        for kind in KINDS:
            for lang in LANGUAGES:
                subject, body = message_text(round=round, kind=kind, language=lang)
                self.fields[f"{kind}_{lang}_subject"] = forms.CharField(
                    label=_("%(kind)s in %(language)s: subject")
                    % {"kind": labels[kind], "language": languages[lang]},
                    max_length=200,
                    required=False,
                    initial=subject,
                )
                self.fields[f"{kind}_{lang}_body"] = forms.CharField(
                    label=_("%(kind)s in %(language)s: text")
                    % {"kind": labels[kind], "language": languages[lang]},
                    widget=forms.Textarea(attrs={"rows": 10}),
                    required=False,
                    initial=body,
                )

    def texts(self) -> dict:
        data = self.cleaned_data
        return {
            kind: {
                lang: {
                    "subject": data.get(f"{kind}_{lang}_subject", ""),
                    "body": data.get(f"{kind}_{lang}_body", ""),
                }
                for lang in LANGUAGES
            }
            for kind in KINDS
        }

    def field_pairs(self):
        for kind in KINDS:
            for lang in LANGUAGES:
                yield kind, lang, self[f"{kind}_{lang}_subject"], self[f"{kind}_{lang}_body"]


class ReminderScheduleForm(CrispyFormMixin, forms.Form):
    submit_label = _("Save the schedule")

    days = forms.CharField(
        label=_("Remind this many days after opening"),
        required=False,
        help_text=_("Whole days separated by commas, e.g. 7, 14. Empty: no scheduled reminders."),
    )

    def __init__(self, *args, round=None, **kwargs):
        if round is not None:
            kwargs.setdefault("initial", {"days": ", ".join(str(d) for d in round.reminder_days)})
        super().__init__(*args, **kwargs)
        self._init_helper()

    def clean_days(self) -> list[int]:
        raw = self.cleaned_data["days"].strip()
        if not raw:
            return []
        parts = [p for p in re.split(r"[,;\s]+", raw) if p]
        if not all(p.isdigit() for p in parts):
            raise forms.ValidationError(_("Write whole numbers separated by commas, e.g. 7, 14."))
        return [int(p) for p in parts]


class ClosingDateForm(CrispyFormMixin, forms.Form):
    submit_label = _("Change the closing date")

    closes_on = forms.DateField(label=_("Closing date"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args, round=None, **kwargs):
        if round is not None:
            kwargs.setdefault("initial", {"closes_on": round.closes_on})
        super().__init__(*args, **kwargs)
        self._init_helper()
