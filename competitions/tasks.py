"""Celery tasks: thin wrappers that load by id, call a service and record the outcome on the row."""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from competitions.services import entries

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True, queue="validation")
def process_revision(revision_id: int) -> str | None:
    """Check an uploaded revision and mark it ready or rejected.

    Idempotent: the claim is a conditional UPDATE, so a rerun (or a duplicate delivery) of a revision that is
    already being processed or finished does nothing. Our own failures are written to the row as ``failed``.
    """
    try:
        revision = entries.revision_process(revision_id=revision_id)
    except SoftTimeLimitExceeded:
        entries.revision_fail(revision_id=revision_id, reason="Processing took too long and was stopped.")
        raise
    except Exception:
        logger.exception("Processing revision %s failed", revision_id)
        entries.revision_fail(revision_id=revision_id, reason="An internal error stopped processing; we were told.")
        raise
    return revision.status if revision else None
