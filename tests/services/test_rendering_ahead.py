"""A worker that renders too draws a GLB while validating it: ready in the one task when the file passes, nothing
kept when it is rejected, and the usual rendering task queued when drawing ahead fails."""

from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.core.files.storage import default_storage
from metascene.celery import app as celery_app
from pytest_django.fixtures import SettingsWrapper

from competitions import tasks
from competitions.models import Entry, EntryRevision
from competitions.pipeline.gltf_io import parse_glb
from competitions.pipeline.samples import box_glb, embedded_gltf, grid_scene_glb
from competitions.pipeline.sandbox import SandboxCrashed
from competitions.services import entries, processing
from competitions.services.processing import rendering_ahead
from competitions.tasks import render_extras, render_revision

from .conftest import glb_upload
from .processing_cast import received, truncated_glb

pytestmark = pytest.mark.django_db

Status = EntryRevision.Status


def test_a_glb_that_passes_is_ready_with_views_and_compressed_copies_after_validation_alone(
    entry: Entry, captain: User, django_capture_on_commit_callbacks
) -> None:
    revision = received(entry, captain, grid_scene_glb(20_000, textured=True))

    with mock.patch.object(celery_app, "send_task") as queued:
        with django_capture_on_commit_callbacks(execute=True):
            processing.revision_validate(revision_id=revision.pk, claim="task-1", render_here=True)

    revision.refresh_from_db()
    entry.refresh_from_db()
    assert (revision.status, revision.claimed_by, entry.current_revision_id) == (Status.READY, "", revision.pk)
    assert {"hero", "front", "side", "top", "viewer", "blind"} <= revision.artifacts.keys()
    for copy in ("viewer", "blind"):
        document = parse_glb(default_storage.open(revision.artifacts[copy]).read())[0]
        assert "EXT_meshopt_compression" in document["extensionsUsed"]
    assert revision.stats["triangles"] == 20_000
    assert [call.args for call in queued.call_args_list] == [(render_extras.name,)]  # the turntable follows


def test_a_rejected_glb_keeps_nothing_drawn(entry: Entry, captain: User) -> None:
    revision = received(entry, captain, truncated_glb())

    processing.revision_validate(revision_id=revision.pk, claim="task-1", queue_rendering=False, render_here=True)

    revision.refresh_from_db()
    assert revision.status == Status.REJECTED
    assert "hero" not in revision.artifacts


def test_when_drawing_ahead_fails_the_rendering_task_is_queued_as_usual(
    entry: Entry, captain: User, django_capture_on_commit_callbacks
) -> None:
    revision = received(entry, captain)
    crash = SandboxCrashed("The stage's process died of SIGSEGV.")

    with (
        mock.patch.object(rendering_ahead, "run_in_sandbox", side_effect=crash),
        mock.patch.object(celery_app, "send_task") as queued,
        django_capture_on_commit_callbacks(execute=True),
    ):
        processing.revision_validate(revision_id=revision.pk, claim="task-1", render_here=True)

    revision.refresh_from_db()
    assert (revision.status, revision.artifacts) == (Status.RENDERING, {})
    assert [call.args for call in queued.call_args_list] == [(render_revision.name,)]


def test_an_upload_that_is_not_a_glb_is_not_drawn_before_validation_has_unpacked_it(
    entry: Entry, captain: User
) -> None:
    upload = glb_upload(embedded_gltf(box_glb()), name="scene.gltf")
    revision = entries.revision_receive(entry=entry, user=captain, upload=upload)

    with mock.patch.object(rendering_ahead, "RenderingAhead") as ahead:
        processing.revision_validate(revision_id=revision.pk, claim="task-1", queue_rendering=False, render_here=True)

    revision.refresh_from_db()
    assert revision.status == Status.RENDERING
    ahead.assert_not_called()


@pytest.mark.parametrize(
    ("queues", "setting", "expected"),
    [
        ({"validation", "rendering"}, True, True),
        ({"validation"}, True, False),
        ({"validation", "rendering"}, False, False),
    ],
)
def test_only_a_worker_that_renders_too_draws_while_it_validates(
    settings: SettingsWrapper, queues: set[str], setting: bool, expected: bool
) -> None:
    settings.METASCENE_RENDER_AHEAD = setting
    task = mock.Mock()
    task.app.amqp.queues.consume_from = {name: object() for name in queues}

    assert tasks._renders_here(task) is expected
