"""The append-only audit log: every create, change, submit and reopen of a score, every rubric, panel,
assignment and publication change, written in the same transaction as the change itself."""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, models, transaction

from competitions.models import AuditEvent, Competition


def record(
    *,
    competition: Competition,
    actor: AbstractBaseUser | None,
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


def purge(*, competition: Competition) -> int:
    """Delete every audit event of ``competition``, for deleting the competition itself (a demo reset, the end of
    a retention period): the only deletion the log allows. Returns how many events went."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL metascene.audit_purge = 'on'")
            cursor.execute("DELETE FROM competitions_auditevent WHERE competition_id = %s", [competition.pk])
            return cursor.rowcount
