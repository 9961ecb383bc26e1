"""Processing a received revision: each stage claimed once, a verdict recorded, the entry's current revision kept
right, stuck revisions found again, and a file that keeps killing its worker failed instead of looped."""

import time
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core import mail
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image

from competitions.models import Entry, EntryRevision
from competitions.pipeline.render import is_blank
from competitions.pipeline.report import AssetRejected
from competitions.pipeline.samples import box_glb
from competitions.pipeline.sandbox import SandboxCrashed, memory_exceeded
from competitions.services import entries, processing
from competitions.tasks import render_revision, validate_revision
from tests.factories import CompetitionFactory, EntryRevisionFactory, UserFactory

from .conftest import glb_upload

pytestmark = pytest.mark.django_db

Status = EntryRevision.Status


def received(entry: Entry, user: User, content: bytes | None = None) -> EntryRevision:
    return entries.revision_receive(entry=entry, user=user, upload=glb_upload(content))


def ready_and_current(entry: Entry) -> EntryRevision:
    """A revision processed earlier: ready, and the entry's current revision."""
    number = (entry.revisions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    revision = EntryRevisionFactory(entry=entry, number=number, status=Status.READY, stats={"triangles": 12})
    Entry.objects.filter(pk=entry.pk).update(current_revision=revision)
    return revision


def truncated_glb() -> bytes:
    return box_glb()[:-100]


def later(seconds: float) -> time_machine.travel:
    """Travel ``seconds`` ahead of now, without the clock ticking, as if the worker had been gone that long."""
    return time_machine.travel(timezone.now() + timedelta(seconds=seconds), tick=False)


def past_lease(stage: str) -> time_machine.travel:
    return later(processing.lease_seconds(stage) + 1)


@pytest.fixture
def organiser(db: None) -> User:
    return UserFactory(username="organiser@example.com", is_staff=True)


# --- The whole pipeline ----------------------------------------------------------------------------------------------


def test_processing_a_valid_glb_makes_the_revision_ready_with_its_statistics(entry: Entry, captain: User) -> None:
    revision = received(entry, captain)

    processing.revision_process(revision_id=revision.pk)

    revision.refresh_from_db()
    assert revision.status == Status.READY
    assert (revision.stats["triangles"], revision.stats["vertices"]) == (12, 24)
    assert revision.report == {"messages": []}
    assert revision.processed_at is not None


def test_a_ready_revision_has_a_non_blank_hero_thumbnail_and_a_viewer_copy_in_storage(
    entry: Entry, captain: User
) -> None:
    revision = received(entry, captain)

    processing.revision_process(revision_id=revision.pk)

    revision.refresh_from_db()
    folder = f"revisions/{entry.pk}/{revision.pk}"
    assert revision.artifacts["hero"] == f"{folder}/hero.webp"
    assert revision.artifacts["viewer"] == f"{folder}/viewer.glb"
    hero = Path(default_storage.path(revision.artifacts["hero"]))
    assert Image.open(hero).size == (1280, 720)
    assert not is_blank(hero)
    assert default_storage.open(revision.artifacts["viewer"]).read(4) == b"glTF"


def test_a_ready_revision_becomes_the_entrys_current_revision(entry: Entry, captain: User) -> None:
    revision = received(entry, captain)

    processing.revision_process(revision_id=revision.pk)

    entry.refresh_from_db()
    assert entry.current_revision == revision


def test_processing_a_truncated_glb_rejects_it_with_the_validators_message(entry: Entry, captain: User) -> None:
    revision = received(entry, captain, truncated_glb())

    processing.revision_process(revision_id=revision.pk)

    revision.refresh_from_db()
    assert revision.status == Status.REJECTED
    [message] = revision.report["messages"]
    assert (message["severity"], message["code"]) == ("error", "GLB_UNEXPECTED_END_OF_CHUNK_DATA")
    assert "truncated" in message["message"]
    assert revision.artifacts == {}


def test_a_rejected_revision_leaves_the_previous_ready_one_current(entry: Entry, captain: User) -> None:
    good = ready_and_current(entry)
    bad = received(entry, captain, truncated_glb())

    processing.revision_process(revision_id=bad.pk)

    entry.refresh_from_db()
    assert entry.current_revision == good


def test_a_newer_ready_revision_replaces_the_current_one(entry: Entry, captain: User) -> None:
    ready_and_current(entry)
    second = received(entry, captain)

    processing.revision_process(revision_id=second.pk)

    entry.refresh_from_db()
    assert entry.current_revision == second


def test_an_older_revision_finishing_late_does_not_replace_a_newer_current_one(entry: Entry, captain: User) -> None:
    older = received(entry, captain)
    newer = ready_and_current(entry)

    processing.revision_process(revision_id=older.pk)

    entry.refresh_from_db()
    assert entry.current_revision == newer


def test_processing_a_finished_revision_again_changes_nothing(entry: Entry, captain: User) -> None:
    revision = received(entry, captain)
    processing.revision_process(revision_id=revision.pk)
    revision.refresh_from_db()

    outcome = processing.revision_process(revision_id=revision.pk)

    again = EntryRevision.objects.get(pk=revision.pk)
    assert outcome is None
    assert (again.status, again.attempts, again.processed_at, again.status_changed_at, again.artifacts) == (
        revision.status,
        1,
        revision.processed_at,
        revision.status_changed_at,
        revision.artifacts,
    )


# --- Validation ------------------------------------------------------------------------------------------------------


def test_validation_passes_a_good_file_on_to_rendering_and_queues_it_after_commit(
    entry: Entry, captain: User, django_capture_on_commit_callbacks
) -> None:
    revision = received(entry, captain)

    with mock.patch.object(render_revision, "delay") as queued:
        with django_capture_on_commit_callbacks(execute=True):
            processing.revision_validate(revision_id=revision.pk, claim="task-1")

    revision.refresh_from_db()
    assert (revision.status, revision.stage, revision.attempts) == (Status.RENDERING, "render", 0)
    assert (revision.claimed_by, revision.claimed_at) == ("", None)
    assert revision.stats["triangles"] == 12
    queued.assert_called_once_with(revision.pk)


def test_validation_records_each_stage_as_the_worker_reaches_it(entry: Entry, captain: User) -> None:
    revision = received(entry, captain)

    with mock.patch.object(processing, "revision_set_stage", wraps=processing.revision_set_stage) as recorded:
        processing.revision_validate(revision_id=revision.pk, claim="task-1", queue_rendering=False)

    assert [call.kwargs["stage"] for call in recorded.call_args_list] == ["unpack", "validate", "inspect"]


def test_only_the_task_holding_a_revision_records_its_progress(entry: Entry, captain: User) -> None:
    revision = received(entry, captain)
    processing.revision_claim(revision_id=revision.pk, claim="task-1")

    processing.revision_set_stage(revision_id=revision.pk, claim="task-2", stage="inspect")

    revision.refresh_from_db()
    assert revision.stage == "unpack"


def test_a_file_that_breaks_a_limit_while_rendering_is_rejected_with_its_validation_report(
    entry: Entry, captain: User
) -> None:
    revision = received(entry, captain)
    processing.revision_validate(revision_id=revision.pk, claim="task-1", queue_rendering=False)
    warning = {"severity": "warning", "code": "MESH_PRIMITIVE_UNUSED_TEXCOORD", "message": "Unused UVs.", "pointer": ""}
    EntryRevision.objects.filter(pk=revision.pk).update(report={"messages": [warning]})
    too_big = AssetRejected([memory_exceeded(2048 * 2**20)])

    with mock.patch.object(processing, "run_in_sandbox", side_effect=too_big):
        processing.revision_render(revision_id=revision.pk, claim="task-2")

    revision.refresh_from_db()
    assert revision.status == Status.REJECTED
    assert [message["code"] for message in revision.report["messages"]] == [warning["code"], "LIMIT_MEMORY"]
    assert revision.stats["triangles"] == 12


def test_the_turntable_is_added_to_a_ready_revision_once(entry: Entry, captain: User) -> None:
    revision = received(entry, captain)
    processing.revision_process(revision_id=revision.pk)

    first = processing.revision_render_extras(revision_id=revision.pk)
    second = processing.revision_render_extras(revision_id=revision.pk)

    revision.refresh_from_db()
    assert first is not None and second is None
    assert revision.artifacts["turntable"] == f"revisions/{entry.pk}/{revision.pk}/turntable.webp"
    assert revision.artifacts["hero"] == f"revisions/{entry.pk}/{revision.pk}/hero.webp"
    assert not is_blank(Path(default_storage.path(revision.artifacts["turntable"])))


# --- Claims ----------------------------------------------------------------------------------------------------------


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


@pytest.mark.django_db(transaction=True)
def test_the_claim_is_renewed_from_a_thread_while_the_stage_runs_and_no_longer_after(
    entry: Entry, captain: User, settings
) -> None:
    settings.METASCENE_CLAIM_RENEW_SECONDS = 0.1
    revision = received(entry, captain)
    processing.revision_claim(revision_id=revision.pk, claim="task-1")
    claimed_at = EntryRevision.objects.get(pk=revision.pk).claimed_at

    with processing.claim_kept(revision.pk, "task-1"):
        time.sleep(0.6)
    renewed_at = EntryRevision.objects.get(pk=revision.pk).claimed_at
    time.sleep(0.4)

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


# --- Failure ---------------------------------------------------------------------------------------------------------


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


# --- The sweep -------------------------------------------------------------------------------------------------------


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


# --- Tasks -----------------------------------------------------------------------------------------------------------


def test_the_validation_task_run_twice_validates_once(entry: Entry, captain: User) -> None:
    revision = received(entry, captain)

    first = validate_revision(revision.pk)
    second = validate_revision(revision.pk)

    assert (first, second) == (Status.RENDERING, None)
    assert EntryRevision.objects.get(pk=revision.pk).stats["triangles"] == 12


def test_the_rendering_task_run_twice_renders_once(entry: Entry, captain: User) -> None:
    revision = received(entry, captain)
    validate_revision(revision.pk)

    first = render_revision(revision.pk)
    ready = EntryRevision.objects.get(pk=revision.pk)
    second = render_revision(revision.pk)

    again = EntryRevision.objects.get(pk=revision.pk)
    assert (first, second) == (Status.READY, None)
    assert (again.attempts, again.processed_at, again.artifacts) == (1, ready.processed_at, ready.artifacts)


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

    with mock.patch.object(processing, "run_in_sandbox", side_effect=crash) as sandbox:
        with django_capture_on_commit_callbacks(execute=True):
            result = validate_revision.apply(args=(revision.pk,), task_id="task-1")

    revision.refresh_from_db()
    assert (sandbox.call_count, revision.attempts, revision.status) == (3, 3, Status.FAILED)
    assert isinstance(result.result, SandboxCrashed)
    assert [message.to for message in mail.outbox] == [[organiser.email]]


# --- Limits ----------------------------------------------------------------------------------------------------------


def test_limits_for_a_competition_carry_its_asset_rules(db: None) -> None:
    competition = CompetitionFactory(
        max_triangles=5000,
        max_texture_size=1024,
        allowed_formats=["glb", "stl"],
        allowed_extensions=["KHR_materials_unlit"],
        validation_policy="lenient",
    )

    limits = processing.limits_for(competition)

    assert (limits.max_triangles, limits.max_texture_size, limits.formats) == (5000, 1024, ("glb", "stl"))
    assert (limits.allowed_extensions, limits.policy) == (("KHR_materials_unlit",), "lenient")


def test_limits_without_a_competition_are_a_new_competitions_defaults() -> None:
    limits = processing.limits_for(None)

    assert (limits.max_upload_bytes, limits.max_triangles, limits.policy) == (500 * 2**20, 2_000_000, "strict")
    assert (limits.formats, limits.allowed_extensions) == (("glb", "gltf"), None)
