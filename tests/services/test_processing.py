"""Processing a received revision: each stage's verdict recorded, the entry's current revision kept right, a rerun
of a finished stage changing nothing, and a competition's rules turned into the pipeline's limits.

Claims, failures and the sweep have test modules of their own (``test_processing_*``)."""

from pathlib import Path
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.core.files.storage import default_storage
from metascene.celery import app as celery_app
from PIL import Image

from competitions.models import Entry, EntryRevision
from competitions.pipeline.render import is_blank
from competitions.pipeline.report import AssetRejected
from competitions.pipeline.sandbox import memory_exceeded
from competitions.services import processing
from competitions.services.processing import claims, stages
from competitions.tasks import render_revision, validate_revision
from tests.factories import CompetitionFactory

from .processing_cast import ready_and_current, received, truncated_glb

pytestmark = pytest.mark.django_db

Status = EntryRevision.Status


# --- The whole pipeline ----------------------------------------------------------------------------------------------


def test_processing_a_valid_glb_makes_the_revision_ready_with_its_statistics(entry: Entry, captain: User) -> None:
    revision = received(entry, captain)

    processing.revision_process(revision_id=revision.pk)

    revision.refresh_from_db()
    assert revision.status == Status.READY
    assert (revision.stats["triangles"], revision.stats["vertices"]) == (12, 24)
    assert revision.report == {"messages": []}
    assert revision.processed_at is not None


def stored_copy(name: str, folder: Path) -> Path:
    """A stored file copied to this disk, whether storage is the disk or an S3 bucket."""
    path = folder / Path(name).name
    with default_storage.open(name, "rb") as stored:
        path.write_bytes(stored.read())
    return path


def test_a_ready_revision_has_a_non_blank_hero_thumbnail_and_a_viewer_copy_in_storage(
    entry: Entry, captain: User, tmp_path: Path
) -> None:
    revision = received(entry, captain)

    processing.revision_process(revision_id=revision.pk)

    revision.refresh_from_db()
    folder = f"revisions/{entry.pk}/{revision.pk}"
    assert revision.artifacts["hero"] == f"{folder}/hero.webp"
    assert revision.artifacts["viewer"] == f"{folder}/viewer.glb"
    hero = stored_copy(revision.artifacts["hero"], tmp_path)
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

    with mock.patch.object(celery_app, "send_task") as queued:
        with django_capture_on_commit_callbacks(execute=True):
            processing.revision_validate(revision_id=revision.pk, claim="task-1")

    revision.refresh_from_db()
    assert (revision.status, revision.stage, revision.attempts) == (Status.RENDERING, "render", 0)
    assert (revision.claimed_by, revision.claimed_at) == ("", None)
    assert revision.stats["triangles"] == 12
    [sent] = queued.call_args_list
    assert (sent.args, sent.kwargs["args"]) == ((render_revision.name,), (revision.pk,))


def test_validation_records_each_stage_as_the_worker_reaches_it(entry: Entry, captain: User) -> None:
    revision = received(entry, captain)

    with mock.patch.object(claims, "revision_set_stage", wraps=claims.revision_set_stage) as recorded:
        processing.revision_validate(revision_id=revision.pk, claim="task-1", queue_rendering=False)

    assert [call.kwargs["stage"] for call in recorded.call_args_list] == ["unpack", "validate", "inspect"]


def test_a_file_that_breaks_a_limit_while_rendering_is_rejected_with_its_validation_report(
    entry: Entry, captain: User
) -> None:
    revision = received(entry, captain)
    processing.revision_validate(revision_id=revision.pk, claim="task-1", queue_rendering=False)
    warning = {"severity": "warning", "code": "MESH_PRIMITIVE_UNUSED_TEXCOORD", "message": "Unused UVs.", "pointer": ""}
    EntryRevision.objects.filter(pk=revision.pk).update(report={"messages": [warning]})
    too_big = AssetRejected([memory_exceeded(2048 * 2**20)])

    with mock.patch.object(stages, "run_in_sandbox", side_effect=too_big):
        processing.revision_render(revision_id=revision.pk, claim="task-2")

    revision.refresh_from_db()
    assert revision.status == Status.REJECTED
    assert [message["code"] for message in revision.report["messages"]] == [warning["code"], "LIMIT_MEMORY"]
    assert revision.stats["triangles"] == 12


def test_the_turntable_is_added_to_a_ready_revision_once(entry: Entry, captain: User, tmp_path: Path) -> None:
    revision = received(entry, captain)
    processing.revision_process(revision_id=revision.pk)

    first = processing.revision_render_extras(revision_id=revision.pk)
    second = processing.revision_render_extras(revision_id=revision.pk)

    revision.refresh_from_db()
    assert first is not None and second is None
    assert revision.artifacts["turntable"] == f"revisions/{entry.pk}/{revision.pk}/turntable.webp"
    assert revision.artifacts["hero"] == f"revisions/{entry.pk}/{revision.pk}/hero.webp"
    assert not is_blank(stored_copy(revision.artifacts["turntable"], tmp_path))


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
