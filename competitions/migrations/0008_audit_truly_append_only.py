"""On PostgreSQL, no statement changes an audit event, and one is deleted only together with its competition.

Migration 0006 let a DELETE through once the transaction had set ``metascene.audit_purge``, which any connection
can set. Now:

- UPDATE of an event is always refused; so is DELETE while the event's competition still exists;
- a deferred constraint trigger checks again at commit that the competition of every deleted event is gone, so a
  transaction cannot delete the competition, delete its events and insert the competition again;
- a competition's id cannot change, so its events cannot be orphaned by renumbering it.

``competitions.services.audit.competition_delete`` (the demo reset) deletes the competition's row, then its events,
then everything else of the competition, in one transaction; foreign keys are checked at commit.

What this does not stop: TRUNCATE and DDL (dropping or disabling the trigger), which need the table owner's
privileges; Django's test flush and ``manage.py flush`` use TRUNCATE. Running the site as a role that does not own
the tables closes those as well.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION competitions_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND NOT EXISTS (SELECT 1 FROM competitions_competition WHERE id = OLD.competition_id) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'The audit log is append-only.';
END;
$$ LANGUAGE plpgsql;

CREATE FUNCTION competitions_auditevent_deleted_with_competition() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM competitions_competition WHERE id = OLD.competition_id) THEN
        RAISE EXCEPTION 'The audit log is append-only: an event goes only with its competition.';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE CONSTRAINT TRIGGER competitions_auditevent_deleted_with_competition
    AFTER DELETE ON competitions_auditevent DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION competitions_auditevent_deleted_with_competition();

CREATE FUNCTION competitions_competition_keep_id() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'A competition keeps its id (its audit log points at it).';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER competitions_competition_keep_id
    BEFORE UPDATE OF id ON competitions_competition
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION competitions_competition_keep_id();
"""

# Back to migration 0006's function; the trigger that calls it stays.
DROP = """
DROP TRIGGER IF EXISTS competitions_competition_keep_id ON competitions_competition;
DROP FUNCTION IF EXISTS competitions_competition_keep_id();
DROP TRIGGER IF EXISTS competitions_auditevent_deleted_with_competition ON competitions_auditevent;
DROP FUNCTION IF EXISTS competitions_auditevent_deleted_with_competition();
CREATE OR REPLACE FUNCTION competitions_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('metascene.audit_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'The audit log is append-only.';
END;
$$ LANGUAGE plpgsql;
"""


def create_triggers(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_triggers(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("competitions", "0007_deadline_day")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
