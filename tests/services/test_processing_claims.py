"""Claims on a revision's stages: one task at a time, a lease its worker renews while the stage runs and that runs out
when the worker dies, and a file that keeps killing its workers failed instead of looped."""

import time

import pytest
from django.contrib.auth.models import User
from django.core import mail
from pytest_django.fixtures import SettingsWrapper

from competitions.models import Entry, EntryRevision
from competitions.services import processing

from .processing_cast import later, past_lease, received

pytestmark = pytest.mark.django_db

Status = EntryRevision.Status


def test_a_revision_can_be_claimed_by_only_one_task(entry: Entry, captain: User) -> None:
    revision = received(entry, captain)

    first = processing.revision_claim(revision_id=revision.pk, claim="task-1")
    second = processing.revision_claim(revision_id=revision.pk, claim="task-2")

    assert (first, second) == (True, False)
    revision.refresh_from_db()
    assert (revision.status, revision.attempts, revision.claimed_by) == (Status.VALIDATING, 1, "task-1")


def test_a_redelivered_task_takes_its_own_claim_back_counting_another_attempt(entry: Entry, captain: User) -> None:
    revision = received(entry, captain)
    processing.revision_claim(revision_id=revision.pk, claim="task-1")

    again = processing.revision_claim(revision_id=revision.pk, claim="task-1")

    revision.refresh_from_db()
    assert (again, revision.attempts) == (True, 2)


def test_a_claim_within_its_lease_is_not_taken_over(entry: Entry, captain: User) -> None:
    revision = received(entry, captain)
    processing.revision_claim(revision_id=revision.pk, claim="task-1")

    with later(processing.lease_seconds(processing.VALIDATION) - 5):
        taken = processing.revision_claim(revision_id=revision.pk, claim="task-2")

    assert taken is False


def test_a_claim_whose_lease_ran_out_is_taken_over_by_the_next_task(entry: Entry, captain: User) -> None:
    revision = received(entry, captain)
    processing.revision_claim(revision_id=revision.pk, claim="task-1")

    with past_lease(processing.VALIDATION):
        taken = processing.revision_claim(revision_id=revision.pk, claim="task-2")

    revision.refresh_from_db()
    assert (taken, revision.claimed_by, revision.attempts) == (True, "task-2", 2)


def test_a_renewed_claim_holds_past_its_first_lease(entry: Entry, captain: User) -> None:
    revision = received(entry, captain)
    processing.revision_claim(revision_id=revision.pk, claim="task-1")
    lease = processing.lease_seconds(processing.VALIDATION)

    with later(lease - 5):
        renewed = processing.revision_renew_claim(revision_id=revision.pk, claim="task-1")
    with later(lease + 5):
        taken = processing.revision_claim(revision_id=revision.pk, claim="task-2")

    assert (renewed, taken) == (True, False)


def test_a_task_that_lost_its_claim_cannot_renew_it(entry: Entry, captain: User) -> None:
    revision = received(entry, captain)
    processing.revision_claim(revision_id=revision.pk, claim="task-1")
    with past_lease(processing.VALIDATION):
        processing.revision_claim(revision_id=revision.pk, claim="task-2")

        renewed = processing.revision_renew_claim(revision_id=revision.pk, claim="task-1")

    revision.refresh_from_db()
    assert (renewed, revision.claimed_by) == (False, "task-2")


def test_only_the_task_holding_a_revision_records_its_progress(entry: Entry, captain: User) -> None:
    revision = received(entry, captain)
    processing.revision_claim(revision_id=revision.pk, claim="task-1")

    processing.revision_set_stage(revision_id=revision.pk, claim="task-2", stage="inspect")

    revision.refresh_from_db()
    assert revision.stage == "unpack"


@pytest.mark.django_db(transaction=True)
def test_the_claim_is_renewed_from_a_thread_while_the_stage_runs_and_no_longer_after(
    entry: Entry, captain: User, settings: SettingsWrapper
) -> None:
    settings.METASCENE_CLAIM_RENEW_SECONDS = 0.1
    revision = received(entry, captain)
    processing.revision_claim(revision_id=revision.pk, claim="task-1")
    claimed_at = EntryRevision.objects.get(pk=revision.pk).claimed_at

    with processing.claim_kept(revision.pk, "task-1"):
        time.sleep(0.6)
    renewed_at = EntryRevision.objects.get(pk=revision.pk).claimed_at
    time.sleep(0.4)

    assert claimed_at is not None and renewed_at is not None
    assert renewed_at > claimed_at
    assert EntryRevision.objects.get(pk=revision.pk).claimed_at == renewed_at


def test_claiming_a_revision_that_does_not_exist_claims_nothing(db: None) -> None:
    assert processing.revision_claim(revision_id=999_999, claim="task-1") is False


def test_rendering_cannot_be_claimed_before_validation_passed_the_file(entry: Entry, captain: User) -> None:
    revision = received(entry, captain)

    taken = processing.revision_claim(revision_id=revision.pk, claim="task-1", stage=processing.RENDERING)

    revision.refresh_from_db()
    assert (taken, revision.status) == (False, Status.RECEIVED)


def test_a_revision_whose_workers_keep_dying_is_failed_after_three_attempts(
    entry: Entry, captain: User, organiser: User, django_capture_on_commit_callbacks
) -> None:
    # Given a file whose validation killed three workers in a row, each claim left to go stale
    revision = received(entry, captain)
    for attempt in range(3):
        with later(attempt * (processing.lease_seconds(processing.VALIDATION) + 1)):
            assert processing.revision_claim(revision_id=revision.pk, claim=f"task-{attempt}")

    # When the next task comes for it
    with later(3 * (processing.lease_seconds(processing.VALIDATION) + 1)):
        with django_capture_on_commit_callbacks(execute=True):
            taken = processing.revision_claim(revision_id=revision.pk, claim="task-3")

    # Then it is failed, not tried a fourth time, and the organisers are told
    revision.refresh_from_db()
    assert (taken, revision.status, revision.attempts) == (False, Status.FAILED, 3)
    assert revision.report["messages"][-1]["code"] == "PROCESSING_FAILED"
    assert [message.to for message in mail.outbox] == [[organiser.email]]
