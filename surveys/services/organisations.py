"""Organisations, their departments, respondent groups and staff roles."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, router, transaction
from django.db.models import Max, ProtectedError, RestrictedError
from django.db.models.deletion import Collector
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from dimios_web.exceptions import DomainError

from ..models import (
    ComparisonNetwork,
    County,
    Department,
    Municipality,
    Organisation,
    RespondentGroup,
    RoleAssignment,
    Sector,
)
from ..skr_groups import SKR_VERSION
from .audit import ActorLike, AuditAction, record_event

REFERENCE_DIR = Path(settings.BASE_DIR) / "data"


def load_reference_data(
    *, municipalities_csv: Path | None = None, counties_csv: Path | None = None
) -> dict[str, int]:
    """Load the SCB counties and municipalities, keyed on their codes. Rerunning changes nothing."""
    municipalities_csv = municipalities_csv or REFERENCE_DIR / "municipalities.csv"
    counties_csv = counties_csv or REFERENCE_DIR / "counties.csv"
    created = {"counties": 0, "municipalities": 0}
    with transaction.atomic():
        with counties_csv.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                _county, was_created = County.objects.update_or_create(
                    code=row["county_code"],
                    defaults={"name": row["county_name"], "short_name": row["county_name_short"]},
                )
                created["counties"] += was_created
        with municipalities_csv.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                _m, was_created = Municipality.objects.update_or_create(
                    code=row["municipality_code"],
                    defaults={
                        "name": row["municipality_name"],
                        "short_name": row["municipality_name_short"],
                        "county_id": row["county_code"],
                    },
                )
                created["municipalities"] += was_created
        load_skr_groups(Municipality=Municipality, Organisation=Organisation)
    return created


def load_skr_groups(*, Municipality, Organisation, skr_csv: Path | None = None) -> int:
    """Put SKR's municipality group (kommungruppsindelning, surveys/skr_groups.py) with its version on each
    municipality, and on each municipality's organisation that has none yet or an older classification's.
    Takes the model classes, so that the data migration can pass its historical ones. Returns the
    municipalities updated."""
    skr_csv = skr_csv or REFERENCE_DIR / f"skr_kommungrupp_{SKR_VERSION}.csv"
    updated = 0
    with skr_csv.open(encoding="utf-8-sig", newline="") as handle:
        groups = {row["municipality_code"]: row["group_code"] for row in csv.DictReader(handle)}
    for municipality in Municipality.objects.filter(code__in=groups):
        group = groups[municipality.code]
        if (municipality.skr_group, municipality.skr_group_version) != (group, SKR_VERSION):
            municipality.skr_group, municipality.skr_group_version = group, SKR_VERSION
            municipality.save(update_fields=["skr_group", "skr_group_version"])
            updated += 1
        Organisation.objects.filter(municipality_id=municipality.code).exclude(
            skr_group_version__gte=SKR_VERSION
        ).update(skr_group=group, skr_group_version=SKR_VERSION)
    return updated


def add_organisation(*, code: str) -> tuple[Organisation, bool]:
    """Create the organisation of a municipality from the SCB reference data, with the default respondent
    groups. Running it again for the same code returns the existing organisation unchanged."""
    code = (code or "").strip()
    if not Municipality.objects.exists():
        load_reference_data()
    municipality = Municipality.objects.select_related("county").filter(code=code).first()
    if municipality is None:
        raise DomainError(
            _("%(code)s is not a Swedish municipality code. Use the four-digit SCB code, e.g. 0580.")
            % {"code": code or "''"},
            field="code",
        )
    with transaction.atomic():
        organisation, created = Organisation.objects.get_or_create(
            code=municipality.code,
            defaults={
                "name": municipality.name,
                "kind": Organisation.Kind.MUNICIPALITY,
                "municipality": municipality,
                "county": municipality.county,
                "skr_group": municipality.skr_group,
                "skr_group_version": municipality.skr_group_version,
            },
        )
        if created:
            ensure_default_groups(organisation=organisation)
    return organisation, created


# The fields of an organisation that the platform admin sets (Django admin's form); the audit log records a
# change of each with its old and new value.
ORGANISATION_FIELDS = ("code", "name", "kind", "municipality", "county")


def _organisation_settings(organisation: Organisation) -> dict[str, str]:
    values = {}
    for name in ORGANISATION_FIELDS:
        value = getattr(organisation, name)
        values[name] = "" if value is None else str(value)
    return values


@transaction.atomic
def save_organisation(*, organisation: Organisation, actor: ActorLike) -> Organisation:
    """Create the organisation (with the default respondent groups) or save the platform admin's change of
    its code, name, kind, municipality or county; either is audited (a change with each field's old and new
    value). ``organisation`` carries the new values, already validated by the admin's form."""
    if organisation.pk is None:
        organisation.save()
        ensure_default_groups(organisation=organisation)
        record_event(
            action=AuditAction.ORGANISATION_CREATED,
            organisation=organisation,
            actor=actor,
            target=organisation.name,
            details={"code": organisation.code},
        )
        return organisation
    before = _organisation_settings(Organisation.objects.select_for_update().get(pk=organisation.pk))
    after = _organisation_settings(organisation)
    changed = [name for name in ORGANISATION_FIELDS if before[name] != after[name]]
    if changed:
        organisation.save(update_fields=changed)
        record_event(
            action=AuditAction.ORGANISATION_CHANGED,
            organisation=organisation,
            actor=actor,
            target=organisation.name,
            details={
                "changes": changed,
                "before": {n: before[n] for n in changed},
                "after": {n: after[n] for n in changed},
            },
        )
    return organisation


def ensure_default_groups(*, organisation: Organisation) -> None:
    for position, name in enumerate(RespondentGroup.DEFAULTS, start=1):
        RespondentGroup.objects.get_or_create(
            organisation=organisation, name=name, defaults={"position": position}
        )


# --- Departments -------------------------------------------------------------------------------------------


def _check_parent(
    *, organisation: Organisation, department: Department | None, parent: Department | None
) -> None:
    if parent is None:
        return
    if parent.organisation_id != organisation.pk:
        raise DomainError(_("The parent department belongs to another organisation."), field="parent")
    if department is None or department.pk is None:
        return
    ancestor: Department | None = parent
    seen: set[int] = set()
    while ancestor is not None and ancestor.pk not in seen:
        if ancestor.pk == department.pk:
            raise DomainError(
                _("A department cannot be placed under itself or under one of its own units."), field="parent"
            )
        seen.add(ancestor.pk)
        ancestor = ancestor.parent


def _same_name(a: str, b: str) -> bool:
    """Case-insensitive for Swedish letters too (SQLite's own comparison folds ASCII only)."""
    return a.strip().casefold() == b.strip().casefold()


def _check_unique_name(
    *, organisation: Organisation, department: Department | None, parent, name: str
) -> None:
    siblings = Department.objects.filter(organisation=organisation, parent=parent)
    if department is not None and department.pk:
        siblings = siblings.exclude(pk=department.pk)
    if any(_same_name(other, name) for other in siblings.values_list("name", flat=True)):
        raise DomainError(
            _("There is already a department called “%(name)s” at this place in the tree.") % {"name": name},
            field="name",
        )


def check_department(
    *, organisation: Organisation, department: Department | None, parent: Department | None, name: str
) -> None:
    """What ``create_department`` and ``update_department`` refuse, for a form to show before saving."""
    _check_parent(organisation=organisation, department=department, parent=parent)
    _check_unique_name(organisation=organisation, department=department, parent=parent, name=name.strip())


@transaction.atomic
def _check_sector(sector: str) -> str:
    sector = (sector or "").strip()
    if sector and sector not in Sector.values:
        raise DomainError(_("Choose a sector from the list."), field="sector")
    return sector


def create_department(
    *, organisation: Organisation, name: str, parent: Department | None = None, sector: str = "", actor=None
) -> Department:
    name = name.strip()
    sector = _check_sector(sector)
    _check_parent(organisation=organisation, department=None, parent=parent)
    _check_unique_name(organisation=organisation, department=None, parent=parent, name=name)
    try:
        with transaction.atomic():
            department = Department.objects.create(
                organisation=organisation, name=name, parent=parent, sector=sector
            )
    except IntegrityError:
        raise DomainError(_("There is already a department with this name here."), field="name") from None
    if actor is not None:
        record_event(
            action=AuditAction.DEPARTMENT_CREATED,
            organisation=organisation,
            actor=actor,
            target=department.name,
            department=department,
        )
    return department


@transaction.atomic
def update_department(
    *, department: Department, name: str, parent: Department | None, sector: str | None = None, actor=None
) -> Department:
    """Rename or move a department, or set its sector (None: keep it). A new sector takes effect in the
    comparisons of closed periods at their next refresh (the stored figures notice it at once)."""
    department = Department.objects.select_for_update().get(pk=department.pk)
    name = name.strip()
    sector = department.sector if sector is None else _check_sector(sector)
    _check_parent(organisation=department.organisation, department=department, parent=parent)
    _check_unique_name(organisation=department.organisation, department=department, parent=parent, name=name)
    department.name = name
    department.parent = parent
    department.sector = sector
    department.save(update_fields=["name", "parent", "sector"])
    record_event(
        action=AuditAction.DEPARTMENT_CHANGED,
        organisation=department.organisation_id,
        actor=actor,
        target=department.name,
        department=department,
        details={"parent": parent.name if parent else "", "sector": sector},
    )
    return department


@transaction.atomic
@transaction.atomic
def why_department_cannot_be_deleted(department: Department) -> str | Promise | None:
    """Why deleting the department would be refused, or None: the confirmation page says so up front instead
    of refusing after "Yes, I am sure" (issue 17); ``delete_department`` refuses for the same reasons."""
    if department.children.exists():
        return _("Move or delete the units under this department first.")
    if department.responses.exists() or department.pooled_responses.exists():
        return _("This department has responses in earlier rounds and cannot be deleted.")
    try:
        # What the deletion would take along, without deleting: records of the upper apps that keep a
        # department (its action plans) restrict it.
        Collector(using=router.db_for_write(Department)).collect([department])
    except (ProtectedError, RestrictedError):
        return _("Records of this department (such as its actions) still refer to it: it cannot be deleted.")
    return None


def delete_department(*, department: Department, actor=None) -> None:
    reason = why_department_cannot_be_deleted(department)
    if reason is not None:
        raise DomainError(reason)
    record_event(
        action=AuditAction.DEPARTMENT_DELETED,
        organisation=department.organisation_id,
        actor=actor,
        target=department.name,
        department=department,  # emptied by the deletion just below (SET_NULL); the name stays in the target
    )
    try:
        department.delete()
    except (ProtectedError, RestrictedError):
        # Records of the upper apps that keep a department (its action plans) refuse the deletion.
        raise DomainError(
            _("Records of this department (such as its actions) still refer to it: it cannot be deleted.")
        ) from None


# --- Respondent groups -------------------------------------------------------------------------------------


def _check_group_name(*, organisation: Organisation, group: RespondentGroup | None, name: str) -> None:
    others = RespondentGroup.objects.filter(organisation=organisation)
    if group is not None and group.pk:
        others = others.exclude(pk=group.pk)
    if any(_same_name(other, name) for other in others.values_list("name", flat=True)):
        raise DomainError(
            _("There is already a respondent group called “%(name)s”.") % {"name": name}, field="name"
        )


def check_respondent_group(*, organisation: Organisation, group: RespondentGroup | None, name: str) -> None:
    """What ``create_respondent_group`` and ``update_respondent_group`` refuse, for a form to show first."""
    _check_group_name(organisation=organisation, group=group, name=name.strip())


@transaction.atomic
def create_respondent_group(
    *, organisation: Organisation, name: str, position: int | None = None, actor=None
) -> RespondentGroup:
    """A new respondent group; without a position it comes last in every list (issue 17: a new group does
    not jump to the top)."""
    name = name.strip()
    _check_group_name(organisation=organisation, group=None, name=name)
    if position is None:
        groups = RespondentGroup.objects.filter(organisation=organisation)
        last = groups.aggregate(last=Max("position"))["last"]
        position = 1 if last is None else last + 1
    group = RespondentGroup.objects.create(organisation=organisation, name=name, position=position)
    if actor is not None:
        record_event(
            action=AuditAction.GROUP_CREATED,
            respondent_group=group,
            organisation=organisation,
            actor=actor,
            target=group.name,
        )
    return group


@transaction.atomic
def update_respondent_group(
    *, group: RespondentGroup, name: str, position: int | None, actor=None
) -> RespondentGroup:
    """Rename or move the group; without a position it keeps its place."""
    name = name.strip()
    _check_group_name(organisation=group.organisation, group=group, name=name)
    group.name = name
    if position is not None:
        group.position = position
    group.save(update_fields=["name", "position"])
    record_event(
        action=AuditAction.GROUP_CHANGED,
        respondent_group=group,
        organisation=group.organisation_id,
        actor=actor,
        target=group.name,
    )
    return group


def why_group_cannot_be_deleted(group: RespondentGroup) -> str | Promise | None:
    """Why deleting the respondent group would be refused, or None (said up front on the confirm page)."""
    if group.responses.exists() or group.pooled_responses.exists():
        return _("This group has responses in earlier rounds and cannot be deleted.")
    return None


@transaction.atomic
def delete_respondent_group(*, group: RespondentGroup, actor=None) -> None:
    reason = why_group_cannot_be_deleted(group)
    if reason is not None:
        raise DomainError(reason)
    record_event(
        action=AuditAction.GROUP_DELETED,
        respondent_group=group,
        organisation=group.organisation_id,
        actor=actor,
        target=group.name,
    )
    group.delete()


# --- Roles -------------------------------------------------------------------------------------------------


@transaction.atomic
def grant_role(
    *,
    organisation: Organisation,
    email: str,
    role: str,
    departments: Iterable[Department] = (),
    granted_by=None,
) -> tuple[RoleAssignment, bool]:
    """Give a staff user (found by e-mail, or created without a password) a role in the organisation.

    Returns the assignment and whether the user was created (then they should be sent a password link)."""
    departments = list(departments)
    if role not in RoleAssignment.Role.values:
        raise DomainError(_("Unknown role."), field="role")
    for department in departments:
        if department.organisation_id != organisation.pk:
            raise DomainError(
                _("“%(name)s” belongs to another organisation.") % {"name": department}, field="departments"
            )
    if role == RoleAssignment.Role.DEPARTMENT_REP and not departments:
        raise DomainError(_("Choose the department(s) the representative works with."), field="departments")
    if role != RoleAssignment.Role.DEPARTMENT_REP and departments:
        raise DomainError(
            _("This role covers the whole organisation; leave the departments empty."), field="departments"
        )
    email = email.strip().lower()
    user_model = get_user_model()
    user = user_model.objects.filter(email__iexact=email).order_by("pk").first()
    user_created = False
    if user is None:
        user = user_model(username=email, email=email)
        user.set_unusable_password()
        user.save()
        user_created = True
    assignment, _created = RoleAssignment.objects.get_or_create(
        user=user, organisation=organisation, role=role, defaults={"granted_by": granted_by}
    )
    assignment.departments.set(departments)
    record_event(
        action=AuditAction.ROLE_GRANTED,
        organisation=organisation,
        actor=granted_by,
        target=user.email,
        subject_user=user,
        details={"role": role, "departments": [d.name for d in departments], "new_account": user_created},
    )
    return assignment, user_created


@transaction.atomic
def revoke_role(*, assignment: RoleAssignment, actor=None) -> None:
    record_event(
        action=AuditAction.ROLE_REVOKED,
        organisation=assignment.organisation_id,
        actor=actor,
        target=assignment.user.email,
        subject_user=assignment.user_id,
        details={"role": assignment.role},
    )
    assignment.delete()


def send_welcome_email(*, user) -> None:
    """Tell a newly created staff user about their account, with a link to choose a password (the same
    one-time link as "Forgot your password?", allauth's token)."""
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str

    path = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)},
    )
    context = {"user": user, "link": settings.SITE_URL + path, "site_url": settings.SITE_URL}
    subject = "".join(render_to_string("registration/welcome_subject.txt", context).splitlines())
    body = render_to_string("registration/welcome_email.txt", context)
    send_mail(subject, body, None, [user.email])


# --- Comparison settings and named networks (issue 15) ------------------------------------------------------

# The sets an organisation admin can choose for the annual report (maturity.selectors.get_comparison_sets).
REPORT_SETS = ("national", "kind", "county", "skr_group", "skr_main_group", "networks", "sector")


@transaction.atomic
def set_comparison_settings(
    *, organisation: Organisation, shares: bool, report_sets: Iterable[str], actor: ActorLike
) -> Organisation:
    """Whether the organisation shares its figures with others' comparison sets and the open data, and which
    sets its annual report shows (all when none are chosen). Audited with the old and new values. The
    stored comparison figures notice a change of sharing at once and follow it at their next refresh."""
    chosen = [s for s in REPORT_SETS if s in set(report_sets)]
    unknown = set(report_sets) - set(REPORT_SETS)
    if unknown:
        raise DomainError(_("Choose the comparison sets from the list."), field="report_sets")
    locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
    before = {
        "shares_comparisons": locked.shares_comparisons,
        "report_comparison_sets": locked.report_comparison_sets,
    }
    after = {"shares_comparisons": bool(shares), "report_comparison_sets": chosen}
    changed = [name for name in before if before[name] != after[name]]
    if changed:
        Organisation.objects.filter(pk=organisation.pk).update(**{name: after[name] for name in changed})
        organisation.shares_comparisons = bool(shares)
        organisation.report_comparison_sets = chosen
        record_event(
            action=AuditAction.COMPARISON_SETTINGS_CHANGED,
            organisation=organisation,
            actor=actor,
            target=organisation.name,
            details={
                "changes": changed,
                "before": {n: before[n] for n in changed},
                "after": {n: after[n] for n in changed},
            },
        )
    return organisation


@transaction.atomic
def save_network(
    *,
    organisation: Organisation,
    name: str,
    members: Iterable[Organisation],
    network: ComparisonNetwork | None = None,
    actor: ActorLike,
) -> ComparisonNetwork:
    """Create or change a named comparison network: a list of other organisations of this instance."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Give the network a name."), field="name")
    members = list(members)
    if any(m.pk == organisation.pk for m in members):
        raise DomainError(_("The organisation itself cannot be in its own network."), field="members")
    if not members:
        raise DomainError(_("Choose at least one organisation."), field="members")
    duplicate = ComparisonNetwork.objects.filter(organisation=organisation, name=name)
    if network is not None:
        duplicate = duplicate.exclude(pk=network.pk)
    if duplicate.exists():
        raise DomainError(_("There is already a network with this name."), field="name")
    created = network is None
    if network is None:
        network = ComparisonNetwork.objects.create(organisation=organisation, name=name)
    else:
        network.name = name
        network.save(update_fields=["name"])
    network.members.set(members)
    record_event(
        action=AuditAction.NETWORK_CREATED if created else AuditAction.NETWORK_CHANGED,
        organisation=organisation,
        actor=actor,
        target=network.name,
        details={"members": sorted(m.code for m in members)},
    )
    return network


@transaction.atomic
def delete_network(*, network: ComparisonNetwork, actor: ActorLike) -> None:
    record_event(
        action=AuditAction.NETWORK_DELETED,
        organisation=network.organisation,
        actor=actor,
        target=network.name,
    )
    network.delete()
