"""On PostgreSQL, a trigger refuses every UPDATE and DELETE of an audit event, whoever sends it (the application,
a shell, a careless script). The one exception is GDPR pseudonymisation (dimios_web.identity.services.gdpr), which sets
the transaction-local setting ``dimios.audit_pseudonymise`` and may only change who the event names, never
what, when or in which organisation. TRUNCATE (used by test database flushes) is not a row operation and is
not affected. SQLite, the development database, relies on the application's guard (surveys.models)."""

from django.db import migrations

CREATE = """
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

DROP = """
DROP TRIGGER IF EXISTS dimios_audit_event_append_only ON surveys_auditevent;
DROP FUNCTION IF EXISTS dimios_audit_event_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("identity", "0001_organisation_login"),
        ("surveys", "0005_audit_event_append_only_with_pseudonym"),
    ]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
