"""Claims: which task holds a revision's stage. One conditional UPDATE takes a stage and counts the attempt, and
every later write of that stage is conditional on still holding the claim, so two workers never run one stage.

A claim is a short lease (METASCENE_CLAIM_LEASE_SECONDS) that the working process renews while the stage runs
(``claim_kept``): a worker that was killed stops renewing, its lease runs out within seconds, and the next task
takes the stage over, counting another attempt.
"""

import logging
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from competitions.models import EntryRevision
from competitions.services.processing.failure import FAILED_AFTER_ATTEMPTS, fail_where

logger = logging.getLogger(__name__)

Status = EntryRevision.Status
Stage = EntryRevision.Stage
# The two halves of processing, each a Celery queue and a claim of its own.
VALIDATION, RENDERING = "validation", "rendering"


def new_claim() -> str:
    """A claim for work done outside a Celery task (the demo seed, tests)."""
    return uuid.uuid4().hex


def lease_seconds(stage: str) -> int:
    """How long a claim on the stage holds after it was last renewed. The task holding it renews it every
    METASCENE_CLAIM_RENEW_SECONDS while it runs, so only a claim whose worker died (or is stuck past every limit)
    runs out."""
    return settings.METASCENE_CLAIM_LEASE_SECONDS


def revision_renew_claim(*, revision_id: int, claim: str) -> bool:
    """Extend the lease of ``claim`` on the revision's current stage; False when the task no longer holds it."""
    return (
        EntryRevision.objects.filter(pk=revision_id, claimed_by=claim)
        .exclude(status__in=EntryRevision.FINAL_STATUSES)
        .update(claimed_at=timezone.now())
        == 1
    )


@contextmanager
def claim_kept(revision_id: int, claim: str) -> Iterator[None]:
    """Renew the claim from a background thread while the block runs (the stage's sandboxed child).

    The thread lives in the process that runs the task, so a worker killed with SIGKILL (or a pool process ended by
    the hard time limit) stops renewing at once and its lease runs out. Inside a transaction (the tests'), there is
    nothing to renew for others to see, and the thread's writes would wait on the transaction's lock: no thread.
    """
    if transaction.get_connection().in_atomic_block:
        yield
        return
    stop = threading.Event()

    def renew() -> None:
        try:
            while not stop.wait(settings.METASCENE_CLAIM_RENEW_SECONDS):
                try:
                    if not revision_renew_claim(revision_id=revision_id, claim=claim):
                        return
                except DatabaseError:
                    logger.warning("Could not renew the claim on revision %s; trying again", revision_id)
        finally:
            # The thread's own connection: closed here, so no process forked later inherits it open.
            connections.close_all()

    thread = threading.Thread(target=renew, name=f"claim-{revision_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()


def free_to_take(stage: str, now: datetime, claim: str | None = None) -> Q:
    """The stage is free to take: never claimed, claimed by a worker that stopped renewing its lease (it died), or
    claimed by ``claim``."""
    free = Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - timedelta(seconds=lease_seconds(stage)))
    return free | Q(claimed_by=claim) if claim else free


def _claimable(stage: str, now: datetime, claim: str | None = None) -> Q:
    if stage == VALIDATION:
        return Q(status=Status.RECEIVED) | (Q(status=Status.VALIDATING) & free_to_take(stage, now, claim))
    return Q(status=Status.RENDERING) & free_to_take(stage, now, claim)


def revision_claim(*, revision_id: int, claim: str, stage: str = VALIDATION) -> bool:
    """Take ``stage`` of the revision for the task ``claim``, counting the attempt; False if it is not to be taken.

    One conditional UPDATE, so two workers given the same id never both work on it: validation moves a received
    revision to validating; rendering takes a revision that validation passed on. A stage held by a dead worker
    (its lease ran out) or by ``claim`` itself is taken over. A revision whose stage has
    used up its attempts is failed here instead, and the organisers are told.
    """
    if not claim:
        raise ValueError("A claim needs a non-empty task id.")
    now = timezone.now()
    claimable = Q(pk=revision_id) & _claimable(stage, now, claim)
    fields: dict[str, Any] = {"attempts": F("attempts") + 1, "claimed_by": claim, "claimed_at": now}
    if stage == VALIDATION:
        fields.update(
            status=Status.VALIDATING,
            stage=Stage.UNPACK,
            status_changed_at=Case(When(status=Status.RECEIVED, then=Value(now)), default=F("status_changed_at")),
        )
    else:
        fields["stage"] = Stage.RENDER
    max_attempts = settings.METASCENE_MAX_PROCESSING_ATTEMPTS
    if EntryRevision.objects.filter(claimable, attempts__lt=max_attempts).update(**fields) == 1:
        return True
    fail_where(
        claimable & Q(attempts__gte=max_attempts),
        reason=FAILED_AFTER_ATTEMPTS % {"attempts": max_attempts},
        detail=f"{stage} was claimed {max_attempts} times without finishing; its workers died or gave up.",
    )
    return False


def revision_set_stage(*, revision_id: int, claim: str, stage: str) -> None:
    """Show the entrant which stage the worker holding the revision has reached."""
    EntryRevision.objects.filter(pk=revision_id, claimed_by=claim).exclude(
        status__in=EntryRevision.FINAL_STATUSES
    ).update(stage=stage)


def stage_recorder(revision_id: int, claim: str) -> Callable[[dict[str, Any]], None]:
    """The sandbox's ``on_event``: records each stage the child reports while ``claim`` holds the revision."""

    def record(event: dict[str, Any]) -> None:
        if event.get("stage") in Stage.values:
            revision_set_stage(revision_id=revision_id, claim=claim, stage=event["stage"])

    return record


def revision_attempts_exhausted(*, revision_id: int) -> bool:
    """Whether the revision's current stage has used up its attempts (a retry would be failed at once)."""
    attempts = EntryRevision.objects.filter(pk=revision_id).values_list("attempts", flat=True).first()
    return attempts is not None and attempts >= settings.METASCENE_MAX_PROCESSING_ATTEMPTS
