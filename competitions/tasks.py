"""Celery tasks: thin wrappers that take an id, call a service and decide what to retry.

The services send these tasks by name (``competitions.services.queue``, whose names they are registered under), so
nothing below this module imports it. Queues (settings.CELERY_TASK_ROUTES): ``validate_revision`` and the sweep on
"validation", ``render_revision`` and ``render_extras`` on "rendering", so rendering can scale out on machines of
its own. Time limits are set per task in settings (CELERY_TASK_ANNOTATIONS), below the broker's visibility timeout.

The services claim each stage in the database, so a rerun, a duplicate delivery or a redelivery after a worker died
changes nothing that is done. Only transient errors (the database or broker away, a full disk, a crashed stage
process) are retried, with exponential backoff and jitter; each retry takes the stage again and counts an attempt,
so a file that keeps crashing its stage is failed after METASCENE_MAX_PROCESSING_ATTEMPTS. Everything else is
written to the revision as ``failed`` at once, and the organisers are told.
"""

import errno
import functools
import logging
import random
from collections.abc import Callable

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerError

from competitions.models import EntryRevision, Round
from competitions.pipeline.sandbox import SandboxCrashed
from competitions.selectors import dashboard
from competitions.services import exports, processing, queue, reminders, uploads

logger = logging.getLogger(__name__)

# Errors of the machine, not of the file or our code: worth another try a little later.
TRANSIENT_ERRNOS = frozenset(
    {errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EAGAIN, errno.ENOMEM, errno.EMFILE, errno.ENFILE, errno.ETIMEDOUT}
)
# Retries while the database itself is away (no attempt can be counted then); the attempt counter bounds the rest.
MAX_RETRIES = 8
BACKOFF_SECONDS = 5
BACKOFF_CAP_SECONDS = 5 * 60
# The turntable is best effort: a few tries, then the revision does without it.
EXTRAS_MAX_RETRIES = 3


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, SandboxCrashed | OperationalError | InterfaceError | BrokerError):
        return True
    return isinstance(exc, OSError) and exc.errno in TRANSIENT_ERRNOS


def backoff(retries: int) -> float:
    """Seconds before retry number ``retries + 1``: doubling from 5 s up to 5 minutes, half of it random, so that
    tasks failing together do not come back together."""
    ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_SECONDS * 2**retries)
    return ceiling / 2 + random.uniform(0, ceiling / 2)


def _exhausted(revision_id: int) -> bool:
    try:
        return processing.revision_attempts_exhausted(revision_id=revision_id)
    except DatabaseError:
        return False  # cannot tell while the database is away: retry, and the next claim counts


def _run_stage(task: Task, service: Callable[..., EntryRevision | None], revision_id: int) -> str | None:
    # A redelivered or retried message keeps its task id, so the task takes its own claim back at once.
    claim = task.request.id or processing.new_claim()
    try:
        revision = service(revision_id=revision_id, claim=claim)
    except SoftTimeLimitExceeded:
        logger.error("Processing revision %s passed its soft time limit", revision_id)
        processing.revision_fail(
            revision_id=revision_id, claim=claim, reason=processing.FAILED_TOO_LONG, detail="Soft time limit."
        )
        return EntryRevision.Status.FAILED
    except Exception as exc:
        if is_transient(exc) and task.request.retries < MAX_RETRIES and not _exhausted(revision_id):
            logger.warning("Processing revision %s hit a transient error, retrying: %r", revision_id, exc)
            raise task.retry(exc=exc, countdown=backoff(task.request.retries)) from exc
        logger.exception("Processing revision %s failed", revision_id)
        processing.revision_fail(
            revision_id=revision_id,
            claim=claim,
            reason=processing.FAILED_INTERNAL,
            detail=f"{exc!r}\n{getattr(exc, 'log', '')}",
        )
        raise
    return revision.status if revision else None


@shared_task(
    name=queue.VALIDATE_REVISION, bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=MAX_RETRIES
)
def validate_revision(self: Task, revision_id: int) -> str | None:
    """Unpack, validate and inspect an uploaded revision: rejected, or queued for rendering. A worker that renders
    too draws a GLB meanwhile and makes it ready itself (``processing.rendering_ahead``).

    Returns the revision's status, or None when there was nothing to do (already done, or a live worker has it).
    """
    validate = functools.partial(processing.revision_validate, render_here=_renders_here(self))
    return _run_stage(self, validate, revision_id)


def _renders_here(task: Task) -> bool:
    """Whether the worker running ``task`` also consumes the rendering queue (settings.CELERY_TASK_ROUTES) and may
    render while it validates (settings.METASCENE_RENDER_AHEAD)."""
    consumed = task.app.amqp.queues.consume_from or {}
    return settings.METASCENE_RENDER_AHEAD and processing.RENDERING in consumed


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=MAX_RETRIES)
def process_revision(self: Task, revision_id: int) -> str | None:
    """The name uploads were queued under before validation and rendering were split: validates, like
    ``validate_revision``, so that messages queued before an upgrade are still processed."""
    return _run_stage(self, processing.revision_validate, revision_id)


@shared_task(name=queue.RENDER_REVISION, bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=MAX_RETRIES)
def render_revision(self: Task, revision_id: int) -> str | None:
    """Render and package a validated revision, then mark it ready (and current, if newest); queues the turntable.

    Returns the revision's status, or None when there was nothing to do.
    """
    return _run_stage(self, processing.revision_render, revision_id)


# Best effort: the revision is ready without it. Acknowledged on receipt, so a worker dying here is not retried
# forever; a transient error is retried a few times.
@shared_task(
    name=queue.RENDER_EXTRAS, bind=True, acks_late=False, reject_on_worker_lost=False, max_retries=EXTRAS_MAX_RETRIES
)
def render_extras(self: Task, revision_id: int) -> bool:
    """Add the turntable to a ready revision. True when it was made; a rerun does nothing."""
    try:
        return processing.revision_render_extras(revision_id=revision_id) is not None
    except Exception as exc:
        if is_transient(exc) and self.request.retries < EXTRAS_MAX_RETRIES:
            raise self.retry(exc=exc, countdown=backoff(self.request.retries)) from exc
        logger.exception("No turntable for revision %s", revision_id)
        return False


@shared_task
def sweep_stuck_revisions() -> dict[str, list[int]]:
    """Queue again the revisions whose stage nobody is working on, and fail those out of attempts (Celery beat
    runs this every METASCENE_SWEEP_SECONDS)."""
    return processing.revisions_requeue()


@shared_task
def expire_upload_sessions() -> int:
    """Remove resumable uploads idle past their lifetime, with their partial files (Celery beat runs this hourly)."""
    return uploads.upload_sessions_expire()


@shared_task
def send_due_messages() -> dict[str, int]:
    """Send the deadline and judging reminders that are due, each once, and the emails still waiting (Celery beat
    runs this every METASCENE_MESSAGES_SECONDS). A rerun, or two at once, sends nothing twice."""
    return reminders.messages_send_due()


# An archive copies every judged file: minutes for a large competition, never hours.
@shared_task(name=queue.BUILD_EXPORT_ARCHIVE, soft_time_limit=50 * 60, time_limit=55 * 60)
def build_export_archive(job_id: int) -> str:
    """Build the ZIP of an export job (``services.exports.export_archive_build``): a rerun, or a second worker,
    does nothing once the job is claimed; a failure is recorded on the job, not retried (the organiser asks again)."""
    return exports.export_archive_build(job_id=job_id).status


@shared_task(name=queue.REFRESH_DASHBOARD_SCORES)
def refresh_dashboard_scores(round_id: int) -> bool:
    """Recompute the dashboard's score figures of a round whose sheets changed; whether the round still exists."""
    round = Round.objects.filter(pk=round_id).select_related("competition").first()
    if round is None:
        return False
    dashboard.round_scores_refresh(round=round)
    return True
