"""The sweep: revisions whose stage nobody is working on are queued again, once per period, and those out of
attempts are failed; revisions received a moment ago or held by a live worker are left alone."""

import pytest
from django.contrib.auth.models import User

from competitions.models import Entry, EntryRevision
from competitions.services import processing

from .processing_cast import later, past_lease, received

pytestmark = pytest.mark.django_db

Status = EntryRevision.Status


def test_the_sweep_leaves_a_freshly_received_revision_alone(entry: Entry, captain: User) -> None:
    received(entry, captain)

    queued = processing.revisions_requeue()

    assert queued == {"validation": [], "rendering": []}


def test_the_sweep_queues_again_a_received_revision_nobody_claimed_in_time(
    entry: Entry, captain: User, settings
) -> None:
    revision = received(entry, captain)

    with later(settings.METASCENE_REQUEUE_AFTER_SECONDS + 1):
        queued = processing.revisions_requeue()

    assert queued == {"validation": [revision.pk], "rendering": []}


def test_the_sweep_queues_again_a_revision_whose_rendering_worker_died(entry: Entry, captain: User) -> None:
    revision = received(entry, captain)
    processing.revision_validate(revision_id=revision.pk, claim="task-1", queue_rendering=False)
    processing.revision_claim(revision_id=revision.pk, claim="task-2", stage=processing.RENDERING)

    with past_lease(processing.RENDERING):
        queued = processing.revisions_requeue()

    assert queued == {"validation": [], "rendering": [revision.pk]}


def test_the_sweep_leaves_a_revision_a_live_worker_is_rendering_alone(entry: Entry, captain: User) -> None:
    revision = received(entry, captain)
    processing.revision_validate(revision_id=revision.pk, claim="task-1", queue_rendering=False)
    processing.revision_claim(revision_id=revision.pk, claim="task-2", stage=processing.RENDERING)

    queued = processing.revisions_requeue()

    assert queued == {"validation": [], "rendering": []}


def test_the_sweep_queues_a_stuck_revision_once_per_period(entry: Entry, captain: User) -> None:
    revision = received(entry, captain)
    processing.revision_claim(revision_id=revision.pk, claim="task-1")

    with past_lease(processing.VALIDATION):
        first = processing.revisions_requeue()
        second = processing.revisions_requeue()

    assert (first["validation"], second["validation"]) == ([revision.pk], [])


def test_the_sweep_fails_a_stuck_revision_out_of_attempts(entry: Entry, captain: User, settings) -> None:
    revision = received(entry, captain)
    processing.revision_claim(revision_id=revision.pk, claim="task-1")
    EntryRevision.objects.filter(pk=revision.pk).update(attempts=settings.METASCENE_MAX_PROCESSING_ATTEMPTS)

    with past_lease(processing.VALIDATION):
        queued = processing.revisions_requeue()

    revision.refresh_from_db()
    assert (queued["validation"], revision.status) == ([], Status.FAILED)
