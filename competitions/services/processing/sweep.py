"""The sweep: revisions whose stage nobody is working on are queued again, and those out of attempts are failed.
Celery beat runs it every METASCENE_SWEEP_SECONDS (``competitions.tasks.sweep_stuck_revisions``)."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from competitions.models import EntryRevision
from competitions.services import queue
from competitions.services.processing.claims import RENDERING, VALIDATION, free_to_take
from competitions.services.processing.failure import FAILED_AFTER_ATTEMPTS, fail_where

logger = logging.getLogger(__name__)

Status = EntryRevision.Status
# The task that runs each stage, and the statuses a revision waiting for it has.
STAGE_TASKS = {VALIDATION: queue.VALIDATE_REVISION, RENDERING: queue.RENDER_REVISION}
STAGE_STATUSES = {VALIDATION: (Status.RECEIVED, Status.VALIDATING), RENDERING: (Status.RENDERING,)}


def revisions_requeue(*, now: datetime | None = None) -> dict[str, list[int]]:
    """Queue again every revision whose current stage nobody is working on, and fail those out of attempts.

    Stuck means: received, or validated and waiting for rendering, and queued longer than
    METASCENE_REQUEUE_AFTER_SECONDS ago without a worker claiming it (the message was lost: a broker that was down,
    or a filesystem broker whose worker was killed); or claimed by a worker that died (its lease ran out without
    being renewed) and not queued again since. Returns {stage: revision ids queued}; the tasks
    are sent after commit.
    """
    now = now or timezone.now()
    requeue_before = now - timedelta(seconds=settings.METASCENE_REQUEUE_AFTER_SECONDS)
    max_attempts = settings.METASCENE_MAX_PROCESSING_ATTEMPTS
    queued: dict[str, list[int]] = {}
    with transaction.atomic():
        for stage, statuses in STAGE_STATUSES.items():
            due = Q(last_queued__lt=requeue_before) | Q(claimed_at__isnull=False, last_queued__lte=F("claimed_at"))
            stuck = (
                EntryRevision.objects.annotate(last_queued=Coalesce("queued_at", "created_at"))
                .filter(Q(status__in=statuses) & free_to_take(stage, now))
                .filter(due)
            )
            for revision_id in stuck.filter(attempts__gte=max_attempts).values_list("pk", flat=True):
                fail_where(
                    Q(pk=revision_id) & Q(status__in=statuses) & free_to_take(stage, now),
                    reason=FAILED_AFTER_ATTEMPTS % {"attempts": max_attempts},
                    detail=f"{stage} was claimed {max_attempts} times without finishing; its workers died.",
                )
            ids = list(stuck.filter(attempts__lt=max_attempts).values_list("pk", flat=True))
            EntryRevision.objects.filter(pk__in=ids).update(queued_at=now)
            queued[stage] = ids

        def send() -> None:
            for stage, ids in queued.items():
                for revision_id in ids:
                    queue.revision_task_send(STAGE_TASKS[stage], revision_id)

        transaction.on_commit(send)
    if any(queued.values()):
        logger.warning("Queued stuck revisions again: %s", queued)
    return queued
