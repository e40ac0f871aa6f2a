"""The organisation admin's comparison settings (issue 15): sharing, the sets of the annual report, and
named comparison networks. Views are thin: bind a form, call one service, redirect or render."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from dimios_web.exceptions import DomainError, add_domain_error_to_form
from surveys.skr_groups import SKR_GROUPS, SKR_MAIN_GROUPS, main_group

from ..access import ADMIN, OrganisationAccess, organisation_view
from ..forms.common import ConfirmForm
from ..forms.comparisons import ComparisonSettingsForm, NetworkForm
from ..models import ComparisonNetwork
from ..services import organisations as org_services


@organisation_view(ADMIN, methods=("GET", "POST"))
def comparison_settings(request, access: OrganisationAccess):
    organisation = access.organisation
    form = ComparisonSettingsForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            org_services.set_comparison_settings(
                organisation=organisation,
                shares=form.cleaned_data["shares"],
                report_sets=form.cleaned_data["report_sets"],
                actor=request.user,
            )
            messages.success(request, _("The comparison settings were saved."))
            return redirect("surveys:comparison_settings", org=organisation.code)
        except DomainError as error:
            add_domain_error_to_form(form, error)
    group = organisation.skr_group
    return render(
        request,
        "surveys/comparison_settings.html",
        {
            "organisation": organisation,
            "form": form,
            "networks": ComparisonNetwork.objects.filter(organisation=organisation).prefetch_related(
                "members"
            ),
            "skr_group": {
                "code": group,
                "name": SKR_GROUPS.get(group, ""),
                "version": organisation.skr_group_version,
            }
            if group
            else None,
            "skr_main_group": {"code": main_group(group), "name": SKR_MAIN_GROUPS.get(main_group(group), "")}
            if group
            else None,
        },
    )


@organisation_view(ADMIN, methods=("GET", "POST"))
def network_edit(request, access: OrganisationAccess, pk=None):
    organisation = access.organisation
    network = get_object_or_404(ComparisonNetwork, organisation=organisation, pk=pk) if pk else None
    form = NetworkForm(request.POST or None, organisation=organisation, network=network)
    if request.method == "POST" and form.is_valid():
        try:
            saved = org_services.save_network(
                organisation=organisation,
                network=network,
                name=form.cleaned_data["name"],
                members=form.cleaned_data["members"],
                actor=request.user,
            )
            messages.success(
                request,
                _("The network “%(name)s” was saved with %(n)s organisations.")
                % {"name": saved.name, "n": len(form.cleaned_data["members"])},
            )
            return redirect("surveys:comparison_settings", org=organisation.code)
        except DomainError as error:
            add_domain_error_to_form(form, error)
    return render(
        request,
        "surveys/network_form.html",
        {"organisation": organisation, "network": network, "form": form},
    )


@organisation_view(ADMIN, methods=("GET", "POST"))
def network_delete(request, access: OrganisationAccess, pk):
    organisation = access.organisation
    network = get_object_or_404(ComparisonNetwork, organisation=organisation, pk=pk)
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        org_services.delete_network(network=network, actor=request.user)
        messages.success(request, _("The network “%(name)s” was deleted.") % {"name": network.name})
        return redirect("surveys:comparison_settings", org=organisation.code)
    return render(
        request,
        "surveys/confirm_delete.html",
        {
            "organisation": organisation,
            "object": network,
            "form": form,
            "cancel_url": reverse("surveys:comparison_settings", args=[organisation.code]),
        },
    )
