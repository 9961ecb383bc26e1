"""The append-only audit log: every create, change, submit and reopen of a score, every rubric, panel,
assignment and publication change, written in the same transaction as the change itself."""

from typing import Any

from django.contrib.auth.models import User
from django.db import connection, models, transaction

from competitions.models import AuditEvent, Competition, Entry


def record(
    *,
    competition: Competition,
    actor: User | None,
    action: str,
    target: models.Model,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event: ``action`` (e.g. "score.changed") done by ``actor`` to ``target``; ``data`` holds the
    values that matter (before and after for a change)."""
    return AuditEvent.objects.create(
        competition=competition,
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target_type=target._meta.model_name or "",
        target_id=target.pk,
        data=data or {},
    )


def competition_delete(*, competition: Competition) -> int:
    """Delete ``competition``, everything in it and its audit trail, in one transaction (a demo reset, the end of a
    retention period): the only way an audit event is ever deleted. Returns how many events went.

    On PostgreSQL the database allows deleting an event only once its competition's row is gone, and checks again
    at commit that it stayed gone (migration 0008). So the ORM first deletes what the competition holds (entries
    first: their track protects them), while the row is still there for the joins the models' orderings make;
    then the row and the events go by hand. Foreign keys are checked at commit. Stored files are the caller's to
    delete. Raises ``ProtectedError`` or ``IntegrityError`` when something else still points at the competition,
    and then nothing is deleted.
    """
    with transaction.atomic():
        Entry.objects.filter(track__competition=competition).delete()
        for relation in Competition._meta.related_objects:
            holder = relation.field.model  # the model whose foreign key points at the competition
            if holder is not AuditEvent and relation.on_delete is models.CASCADE:
                holder._base_manager.filter(**{relation.field.name: competition}).delete()
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM competitions_competition WHERE id = %s", [competition.pk])
            cursor.execute("DELETE FROM competitions_auditevent WHERE competition_id = %s", [competition.pk])
            purged = cursor.rowcount
    return purged
