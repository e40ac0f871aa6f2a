"""Did it move? The follow-up of an action (docs/actions.md, "Did it move?"): its target capabilities'
figures for its department (with its units; the organisation for an organisation-wide action) at the
round it responds to and at the organisation's next closed round by period, and the change.

- Figures are read through ``maturity.read_model`` only, so the anonymity rule holds: a figure hidden on
  either side gives no change, with the reason (too few respondents, or hidden so that other figures cannot
  be worked out).
- The capabilities are matched by code across questionnaire versions that are the same or linked through
  ``QuestionnaireVersion.maps_from`` (in either direction, through the versions of the organisation's
  rounds); an unlinked version is "not comparable".
- A department that was reorganised before the follow-up round (it has no result there) is followed in the
  departments that carry on its work (``surveys.DepartmentSuccession``, through a chain of them).
- Six queries whatever the number of actions (the actions' capabilities, the rounds, the successions, and
  the read model's three): ``get_action_followups``. The caller passes the actions it may show; the
  ``visibility`` limits the successor departments read to those that may be seen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from dimios_web import localformat
from surveys.access import Visibility
from surveys.models import DepartmentSuccession, Round
from surveys.models.questionnaire import reversed_capability_label
from surveys.scope_keys import ORGANISATION, ScopeKey

from .models import Action
from .read_model import Hidden, RoundView, Shown, load_round_views

WAITING = "waiting"  # no closed round after the action's round yet
FOLLOWED = "followed"  # a next closed round: see the changes
NOT_COMPARABLE = "not_comparable"  # the next round's questionnaire is not mapped to the action's
NO_RESULTS = "no_results"  # the department (or a successor) has no result at one of the rounds

REASON_TOO_FEW = _("too few respondents")
REASON_PROTECTED = _("hidden so that other figures cannot be worked out")
REASON_ANONYMITY = _("hidden under the anonymity rule")
REASON_MISSING = _("no result")


@dataclass(frozen=True)
class CapabilityChange:
    """One target capability of an action in one scope: the percents at the action's round and at the
    follow-up round when both may be shown, their difference, or why there is none (``reason``)."""

    code: str
    name: str
    scope_name: str
    before: float | None = None
    after: float | None = None
    reason: str = ""

    @property
    def change(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before

    @property
    def shown(self) -> bool:
        return self.change is not None


@dataclass
class Followup:
    action_id: int
    state: str
    round: Round | None = None
    changes: list[CapabilityChange] = field(default_factory=list)

    def summary(self) -> str:
        """A short text for a table cell, an export and the annual report."""
        if self.state == WAITING:
            return gettext("Waiting for the next round")
        assert self.round is not None
        period = str(self.round.period)
        if self.state == NOT_COMPARABLE:
            return gettext("%(period)s: another questionnaire, not comparable") % {"period": period}
        if self.state == NO_RESULTS or not self.changes:
            return gettext("%(period)s: no results to compare") % {"period": period}
        parts = []
        for change in self.changes:
            if change.shown:
                parts.append(
                    gettext("%(capability)s %(change)s points")
                    % {"capability": change.name, "change": _signed(change.change)}
                )
            else:
                parts.append(
                    gettext("%(capability)s not shown (%(reason)s)")
                    % {"capability": change.name, "reason": change.reason}
                )
        return gettext("%(period)s: %(changes)s") % {"period": period, "changes": "; ".join(parts)}

    def by_code(self) -> dict[str, list[CapabilityChange]]:
        found: dict[str, list[CapabilityChange]] = {}
        for change in self.changes:
            found.setdefault(change.code, []).append(change)
        return found

    @property
    def n_shown(self) -> int:
        return sum(1 for change in self.changes if change.shown)


def _signed(value: float | None) -> str:
    """A change in percentage points with its sign (``+7,5``, ``−4,5``, ``±0,0``: dimios_web.formatting)."""
    if value is None:
        return ""
    return localformat.change(value)


def _comparable(first, second, versions: dict[int, int | None]) -> bool:
    """Whether two questionnaire versions are the same or linked through ``maps_from`` (either way)."""
    if first == second:
        return True
    for start, goal in ((first, second), (second, first)):
        seen, current = set(), versions.get(start)
        while current is not None and current not in seen:
            if current == goal:
                return True
            seen.add(current)
            current = versions.get(current)
    return False


def _scope_reason(view: RoundView, key: ScopeKey) -> str:
    scope = view.scopes.get(str(key))
    if scope is None:
        return str(REASON_MISSING)
    if scope.n_respondents < view.k:
        return str(REASON_TOO_FEW)
    return str(REASON_PROTECTED)


def _figure(view: RoundView, key: ScopeKey, code: str) -> tuple[float | None, str]:
    """A capability percent of a scope, or why there is none."""
    if key not in view:
        return None, str(REASON_MISSING)
    if view.hidden(key):
        return None, _scope_reason(view, key)
    figure = view.part(key, "capabilities", code)
    if isinstance(figure, Hidden):
        return None, str(REASON_ANONYMITY)
    if isinstance(figure, Shown) and figure.value is not None:
        return float(figure.value), ""
    return None, str(REASON_MISSING)


def get_action_followups(actions: Sequence[Action], visibility: Visibility) -> dict[int, Followup]:
    """Per action id its ``Followup`` (module docstring). Six queries whatever the number of actions."""
    actions = list(actions)
    if not actions:
        return {}
    ids = [a.pk for a in actions]
    through = Action.capabilities.through
    capabilities: dict[int, list[tuple[str, str]]] = {pk: [] for pk in ids}
    for action_id, code, name_sv, name_en, n_statements, n_reversed in (
        through.objects.filter(action_id__in=ids)
        .order_by(
            "capability__category__dimension__position",
            "capability__category__position",
            "capability__position",
        )
        .values_list("action_id", "capability__code", "capability__name_sv", "capability__name_en")
        .annotate(  # Capability.label's count, in the same query: a reversed capability is "Lite skugg-IT"
            n_statements=Count("capability__statements"),
            n_reversed=Count("capability__statements", filter=Q(capability__statements__reverse_scored=True)),
        )
    ):
        name = _name(name_sv, name_en)
        reversed_ = bool(n_statements) and n_statements == n_reversed
        capabilities[action_id].append((code, reversed_capability_label(name) if reversed_ else name))
    organisations = sorted({a.organisation_id for a in actions})
    rounds = list(
        Round.objects.filter(
            Q(organisation_id__in=organisations, status=Round.Status.CLOSED)
            | Q(pk__in=sorted({a.round_id for a in actions}))
        ).select_related("period", "questionnaire")
    )
    by_id = {r.pk: r for r in rounds}
    versions = {r.questionnaire_id: r.questionnaire.maps_from_id for r in rounds}
    following: dict[int, list[int]] = {}
    names: dict[int, str] = {}
    for earlier, later_id, later_name in DepartmentSuccession.objects.filter(
        organisation_id__in=organisations
    ).values_list("predecessor_id", "successor_id", "successor__name"):
        following.setdefault(earlier, []).append(later_id)
        names[later_id] = later_name

    def next_round(action: Action) -> Round | None:
        own = by_id[action.round_id]
        later = [
            r
            for r in rounds
            if r.organisation_id == action.organisation_id
            and r.status == Round.Status.CLOSED
            and r.period.starts_on > own.period.starts_on
        ]
        return min(later, key=lambda r: (r.period.starts_on, r.pk), default=None)

    def successors(department_id: int) -> list[int]:
        found, stack = [], list(following.get(department_id, ()))
        while stack:
            current = stack.pop(0)
            if current not in found and current != department_id:
                found.append(current)
                stack.extend(following.get(current, ()))
        return [d for d in found if visibility.can_see_department(d)]

    plans: dict[int, tuple[Round, ScopeKey, list[ScopeKey]]] = {}
    wanted: dict[int, set[ScopeKey]] = {}
    for action in actions:
        followup_round = next_round(action)
        if followup_round is None:
            continue
        if action.department_id is None:
            own_key, later_keys = ORGANISATION, [ORGANISATION]
        else:
            own_key = ScopeKey.department(action.department_id)
            later_keys = [own_key] + [ScopeKey.department(d) for d in successors(action.department_id)]
        plans[action.pk] = (followup_round, own_key, later_keys)
        wanted.setdefault(action.round_id, set()).add(own_key)
        wanted.setdefault(followup_round.pk, set()).update(later_keys)
    views = load_round_views(
        [by_id[pk] for pk in wanted], figures={pk: sorted(keys, key=str) for pk, keys in wanted.items()}
    )
    found: dict[int, Followup] = {}
    for action in actions:
        plan = plans.get(action.pk)
        if plan is None:
            found[action.pk] = Followup(action.pk, WAITING)
            continue
        followup_round, own_key, later_keys = plan
        own_round = by_id[action.round_id]
        if not _comparable(own_round.questionnaire_id, followup_round.questionnaire_id, versions):
            found[action.pk] = Followup(action.pk, NOT_COMPARABLE, followup_round)
            continue
        before_view, after_view = views[own_round.pk], views[followup_round.pk]
        # The department itself when it has a result at the follow-up round; else those carrying on its work.
        present = (
            [later_keys[0]] if later_keys[0] in after_view else [k for k in later_keys[1:] if k in after_view]
        )
        if not present:
            found[action.pk] = Followup(action.pk, NO_RESULTS, followup_round)
            continue
        changes = []
        for later_key in present:
            scope_name = "" if later_key == own_key else names.get(later_key.department_id or 0, "")
            for code, name in capabilities[action.pk]:
                before, before_reason = _figure(before_view, own_key, code)
                after, after_reason = _figure(after_view, later_key, code)
                reason = before_reason or after_reason
                changes.append(
                    CapabilityChange(
                        code,
                        name,
                        scope_name,
                        before if not reason else None,
                        after if not reason else None,
                        reason,
                    )
                )
        found[action.pk] = Followup(action.pk, FOLLOWED, followup_round, changes)
    return found


def _name(name_sv: str, name_en: str) -> str:
    return name_en if (get_language() or "sv").startswith("en") and name_en else name_sv
