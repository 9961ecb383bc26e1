"""A worker that renders too packages a GLB's viewer copy while validating it: stored with the revision when the file
passes (and used by rendering instead of packaging again), cancelled when it is rejected."""

from pathlib import Path
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.core.files.storage import default_storage

from competitions.models import Entry, EntryRevision
from competitions.pipeline.gltf_io import parse_glb
from competitions.pipeline.samples import grid_scene_glb
from competitions.services import processing
from competitions.services.processing import stages

from .processing_cast import received, truncated_glb

pytestmark = pytest.mark.django_db

Status = EntryRevision.Status


def test_a_glb_that_passes_moves_to_rendering_with_its_compressed_viewer_copy(entry: Entry, captain: User) -> None:
    revision = received(entry, captain, grid_scene_glb(20_000, textured=True))

    processing.revision_validate(revision_id=revision.pk, claim="c", queue_rendering=False, package_early=True)

    revision.refresh_from_db()
    assert revision.status == Status.RENDERING
    viewer = default_storage.open(revision.artifacts["viewer"]).read()
    assert "EXT_meshopt_compression" in parse_glb(viewer)[0]["extensionsUsed"]


def test_rendering_uses_the_viewer_copy_packaged_during_validation(entry: Entry, captain: User) -> None:
    revision = received(entry, captain, grid_scene_glb(20_000, textured=True))
    processing.revision_validate(revision_id=revision.pk, claim="c", queue_rendering=False, package_early=True)
    revision.refresh_from_db()
    early = default_storage.open(revision.artifacts["viewer"]).read()

    with mock.patch.object(stages, "run_in_sandbox", wraps=stages.run_in_sandbox) as sandbox:
        processing.revision_render(revision_id=revision.pk, claim="c", queue_extras=False)

    revision.refresh_from_db()
    assert revision.status == Status.READY
    assert Path(sandbox.call_args.args[1]["viewer"]).name == "viewer.glb"
    assert default_storage.open(revision.artifacts["viewer"]).read() == early
    assert revision.artifacts["blind"].endswith("blind.glb")


def test_a_rejected_glb_keeps_no_viewer_copy(entry: Entry, captain: User) -> None:
    revision = received(entry, captain, truncated_glb())

    processing.revision_validate(revision_id=revision.pk, claim="c", queue_rendering=False, package_early=True)

    revision.refresh_from_db()
    assert revision.status == Status.REJECTED
    assert "viewer" not in revision.artifacts
