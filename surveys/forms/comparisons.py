"""Forms of an organisation's comparison settings and named networks (issue 15): validation and conversion
only. State changes go through ``surveys.services.organisations``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import ComparisonNetwork, Organisation
from ..services.organisations import REPORT_SETS
from .common import CrispyFormMixin

REPORT_SET_LABELS = {
    "national": _("All organisations"),
    "kind": _("Same kind of organisation"),
    "county": _("Same county"),
    "skr_group": _("SKR municipality group"),
    "skr_main_group": _("SKR main group"),
    "networks": _("Our named networks"),
    "sector": _("Departments of the same sector (department pages)"),
}


class ComparisonSettingsForm(CrispyFormMixin, forms.Form):
    shares = forms.BooleanField(
        label=_("Share our figures for comparison"),
        required=False,
        help_text=_(
            "Our organisation-wide figures of closed rounds (never answers, departments' names or respondent "
            "groups) take part in other organisations' comparison sets and in the open data. We compare "
            "with the others either way."
        ),
    )
    report_sets = forms.MultipleChoiceField(
        label=_("Comparison sets in the annual report"),
        choices=[(key, REPORT_SET_LABELS[key]) for key in REPORT_SETS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("None chosen: the report shows every set."),
    )

    def __init__(self, *args, organisation: Organisation, **kwargs):
        kwargs.setdefault(
            "initial",
            {"shares": organisation.shares_comparisons, "report_sets": organisation.report_comparison_sets},
        )
        super().__init__(*args, **kwargs)
        self._init_helper()


class NetworkForm(CrispyFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("For example “Vårt nätverk”."))
    members = forms.ModelMultipleChoiceField(
        label=_("Organisations"),
        queryset=Organisation.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 12}),
        help_text=_(
            "Hold Ctrl (⌘ on a Mac) to choose several. Only organisations that share their figures take "
            "part; a network with fewer than five of them with results shows no figures."
        ),
    )

    def __init__(self, *args, organisation: Organisation, network: ComparisonNetwork | None = None, **kwargs):
        if network is not None:
            kwargs.setdefault(
                "initial", {"name": network.name, "members": [m.pk for m in network.members.all()]}
            )
        super().__init__(*args, **kwargs)
        field = self.fields["members"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = Organisation.objects.exclude(pk=organisation.pk).order_by("name")
        self._init_helper()
