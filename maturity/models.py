"""Stored results of closed rounds (one row per scope) and the department tree they were computed on. The
questionnaire versions they are scored against live in ``surveys.models.questionnaire``."""

from __future__ import annotations

from django.db import models
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
