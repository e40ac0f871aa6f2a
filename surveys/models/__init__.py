"""Organisations, their departments and respondent groups, staff roles, measurement periods, rounds and
responses; the questionnaire versions they are answered on are in ``surveys.models.questionnaire``. State
changes live in ``surveys.services``; permission scoping in ``surveys.scoping``.

Over 400 lines on purpose: the survey domain's models reference each other (rounds, invitations, drafts,
responses, audit events) and read best together; the questionnaire, a self-contained tree, is the part
that stands apart."""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dimios_web import formatting
from surveys.scoping import ScopedQuerySet
from surveys.skr_groups import SKR_GROUP_CHOICES

from .questionnaire import (  # noqa: F401 (the app's models, imported here so that Django registers them)
    Capability,
    Category,
    Dimension,
    QuestionnaireVersion,
    Statement,
    TypeDescription,
    type_heading,
)


class County(models.Model):
    """A Swedish county (län), SCB code as a two-digit string. Reference data."""

    code = models.CharField(_("county code"), max_length=2, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("county")
        verbose_name_plural = _("counties")

    def __str__(self) -> str:
        return self.name


class Municipality(models.Model):
    """One of the 290 SCB municipalities. Reference data loaded by ``load_municipalities``."""

    code = models.CharField(_("municipality code"), max_length=4, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=100)
    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="municipalities", verbose_name=_("county")
    )
    # SKR's municipality group (surveys/skr_groups.py) and the version of the classification.
    skr_group = models.CharField(_("SKR municipality group"), max_length=2, blank=True, default="")
    skr_group_version = models.CharField(_("classification"), max_length=10, blank=True, default="")

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class OrganisationQuerySet(ScopedQuerySet):
    scope_path = "pk"


class Organisation(models.Model):
    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Municipality")
        REGION = "region", _("Region")
        AGENCY = "agency", _("Government agency")

    code = models.CharField(
        _("code"),
        max_length=20,
        unique=True,
        help_text=_("For a municipality its four-digit SCB code; otherwise a short unique code."),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.MUNICIPALITY)
    municipality = models.OneToOneField(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisation",
        verbose_name=_("municipality"),
    )
    county = models.ForeignKey(
        County,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name=_("county"),
    )
    # SKR's municipality group (A1–C9) with the version of the classification it comes from: groups change
    # between classifications, so a comparison says which one it used (surveys/skr_groups.py).
    skr_group = models.CharField(
        _("SKR municipality group"), max_length=2, blank=True, default="", choices=SKR_GROUP_CHOICES
    )
    skr_group_version = models.CharField(_("classification"), max_length=10, blank=True, default="")
    # Whether the organisation's published figures take part in other organisations' comparison sets and
    # in the open data (issue 15). Its own dashboards compare with the others either way.
    shares_comparisons = models.BooleanField(
        _("share figures for comparison"),
        default=True,
        help_text=_(
            "Our organisation-wide figures of closed rounds may be compared with by other organisations and "
            "published as open data (never answers, departments or groups)."
        ),
    )
    # The comparison sets the annual report shows (surveys.services.organisations.REPORT_SETS); empty: all.
    report_comparison_sets = models.JSONField(
        _("comparison sets in the annual report"), default=list, blank=True
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class ComparisonNetworkQuerySet(ScopedQuerySet):
    scope_path = "organisation"


class ComparisonNetwork(models.Model):
    """A comparison set an organisation admin names ("vårt nätverk"): a list of other organisations."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="networks", verbose_name=_("organisation")
    )
    name = models.CharField(_("name"), max_length=100)
    members = models.ManyToManyField(
        Organisation, related_name="in_networks", verbose_name=_("organisations"), blank=True
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    objects = ComparisonNetworkQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("comparison network")
        verbose_name_plural = _("comparison networks")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="network_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Sector(models.TextChoices):
    """The fixed list of sectors a department can belong to (issue 15)."""

    SOCIAL_SERVICES = "social_services", _("Social services")
    ELDERLY_CARE = "elderly_care", _("Elderly care")
    DISABILITY = "disability", _("Disability support")
    EDUCATION = "education", _("Education")
    HEALTH_CARE = "health_care", _("Health care")
    COMMUNITY_BUILDING = "community_building", _("Community building")
    CULTURE_LEISURE = "culture_leisure", _("Culture and leisure")
    ADMINISTRATION = "administration", _("Administration")
    TECHNICAL_SERVICES = "technical_services", _("Technical services")
    LABOUR_MARKET = "labour_market", _("Labour market")
    ENVIRONMENT = "environment", _("Environment and health protection")
    OTHER = "other", _("Other")


class DepartmentQuerySet(ScopedQuerySet):
    scope_path = "organisation"
    department_path = "pk"


class Department(models.Model):
    """A förvaltning, or a unit under one (``parent``)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="departments", verbose_name=_("organisation")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("part of"),
    )
    name = models.CharField(_("name"), max_length=200)
    # The kind of activity, for comparison with other organisations' departments of the same sector.
    sector = models.CharField(_("sector"), max_length=30, blank=True, default="", choices=Sector.choices)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "parent", "name"],
                condition=Q(parent__isnull=False),
                name="department_unique_name_in_parent",
            ),
            models.UniqueConstraint(
                fields=["organisation", "name"],
                condition=Q(parent__isnull=True),
                name="department_unique_top_level_name",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DepartmentSuccession(models.Model):
    """A reorganisation between rounds: the ``successor`` department carries on the work of the
    ``predecessor`` (renamed, merged or split), so that an action decided for the predecessor is followed up
    in the successor's figures at the next round (``maturity.selectors_followup``). Both are departments of
    ``organisation``. Changed only by ``surveys.services.successions`` (validated and audited there)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="department_successions"
    )
    predecessor = models.ForeignKey(
        Department,
        on_delete=models.CASCADE,
        related_name="successions_as_predecessor",
        verbose_name=_("earlier department"),
    )
    successor = models.ForeignKey(
        Department,
        on_delete=models.CASCADE,
        related_name="successions_as_successor",
        verbose_name=_("later department"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["predecessor__name", "successor__name", "pk"]
        verbose_name = _("department succession")
        verbose_name_plural = _("department successions")
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="department_succession_unique"),
            models.CheckConstraint(
                condition=~Q(predecessor=models.F("successor")), name="department_succession_not_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor_id} → {self.successor_id}"


class RespondentGroupQuerySet(ScopedQuerySet):
    scope_path = "organisation"


class RespondentGroup(models.Model):
    """The role category of a respondent (kommunledning, chefer, ...), editable per organisation."""

    DEFAULTS = (
        # Swedish names: these are the organisation's own data, shown as entered.
        "Kommunledning",
        "Chefer",
        "Verksamhetsutvecklare",
        "Strateger",
        "Planeringsledare",
    )

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="respondent_groups",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = RespondentGroupQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("respondent group")
        verbose_name_plural = _("respondent groups")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="respondent_group_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class RoleAssignment(models.Model):
    """A staff user's role in one organisation, for the whole organisation or for given departments."""

    class Role(models.TextChoices):
        ORG_ADMIN = "org_admin", _("Organisation admin (digitalisation staff)")
        MANAGEMENT = "management", _("Management")
        DEPARTMENT_REP = "department_rep", _("Department representative")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="role_assignments",
        verbose_name=_("user"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="role_assignments",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    departments = models.ManyToManyField(
        Department,
        blank=True,
        related_name="role_assignments",
        verbose_name=_("departments"),
        help_text=_("Empty: the whole organisation. A department representative needs at least one."),
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("granted by"),
    )
    granted_at = models.DateTimeField(_("granted"), default=timezone.now)

    class Meta:
        ordering = ["organisation__name", "role"]
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="role_assignment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.organisation}"


class MeasurementPeriod(models.Model):
    """A national measurement window: VT = 1 February – 1 June, HT = 1 August – 1 December (both days
    included)."""

    class Term(models.TextChoices):
        VT = "VT", _("Spring (VT)")
        HT = "HT", _("Autumn (HT)")

    class State(models.TextChoices):
        UPCOMING = "upcoming", _("Upcoming")
        RUNNING = "running", _("Running")
        ENDED = "ended", _("Ended")

    WINDOWS = {Term.VT: ((2, 1), (6, 1)), Term.HT: ((8, 1), (12, 1))}

    year = models.PositiveSmallIntegerField(_("year"))
    term = models.CharField(_("term"), max_length=2, choices=Term.choices)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))

    class Meta:
        ordering = ["starts_on"]
        verbose_name = _("measurement period")
        verbose_name_plural = _("measurement periods")
        constraints = [
            models.UniqueConstraint(fields=["year", "term"], name="period_unique_year_term"),
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")), name="period_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return formatting.period(self.year, self.term)

    @property
    def code(self) -> str:
        """The natural key used on the command line and in files, e.g. ``2026-HT``."""
        return f"{self.year}-{self.term}"

    @classmethod
    def window(cls, year: int, term: str) -> tuple[datetime.date, datetime.date]:
        (sm, sd), (em, ed) = cls.WINDOWS[cls.Term(term)]
        return datetime.date(year, sm, sd), datetime.date(year, em, ed)

    def state_on(self, day: datetime.date) -> str:
        if day < self.starts_on:
            return self.State.UPCOMING
        if day > self.ends_on:
            return self.State.ENDED
        return self.State.RUNNING

    @property
    def state(self) -> str:
        return self.state_on(timezone.localdate())

    def get_state_display(self) -> str:
        return str(self.State(self.state).label)


class RoundQuerySet(ScopedQuerySet):
    scope_path = "organisation"
    department_path = "departments"


class Round(models.Model):
    """One organisation's measurement in one period: draft → open → closed."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    class Source(models.TextChoices):
        SURVEY = "survey", _("Survey in this application")
        IMPORT = "import", _("Imported responses")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="rounds", verbose_name=_("organisation")
    )
    period = models.ForeignKey(
        MeasurementPeriod,
        on_delete=models.PROTECT,
        related_name="rounds",
        verbose_name=_("measurement period"),
    )
    questionnaire = models.ForeignKey(
        "surveys.QuestionnaireVersion",
        on_delete=models.PROTECT,
        related_name="rounds",
        verbose_name=_("questionnaire version"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.SURVEY)
    anonymous = models.BooleanField(
        _("anonymous"),
        default=True,
        help_text=_("Answers cannot be traced back to an invitation or e-mail address."),
    )
    departments = models.ManyToManyField(
        Department, blank=True, related_name="rounds", verbose_name=_("participating departments")
    )
    opens_on = models.DateField(_("opens on"), null=True, blank=True)
    closes_on = models.DateField(_("closes on"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # Bumped whenever responses change after the fact (a late import): reports built earlier are outdated.
    data_changed_at = models.DateTimeField(_("data last changed"), default=timezone.now)
    # The round's own invitation and reminder texts, e.g. {"invitation": {"sv": {"subject": …, "body": …},
    # "en": {…}}, "reminder": {…}}. A missing or empty text falls back to the built-in default
    # (surveys.services.invitations.DEFAULT_TEXTS).
    message_texts = models.JSONField(_("invitation and reminder texts"), default=dict, blank=True)
    # Scheduled reminders: whole days after the opening day, e.g. [7, 14].
    reminder_days = models.JSONField(_("reminder days after opening"), default=list, blank=True)
    # An open link without personal invitations: the respondent chooses department and group. Response
    # rates and reminders are then not available. ``open_link_key`` is the public key in the link's path.
    open_link_enabled = models.BooleanField(_("open link"), default=False)
    open_link_key = models.CharField(_("open link key"), max_length=64, blank=True, default="")

    objects = RoundQuerySet.as_manager()

    class Meta:
        ordering = ["-period__starts_on", "organisation__name"]
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "period"], name="round_unique_per_period"),
            models.CheckConstraint(
                condition=Q(opens_on__isnull=True)
                | Q(closes_on__isnull=True)
                | Q(closes_on__gte=models.F("opens_on")),
                name="round_closes_after_opening",
            ),
            models.UniqueConstraint(
                fields=["open_link_key"], condition=~Q(open_link_key=""), name="round_unique_open_link_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.period}"

    @property
    def first_day(self) -> datetime.date:
        return self.opens_on or self.period.starts_on

    @property
    def last_day(self) -> datetime.date:
        return self.closes_on or self.period.ends_on


class Invitation(models.Model):
    """The ledger of who was asked and whether they are done. Identity (e-mail, name) lives here and only
    here. In an anonymous round nothing links an invitation to its response: the invitation records that it
    is done (``submitted``), not when, and the response records neither the invitation nor a time."""

    class SendStatus(models.TextChoices):
        PENDING = "pending", _("Not sent yet")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        BOUNCED = "bounced", _("Bounced")

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("round")
    )
    email = models.EmailField(_("e-mail address"), blank=True, default="")
    name = models.CharField(_("name"), max_length=200, blank=True, default="")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="invitations", verbose_name=_("department")
    )
    group = models.ForeignKey(
        RespondentGroup,
        on_delete=models.PROTECT,
        related_name="invitations",
        verbose_name=_("respondent group"),
    )
    language = models.CharField(_("language"), max_length=2, choices=settings.LANGUAGES, default="sv")
    send_status = models.CharField(
        _("invitation e-mail"), max_length=10, choices=SendStatus.choices, default=SendStatus.PENDING
    )
    send_attempts = models.PositiveSmallIntegerField(default=0)
    # When a sender claimed the invitation (send_status → sending); a claim older than the task time limit
    # was interrupted and is shown as failed.
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True, default="")
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    last_reminded_at = models.DateTimeField(_("last reminder"), null=True, blank=True)
    started_on = models.DateField(_("started"), null=True, blank=True)
    submitted = models.BooleanField(_("submitted"), default=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["email"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "email"], condition=~Q(email=""), name="invitation_unique_email_per_round"
            ),
        ]
        indexes = [models.Index(fields=["round", "send_status"])]

    def __str__(self) -> str:
        return self.email or f"#{self.pk}"


class InvitationToken(models.Model):
    """A personal link's secret, stored only as its SHA-256 hash. An invitation may have several (the
    invitation and each reminder carry a fresh one); all stay valid until the respondent submits or the
    round closes."""

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("invitation link")
        verbose_name_plural = _("invitation links")

    def __str__(self) -> str:
        return f"{self.invitation_id}:{self.token_hash[:8]}…"


class Draft(models.Model):
    """Answers being given, saved as the respondent goes. Belongs to an invitation (personal link) or, for an
    open link, to a random key held in the respondent's session. Deleted when the response is submitted."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="drafts")
    invitation = models.OneToOneField(
        Invitation, on_delete=models.CASCADE, null=True, blank=True, related_name="draft"
    )
    open_key_hash = models.CharField(max_length=64, blank=True, default="")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    group = models.ForeignKey(
        RespondentGroup, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["open_key_hash"], condition=~Q(open_key_hash=""), name="draft_unique_open_key"
            ),
            models.CheckConstraint(
                condition=Q(invitation__isnull=False) | ~Q(open_key_hash=""), name="draft_has_an_owner"
            ),
        ]

    def __str__(self) -> str:
        return f"draft {self.pk} of {self.round_id}"


class DraftAnswer(models.Model):
    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="answers")
    statement = models.ForeignKey("surveys.Statement", on_delete=models.PROTECT, related_name="+")
    value = models.PositiveSmallIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["draft", "statement"], name="draft_answer_unique_per_statement"),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | (Q(value__gte=1) & Q(value__lte=6)),
                name="draft_answer_value_on_scale",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.statement_id}={self.value if self.value is not None else 'DK'}"


class Response(models.Model):
    """A submitted set of answers. It carries department, group and round, and in an anonymous round nothing
    that leads back to an invitation: no time, a random primary key, and it is written from the response
    pool (``PooledResponse``) in a shuffled batch by a transaction that touches nothing on the identity side,
    so that no transaction id, id or physical order, timestamp or commit order links it to an invitation,
    draft, session or audit row (docs/respondent-privacy.md). In a round that is not anonymous,
    ``invitation`` says whose response it is."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    invitation = models.OneToOneField(
        Invitation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="response",
        help_text=_("Only in rounds that are not anonymous."),
    )
    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="responses", verbose_name=_("round")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="responses", verbose_name=_("department")
    )
    group = models.ForeignKey(
        RespondentGroup,
        on_delete=models.PROTECT,
        related_name="responses",
        verbose_name=_("respondent group"),
    )
    # The respondent id of an imported file (unique per round), empty for responses given here.
    external_id = models.CharField(_("respondent id"), max_length=100, blank=True, default="")

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "external_id"],
                condition=~Q(external_id=""),
                name="response_unique_external_id",
            ),
        ]
        indexes = [models.Index(fields=["round", "department", "group"])]

    def __str__(self) -> str:
        return f"{self.round} #{self.pk}"


class PooledResponse(models.Model):
    """An anonymous response between its submission and its release into ``Response``/``Answer`` rows.

    The submit transaction writes it together with the ledger's ``Invitation.submitted`` flag, so the two
    share a PostgreSQL transaction id for as long as the row exists. Hence the answers are sealed (encrypted
    and authenticated with a key derived from the application's secret key, ``surveys.sealing``): a reader of
    the database sees who submitted, never what. ``surveys.services.pool.release_pool`` opens the seals and
    writes the responses in shuffled batches of at least k per department × group, in a transaction that
    touches nothing on the identity side, deletes these rows and vacuums the table. It has no reference to
    an invitation, draft or session and no time."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="pooled_responses")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="pooled_responses")
    group = models.ForeignKey(RespondentGroup, on_delete=models.PROTECT, related_name="pooled_responses")
    sealed = models.BinaryField()

    class Meta:
        verbose_name = _("pooled response")
        verbose_name_plural = _("pooled responses")
        indexes = [models.Index(fields=["round", "department", "group"])]

    def __str__(self) -> str:
        return f"pooled response of round {self.round_id}"


class SubmissionDay(models.Model):
    """How many responses were submitted on one day in one department: the daily curve of the round page.
    Counted in the submit transaction, on the identity side; responses carry no date."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="submission_days")
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("submissions on a day")
        verbose_name_plural = _("submissions per day")
        constraints = [
            models.UniqueConstraint(fields=["round", "department", "day"], name="submission_day_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.round_id} {self.department_id} {self.day}: {self.count}"


class Answer(models.Model):
    """One answer: a value 1–6, or NULL for "vet ej" (don't know). A statement not answered has no row."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    statement = models.ForeignKey("surveys.Statement", on_delete=models.PROTECT, related_name="answers")
    value = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "statement"], name="answer_unique_per_statement"),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | (Q(value__gte=1) & Q(value__lte=6)),
                name="answer_value_on_scale",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.statement_id}={self.value if self.value is not None else 'DK'}"


class RespondentImport(models.Model):
    """An uploaded respondent file between its preview and the admin's decision: its rows, parsed once at
    upload within the limits of ``services.tabular`` (issue 11), so a preview never parses the file again.
    Kept in the database (not on one web server's disk) and deleted when imported or after a day (it holds
    e-mail addresses)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="respondent_imports")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    filename = models.CharField(max_length=255)
    # {"kind": "csv" or "xlsx", "rows": [[line, [cell, …]], …], "formulas": {line: [cell ref, …]},
    #  "notices": […]}
    parsed = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("respondent file")
        verbose_name_plural = _("respondent files")

    def __str__(self) -> str:
        return self.filename


class ReminderRun(models.Model):
    """One reminder sending for a round: requested now by a staff user (``scheduled_day`` empty) or due by
    the round's schedule (``scheduled_day`` = days after opening, unique per round so that a schedule is
    run once however often the periodic task looks)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        DONE = "done", _("Done")

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="reminder_runs", verbose_name=_("round")
    )
    scheduled_day = models.PositiveSmallIntegerField(_("days after opening"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    sent = models.PositiveIntegerField(_("sent"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("reminder sending")
        verbose_name_plural = _("reminder sendings")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "scheduled_day"],
                condition=Q(scheduled_day__isnull=False),
                name="reminder_run_unique_scheduled_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round} reminder {self.pk}"


class AuditLogIsAppendOnly(Exception):
    """Raised on any attempt to change or delete an audit event through the application."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditLogIsAppendOnly("The audit log is append-only: events cannot be changed.")

    def delete(self):
        raise AuditLogIsAppendOnly("The audit log is append-only: events cannot be deleted.")

    def _pseudonymise(self, **kwargs) -> int:
        """The one permitted change (GDPR erasure of a staff user): only
        ``dimios_web.identity.services.gdpr.remove_staff_user`` calls it; the database trigger allows it only
        when
        it sets a pseudonym (docs/identity.md)."""
        return super().update(**kwargs)


class AuditAction(models.TextChoices):
    """Every action the audit log records. The values are the codes stored since the log began (a dotted
    code, two older ones with an underscore); each has its sentence in ``surveys/audit_texts.py``."""

    # Logins and sessions (identity)
    LOGIN_SUCCEEDED = "login.succeeded"
    LOGIN_FAILED = "login.failed"
    LOGIN_LOCKED = "login.locked"
    LOGIN_SSO_REFUSED = "login.sso_refused"
    LOGOUT = "logout"
    SESSION_EXPIRED = "session.expired"
    PASSWORD_CHANGED = "password.changed"
    MFA_TOTP_ADDED = "mfa.totp_added"
    MFA_TOTP_REMOVED = "mfa.totp_removed"
    MFA_RECOVERY_CODES_ADDED = "mfa.recovery_codes_added"
    MFA_RECOVERY_CODES_RESET = "mfa.recovery_codes_reset"
    MFA_RECOVERY_CODES_REMOVED = "mfa.recovery_codes_removed"
    # Organisations and questionnaires (platform admin)
    ORGANISATION_CREATED = "organisation.created"
    ORGANISATION_CHANGED = "organisation.changed"
    QUESTIONNAIRE_LOADED = "questionnaire.loaded"
    QUESTIONNAIRE_TEXTS_CORRECTED = "questionnaire.texts_corrected"
    BENCHMARKS_IMPORTED = "benchmarks.imported"
    BENCHMARK_SOURCE_DELETED = "benchmarks.source_deleted"
    NATIONAL_OVERVIEW_PUBLIC_CHANGED = "settings.national_overview_changed"
    # Settings, roles, staff, departments, groups
    SECURITY_SETTINGS_CHANGED = "settings.security_changed"
    SSO_SETTINGS_CHANGED = "settings.sso_changed"
    ROLE_GRANTED = "role.granted"
    ROLE_REVOKED = "role.revoked"
    STAFF_REMOVED = "staff.removed"
    DEPARTMENT_CREATED = "department.created"
    DEPARTMENT_CHANGED = "department.changed"
    DEPARTMENT_DELETED = "department.deleted"
    DEPARTMENT_SUCCESSION_ADDED = "department.succession_added"
    DEPARTMENT_SUCCESSION_REMOVED = "department.succession_removed"
    GROUP_CREATED = "group.created"
    GROUP_CHANGED = "group.changed"
    GROUP_DELETED = "group.deleted"
    AUDIT_EXPORTED = "audit.exported"
    COMPARISON_SETTINGS_CHANGED = "settings.comparison_changed"
    NETWORK_CREATED = "network.created"
    NETWORK_CHANGED = "network.changed"
    NETWORK_DELETED = "network.deleted"
    # Rounds
    ROUND_CREATED = "round.created"
    ROUND_CHANGED = "round.changed"
    ROUND_OPENED = "round.opened"
    ROUND_REOPENED = "round.reopened"
    ROUND_CLOSED = "round.closed"
    ROUND_CLOSING_DATE_CHANGED = "round.closing_date_changed"
    ROUND_TEXTS_CHANGED = "round.texts_changed"
    ROUND_REMINDERS_SCHEDULED = "round.reminders_scheduled"
    ROUND_OPEN_LINK_ON = "round.open_link_on"
    ROUND_OPEN_LINK_OFF = "round.open_link_off"
    # Invitations, reminders, respondents
    INVITATIONS_SEND = "invitations.send"
    INVITATIONS_SENT = "invitations.sent"
    INVITATIONS_ADDRESSES_DELETED = "invitations.addresses_deleted"
    REMINDERS_REQUESTED = "reminders.requested"
    REMINDERS_SCHEDULED_DUE = "reminders.scheduled_due"
    REMINDERS_SENT = "reminders.sent"
    RESPONDENTS_IMPORTED = "respondents.imported"
    RESPONDENTS_ADDED = "respondents.added"
    RESPONDENTS_DELETED = "respondents.deleted"
    RESPONDENTS_WITHDRAWN = "respondents.withdrawn"
    RESPONSES_IMPORTED = "responses_imported"
    # Results, dashboards, reports
    RESULTS_DOWNLOADED = "results_downloaded"
    DASHBOARD_EXPORTED = "dashboard.exported"
    REPORT_ORDERED = "report.ordered"
    REPORT_BUILT = "report.built"
    REPORT_DOWNLOADED = "report.downloaded"
    REPORT_CONCLUSION_ADDED = "report.conclusion_added"
    REPORT_CONCLUSION_CHANGED = "report.conclusion_changed"
    REPORT_CONCLUSION_DELETED = "report.conclusion_deleted"
    # Action plans (maturity.services.actions)
    ACTION_CREATED = "action.created"
    ACTION_CHANGED = "action.changed"
    ACTION_STATUS_CHANGED = "action.status_changed"
    ACTION_NOTE_ADDED = "action.note_added"
    ACTIONS_EXPORTED = "actions.exported"
    # The weekly digest of actions (maturity.services.action_digests)
    ACTION_DIGEST_SWITCHED_OFF = "action_digest.switched_off"
    ACTION_DIGEST_SWITCHED_ON = "action_digest.switched_on"
    # The system
    WORKER_HEARTBEAT = "worker.heartbeat"


class AuditEvent(models.Model):
    """Who did what, when: logins, role and settings changes, every open, close, send, reminder, import,
    export and download. Append-only: the application refuses to change or delete an event (here, in the
    admin, and on PostgreSQL a trigger, see ``dimios_web/identity/migrations``). When a staff user is removed
    under GDPR
    their events stay, with ``actor`` emptied and ``actor_pseudonym`` set."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
        verbose_name=_("organisation"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    actor_pseudonym = models.CharField(_("pseudonym"), max_length=40, blank=True, default="")
    action = models.CharField(_("action"), max_length=50, choices=AuditAction.choices)
    target = models.CharField(_("target"), max_length=200, blank=True, default="")
    details = models.JSONField(_("details"), default=dict, blank=True)
    # What the event is about, as references rather than a key in ``details``. Deleting the referenced row
    # empties the reference (SET_NULL; the PostgreSQL trigger allows exactly that change, see
    # surveys/migrations/0008): ``target`` keeps the name it had, so the sentence still reads. GDPR removal of
    # a staff user empties ``subject_user`` the same way. Never a response or an invitation: in an anonymous
    # round the log must not link a person to an answer (docs/respondent-privacy.md).
    round = models.ForeignKey(
        Round,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_events",
        verbose_name=_("round"),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_events",
        verbose_name=_("department"),
    )
    respondent_group = models.ForeignKey(
        RespondentGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_events",
        verbose_name=_("respondent group"),
    )
    subject_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("staff user concerned"),
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["organisation", "-created_at"], name="audit_org_created")]

    def __str__(self) -> str:
        # The Django admin's title of an event: when, who and on what, never the action's code (the admin
        # shows what happened as the audit log's sentence, dimios_web/identity/admin.py).
        who = self.actor or self.actor_pseudonym
        return " ".join(str(part) for part in (f"{self.created_at:%Y-%m-%d %H:%M}", who, self.target) if part)

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AuditLogIsAppendOnly("The audit log is append-only: events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogIsAppendOnly("The audit log is append-only: events cannot be deleted.")
