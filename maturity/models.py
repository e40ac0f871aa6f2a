"""Stored results of closed rounds (one row per scope) and the department tree they were computed on, and
the action plans that respond to them (``Action``, ``ActionNote``: docs/actions.md). The questionnaire
versions they are scored against live in ``surveys.models.questionnaire``."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RoundResult(models.Model):
    """The stored figures of one round for one set of respondents (a scope): the whole organisation, a
    department with its units, a respondent group, or a department × group. Written only by
    ``maturity.services.results.compute_round_results``; read through ``maturity.selectors``, which applies
    the anonymity rules (so changing k needs no recomputation)."""

    class Scope(models.TextChoices):
        ORGANISATION = "organisation", _("Organisation")
        DEPARTMENT = "department", _("Department")
        GROUP = "group", _("Respondent group")
        DEPARTMENT_GROUP = "department_group", _("Department × group")

    round = models.ForeignKey("surveys.Round", on_delete=models.CASCADE, related_name="results")
    questionnaire = models.ForeignKey(
        "surveys.QuestionnaireVersion", on_delete=models.PROTECT, related_name="+"
    )
    scope = models.CharField(_("scope"), max_length=20, choices=Scope.choices)
    # "organisation", "department:<id>", "group:<id>" or "department:<id>/group:<id>": unique per round.
    scope_key = models.CharField(max_length=60)
    department = models.ForeignKey(
        "surveys.Department", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    group = models.ForeignKey(
        "surveys.RespondentGroup", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    n_respondents = models.PositiveIntegerField(_("respondents"))
    capability_percent = models.FloatField(_("digital capability (%)"), null=True, blank=True)
    legacy_percent = models.FloatField(_("digital legacy (%)"), null=True, blank=True)
    overall_percent = models.FloatField(_("overall maturity (%)"), null=True, blank=True)
    type = models.CharField(_("type"), max_length=1, blank=True, default="")
    # scoring.ScoreResult.as_dict(): statements, capabilities, categories, dimensions keyed on their codes.
    figures = models.JSONField(default=dict)
    # scoring.Structure.settings(): cut-offs, weights, reverse-scored codes and the engine version used.
    settings = models.JSONField(default=dict)
    computed_at = models.DateTimeField(default=timezone.now)
    # What may be shown, for the round's k (maturity.disclosure.publish): the headline ({hidden, n,
    # capability_percent, legacy_percent, overall_percent, type, left_out}) and the breakdown
    # ({statements, capabilities, categories, dimensions}), every hidden figure "suppressed".
    published = models.JSONField(default=dict)
    published_figures = models.JSONField(default=dict)

    class Meta:
        ordering = ["round", "scope", "scope_key"]
        verbose_name = _("round result")
        verbose_name_plural = _("round results")
        constraints = [
            models.UniqueConstraint(fields=["round", "scope_key"], name="round_result_unique_scope"),
        ]
        indexes = [models.Index(fields=["round", "scope"])]

    def __str__(self) -> str:
        return f"{self.round_id} {self.scope_key} (n={self.n_respondents})"


class ResultTree(models.Model):
    """The department tree and respondent groups of a round as they were when its results were first
    computed (when it closed). Results pool each department with the units under it *then*, and the
    anonymity rules decide on this tree and these names, so moving, renaming or deleting departments later
    changes neither the figures nor what is hidden."""

    round = models.OneToOneField("surveys.Round", on_delete=models.CASCADE, related_name="result_tree")
    # [{"id": 12, "parent": 3, "name": "Äldreomsorg"}, …] and [{"id": 4, "name": "Chefer", "position": 1}, …]
    departments = models.JSONField(default=list)
    groups = models.JSONField(default=list)
    # The k that RoundResult.published was computed for.
    k = models.PositiveSmallIntegerField(default=5)
    # When the tree was frozen: the first computation after the round closed (empty before).
    frozen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("result tree")
        verbose_name_plural = _("result trees")

    def __str__(self) -> str:
        return f"tree of round {self.round_id}"

    @property
    def parents(self) -> dict[int, int | None]:
        return {
            int(d["id"]): (int(d["parent"]) if d["parent"] is not None else None) for d in self.departments
        }


class OrganisationFigure(models.Model):
    """One published figure of one organisation in one period: the normalised form of the organisation
    scope's ``RoundResult.published`` of a closed round, for comparisons with other organisations
    (docs/dashboards.md, "Comparison at national scale"). Written only by
    ``maturity.services.comparisons``: for a closed round whose organisation figure is shown, one row per
    headline figure ("overall", "capability", "legacy") and per dimension, category and capability
    ("dimension:<code>", …); a figure the organisation does not publish itself has no percent. The
    organisation's identity (code, kind, county) is kept on the row, so that rows of organisations that
    are not on this instance (benchmarks, issue 15) can sit beside them."""

    period = models.ForeignKey("surveys.MeasurementPeriod", on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey(
        "surveys.Round", on_delete=models.CASCADE, null=True, blank=True, related_name="figures"
    )
    organisation = models.ForeignKey(
        "surveys.Organisation", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    organisation_code = models.CharField(max_length=20)
    kind = models.CharField(max_length=20)
    county = models.ForeignKey(
        "surveys.County", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # SKR's municipality group (A1–C9, "" for none) and whether the organisation shares its figures with
    # others' comparison sets and the open data, copied from the organisation like kind and county.
    skr_group = models.CharField(max_length=2, blank=True, default="")
    shared = models.BooleanField(default=True)
    # The name, for an organisation that is not on this instance (an imported benchmark record).
    organisation_name = models.CharField(max_length=200, blank=True, default="")
    # The import an external record came from (None: a round of this instance).
    source = models.ForeignKey(
        "BenchmarkSource", on_delete=models.CASCADE, null=True, blank=True, related_name="figures"
    )
    figure = models.CharField(max_length=80)
    percent = models.FloatField(null=True, blank=True)
    # The organisation scope's respondents (the same on every row of a round).
    n_respondents = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("organisation figure")
        verbose_name_plural = _("organisation figures")
        constraints = [
            models.UniqueConstraint(fields=["round", "figure"], name="organisation_figure_unique_per_round"),
        ]
        indexes = [
            models.Index(fields=["period", "figure"], name="org_figure_period_figure"),
            models.Index(fields=["period", "organisation"], name="org_figure_period_org"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_code} {self.period_id} {self.figure}={self.percent}"


class ComparisonAggregate(models.Model):
    """The sum and counts of one figure over the organisations of one comparison set in one period
    (``basis`` national, county or kind; ``basis_key`` "", the county's id or the kind), refreshed from
    ``OrganisationFigure`` in the transaction that changes its rows. A dashboard excludes the organisation
    itself by subtracting its own row: mean = (total − own) / (n_values − 1)."""

    period = models.ForeignKey("surveys.MeasurementPeriod", on_delete=models.CASCADE, related_name="+")
    basis = models.CharField(max_length=20)
    basis_key = models.CharField(max_length=40, blank=True, default="")
    figure = models.CharField(max_length=80)
    # Organisations that have the figure (shown or not), those with a percent, and the sum of the percents.
    n_rows = models.PositiveIntegerField()
    n_values = models.PositiveIntegerField()
    total = models.FloatField()
    # The percents in ascending order (for the distribution: quartiles, min, max, percentile band) and
    # the respondents behind the set's organisations.
    values = models.JSONField(default=list)
    respondents = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("comparison aggregate")
        verbose_name_plural = _("comparison aggregates")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "basis", "basis_key", "figure"], name="comparison_aggregate_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period_id} {self.basis}:{self.basis_key} {self.figure}"


class BenchmarkSource(models.Model):
    """One source of imported benchmark records (published national figures, another instance's open
    data): ``manage.py import_benchmarks`` replaces all records of a source when it is imported again.
    Its records are ``OrganisationFigure`` rows with this source and no round."""

    name = models.CharField(_("source"), max_length=200, unique=True)
    imported_at = models.DateTimeField(_("imported"), default=timezone.now)
    file_name = models.CharField(_("file"), max_length=255, blank=True, default="")
    n_records = models.PositiveIntegerField(_("records"), default=0)

    class Meta:
        ordering = ["name"]
        verbose_name = _("benchmark source")
        verbose_name_plural = _("benchmark sources")

    def __str__(self) -> str:
        return self.name


class DepartmentFigure(models.Model):
    """One published figure of one department (with its units) of a closed round that carries a sector,
    for the comparison of a department with other organisations' departments of the same sector (issue
    15). Written only by ``maturity.services.comparisons`` with the organisation's rows."""

    period = models.ForeignKey("surveys.MeasurementPeriod", on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey("surveys.Round", on_delete=models.CASCADE, related_name="department_figures")
    organisation = models.ForeignKey("surveys.Organisation", on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey("surveys.Department", on_delete=models.CASCADE, related_name="+")
    sector = models.CharField(max_length=30)
    shared = models.BooleanField(default=True)
    figure = models.CharField(max_length=80)
    percent = models.FloatField(null=True, blank=True)
    n_respondents = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("department figure")
        verbose_name_plural = _("department figures")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "department", "figure"], name="department_figure_unique_per_round"
            ),
        ]
        indexes = [
            models.Index(fields=["period", "sector", "figure"], name="dept_figure_period_sector"),
            # The freshness check reads one figure of every department of a period.
            models.Index(fields=["period", "figure"], name="dept_figure_period_figure"),
        ]

    def __str__(self) -> str:
        return f"{self.department_id} {self.period_id} {self.figure}={self.percent}"


class SiteSettings(models.Model):
    """The instance's own settings that a platform admin changes in the product (one row, pk 1; read with
    ``maturity.national.get_site_settings``, changed only by ``maturity.services.site_settings``)."""

    # Whether the national overview (docs/national-overview.md) is also shown to everyone, unauthenticated.
    public_national_overview = models.BooleanField(_("public national overview"), default=False)
    changed_at = models.DateTimeField(_("changed"), null=True, blank=True)

    class Meta:
        verbose_name = _("site settings")
        verbose_name_plural = _("site settings")

    def __str__(self) -> str:
        return "site settings"


# --- Action plans (åtgärder, issue 16; docs/actions.md) ---------------------------------------------------


class Action(models.Model):
    """An improvement action (åtgärd) an organisation decides in response to a closed round: for one
    department (with its units) or, without one, the whole organisation; aimed at capabilities of the
    round's questionnaire version; with an owner among the organisation's staff, dates, a status and the
    organisation's own plan or budget assignment it belongs to. Changed only by
    ``maturity.services.actions`` (validated and audited there); read through ``maturity.selectors_actions``.

    ``round`` is the round the action responds to: the next closed round of the organisation (by period)
    is where it is followed up."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    class Priority(models.TextChoices):
        HIGH = "high", _("High")
        MEDIUM = "medium", _("Medium")
        LOW = "low", _("Low")

    # An action in one of these states and past its due date is overdue.
    OPEN_STATUSES = (Status.PLANNED, Status.IN_PROGRESS)

    organisation = models.ForeignKey(
        "surveys.Organisation",
        on_delete=models.CASCADE,
        related_name="actions",
        verbose_name=_("organisation"),
    )
    # RESTRICT: a round or a department with actions is not deleted on its own (the organisation's
    # deletion still removes all three together).
    round = models.ForeignKey(
        "surveys.Round", on_delete=models.RESTRICT, related_name="actions", verbose_name=_("round")
    )
    department = models.ForeignKey(
        "surveys.Department",
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("department"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, default="")
    capabilities = models.ManyToManyField(
        "surveys.Capability", related_name="actions", verbose_name=_("capabilities")
    )
    # SET_NULL: a removed staff account leaves the action without an owner until someone takes it over.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_actions",
        verbose_name=_("owner"),
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.MEDIUM
    )
    starts_on = models.DateField(_("start date"))
    due_on = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    plan_reference = models.CharField(_("plan or budget assignment"), max_length=200, blank=True, default="")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        constraints = [
            models.CheckConstraint(
                condition=Q(due_on__gte=models.F("starts_on")), name="action_due_after_start"
            ),
            models.CheckConstraint(condition=~Q(title=""), name="action_has_title"),
            models.CheckConstraint(
                condition=Q(status__in=["planned", "in_progress", "done", "dropped"]),
                name="action_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(priority__in=["high", "medium", "low"]), name="action_priority_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "status"], name="action_org_status"),
            models.Index(fields=["organisation", "department"], name="action_org_department"),
        ]

    def __str__(self) -> str:
        return self.title

    def is_overdue_on(self, day: datetime.date) -> bool:
        return self.status in self.OPEN_STATUSES and self.due_on < day

    @property
    def is_overdue(self) -> bool:
        """Past its due date and still planned or in progress."""
        return self.is_overdue_on(timezone.localdate())


class ActionNote(models.Model):
    """A dated note on an action: what was done, decided or learnt. Notes are added, never changed."""

    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, related_name="notes", verbose_name=_("action")
    )
    written_on = models.DateField(_("date"), default=timezone.localdate)
    text = models.TextField(_("note"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-written_on", "-pk"]
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="action_note_has_text")]

    def __str__(self) -> str:
        return f"{self.action_id} {self.written_on}"


class ActionDigestPreference(models.Model):
    """Whether a person wants the weekly digest of their actions (docs/actions.md, "Reminders"). No row
    means yes: the digest is on until the person switches it off. Changed only by
    ``maturity.services.action_digests.set_digest_enabled``."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="action_digest_preference",
        verbose_name=_("user"),
    )
    enabled = models.BooleanField(_("weekly digest"), default=True)
    changed_at = models.DateTimeField(_("changed"), default=timezone.now)

    class Meta:
        verbose_name = _("digest preference")
        verbose_name_plural = _("digest preferences")

    def __str__(self) -> str:
        return f"{self.user_id} {'on' if self.enabled else 'off'}"


class ActionDigest(models.Model):
    """One weekly digest sent to one person. The unique (user, week) is what guarantees at most one digest
    a week: the row is claimed inside the transaction that sends the e-mail, so a retry or a second worker
    cannot send again, and a failed send rolls the claim back so that a retry can send."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="action_digests",
        verbose_name=_("user"),
    )
    # The ISO week, e.g. "2026-W49".
    week = models.CharField(_("week"), max_length=8)
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    action_count = models.PositiveIntegerField(_("number of actions"), default=0)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("action digest")
        verbose_name_plural = _("action digests")
        constraints = [
            models.UniqueConstraint(fields=["user", "week"], name="action_digest_once_a_week"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.week}"
