"""The demo world of `make run`. Every capability of the product should be visible here."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from maturity.services.site_settings import set_public_national_overview
from surveys.models import (
    ComparisonNetwork,
    Department,
    Invitation,
    InvitationToken,
    MeasurementPeriod,
    Organisation,
    RoleAssignment,
    Round,
    Sector,
)
from surveys.services.invitations import survey_link
from surveys.services.organisations import add_organisation, ensure_default_groups, load_reference_data
from surveys.tokens import new_token

from .actions import load_demo_actions
from .benchmarks import load_demo_benchmarks
from .identity import load_demo_identity
from .open_round import load_demo_open_round
from .results import load_demo_rounds

DEMO_PASSWORD = "demo-dimios-2026"
DEMO_ORGANISATION_CODE = "0580"  # Linköping, the municipality the product grew from
DEMO_DEPARTMENTS = {
    "Kommunledningsförvaltningen": ["Digitaliseringsstaben", "Ekonomiavdelningen"],
    "Social- och omsorgsförvaltningen": ["Äldreomsorg", "Individ- och familjeomsorg"],
    "Utbildningsförvaltningen": [],
    "Miljö- och samhällsbyggnadsförvaltningen": [],
    "Kultur- och fritidsförvaltningen": [],
}
# Each demo department's sector, for the comparison with other organisations' departments (issue 15).
DEMO_SECTORS = {
    "Kommunledningsförvaltningen": Sector.ADMINISTRATION,
    "Digitaliseringsstaben": Sector.ADMINISTRATION,
    "Ekonomiavdelningen": Sector.ADMINISTRATION,
    "Social- och omsorgsförvaltningen": Sector.SOCIAL_SERVICES,
    "Äldreomsorg": Sector.ELDERLY_CARE,
    "Individ- och familjeomsorg": Sector.SOCIAL_SERVICES,
    "Utbildningsförvaltningen": Sector.EDUCATION,
    "Miljö- och samhällsbyggnadsförvaltningen": Sector.COMMUNITY_BUILDING,
    "Kultur- och fritidsförvaltningen": Sector.CULTURE_LEISURE,
}
# Other municipalities to compare with: at least five in the same county and many nationally.
COMPARISON_CODES = [
    "0509",
    "0512",
    "0513",
    "0560",
    "0561",
    "0562",
    "0563",
    "0581",
    "0582",
    "0583",
    "0584",
    "0586",
    "0180",
    "1480",
    "1280",
    "0380",
    "1880",
    "2480",
]
# Organisations of other kinds (issue 15: "same kind" is not "all"): regions and agencies, not municipalities.
OTHER_KIND_ORGANISATIONS = [
    ("R05", "Region Östergötland", Organisation.Kind.REGION, "05"),
    ("R01", "Region Stockholm", Organisation.Kind.REGION, "01"),
    ("R14", "Västra Götalandsregionen", Organisation.Kind.REGION, "14"),
    ("M001", "Exempelmyndigheten för e-tjänster", Organisation.Kind.AGENCY, None),
]
# A comparison municipality that does not share its figures: it compares, but is in nobody's sets.
NOT_SHARING_CODE = "2480"
DEMO_NETWORK = "Östgötanätverket"


def _user(username: str, first: str, last: str, *, superuser: bool = False):
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=username,
        defaults={
            "email": username if "@" in username else "",
            "first_name": first,
            "last_name": last,
            "is_staff": superuser,
            "is_superuser": superuser,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


@transaction.atomic
def load_demo_data() -> dict:
    load_reference_data()
    organisation, _created = add_organisation(code=DEMO_ORGANISATION_CODE)
    ensure_default_groups(organisation=organisation)
    departments: dict[str, Department] = {}
    for top, units in DEMO_DEPARTMENTS.items():
        parent, _ = Department.objects.get_or_create(
            organisation=organisation, parent=None, name=top, defaults={"sector": DEMO_SECTORS[top]}
        )
        departments[top] = parent
        for unit in units:
            departments[unit], _ = Department.objects.get_or_create(
                organisation=organisation, parent=parent, name=unit, defaults={"sector": DEMO_SECTORS[unit]}
            )
    for name, department in departments.items():  # a demo database from before sectors existed
        if not department.sector:
            Department.objects.filter(pk=department.pk).update(sector=DEMO_SECTORS[name])

    admin = _user("admin", "Plattform", "Administratör", superuser=True)
    staff = _user("digistab@linkoping.example", "Disa", "Digitaliseringsstab")
    management = _user("ledning@linkoping.example", "Lena", "Ledning")
    rep = _user("soc@linkoping.example", "Sam", "Socialrepresentant")
    RoleAssignment.objects.get_or_create(
        user=staff, organisation=organisation, role=RoleAssignment.Role.ORG_ADMIN
    )
    RoleAssignment.objects.get_or_create(
        user=management, organisation=organisation, role=RoleAssignment.Role.MANAGEMENT
    )
    assignment, _ = RoleAssignment.objects.get_or_create(
        user=rep, organisation=organisation, role=RoleAssignment.Role.DEPARTMENT_REP
    )
    assignment.departments.set([departments["Social- och omsorgsförvaltningen"]])

    comparison = [add_organisation(code=code)[0] for code in COMPARISON_CODES]
    for code, name, kind, county in OTHER_KIND_ORGANISATIONS:
        other, created = Organisation.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind, "county_id": county}
        )
        if created:
            ensure_default_groups(organisation=other)
        comparison.append(other)
    Organisation.objects.filter(code=NOT_SHARING_CODE).update(shares_comparisons=False)
    network, _created = ComparisonNetwork.objects.get_or_create(organisation=organisation, name=DEMO_NETWORK)
    network.members.set([o for o in comparison if o.county_id == organisation.county_id])
    summary: dict[str, Any] = {
        "organisation": organisation,
        "comparison": comparison,
        "logins": [
            (admin.username, "platform admin (Django admin), with a second factor: see below"),
            (staff.username, f"organisation admin, {organisation.name}"),
            (management.username, f"management, {organisation.name}"),
            (rep.username, "department representative, Social- och omsorgsförvaltningen"),
        ],
        "notes": [],
    }
    _load_results_demo(summary)
    load_demo_actions(
        summary, organisation=organisation, owners={"staff": staff, "management": management, "rep": rep}
    )
    _load_identity_demo(summary)
    periods = list(
        MeasurementPeriod.objects.filter(
            rounds__organisation__in=comparison, rounds__status=Round.Status.CLOSED
        )
        .distinct()
        .order_by("starts_on")
    )
    load_demo_benchmarks(summary, periods)
    set_public_national_overview(enabled=True, actor=None)
    site = settings.SITE_URL
    summary["notes"].append(
        f"National overview: {site}/plattform/nationell-oversikt/ (platform admin), switched on for the "
        f"public at {site}/nationell-oversikt/; open data at {site}/oppna-data/ (API "
        f"{site}/api/v1/open-data/, DCAT {site}/oppna-data/dcat.rdf)."
    )
    summary["notes"].append(
        f"Comparison demo: {len(comparison)} other organisations (municipalities of several SKR groups, "
        f"regions and an agency; {NOT_SHARING_CODE} does not share), the network “{DEMO_NETWORK}” and "
        f"sectors on every department of {organisation.name}."
    )
    return summary


def _load_identity_demo(summary: dict) -> None:
    """The demo municipality's login settings and the platform admin's authenticator app (identity app)."""
    load_demo_identity(summary)


def _load_results_demo(summary: dict) -> None:
    """Three years of closed rounds with results (maturity app), then this autumn's open round."""
    load_demo_rounds(summary)
    open_round = load_demo_open_round(summary)
    if open_round is not None and open_round.status == Round.Status.OPEN:
        link = _demo_respondent_link(open_round)
        summary["notes"].append(f"Answer the open survey as a demo respondent: {link}")


def _demo_respondent_link(open_round: Round) -> str:
    """A fresh personal link for one demo invitee who has not answered yet (only its hash is stored; each run
    adds a link, earlier ones keep working until the respondent submits)."""
    invitation = (
        Invitation.objects.filter(round=open_round, submitted=False, revoked_at__isnull=True)
        .order_by("pk")
        .first()
    )
    if invitation is None:
        return "(every demo invitee has answered)"
    raw, token_hash = new_token()
    InvitationToken.objects.create(invitation=invitation, token_hash=token_hash)
    return survey_link(raw)
