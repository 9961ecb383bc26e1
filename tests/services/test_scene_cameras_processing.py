"""Processing records the entrant's own cameras: a ready revision of a GLB with cameras has their views stored and
their labels and viewer bookmarks in ``stats["cameras"]``, whether it was drawn by the rendering task or while it was
validated; a rerun changes nothing, and a scene without cameras has neither."""

from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.core.files.storage import default_storage
from metascene.celery import app as celery_app
from PIL import Image

from competitions.models import Entry, EntryRevision
from competitions.pipeline.samples import box_glb
from competitions.services import processing
from tests.pipeline.camera_scenes import orthographic, perspective, turned_about_x, two_boxes_glb

from .processing_cast import received

pytestmark = pytest.mark.django_db

Status = EntryRevision.Status
TWO_CAMERAS = two_boxes_glb(
    [
        (perspective(name="Front door"), {"translation": [0.0, 0.5, 6.0]}),
        (orthographic(), {"name": "Plan", "translation": [0.0, 8.0, 0.0], "rotation": turned_about_x(-90)}),
    ]
)


def assert_cameras_recorded(revision: EntryRevision) -> None:
    assert [(c["name"], c["label"]) for c in revision.stats["cameras"]] == [
        ("camera-1", "Front door"),
        ("camera-2", "Plan"),
    ]
    assert revision.stats["cameras"][0]["camera_orbit"] == "0deg 90deg 6m"
    for name in ("camera-1", "camera-2"):
        with default_storage.open(revision.artifacts[name]) as stored, Image.open(stored) as image:
            assert image.size == (1280, 720)
    assert "cameras_json" not in revision.artifacts
    assert revision.stats["triangles"] == 24  # the validation's figures are kept beside them


def test_the_rendering_task_records_the_scenes_cameras_and_a_rerun_changes_nothing(entry: Entry, captain: User) -> None:
    revision = received(entry, captain, TWO_CAMERAS)

    processing.revision_process(revision_id=revision.pk)
    ready = EntryRevision.objects.get(pk=revision.pk)
    again = processing.revision_process(revision_id=revision.pk)

    assert ready.status == Status.READY
    assert_cameras_recorded(ready)
    assert again is None
    assert EntryRevision.objects.get(pk=revision.pk).stats == ready.stats


def test_drawing_while_validating_records_the_scenes_cameras_too(entry: Entry, captain: User) -> None:
    revision = received(entry, captain, TWO_CAMERAS)

    with mock.patch.object(celery_app, "send_task"):
        processing.revision_validate(revision_id=revision.pk, claim="task-1", render_here=True)

    revision.refresh_from_db()
    assert revision.status == Status.READY
    assert_cameras_recorded(revision)


def test_a_scene_without_cameras_records_none(entry: Entry, captain: User) -> None:
    revision = received(entry, captain, box_glb())

    processing.revision_process(revision_id=revision.pk)

    revision.refresh_from_db()
    assert revision.status == Status.READY
    assert "cameras" not in revision.stats
    assert not [name for name in revision.artifacts if name.startswith("camera")]
