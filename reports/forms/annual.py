"""Forms of the annual report pages: validation and conversion only."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ..models import Conclusion


class OrderReportForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of the report"), choices=settings.LANGUAGES, initial="sv")


class OrderAllReportsForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    language = forms.ChoiceField(label=_("Language of the reports"), choices=settings.LANGUAGES, initial="sv")


class ConclusionForm(forms.ModelForm):
    class Meta:
        model = Conclusion
        fields = ["title", "body"]
        labels = {"title": _("Title"), "body": _("Text")}
        help_texts = {
            "body": _(
                "Markdown: a blank line starts a new paragraph, **bold**, *italic*, lines starting with "
                "“- ” make a list. HTML is not allowed."
            )
        }
        widgets = {"body": forms.Textarea(attrs={"rows": 10})}
