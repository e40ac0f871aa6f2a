"""The start page: one card per organisation and role, each saying where things stand and what to do next
(docs/start-pages.md), and the platform admin's overview of every organisation.

Thin: the user's own role cards (``surveys.selectors.organisations.list_home_cards``), one selector per
card (``reports.selectors.start``), render. "Today" comes from ``surveys.services.periods.today`` (the
seam the tests freeze)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import get_language

from surveys.models import Organisation, RoleAssignment
from surveys.scoping import get_scope
from surveys.selectors.organisations import list_home_cards
from surveys.services import periods

from ..selectors import actions, start


@login_required
def home(request):
    scope = get_scope(request.user)
    today = periods.today()
    language = (get_language() or "sv")[:2]
    cards = list_home_cards(request.user)
    for card in cards:
        organisation = card["organisation"]
        if card["role"] == RoleAssignment.Role.ORG_ADMIN:
            card["admin"] = start.get_admin_situation(
                organisation=organisation, today=today, language=language
            )
        elif card["role"] == RoleAssignment.Role.MANAGEMENT:
            card["management"] = start.get_management_situation(organisation=organisation, language=language)
        else:
            # Their own departments only (the assignment's): the card shows nothing of any other.
            card["rep"] = start.get_rep_situation(organisation=organisation, departments=card["departments"])
            # Their departments' improvement actions (with their units') and what is due.
            # The scope knows them with their units already, unless another role sees everything.
            card["actions_due"] = actions.get_actions_due(
                organisation=organisation,
                departments=card["departments"],
                today=today,
                within=scope.visible_department_ids(organisation.pk),
            )
    context = {"cards": cards, "is_platform_admin": scope.is_platform_admin, "today": today}
    if scope.is_platform_admin:
        context["platform"] = start.get_platform_situation(today=today)
        context["organisations"] = Organisation.objects.select_related("county").all()
    return render(request, "reports/start_page.html", context)
