"""Forms of the maturity app: validation and conversion only."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from surveys.models import MeasurementPeriod, QuestionnaireVersion
from surveys.services.questionnaires import DEFAULT_VERSION_CODE

from .benchmark_format import MAX_FILE_BYTES

MAX_IMPORT_BYTES = 5 * 1024 * 1024


class ResponseImportForm(forms.Form):
    period = forms.ModelChoiceField(
        label=_("Measurement period"),
        queryset=MeasurementPeriod.objects.none(),
        to_field_name="pk",
        help_text=_("The period the responses were given in."),
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
        period.queryset = MeasurementPeriod.objects.order_by("-starts_on")
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
