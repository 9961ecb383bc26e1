"""Processing a received revision: claimed once, a verdict recorded, and the entry's current revision kept right."""

from pathlib import Path

import pytest
from django.contrib.auth.models import User

from competitions.models import Entry, EntryRevision
from competitions.pipeline.samples import box_glb
from competitions.services import entries
from competitions.tasks import process_revision

from .conftest import glb_upload

pytestmark = pytest.mark.django_db

Status = EntryRevision.Status


def received(entry: Entry, user: User, content: bytes | None = None) -> EntryRevision:
    return entries.revision_receive(entry=entry, user=user, upload=glb_upload(content))


def truncated_glb() -> bytes:
    return box_glb()[:-100]


def test_processing_a_valid_glb_makes_the_revision_ready_with_its_statistics(entry: Entry, captain: User) -> None:
    revision = received(entry, captain)

    entries.revision_process(revision_id=revision.pk)

    revision.refresh_from_db()
    assert revision.status == Status.READY
    assert (revision.stats["triangles"], revision.stats["vertices"]) == (12, 24)
    assert revision.report == {"messages": []}
    assert revision.processed_at is not None


def test_a_ready_revision_becomes_the_entrys_current_revision(entry: Entry, captain: User) -> None:
    revision = received(entry, captain)

    entries.revision_process(revision_id=revision.pk)

    entry.refresh_from_db()
    assert entry.current_revision == revision


def test_processing_a_truncated_glb_rejects_it_for_its_length(entry: Entry, captain: User) -> None:
    revision = received(entry, captain, truncated_glb())

    entries.revision_process(revision_id=revision.pk)

    revision.refresh_from_db()
    assert revision.status == Status.REJECTED
    assert [message["code"] for message in revision.report["messages"]] == ["GLB_LENGTH_MISMATCH"]


def test_a_rejected_revision_leaves_the_previous_ready_one_current(entry: Entry, captain: User) -> None:
    good = received(entry, captain)
    entries.revision_process(revision_id=good.pk)
    bad = received(entry, captain, truncated_glb())

    entries.revision_process(revision_id=bad.pk)

    entry.refresh_from_db()
    assert entry.current_revision == good


def test_a_newer_ready_revision_replaces_the_current_one(entry: Entry, captain: User) -> None:
    first = received(entry, captain)
    entries.revision_process(revision_id=first.pk)
    second = received(entry, captain)

    entries.revision_process(revision_id=second.pk)

    entry.refresh_from_db()
    assert entry.current_revision == second


def test_an_older_revision_finishing_late_does_not_replace_a_newer_current_one(entry: Entry, captain: User) -> None:
    older = received(entry, captain)
    newer = received(entry, captain)
    entries.revision_process(revision_id=newer.pk)

    entries.revision_process(revision_id=older.pk)

    entry.refresh_from_db()
    assert entry.current_revision == newer


def test_processing_a_finished_revision_again_changes_nothing(entry: Entry, captain: User) -> None:
    revision = received(entry, captain)
    entries.revision_process(revision_id=revision.pk)
    revision.refresh_from_db()

    outcome = entries.revision_process(revision_id=revision.pk)

    again = EntryRevision.objects.get(pk=revision.pk)
    assert outcome is None
    assert (again.status, again.attempts, again.processed_at, again.status_changed_at, again.report) == (
        revision.status,
        1,
        revision.processed_at,
        revision.status_changed_at,
        revision.report,
    )


def test_a_revision_can_be_claimed_only_once(entry: Entry, captain: User) -> None:
    revision = received(entry, captain)

    first = entries.revision_claim(revision_id=revision.pk)
    second = entries.revision_claim(revision_id=revision.pk)

    assert (first, second) == (True, False)
    revision.refresh_from_db()
    assert (revision.status, revision.attempts) == (Status.VALIDATING, 1)


def test_claiming_a_revision_that_does_not_exist_claims_nothing(db: None) -> None:
    assert entries.revision_claim(revision_id=999_999) is False


def test_the_task_records_an_unexpected_error_as_failed_and_keeps_the_current_revision(
    entry: Entry, captain: User
) -> None:
    good = received(entry, captain)
    entries.revision_process(revision_id=good.pk)
    broken = received(entry, captain)
    Path(broken.file.path).unlink()  # our storage lost the file: not the entrant's fault

    with pytest.raises(FileNotFoundError):
        process_revision(broken.pk)

    broken.refresh_from_db()
    entry.refresh_from_db()
    assert broken.status == Status.FAILED
    assert broken.report["messages"][0]["code"] == "PROCESSING_FAILED"
    assert entry.current_revision == good


def test_the_task_run_twice_processes_once(entry: Entry, captain: User) -> None:
    revision = received(entry, captain)

    first = process_revision(revision.pk)
    second = process_revision(revision.pk)

    assert (first, second) == (Status.READY, None)
    assert EntryRevision.objects.get(pk=revision.pk).attempts == 1
