"""Failures that are ours, not the file's: recorded on the revision with the report so far, the entry's current
revision kept, the organisers emailed after commit, and a stage that keeps crashing retried, then failed."""

from pathlib import Path
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.core import mail

from competitions.models import Entry, EntryRevision
from competitions.pipeline.sandbox import SandboxCrashed
from competitions.services import processing
from competitions.services.processing import stages
from competitions.tasks import validate_revision

from .processing_cast import ready_and_current, received

pytestmark = pytest.mark.django_db

Status = EntryRevision.Status


# --- The service -----------------------------------------------------------------------------------------------------


def test_a_failure_keeps_the_current_revision_and_the_report_so_far(entry: Entry, captain: User) -> None:
    good = ready_and_current(entry)
    broken = received(entry, captain)
    EntryRevision.objects.filter(pk=broken.pk).update(
        status=Status.RENDERING, report={"messages": [{"code": "SOME_WARNING"}]}
    )

    processing.revision_fail(revision_id=broken.pk, reason="Our storage failed.")

    broken.refresh_from_db()
    entry.refresh_from_db()
    assert broken.status == Status.FAILED
    assert [message["code"] for message in broken.report["messages"]] == ["SOME_WARNING", "PROCESSING_FAILED"]
    assert entry.current_revision == good


def test_a_failure_is_emailed_to_the_organisers_after_commit(
    entry: Entry, captain: User, organiser: User, django_capture_on_commit_callbacks
) -> None:
    revision = received(entry, captain)

    with django_capture_on_commit_callbacks() as callbacks:
        processing.revision_fail(revision_id=revision.pk, reason="Our storage failed.")
        assert mail.outbox == []
    for callback in callbacks:
        callback()

    [message] = mail.outbox
    assert message.to == [organiser.email]
    assert "Our storage failed." in message.body


# --- The task --------------------------------------------------------------------------------------------------------


def test_the_task_records_an_unexpected_error_as_failed_and_keeps_the_current_revision(
    entry: Entry, captain: User
) -> None:
    good = ready_and_current(entry)
    broken = received(entry, captain)
    Path(broken.file.path).unlink()  # our storage lost the file: not the entrant's fault

    with pytest.raises(FileNotFoundError):
        validate_revision(broken.pk)

    broken.refresh_from_db()
    entry.refresh_from_db()
    assert (broken.status, broken.attempts) == (Status.FAILED, 1)
    assert broken.report["messages"][-1]["code"] == "PROCESSING_FAILED"
    assert entry.current_revision == good


def test_a_stage_process_that_keeps_crashing_is_retried_then_failed_after_three_attempts(
    entry: Entry, captain: User, organiser: User, django_capture_on_commit_callbacks
) -> None:
    # Given a file whose stage process dies of a segfault every time (retries run at once when applied locally)
    revision = received(entry, captain)
    crash = SandboxCrashed("The stage's process died of SIGSEGV.")

    with mock.patch.object(stages, "run_in_sandbox", side_effect=crash) as sandbox:
        with django_capture_on_commit_callbacks(execute=True):
            result = validate_revision.apply(args=(revision.pk,), task_id="task-1")

    revision.refresh_from_db()
    assert (sandbox.call_count, revision.attempts, revision.status) == (3, 3, Status.FAILED)
    assert isinstance(result.result, SandboxCrashed)
    assert [message.to for message in mail.outbox] == [[organiser.email]]
