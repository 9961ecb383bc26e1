"""Re-running the pipeline on a finished revision, by an organiser: after a fix on our side (a failed revision), a
validator upgrade (a rejected one) or new thumbnails (a ready one).

The revision goes back to received, as if it had just arrived, and its validation is queued after commit. Its
``received_at`` is kept: the deadline counts the arrival of the file, not its processing. One conditional UPDATE
does it, only while the revision is finished and no live worker holds a claim on it (a claim whose lease has not
run out, the turntable's included), so a re-run never races a worker; such a revision is left alone. A revision
frozen in a judging round is never re-run: judges see what it was when the round opened.
"""

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from competitions.exceptions import ErrorCode, RuleError
from competitions.models import Competition, Entry, EntryRevision, RoundEntry
from competitions.services import queue
from competitions.services.audit import record
from competitions.services.processing.claims import VALIDATION, free_to_take

Status = EntryRevision.Status


def _rerunnable(revisions: QuerySet[EntryRevision]) -> QuerySet[EntryRevision]:
    """The finished revisions of ``revisions`` that no live worker holds and no round froze."""
    frozen = RoundEntry.objects.filter(revision=OuterRef("pk"))
    return revisions.filter(
        Q(status__in=EntryRevision.FINAL_STATUSES) & free_to_take(VALIDATION, timezone.now())
    ).exclude(Exists(frozen))


def _reset(revision_ids: list[int]) -> int:
    """Back to received, with nothing of the earlier run left on the row but its arrival; validation queued after
    commit. Call it inside a transaction, with the rows locked."""
    now = timezone.now()
    reset = _rerunnable(EntryRevision.objects.filter(pk__in=revision_ids)).update(
        status=Status.RECEIVED,
        stage="",
        report={},
        stats={},
        artifacts={},
        attempts=0,
        claimed_by="",
        claimed_at=None,
        queued_at=now,
        status_changed_at=now,
        processed_at=None,
    )

    def send() -> None:
        for revision_id in revision_ids:
            queue.revision_task_send(queue.VALIDATE_REVISION, revision_id)

    transaction.on_commit(send)
    return reset


def _step_back_current(revision: EntryRevision) -> None:
    """A ready revision being re-run is no longer the entry's current file: the newest other ready one is, until it
    is ready again (``stages._mark_ready`` makes it current again when it is the newest)."""
    previous = (
        EntryRevision.objects.filter(entry_id=revision.entry_id, status=Status.READY)
        .exclude(pk=revision.pk)
        .order_by("-number")
        .first()
    )
    Entry.objects.filter(pk=revision.entry_id, current_revision_id=revision.pk).update(
        current_revision=previous, updated_at=timezone.now()
    )


@transaction.atomic
def revision_rerun(*, revision: EntryRevision, actor: User) -> EntryRevision:
    """Process ``revision`` again from the start (see the module's docstring). Locks the revision's row; refuses a
    revision still being processed, held by a live worker or frozen in a round. Audited ("revision.rerun", with
    the status it had)."""
    locked = (
        EntryRevision.objects.select_for_update(of=("self",))
        .select_related("entry__team__competition")
        .get(pk=revision.pk)
    )
    if not _rerunnable(EntryRevision.objects.filter(pk=locked.pk)).exists():
        raise RuleError(
            _("Only a finished file that no worker is processing and no round has frozen can be processed again."),
            code=ErrorCode.NOT_RERUNNABLE,
        )
    before = locked.status
    if before == Status.READY:
        _step_back_current(locked)
    _reset([locked.pk])
    record(
        competition=locked.entry.team.competition,
        actor=actor,
        action="revision.rerun",
        target=locked,
        data={"revision": locked.pk, "entry": locked.entry_id, "number": locked.number, "before": before},
    )
    return EntryRevision.objects.get(pk=locked.pk)


@transaction.atomic
def revisions_rerun_failed(*, competition: Competition, actor: User) -> list[int]:
    """Process every failed revision of ``competition`` again, as ``revision_rerun`` does (those a live worker
    holds are left alone). Locks the revisions' rows. Audited once ("revision.rerun_failed", with their ids) when
    there is any. Returns the ids of the revisions re-run."""
    failed = EntryRevision.objects.filter(entry__track__competition=competition, status=Status.FAILED)
    ids = sorted(_rerunnable(failed).select_for_update(of=("self",)).values_list("pk", flat=True))
    if not ids:
        return []
    _reset(ids)
    record(
        competition=competition,
        actor=actor,
        action="revision.rerun_failed",
        target=competition,
        data={"revisions": ids, "count": len(ids)},
    )
    return ids
