"""On PostgreSQL, the database itself refuses to change or delete audit events, whoever connects.

The one way out was ``competitions.services.audit.purge``, which deleted a whole competition's trail (a demo reset,
a retention period ended) after setting ``metascene.audit_purge`` for its own transaction. Any connection could set it
too: migration 0008 replaces this function, and an event now goes only with its competition."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION competitions_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('metascene.audit_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'The audit log is append-only.';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER competitions_auditevent_append_only
    BEFORE UPDATE OR DELETE ON competitions_auditevent
    FOR EACH ROW EXECUTE FUNCTION competitions_auditevent_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS competitions_auditevent_append_only ON competitions_auditevent;
DROP FUNCTION IF EXISTS competitions_auditevent_append_only();
"""


def create_trigger(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_trigger(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("competitions", "0005_judging")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
