"""Audit events name what they are about by reference (issue 13), and the append-only trigger allows the one
change those references need.

1. The PostgreSQL trigger (first created by identity/migrations/0002) is replaced. It still refuses every
   DELETE and every UPDATE, with two exceptions: GDPR pseudonymisation (as before: the transaction-local
   setting ``dimios.audit_pseudonymise``, which may change who the event names but never what, when or where),
   and emptying a reference (``round``, ``department``, ``respondent_group``, ``subject_user`` set to NULL,
   everything else unchanged): Django's ``on_delete=SET_NULL`` when the round, department, group or staff
   user is deleted. A reference can never be set or moved, only emptied.
2. Existing events get their references from what was recorded before: the ``round`` key in ``details``
   (removed from ``details``; the column holds it now), else the round named by the target (an organisation
   has one round per period) or by ``details.period``; the department or group of that name in the
   organisation (only when exactly one matches); the staff user whose e-mail address is a role event's
   target. A name that matches nothing (deleted since, or renamed) leaves the reference empty; the target
   keeps the name, as before. The action codes themselves are unchanged (``AuditAction``'s values are the
   codes recorded since the log began).

SQLite relies on the application's guard (surveys.models); there is no trigger to replace."""

from django.conf import settings
from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION dimios_audit_event_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND current_setting('dimios.audit_pseudonymise', true) = 'on'
       AND NEW.id = OLD.id
       AND NEW.action = OLD.action
       AND NEW.created_at = OLD.created_at
       AND NEW.organisation_id IS NOT DISTINCT FROM OLD.organisation_id THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE'
       AND NEW.id = OLD.id
       AND NEW.action = OLD.action
       AND NEW.created_at = OLD.created_at
       AND NEW.organisation_id IS NOT DISTINCT FROM OLD.organisation_id
       AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id
       AND NEW.actor_pseudonym = OLD.actor_pseudonym
       AND NEW.target = OLD.target
       AND NEW.details = OLD.details
       AND (NEW.round_id IS NULL OR NEW.round_id = OLD.round_id)
       AND (NEW.department_id IS NULL OR NEW.department_id = OLD.department_id)
       AND (NEW.respondent_group_id IS NULL OR NEW.respondent_group_id = OLD.respondent_group_id)
       AND (NEW.subject_user_id IS NULL OR NEW.subject_user_id = OLD.subject_user_id) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'The audit log is append-only: % of an audit event refused', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS dimios_audit_event_append_only ON surveys_auditevent;
CREATE TRIGGER dimios_audit_event_append_only
    BEFORE UPDATE OR DELETE ON surveys_auditevent
    FOR EACH ROW EXECUTE FUNCTION dimios_audit_event_append_only();
"""

# identity/migrations/0002's function, restored when this migration is reversed.
PREVIOUS_FUNCTION = """
CREATE OR REPLACE FUNCTION dimios_audit_event_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND current_setting('dimios.audit_pseudonymise', true) = 'on'
       AND NEW.id = OLD.id
       AND NEW.action = OLD.action
       AND NEW.created_at = OLD.created_at
       AND NEW.organisation_id IS NOT DISTINCT FROM OLD.organisation_id THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'The audit log is append-only: % of an audit event refused', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS dimios_audit_event_append_only ON surveys_auditevent;
CREATE TRIGGER dimios_audit_event_append_only
    BEFORE UPDATE OR DELETE ON surveys_auditevent
    FOR EACH ROW EXECUTE FUNCTION dimios_audit_event_append_only();
"""

LIFT = "DROP TRIGGER IF EXISTS dimios_audit_event_append_only ON surveys_auditevent;"

ROUND_EVENTS = ("round.", "invitations.", "reminders.", "respondents.", "responses_imported", "results_downloaded")


def _lift(schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(LIFT, params=None)


def _install(schema_editor, function):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(function, params=None)


def _one(queryset):
    found = list(queryset[:2])
    return found[0] if len(found) == 1 else None


def keys_to_references(apps, schema_editor):
    AuditEvent = apps.get_model("surveys", "AuditEvent")
    Round = apps.get_model("surveys", "Round")
    Department = apps.get_model("surveys", "Department")
    RespondentGroup = apps.get_model("surveys", "RespondentGroup")
    User = apps.get_model(settings.AUTH_USER_MODEL)
    _lift(schema_editor)
    round_ids = set(Round.objects.values_list("pk", flat=True))
    labels = {}  # (organisation id, "Organisation – term year") -> round id, as str(round) reads
    periods = {}  # (organisation id, period code) -> round id
    for round_ in Round.objects.select_related("organisation", "period"):
        period = round_.period
        labels[(round_.organisation_id, f"{round_.organisation.name} – {period.term} {period.year}")] = round_.pk
        periods[(round_.organisation_id, f"{period.year}-{period.term}")] = round_.pk
    for event in AuditEvent.objects.iterator():
        details = dict(event.details) if isinstance(event.details, dict) else {}
        changes = {}
        if event.action.startswith(ROUND_EVENTS):
            round_id = details.pop("round", None)
            if not isinstance(round_id, int) or round_id not in round_ids:
                round_id = labels.get((event.organisation_id, event.target)) or periods.get(
                    (event.organisation_id, details.get("period"))
                )
            if round_id is not None:
                changes["round_id"] = round_id
            if details != event.details:
                changes["details"] = details
        elif event.action.startswith("department.") and event.organisation_id:
            department = _one(Department.objects.filter(organisation_id=event.organisation_id, name=event.target))
            if department is not None:
                changes["department_id"] = department.pk
        elif event.action.startswith("group.") and event.organisation_id:
            group = _one(RespondentGroup.objects.filter(organisation_id=event.organisation_id, name=event.target))
            if group is not None:
                changes["respondent_group_id"] = group.pk
        elif event.action in ("role.granted", "role.revoked") and event.target:
            user = _one(User.objects.filter(email__iexact=event.target))
            if user is not None:
                changes["subject_user_id"] = user.pk
        if changes:
            # The base manager is a plain one: the application's append-only guard is not in the way (and the
            # trigger is lifted for this migration).
            AuditEvent._base_manager.filter(pk=event.pk).update(**changes)
    _install(schema_editor, FUNCTION)


def references_to_keys(apps, schema_editor):
    AuditEvent = apps.get_model("surveys", "AuditEvent")
    _lift(schema_editor)
    for event in AuditEvent.objects.filter(round__isnull=False).iterator():
        details = dict(event.details) if isinstance(event.details, dict) else {}
        details.setdefault("round", event.round_id)
        AuditEvent._base_manager.filter(pk=event.pk).update(details=details)
    _install(schema_editor, PREVIOUS_FUNCTION)


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0007_audit_event_references"),
        # The trigger this migration replaces; it must exist first (else 0002 would later restore the old one).
        ("identity", "0002_audit_log_append_only_trigger"),
    ]

    operations = [migrations.RunPython(keys_to_references, references_to_keys)]
