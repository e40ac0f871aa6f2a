"""What each audit action means, in a sentence a person reads (not a code such as ``invitations.sent``).

Every ``AuditAction`` has its sentence here (a test fails on one without); an event recorded under a code that
is no longer an action shows its code. Placeholders are filled from the event's target and details; a missing
value shows as a dash."""

from __future__ import annotations

import re
from collections import defaultdict

from django.core.exceptions import FieldDoesNotExist
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from surveys.models import AuditAction

TEXTS: dict[str, Promise] = {
    # Logins and sessions (identity)
    AuditAction.LOGIN_SUCCEEDED: _("Logged in (%(method)s) from %(address)s"),
    AuditAction.LOGIN_FAILED: _("Failed login as “%(target)s” from %(address)s (%(reason)s)"),
    AuditAction.LOGIN_LOCKED: _(
        "Login as “%(target)s” locked for %(seconds)s seconds after repeated failures (%(reason)s)"
    ),
    AuditAction.LOGIN_SSO_REFUSED: _("Single sign-on refused for “%(target)s” (%(reason)s)"),
    AuditAction.LOGOUT: _("Logged out"),
    AuditAction.SESSION_EXPIRED: _("Session ended by timeout (%(reason)s)"),
    AuditAction.PASSWORD_CHANGED: _("Changed or reset their password"),
    AuditAction.MFA_TOTP_ADDED: _("Set up an authenticator app (second factor)"),
    AuditAction.MFA_TOTP_REMOVED: _("Removed their authenticator app (second factor)"),
    AuditAction.MFA_RECOVERY_CODES_ADDED: _("Got recovery codes for the second factor"),
    AuditAction.MFA_RECOVERY_CODES_RESET: _("Generated new recovery codes for the second factor"),
    AuditAction.MFA_RECOVERY_CODES_REMOVED: _("Removed their recovery codes"),
    # Organisations and questionnaires (platform admin)
    AuditAction.ORGANISATION_CREATED: _("Added the organisation %(target)s (code %(code)s)"),
    AuditAction.ORGANISATION_CHANGED: _("Changed the organisation %(target)s: %(changes)s"),
    AuditAction.QUESTIONNAIRE_LOADED: _("Loaded the questionnaire version %(target)s (%(outcome)s)"),
    AuditAction.QUESTIONNAIRE_TEXTS_CORRECTED: _(
        "Corrected texts of the questionnaire version %(target)s, which rounds have used; its structure "
        "is unchanged: %(changes)s"
    ),
    AuditAction.BENCHMARKS_IMPORTED: _(
        "Imported the benchmark file %(target)s: %(records)s records of %(sources)s (periods %(periods)s)"
    ),
    AuditAction.BENCHMARK_SOURCE_DELETED: _(
        "Deleted the benchmark source %(target)s with its %(records)s records"
    ),
    AuditAction.NATIONAL_OVERVIEW_PUBLIC_CHANGED: _("Changed the public national overview: %(state)s"),
    # Settings, roles and staff
    AuditAction.SECURITY_SETTINGS_CHANGED: _("Changed the login settings: %(changes)s"),
    AuditAction.SSO_SETTINGS_CHANGED: _("Changed the single sign-on configuration: %(changes)s"),
    AuditAction.ROLE_GRANTED: _("Gave %(target)s the role %(role)s"),
    AuditAction.ROLE_REVOKED: _("Removed the role %(role)s from %(target)s"),
    AuditAction.STAFF_REMOVED: _(
        "Removed the staff account %(target)s (its audit entries are kept under a pseudonym)"
    ),
    AuditAction.DEPARTMENT_CREATED: _("Added the department %(target)s"),
    AuditAction.DEPARTMENT_CHANGED: _("Changed the department %(target)s"),
    AuditAction.DEPARTMENT_DELETED: _("Deleted the department %(target)s"),
    AuditAction.DEPARTMENT_SUCCESSION_ADDED: _("Recorded that %(target)s"),
    AuditAction.DEPARTMENT_SUCCESSION_REMOVED: _("Removed the record that %(target)s"),
    AuditAction.GROUP_CREATED: _("Added the respondent group %(target)s"),
    AuditAction.GROUP_CHANGED: _("Changed the respondent group %(target)s"),
    AuditAction.GROUP_DELETED: _("Deleted the respondent group %(target)s"),
    AuditAction.AUDIT_EXPORTED: _("Exported the audit log as CSV"),
    AuditAction.COMPARISON_SETTINGS_CHANGED: _("Changed the comparison settings: %(changes)s"),
    AuditAction.NETWORK_CREATED: _("Added the comparison network %(target)s"),
    AuditAction.NETWORK_CHANGED: _("Changed the comparison network %(target)s"),
    AuditAction.NETWORK_DELETED: _("Deleted the comparison network %(target)s"),
    # Rounds
    AuditAction.ROUND_CREATED: _("Created the round %(target)s"),
    AuditAction.ROUND_CHANGED: _("Changed the settings of the round %(target)s: %(changes)s"),
    AuditAction.ROUND_OPENED: _("Opened the round %(target)s (%(invitations)s invitations)"),
    AuditAction.ROUND_REOPENED: _("Reopened the round %(target)s"),
    AuditAction.ROUND_CLOSED: _("Closed the round %(target)s (%(responses)s responses)"),
    AuditAction.ROUND_CLOSING_DATE_CHANGED: _(
        "Moved the closing date of %(target)s from %(before)s to %(after)s"
    ),
    AuditAction.ROUND_TEXTS_CHANGED: _("Changed the invitation and reminder texts of %(target)s"),
    AuditAction.ROUND_REMINDERS_SCHEDULED: _("Scheduled reminders for %(target)s"),
    AuditAction.ROUND_OPEN_LINK_ON: _("Switched on the open link of %(target)s"),
    AuditAction.ROUND_OPEN_LINK_OFF: _("Switched off the open link of %(target)s"),
    # Invitations, reminders, respondents
    AuditAction.INVITATIONS_SEND: _("Started sending the invitations of %(target)s (%(pending)s waiting)"),
    AuditAction.INVITATIONS_SENT: _("Sent invitations for %(target)s: %(sent)s sent, %(failed)s failed"),
    AuditAction.INVITATIONS_ADDRESSES_DELETED: _(
        "Deleted %(count)s e-mail addresses of %(target)s (retention period over)"
    ),
    AuditAction.REMINDERS_REQUESTED: _("Asked for reminders to be sent for %(target)s"),
    AuditAction.REMINDERS_SCHEDULED_DUE: _("A scheduled reminder for %(target)s became due"),
    AuditAction.REMINDERS_SENT: _("Sent reminders for %(target)s: %(sent)s sent, %(failed)s failed"),
    AuditAction.RESPONDENTS_IMPORTED: _("Imported respondents into %(target)s"),
    AuditAction.RESPONDENTS_ADDED: _("Added a respondent to %(target)s"),
    AuditAction.RESPONDENTS_DELETED: _("Removed a respondent from %(target)s"),
    AuditAction.RESPONDENTS_WITHDRAWN: _("Withdrew a respondent's link in %(target)s"),
    AuditAction.RESPONSES_IMPORTED: _("Imported the responses of an earlier round: %(target)s"),
    # Results, dashboards, reports
    AuditAction.RESULTS_DOWNLOADED: _("Downloaded the results of %(target)s (%(format)s)"),
    AuditAction.DASHBOARD_EXPORTED: _("Exported the dashboard %(target)s (%(format)s)"),
    AuditAction.REPORT_ORDERED: _("Ordered the annual report %(target)s"),
    AuditAction.REPORT_BUILT: _("The annual report %(target)s was built"),
    AuditAction.REPORT_DOWNLOADED: _("Downloaded the annual report %(target)s (%(format)s)"),
    AuditAction.REPORT_CONCLUSION_ADDED: _("Added a conclusion to the annual report (%(year)s)"),
    AuditAction.REPORT_CONCLUSION_CHANGED: _("Changed a conclusion of the annual report (%(year)s)"),
    AuditAction.REPORT_CONCLUSION_DELETED: _("Deleted a conclusion of the annual report (%(year)s)"),
    # Action plans
    AuditAction.ACTION_CREATED: _("Added the action “%(target)s”"),
    AuditAction.ACTION_CHANGED: _("Changed the action “%(target)s”: %(changes)s"),
    AuditAction.ACTION_STATUS_CHANGED: _(
        "Changed the status of the action “%(target)s” from %(before)s to %(after)s"
    ),
    AuditAction.ACTION_NOTE_ADDED: _("Added a note to the action “%(target)s”"),
    AuditAction.ACTIONS_EXPORTED: _("Exported the overview of actions (%(format)s)"),
    AuditAction.ACTION_DIGEST_SWITCHED_OFF: _("Switched off the weekly digest of actions"),
    AuditAction.ACTION_DIGEST_SWITCHED_ON: _("Switched on the weekly digest of actions"),
    # The system
    AuditAction.WORKER_HEARTBEAT: _("The background worker answered"),
}

# Words inside the sentences: reasons and login methods, shown in the reader's language.
REASONS = {
    "password": _("wrong password or unknown name"),
    "locked": _("account locked"),
    "delay": _("too soon after a failure"),
    "address": _("too many failures from the address"),
    "sso_only": _("passwords are switched off for the organisation"),
    "mfa": _("wrong code for the second factor"),
    "domain": _("e-mail address outside the organisation's domains"),
    "no_account": _("no staff account"),
    "no_role": _("no role in the organisation"),
    "no_email": _("no e-mail address"),
    "unverified": _("e-mail address not verified"),
    "email_changed": _("the account's e-mail address has changed"),
    "idle": _("inactivity"),
    "absolute": _("maximum session length"),
}

# How someone logged in (the ``method`` of a login event). Kept apart from the reasons: "password" is a
# method here and a failure ("wrong password or unknown name") there.
METHODS = {
    "password": pgettext_lazy("login method", "password"),
    "password+mfa": _("password and second factor"),
    "sso": pgettext_lazy("login method", "single sign-on"),
    "sso+mfa": _("single sign-on and second factor"),
}


def action_label(action: str) -> str:
    """A short name of the action for the filter: the sentence with its placeholders as dots."""
    return re.sub(r"%\([a-z_]+\)s", "…", str(TEXTS.get(action, action)))


def action_choices() -> list[tuple[str, str]]:
    return sorted(((code, action_label(code)) for code in TEXTS), key=lambda pair: pair[1])


def describe(event) -> str:
    details = event.details if isinstance(event.details, dict) else {}
    values: dict[str, str] = defaultdict(lambda: "–")
    for key, value in details.items():
        if isinstance(value, str):
            names = METHODS if key == "method" else REASONS
            values[key] = str(names.get(value, value))
        elif isinstance(value, list):
            values[key] = ", ".join(str(v) for v in value)
        else:
            values[key] = str(value)
    if details.get("reason", "").startswith("error:"):
        values["reason"] = str(_("the login service answered with an error"))
    values["target"] = event.target or "–"
    if details.get("role"):
        from surveys.models import RoleAssignment

        choices = dict(RoleAssignment.Role.choices)
        values["role"] = str(choices.get(details["role"], details["role"]))
    if event.action == AuditAction.ROUND_CHANGED:
        from surveys.models import Round

        values["changes"] = _setting_changes(details, Round)
    if event.action in (AuditAction.ORGANISATION_CHANGED, AuditAction.COMPARISON_SETTINGS_CHANGED):
        from surveys.models import Organisation

        values["changes"] = _setting_changes(details, Organisation)
    if event.action == AuditAction.QUESTIONNAIRE_LOADED:
        values["outcome"] = str(LOAD_OUTCOMES.get(details.get("outcome", ""), details.get("outcome", "–")))
    if event.action == AuditAction.ROUND_CLOSING_DATE_CHANGED:
        values["before"], values["after"] = (_setting_value(details.get(k)) for k in ("before", "after"))
    if event.action == AuditAction.ACTION_CHANGED:
        values["changes"] = ", ".join(
            str(ACTION_FIELDS.get(name, name)) for name in details.get("changes") or []
        )
    if event.action == AuditAction.ACTION_STATUS_CHANGED:
        for key in ("before", "after"):
            values[key] = str(ACTION_STATUSES.get(details.get(key, ""), details.get(key) or "–"))
    if event.action == AuditAction.NATIONAL_OVERVIEW_PUBLIC_CHANGED:
        values["state"] = str(
            _("switched on, anyone can read it") if details.get("public") else _("switched off")
        )
    template = TEXTS.get(event.action)
    if template is None:
        return event.action
    return str(template) % values


def _setting_value(value) -> str:
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "–"
    return str(value) if value not in ("", None) else "–"


# An action's fields and statuses as the audit sentences name them (maturity.models.Action: this module sits
# beside maturity and does not import it).
ACTION_FIELDS = {
    "title": _("title"),
    "description": _("description"),
    "department": _("department"),
    "round": _("round"),
    "capabilities": _("capabilities"),
    "owner": _("owner"),
    "priority": _("priority"),
    "starts_on": _("start date"),
    "due_on": _("due date"),
    "plan_reference": _("plan or budget assignment"),
}
ACTION_STATUSES = {
    "planned": pgettext_lazy("action status", "planned"),
    "in_progress": pgettext_lazy("action status", "in progress"),
    "done": pgettext_lazy("action status", "done"),
    "dropped": pgettext_lazy("action status", "dropped"),
}

LOAD_OUTCOMES = {
    "created": pgettext_lazy("questionnaire loaded", "new version"),
    "updated": pgettext_lazy("questionnaire loaded", "changed before any round used it"),
}


def _setting_changes(details: dict, model) -> str:
    """“anonymous: yes → no; closes on: – → 2026-06-30”, each setting by its name on the model's form."""
    before, after = details.get("before") or {}, details.get("after") or {}
    parts = []
    for name in details.get("changes") or []:
        try:
            label = str(getattr(model._meta.get_field(name), "verbose_name", name))
        except FieldDoesNotExist:  # a setting recorded by an older version: its code is shown
            label = str(name)
        parts.append(f"{label}: {_setting_value(before.get(name))} → {_setting_value(after.get(name))}")
    return "; ".join(parts) or "–"
