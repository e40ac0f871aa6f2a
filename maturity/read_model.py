"""The one read model of stored results: what of a closed round may be shown, figure by figure, as types.

Every page and file that shows stored results reads them here – the dashboards, the annual report, the
results downloads and a respondent's own result page – so the anonymity rule (``maturity.disclosure``) is
applied in one place and in one way:

- ``load_round_views(rounds, figures=…)`` reads the published view of every scope of these rounds (the one
  stored with the results for the round's k, or computed now when k has changed since: ``published_views``),
  in a fixed number of queries whatever the number of rounds and scopes;
- a ``RoundView`` answers, for a scope (``surveys.scope_keys.ScopeKey``), each figure as a ``Figure``:
  ``Shown(value)`` – the value may be None, "undefined" (nobody answered) – or ``Hidden()``; a scope the
  round has no result for gives None;
- ``group_gaps(view, groups, codes)`` – how differently the respondent groups see each capability, from the
  shown figures only (the dashboard's heatmap and the annual report's group section).

The stored form of a hidden figure (the text ``disclosure.SUPPRESSED`` inside ``RoundResult.published``)
is read here and nowhere else; the CSV/JSON downloads write it out again as their documented format.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from django.db.models import Q

from surveys.models import Round
from surveys.scope_keys import ScopeKey, key_text

from . import scoring
from .disclosure import SUPPRESSED
from .models import ResultTree, RoundResult
from .suppression import effective_k

_HEADLINE_FIELDS = ("round_id", "scope_key", "n_respondents", "published", "settings", "computed_at")


@dataclass(frozen=True, slots=True)
class Shown:
    """A figure that may be shown. ``value`` None: undefined (nobody answered, nothing to compute)."""

    value: Any
    n: int | None = None


@dataclass(frozen=True, slots=True)
class Hidden:
    """A figure that must not be shown: it rests on fewer than k responses, or could be worked out from
    figures that do (``maturity.disclosure``)."""

    reason: str = "anonymity"


HIDDEN = Hidden()

Figure: TypeAlias = Shown | Hidden


def figure_of(stored: Any) -> Figure:
    """A value as stored in a published view: the suppression mark, or a shown value."""
    return HIDDEN if stored == SUPPRESSED else Shown(stored)


def shown_value(figure: Figure | None) -> Any:
    """The value of a shown figure; None for a hidden, undefined or missing one (for charts and sums)."""
    return figure.value if isinstance(figure, Shown) else None


def cell(figure: Figure | None) -> Any:
    """A table cell: the shown value (None when undefined or missing) or ``HIDDEN``."""
    return figure if isinstance(figure, Hidden) else shown_value(figure)


def is_hidden(value: Any) -> bool:
    return isinstance(value, Hidden)


@dataclass(slots=True)
class ScopeView:
    """One stored scope of a round as it may be published: the headline (``RoundResult.published``) and,
    when it was read (``load_round_views(figures=…)``), the published figures below it (statements,
    capabilities, categories, dimensions)."""

    key: str
    n_respondents: int
    published: dict
    figures: dict = field(default_factory=dict)
    settings: dict | None = None
    computed_at: datetime.datetime | None = None

    @property
    def hidden(self) -> bool:
        return bool(self.published.get("hidden", True))

    @property
    def view(self) -> dict:
        """The whole published view (headline and levels), as ``maturity.disclosure.publish`` gives it."""
        return {**self.published, **self.figures}


@dataclass
class RoundView:
    """A round's stored scopes as they may be published, keyed by the stored scope key."""

    round: Round
    k: int
    stored_tree: ResultTree | None
    scopes: dict[str, ScopeView]

    @property
    def tree(self) -> ResultTree:
        """The department tree the results were computed on (``selectors.get_result_tree``)."""
        if self.stored_tree is None:
            from .selectors import get_result_tree

            self.stored_tree = get_result_tree(self.round)
        return self.stored_tree

    def __contains__(self, key: ScopeKey | str) -> bool:
        return key_text(key) in self.scopes

    def shown(self, key: ScopeKey | str) -> bool:
        scope = self.scopes.get(key_text(key))
        return scope is not None and not scope.hidden

    def hidden(self, key: ScopeKey | str) -> bool:
        scope = self.scopes.get(key_text(key))
        return scope is not None and scope.hidden

    @property
    def shown_keys(self) -> set[str]:
        return {key for key, scope in self.scopes.items() if not scope.hidden}

    def n(self, key: ScopeKey | str) -> Figure | None:
        """The number of respondents of a scope (hidden with the scope)."""
        scope = self.scopes.get(key_text(key))
        if scope is None:
            return None
        return figure_of(scope.published.get("n", SUPPRESSED))

    def value(self, key: ScopeKey | str, attribute: str) -> Figure | None:
        """A headline figure of a scope (``capability_percent``, ``legacy_percent``, ``overall_percent``,
        ``type``, ``left_out``)."""
        scope = self.scopes.get(key_text(key))
        if scope is None:
            return None
        if scope.hidden:
            return HIDDEN
        return figure_of(scope.published.get(attribute))

    def part(self, key: ScopeKey | str, level: str, code: str, attribute: str = "percent") -> Figure | None:
        """A figure of a statement, capability, category or dimension inside a scope (the scope's figures
        must have been read); None when the scope or the part does not exist."""
        scope = self.scopes.get(key_text(key))
        if scope is None:
            return None
        if scope.hidden:
            return HIDDEN
        parts = scope.figures.get(level, {})
        if parts == SUPPRESSED:
            return HIDDEN
        part = parts.get(code)
        if part is None:
            return None
        if part == SUPPRESSED:
            return HIDDEN
        return Shown(part.get(attribute), part.get("n"))

    def parts(self, key: ScopeKey | str, level: str, attribute: str = "percent") -> dict[str, Figure]:
        """Every part of a level inside a scope, in the stored (questionnaire) order."""
        scope = self.scopes.get(key_text(key))
        if scope is None or scope.hidden:
            return {}
        parts = scope.figures.get(level, {})
        if not isinstance(parts, dict):
            return {}
        found: dict[str, Figure] = {}
        for code in parts:
            figure = self.part(key, level, code, attribute)
            if figure is not None:
                found[code] = figure
        return found


def load_round_views(
    rounds: Iterable[Round],
    *,
    figures: Mapping[int, Iterable[ScopeKey | str] | None] | None = None,
    k: int | None = None,
) -> dict[int, RoundView]:
    """The published view of every stored scope of these rounds (by round id), with the figures below the
    headline for the scopes ``figures`` names per round id (None for a round id: all of its scopes).
    ``k``: the anonymity threshold (default: each round's questionnaire's, never below 3).

    At most three queries whatever the number of rounds and scopes (the result trees, the scopes, the
    figures of some scopes); a round whose stored view was made for another k than its questionnaire's
    today is published anew (``selectors.published_views``, cached for a day)."""
    by_id = {r.pk: r for r in rounds}
    figures = dict(figures or {})
    whole = [pk for pk in by_id if pk in figures and figures[pk] is None]
    some = {pk: keys for pk, keys in figures.items() if pk in by_id and keys is not None}
    trees = {tree.round_id: tree for tree in ResultTree.objects.filter(round_id__in=list(by_id))}
    scopes: dict[int, dict[str, ScopeView]] = {pk: {} for pk in by_id}
    if whole:
        for round_id, key, n, published, settings, at, published_figures in RoundResult.objects.filter(
            round_id__in=whole
        ).values_list(*_HEADLINE_FIELDS, "published_figures"):
            scopes[round_id][key] = ScopeView(key, n, published or {}, published_figures or {}, settings, at)
    headline_only = [pk for pk in by_id if pk not in whole]
    if headline_only:
        for round_id, key, n, published, settings, at in RoundResult.objects.filter(
            round_id__in=headline_only
        ).values_list(*_HEADLINE_FIELDS):
            scopes[round_id][key] = ScopeView(key, n, published or {}, {}, settings, at)
    if some:
        wanted = Q(pk__in=[])
        for round_id, keys in some.items():
            wanted |= Q(round_id=round_id, scope_key__in=sorted(key_text(k) for k in keys))
        for round_id, key, published_figures in RoundResult.objects.filter(wanted).values_list(
            "round_id", "scope_key", "published_figures"
        ):
            scopes[round_id][key].figures = published_figures or {}
    views: dict[int, RoundView] = {}
    for round_id, round_ in by_id.items():
        round_k = effective_k(k if k is not None else round_.questionnaire.k_anonymity)
        view = RoundView(round_, round_k, trees.get(round_id), scopes[round_id])
        stored_k = (
            view.stored_tree.k
            if view.stored_tree is not None
            else effective_k(round_.questionnaire.k_anonymity)
        )
        if view.scopes and (stored_k != round_k or not all(s.published for s in view.scopes.values())):
            view.scopes = _published_anew(round_, tree=view.tree, k=round_k)
        views[round_id] = view
    return views


def _published_anew(round_: Round, *, tree: ResultTree, k: int) -> dict[str, ScopeView]:
    """Every scope of a round published for ``k`` (the stored view was made for another k)."""
    from .disclosure import HEADLINE
    from .selectors import published_views

    rows = {row.scope_key: row for row in RoundResult.objects.filter(round=round_)}
    views = published_views(rows, round_=round_, tree=tree, k=k)
    return {
        key: ScopeView(
            key,
            rows[key].n_respondents,
            {name: view[name] for name in HEADLINE if name in view},
            {name: value for name, value in view.items() if name not in HEADLINE},
            rows[key].settings,
            rows[key].computed_at,
        )
        for key, view in views.items()
    }


def load_round_view(
    round_: Round, *, figures: Iterable[ScopeKey | str] | None = None, k: int | None = None
) -> RoundView:
    """One round's view with the figures of every scope (or of the scopes named)."""
    return load_round_views([round_], figures={round_.pk: figures}, k=k)[round_.pk]


def group_gaps(
    view: RoundView, groups: Sequence[tuple[str, ScopeKey | str]], codes: Iterable[str]
) -> dict[str, scoring.GroupGap]:
    """Per capability code, how differently the named groups' scopes see it (``scoring.group_gaps``): only
    shown, defined figures of shown scopes take part, each resting on at least k respondents."""
    codes = list(codes)
    by_group: dict[str, dict[str, tuple[float | None, int]]] = {}
    for name, key in groups:
        if not view.shown(key):
            continue
        row: dict[str, tuple[float | None, int]] = {}
        for code in codes:
            figure = view.part(key, "capabilities", code)
            if isinstance(figure, Shown):
                row[code] = (figure.value, figure.n or 0)
        by_group[name] = row
    return scoring.group_gaps(by_group, min_n=view.k)
