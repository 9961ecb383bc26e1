"""A stage that hangs (its process waits forever, using no CPU) is stopped by the sandbox's wall clock and treated as
our fault: the task retries it, and after METASCENE_MAX_PROCESSING_ATTEMPTS the revision is failed and the
organisers are emailed. The file is never blamed for it.

The real sandbox runs a job that sleeps (tests/pipeline/sandbox_jobs.py) in place of the stage's own, under the
validation stage's wall-clock limit, set to one second here.
"""

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.core import mail
from pytest_django.fixtures import SettingsWrapper

from competitions.models import Entry, EntryRevision
from competitions.pipeline.sandbox import Budget, Finished, SandboxHung, run_in_sandbox
from competitions.services import entries
from competitions.services.processing import stages
from competitions.tasks import is_transient, validate_revision
from tests.factories import UserFactory

from .conftest import glb_upload

pytestmark = pytest.mark.django_db

Status = EntryRevision.Status


def hanging_stage(target: str, payload: dict[str, Any], budget: Budget, *, workdir: Path, **options: Any) -> Finished:
    """The stage's sandbox call, running a job that sleeps for ten minutes instead of the stage's own."""
    return run_in_sandbox("tests.pipeline.sandbox_jobs:sleep", {"seconds": 600}, budget, workdir=workdir)


@pytest.fixture
def one_second_stages(settings: SettingsWrapper) -> None:
    limits = {"stage": 1, "soft": 60, "hard": 70}
    settings.METASCENE_STAGE_TIME_LIMITS = {"validation": limits, "rendering": limits}


def test_a_hung_stage_is_a_transient_error_the_tasks_retry(tmp_path: Path) -> None:
    with pytest.raises(SandboxHung) as hang:
        hanging_stage("", {}, Budget(memory_bytes=1024**3, cpu_seconds=10, wall_seconds=1), workdir=tmp_path)

    assert is_transient(hang.value)


def test_a_revision_whose_stage_hangs_every_time_is_retried_then_failed_and_the_organisers_are_told(
    entry: Entry,
    captain: User,
    one_second_stages: None,
    django_capture_on_commit_callbacks,
    record_property: Callable[[str, object], None],
) -> None:
    # Given an organiser, and a revision whose validation hangs on every attempt
    organiser = UserFactory(username="organiser@example.com", is_staff=True)
    revision = entries.revision_receive(entry=entry, user=captain, upload=glb_upload())

    # When the validation task runs it (retries run at once when applied locally)
    started = time.monotonic()
    with mock.patch.object(stages, "run_in_sandbox", side_effect=hanging_stage) as sandbox:
        with django_capture_on_commit_callbacks(execute=True):
            result = validate_revision.apply(args=(revision.pk,), task_id="task-1")

    record_property("recovery_seconds", time.monotonic() - started)  # for bench/faults.py

    # Then it was tried three times, failed as our fault, never rejected, and the organisers were emailed
    revision.refresh_from_db()
    assert (sandbox.call_count, revision.attempts, revision.status) == (3, 3, Status.FAILED)
    assert isinstance(result.result, SandboxHung)
    codes = [message["code"] for message in revision.report["messages"]]
    assert codes == ["PROCESSING_FAILED"]
    assert "not in your file" in revision.report["messages"][-1]["message"]
    [email] = mail.outbox
    assert email.to == [organiser.email]
    assert "hung" in email.body
