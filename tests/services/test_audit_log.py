"""The audit log on the database itself: on PostgreSQL no statement changes an event, and one is deleted only with
its competition (migration 0008), whatever the connection sets; ``audit.competition_delete`` is that one way."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError

from competitions.models import AuditEvent, Competition, Entry, Round
from competitions.services import audit

from .judging_cast import draft_round, open_round

pytestmark = pytest.mark.django_db

POSTGRES_ONLY = "The audit triggers exist on PostgreSQL only (migration 0008); SQLite has no such triggers."
TABLE = AuditEvent._meta.db_table


@pytest.fixture
def opened() -> Round:
    """An open round: its competition has audit events ("round.opened")."""
    return open_round(draft_round(entries=2))


@pytest.fixture
def postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip(POSTGRES_ONLY)


def _refused(*statements: tuple[str, list]) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)


def test_a_plain_delete_fails_even_after_setting_the_old_purge_flag(postgres, opened):
    events = AuditEvent.objects.filter(competition=opened.competition).count()

    _refused(
        ("SET LOCAL metascene.audit_purge = 'on'", []),
        (f"DELETE FROM {TABLE} WHERE competition_id = %s", [opened.competition_id]),
    )

    assert AuditEvent.objects.filter(competition=opened.competition).count() == events > 0


def test_an_update_fails_even_after_setting_the_old_purge_flag(postgres, opened):
    event = AuditEvent.objects.get(action="round.opened", target_id=opened.pk)

    _refused(
        ("SET LOCAL metascene.audit_purge = 'on'", []),
        (f"UPDATE {TABLE} SET action = 'round.closed' WHERE id = %s", [event.pk]),
    )

    assert AuditEvent.objects.get(pk=event.pk).action == "round.opened"


def test_a_transaction_cannot_delete_the_events_and_bring_their_competition_back(postgres, opened):
    competition_table = Competition._meta.db_table
    pk = opened.competition_id

    # Checked at commit; SET CONSTRAINTS ... IMMEDIATE runs that check now, inside the test's transaction.
    _refused(
        (f"CREATE TEMPORARY TABLE kept AS SELECT * FROM {competition_table} WHERE id = %s", [pk]),
        (f"DELETE FROM {competition_table} WHERE id = %s", [pk]),
        (f"DELETE FROM {TABLE} WHERE competition_id = %s", [pk]),
        (f"INSERT INTO {competition_table} SELECT * FROM kept", []),
        ("SET CONSTRAINTS competitions_auditevent_deleted_with_competition IMMEDIATE", []),
    )

    assert AuditEvent.objects.filter(competition_id=pk, action="round.opened").exists()


def test_a_competition_keeps_its_id_so_its_events_cannot_be_orphaned(postgres, opened):
    with pytest.raises(DatabaseError, match="keeps its id"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {Competition._meta.db_table} SET id = id + 1000 WHERE id = %s", [opened.competition_id])

    assert Competition.objects.filter(pk=opened.competition_id).exists()


def test_deleting_a_competition_deletes_it_with_its_entries_and_audit_trail_and_nothing_of_another(opened):
    other = open_round(draft_round(entries=1))
    events = AuditEvent.objects.filter(competition=opened.competition).count()

    purged = audit.competition_delete(competition=opened.competition)

    assert purged == events > 0
    assert not Competition.objects.filter(pk=opened.competition_id).exists()
    assert not AuditEvent.objects.filter(competition_id=opened.competition_id).exists()
    assert not Entry.objects.filter(track__competition_id=opened.competition_id).exists()
    assert AuditEvent.objects.filter(competition=other.competition, action="round.opened").exists()
    assert Entry.objects.filter(track__competition=other.competition).count() == 1


def test_the_orm_alone_cannot_delete_a_competition_that_has_an_audit_trail(opened):
    Entry.objects.filter(track__competition=opened.competition).delete()

    with pytest.raises(ProtectedError):
        Competition.objects.filter(pk=opened.competition_id).delete()

    assert AuditEvent.objects.filter(competition=opened.competition).exists()
