"""What each audit action means, in a sentence a person reads (not a code such as ``invitations.sent``).

Every action code recorded anywhere (``record_event(action=…)``) has its sentence here; a test scans the code
for action codes and fails on one without a sentence. Placeholders are filled from the event's target and
details; a missing value shows as a dash."""

from __future__ import annotations

import re
from collections import defaultdict

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

TEXTS = {
    # Logins and sessions (identity)
    "login.succeeded": _("Logged in (%(method)s) from %(address)s"),
    "login.failed": _("Failed login as “%(target)s” from %(address)s (%(reason)s)"),
    "login.locked": _(
        "Login as “%(target)s” locked for %(seconds)s seconds after repeated failures (%(reason)s)"
    ),
    "login.sso_refused": _("Single sign-on refused for “%(target)s” (%(reason)s)"),
    "logout": _("Logged out"),
    "session.expired": _("Session ended by timeout (%(reason)s)"),
    "password.changed": _("Changed or reset their password"),
    "mfa.totp_added": _("Set up an authenticator app (second factor)"),
    "mfa.totp_removed": _("Removed their authenticator app (second factor)"),
    "mfa.recovery_codes_added": _("Got recovery codes for the second factor"),
    "mfa.recovery_codes_reset": _("Generated new recovery codes for the second factor"),
    "mfa.recovery_codes_removed": _("Removed their recovery codes"),
    # Settings, roles and staff
    "settings.security_changed": _("Changed the login settings: %(changes)s"),
    "settings.sso_changed": _("Changed the single sign-on configuration: %(changes)s"),
    "role.granted": _("Gave %(target)s the role %(role)s"),
    "role.revoked": _("Removed the role %(role)s from %(target)s"),
    "staff.removed": _("Removed the staff account %(target)s (its audit entries are kept under a pseudonym)"),
    "department.created": _("Added the department %(target)s"),
    "department.changed": _("Changed the department %(target)s"),
    "department.deleted": _("Deleted the department %(target)s"),
    "group.created": _("Added the respondent group %(target)s"),
    "group.changed": _("Changed the respondent group %(target)s"),
    "group.deleted": _("Deleted the respondent group %(target)s"),
    "audit.exported": _("Exported the audit log as CSV"),
    # Rounds
    "round.created": _("Created the round %(target)s"),
    "round.opened": _("Opened the round %(target)s (%(invitations)s invitations)"),
    "round.reopened": _("Reopened the round %(target)s"),
    "round.closed": _("Closed the round %(target)s (%(responses)s responses)"),
    "round.texts_changed": _("Changed the invitation and reminder texts of %(target)s"),
    "round.reminders_scheduled": _("Scheduled reminders for %(target)s"),
    "round.open_link_on": _("Switched on the open link of %(target)s"),
    "round.open_link_off": _("Switched off the open link of %(target)s"),
    # Invitations, reminders, respondents
    "invitations.send": _("Started sending the invitations of %(target)s (%(pending)s waiting)"),
    "invitations.sent": _("Sent invitations for %(target)s: %(sent)s sent, %(failed)s failed"),
    "invitations.addresses_deleted": _(
        "Deleted %(count)s e-mail addresses of %(target)s (retention period over)"
    ),
    "reminders.requested": _("Asked for reminders to be sent for %(target)s"),
    "reminders.scheduled_due": _("A scheduled reminder for %(target)s became due"),
    "reminders.sent": _("Sent reminders for %(target)s: %(sent)s sent, %(failed)s failed"),
    "respondents.imported": _("Imported respondents into %(target)s"),
    "respondents.added": _("Added a respondent to %(target)s"),
    "respondents.deleted": _("Removed a respondent from %(target)s"),
    "respondents.withdrawn": _("Withdrew a respondent's link in %(target)s"),
    "responses_imported": _("Imported the responses of an earlier round: %(target)s"),
    # Results, dashboards, reports
    "results_downloaded": _("Downloaded the results of %(target)s (%(format)s)"),
    "dashboard.exported": _("Exported the dashboard %(target)s (%(format)s)"),
    "report.ordered": _("Ordered the annual report %(target)s"),
    "report.built": _("The annual report %(target)s was built"),
    "report.downloaded": _("Downloaded the annual report %(target)s (%(format)s)"),
    "report.conclusion_added": _("Added a conclusion to the annual report (%(year)s)"),
    "report.conclusion_changed": _("Changed a conclusion of the annual report (%(year)s)"),
    "report.conclusion_deleted": _("Deleted a conclusion of the annual report (%(year)s)"),
    # The system
    "worker.heartbeat": _("The background worker answered"),
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
            values[key] = str(REASONS.get(value, value))
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
    template = TEXTS.get(event.action)
    if template is None:
        return event.action
    return str(template) % values
