"""Improvement suggestions: where an organisation or a department can start after a round (issue 16;
docs/dashboards.md, "Suggestions").

``list_suggestions(view, focus=…, …)`` reads one scope of a round's published view (``maturity.read_model``)
and proposes, each suggestion with the figures it comes from:

- the weakest capabilities of the scope;
- the capabilities the respondent groups disagree on most (``read_model.group_gaps``);
- knowledge gaps: statements many answered "vet ej" to (a gap in what people know, never called a weakness);
- a negatively phrased (reverse-scored) statement whose score is low, explained in its own terms;
- the general recommendations of the scope's maturity type.

The anonymity rule holds by construction: only ``Shown`` figures of the scope itself and of its respondent
group cells take part (a hidden capability, statement or group is skipped, never ranked or mentioned), and
every figure a suggestion names is one the same dashboard shows, so a suggestion tells nothing that the page
does not. A hidden scope gives no suggestions, with the reason. The ranking rules and their thresholds are
pure (``reports.suggestion_rules``). No queries: everything comes from the view and the structure passed in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from maturity.read_model import RoundView, Shown, group_gaps
from surveys.models import Capability, Statement
from surveys.models.questionnaire import reversed_capability_label
from surveys.scope_keys import ScopeKey

from .. import charts
from .. import suggestion_rules as rules

WEAKEST = "weakest"
GROUP_GAP = "group_gap"
KNOWLEDGE_GAP = "knowledge_gap"
REVERSE_SCORED = "reverse_scored"
TYPE = "type"
KINDS = (WEAKEST, GROUP_GAP, KNOWLEDGE_GAP, REVERSE_SCORED, TYPE)


@dataclass(frozen=True, slots=True)
class SourceFigure:
    """A figure a suggestion comes from, as the dashboard shows it. ``kind``: "percent", "pp" (percentage
    points), "share" (0–1, shown as a percent), "score" (a mean on the 1–6 scale) or "text"."""

    label: str
    value: float | str | None
    kind: str = "percent"


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One suggestion. ``capability_codes``: the capabilities it targets (empty for the type's
    recommendations); ``action_title``: a title for an action made from it ("" when it targets none);
    ``reading``: how to read a negatively phrased statement's figure ("" when there is none)."""

    kind: str
    title: str
    explanation: str
    sources: tuple[SourceFigure, ...]
    capability_codes: tuple[str, ...] = ()
    action_title: str = ""
    reading: str = ""

    @property
    def label(self) -> str:
        return kind_labels()[self.kind]


@dataclass(frozen=True, slots=True)
class Suggestions:
    """The suggestions for one scope of a round. ``unavailable``: why there are none ("" when there are)."""

    scope_name: str
    round_id: int
    department_id: int | None
    items: tuple[Suggestion, ...] = ()
    unavailable: str = ""


def kind_labels() -> dict[str, str]:
    return {
        WEAKEST: _("Among the weakest"),
        GROUP_GAP: _("Groups see it differently"),
        KNOWLEDGE_GAP: _("Knowledge gap"),
        REVERSE_SCORED: _("Negatively phrased statement"),
        TYPE: _("Maturity type"),
    }


def _type_advice() -> dict[str, str]:
    return {
        "A": _(
            "Start small and with the basics: tie digitalisation to the operational plan, give the systems "
            "clear ownership and management, and choose a couple of well-bounded initiatives that can show "
            "benefits within a year."
        ),
        "B": _(
            "The will and the competence are there, but the legacy holds you back. Put the effort into the "
            "foundation: plan away technical debt, fund systems over their whole life cycle and let the "
            "business and IT plan together."
        ),
        "C": _(
            "The foundation carries more than it is used for. Build capability: involve the users, invest in "
            "competence and benefits realisation, and spread the local initiatives that work."
        ),
        "D": _(
            "Both capability and legacy are strong. Keep it up: follow up benefits systematically, balance "
            "efficiency against renewal and review the legacy regularly so that it does not hold you back "
            "again."
        ),
    }


def list_suggestions(
    view: RoundView,
    *,
    focus: ScopeKey,
    name: str,
    capabilities: Sequence[Capability],
    statements: Sequence[Statement],
    groups: Sequence[tuple[str, ScopeKey]],
    visible: set[int] | None = None,
    decimal: str = ",",
) -> Suggestions:
    """The suggestions for the scope ``focus`` (the organisation or a department, no group) of the round in
    ``view``, whose figures (and those of the ``groups`` cells: (group name, scope key)) must have been read;
    ``capabilities`` and ``statements`` are the round's questionnaire's, in its order. ``visible``: the
    departments the reader may see (None: all); a department outside it gives none."""
    department_id = focus.department_id

    def unavailable(reason: str) -> Suggestions:
        return Suggestions(name, view.round.pk, department_id, (), reason)

    if focus.group_id is not None:
        return unavailable(
            _(
                "Suggestions are made for the whole organisation or a whole department: choose “All "
                "respondent groups” to see them."
            )
        )
    if department_id is not None and visible is not None and department_id not in visible:
        return unavailable(_("You do not see this department's results."))
    if focus not in view:
        return unavailable(
            _("Nobody in %(scope)s answered in this round: there is nothing to base suggestions on.")
            % {"scope": name}
        )
    if view.hidden(focus):
        return unavailable(
            _(
                "Too few answered in %(scope)s for its figures to be shown, so there are no suggestions "
                "either: suggestions are made from shown figures only."
            )
            % {"scope": name}
        )
    words = _Words(view, focus, name, capabilities, statements, decimal)
    # In this order: the negatively phrased statements leave out the capabilities the weakest named.
    items = [
        *words.weakest(),
        *words.group_gaps(groups),
        *words.knowledge_gaps(),
        *words.reverse_scored(),
        *words.maturity_type(),
    ]
    if not items:
        return unavailable(
            _("The figures shown for %(scope)s give no suggestions this time.") % {"scope": name}
        )
    return Suggestions(name, view.round.pk, department_id, tuple(items))


class _Words:
    """The rules' picks for one shown scope, put into words with the figures they come from."""

    def __init__(
        self,
        view: RoundView,
        focus: ScopeKey,
        name: str,
        capabilities: Sequence[Capability],
        statements: Sequence[Statement],
        decimal: str,
    ):
        self.view, self.focus, self.name, self.decimal = view, focus, name, decimal
        self.capabilities = list(capabilities)
        self.statements = list(statements)
        self.by_code = {c.code: c for c in self.capabilities}
        by_pk = {c.pk: c for c in self.capabilities}
        self.capability_of = {s.code: by_pk[s.capability_id].code for s in self.statements}
        self.statement = {s.code: s for s in self.statements}
        self.percents = _shown(view, focus, "capabilities", list(self.by_code), "percent")
        self.means = _shown(view, focus, "statements", list(self.statement), "mean")
        self.shares = _shown(view, focus, "statements", list(self.statement), "dont_know_share")
        self.reverse: dict[str, list[Statement]] = {}
        for s in self.statements:
            if s.reverse_scored:
                self.reverse.setdefault(self.capability_of[s.code], []).append(s)
        counts: dict[str, int] = {}
        for s in self.statements:
            counts[self.capability_of[s.code]] = counts.get(self.capability_of[s.code], 0) + 1
        # Capabilities every statement of which is negatively phrased (shadow IT, technical debt).
        self.all_reverse = {code for code, found in self.reverse.items() if len(found) == counts[code]}
        self.weakest_codes: set[str] = set()

    # --- The kinds ------------------------------------------------------------------------------------------

    def weakest(self) -> list[Suggestion]:
        picks = rules.weakest([(c.code, self.percents.get(c.code)) for c in self.capabilities])
        self.weakest_codes = {pick.code for pick in picks}
        n_ranked = len(self.percents)
        found = []
        for pick in picks:
            capability = self.by_code[pick.code]
            # Equal figures share a place: 1 + the number of capabilities shown lower.
            position = 1 + sum(1 for value in self.percents.values() if value < pick.value)
            found.append(
                Suggestion(
                    kind=WEAKEST,
                    title=self._label(capability),
                    explanation=_(
                        "The capability is at %(percent)s, %(rank)s of the %(n)s capabilities shown for "
                        "%(scope)s."
                    )
                    % {
                        "percent": self._percent(pick.value),
                        "rank": _rank(position),
                        "n": n_ranked,
                        "scope": self.name,
                    },
                    sources=(
                        self._capability_source(capability.code),
                        SourceFigure(
                            _("Place among the capabilities shown, lowest first"),
                            _("%(position)s of %(n)s") % {"position": position, "n": n_ranked},
                            "text",
                        ),
                    ),
                    capability_codes=(capability.code,),
                    action_title=self._action_title(capability),
                    reading=self._reading(capability.code),
                )
            )
        return found

    def group_gaps(self, groups: Sequence[tuple[str, ScopeKey]]) -> list[Suggestion]:
        gaps = group_gaps(self.view, [(g, key) for g, key in groups if key in self.view], list(self.by_code))
        picks = rules.largest_gaps(
            [(c.code, gaps[c.code].gap if c.code in gaps else None) for c in self.capabilities]
        )
        found = []
        for pick in picks:
            capability, gap = self.by_code[pick.code], gaps[pick.code]
            high, low = gap.highest or "", gap.lowest or ""
            found.append(
                Suggestion(
                    kind=GROUP_GAP,
                    title=self._label(capability),
                    explanation=_(
                        "The respondent groups see this capability differently: %(high)s give it "
                        "%(high_percent)s and %(low)s %(low_percent)s, a gap of %(gap)s. Let the groups "
                        "compare their pictures before you choose an action: the gap itself may be what "
                        "needs work."
                    )
                    % {
                        "high": high,
                        "high_percent": self._percent(gap.percents[high]),
                        "low": low,
                        "low_percent": self._percent(gap.percents[low]),
                        "gap": self._points(pick.value),
                    }
                    + self._gap_in_own_terms(capability.code, high, low),
                    sources=(
                        SourceFigure(
                            _("%(capability)s, %(group)s")
                            % {"capability": self._label(capability), "group": high},
                            gap.percents[high],
                        ),
                        SourceFigure(
                            _("%(capability)s, %(group)s")
                            % {"capability": self._label(capability), "group": low},
                            gap.percents[low],
                        ),
                        SourceFigure(_("Gap between the highest and the lowest group"), pick.value, "points"),
                    ),
                    capability_codes=(capability.code,),
                    action_title=_("Build a shared view of “%(capability)s”")
                    % {"capability": capability.name},
                    reading=self._reading(capability.code),
                )
            )
        return found

    def knowledge_gaps(self) -> list[Suggestion]:
        picks = rules.knowledge_gaps(
            [(s.code, self.capability_of[s.code], self.shares.get(s.code)) for s in self.statements]
        )
        found = []
        for gap in picks:
            capability = self.by_code[gap.capability]
            found.append(
                Suggestion(
                    kind=KNOWLEDGE_GAP,
                    title=self._label(capability),
                    explanation=" ".join(
                        [
                            self._dont_know_words(gap),
                            _(
                                "That is a knowledge gap, not a weakness: many do not know how this works, "
                                "which says nothing of whether it works well. Tell staff how it is done "
                                "today and who is responsible; the next round shows whether the knowledge "
                                "got through."
                            ),
                        ]
                    ),
                    sources=tuple(
                        SourceFigure(
                            _("“Don't know” to “%(statement)s”")
                            % {"statement": _quoted(self.statement[r.code])},
                            r.value,
                            "share",
                        )
                        for r in gap.statements
                    ),
                    capability_codes=(capability.code,),
                    action_title=_("Spread knowledge of “%(capability)s”") % {"capability": capability.name},
                )
            )
        return found

    def reverse_scored(self) -> list[Suggestion]:
        """Negatively phrased statements whose score is low, in capabilities not suggested as weakest already
        (the weakest one's suggestion reads its negatively phrased statements itself)."""
        picks = rules.low_reverse_scored(
            [(s.code, code, self.means.get(s.code)) for code, found in self.reverse.items() for s in found],
            exclude=self.weakest_codes,
        )
        found = []
        for pick in picks:
            statement = self.statement[pick.code]
            capability = self.by_code[self.capability_of[pick.code]]
            raw = rules.raw_mean(pick.value)
            sources = [
                SourceFigure(_("Mean answer to the statement as written (1–6)"), raw, "score"),
                SourceFigure(_("The same answers, scored in reverse (1–6)"), pick.value, "score"),
            ]
            if capability.code in self.percents:
                sources.append(self._capability_source(capability.code))
            found.append(
                Suggestion(
                    kind=REVERSE_SCORED,
                    title=self._label(capability),
                    explanation=_(
                        "The statement “%(statement)s” got %(raw)s on average in %(scope)s on the scale "
                        "from 1 (not at all true) to 6 (completely true): the answers lean towards true. As "
                        "the statement describes a problem, this pulls the result down. Find out why it is "
                        "so and what it would take to change it."
                    )
                    % {"statement": _quoted(statement), "scope": self.name, "raw": self._score(raw)},
                    sources=tuple(sources),
                    capability_codes=(capability.code,),
                    action_title=self._action_title(capability),
                    reading=_reading_rule(),
                )
            )
        return found

    def maturity_type(self) -> list[Suggestion]:
        view, focus = self.view, self.focus
        type_figure = view.value(focus, "type")
        capability = view.value(focus, "capability_percent")
        legacy = view.value(focus, "legacy_percent")
        advice = _type_advice()
        if not (
            isinstance(type_figure, Shown)
            and type_figure.value in advice
            and isinstance(capability, Shown)
            and isinstance(legacy, Shown)
        ):
            return []
        version = view.round.questionnaire
        return [
            Suggestion(
                kind=TYPE,
                title=_("General advice for type %(type)s") % {"type": type_figure.value},
                explanation=_(
                    "%(scope)s is type %(type)s: digital capability %(capability)s (cut-off "
                    "%(capability_cutoff)s) and digital legacy %(legacy)s (cut-off %(legacy_cutoff)s). "
                    "%(advice)s"
                )
                % {
                    "scope": self.name,
                    "type": type_figure.value,
                    "capability": self._percent(capability.value),
                    "legacy": self._percent(legacy.value),
                    "capability_cutoff": self._cutoff(float(version.capability_cutoff)),
                    "legacy_cutoff": self._cutoff(float(version.legacy_cutoff)),
                    "advice": advice[type_figure.value],
                },
                sources=(
                    SourceFigure(_("Digital capability, %(scope)s") % {"scope": self.name}, capability.value),
                    SourceFigure(_("Digital legacy, %(scope)s") % {"scope": self.name}, legacy.value),
                    SourceFigure(_("Type"), type_figure.value, "text"),
                ),
            )
        ]

    # --- Words and figures ----------------------------------------------------------------------------------

    def _capability_source(self, code: str) -> SourceFigure:
        return SourceFigure(
            _("%(capability)s, %(scope)s")
            % {"capability": self._label(self.by_code[code]), "scope": self.name},
            self.percents[code],
        )

    def _label(self, capability: Capability) -> str:
        """The capability as the dashboards name it beside its figure (``Capability.label``): one every
        statement of which is negatively phrased is named by what a high figure means, "Lite skugg-IT", so
        that "among the weakest" never reads as a weakness in shadow IT. The action's own title keeps the
        questionnaire's name ("Tackle “Skugg-IT”")."""
        return (
            reversed_capability_label(capability.name)
            if capability.code in self.all_reverse
            else capability.name
        )

    def _action_title(self, capability: Capability) -> str:
        """ "Tackle" a capability every statement of which is negatively phrased (shadow IT, technical
        debt: strengthening it would read as more of it), "strengthen" any other."""
        if capability.code in self.all_reverse:
            return _("Tackle “%(capability)s”") % {"capability": capability.name}
        return _("Strengthen “%(capability)s”") % {"capability": capability.name}

    def _reading(self, code: str) -> str:
        """How to read the capability's negatively phrased statements in their own terms ("" without any
        shown)."""
        parts = [
            _("“%(statement)s” got %(raw)s on average as written.")
            % {"statement": _quoted(s), "raw": self._score(rules.raw_mean(self.means[s.code]))}
            for s in self.reverse.get(code, [])
            if s.code in self.means
        ]
        return " ".join([_reading_rule(), *parts]) if parts else ""

    def _percent(self, value: float) -> str:
        return charts.format_percent(value, decimal=self.decimal)

    def _dont_know_words(self, gap: rules.KnowledgeGap) -> str:
        if len(gap.statements) == 1:
            (only,) = gap.statements
            return _("Of those who answered “%(statement)s”, %(share)s chose “don't know”.") % {
                "share": self._percent(only.value * 100),
                "statement": _quoted(self.statement[only.code]),
            }
        return _("Many answered “don't know” to %(n)s of the capability's statements, up to %(share)s.") % {
            "n": len(gap.statements),
            "share": self._percent(gap.highest * 100),
        }

    def _gap_in_own_terms(self, code: str, high: str, low: str) -> str:
        """For a capability all of whose statements are negatively phrased, what the gap means in its own
        terms ("" for any other)."""
        if code not in self.all_reverse:
            return ""
        return " " + _(
            "The statements are negatively phrased: %(low)s recognise what they describe more than "
            "%(high)s do."
        ) % {"low": low, "high": high}

    def _points(self, value: float) -> str:
        return _("%(value)s percentage points") % {"value": charts.format_number(value, decimal=self.decimal)}

    def _cutoff(self, value: float) -> str:
        return charts.format_percent(value, 0 if value == int(value) else 1, decimal=self.decimal)

    def _score(self, value: float) -> str:
        return charts.format_number(value, decimal=self.decimal)


def _rank(position: int) -> str:
    """A place from the bottom in words: "the lowest", "the second lowest" …"""
    words = {1: _("the lowest"), 2: _("the second lowest"), 3: _("the third lowest")}
    return words.get(position) or _("number %(position)s from the bottom") % {"position": position}


def _quoted(statement: Statement) -> str:
    """A statement's text to quote inside a sentence: without its full stop."""
    return statement.text.strip().rstrip(".")


def _reading_rule() -> str:
    return _(
        "A negatively phrased statement is scored in reverse (an answer of 6, completely true, counts as 1): "
        "a high figure means that what the statement describes is rare here, a low one that it is common."
    )


def _shown(view: RoundView, key: ScopeKey, level: str, codes: list[str], attribute: str) -> dict[str, float]:
    """The shown, defined figures of one level of the scope (hidden and undefined ones left out)."""
    found: dict[str, float] = {}
    for code in codes:
        figure = view.part(key, level, code, attribute)
        if isinstance(figure, Shown) and isinstance(figure.value, int | float):
            found[code] = float(figure.value)
    return found
