"""A processed revision records its hero camera beside the hero thumbnail (``hero_camera.json``), whichever way it
was rendered, and the judge's viewer opens on it (``selectors.viewing.viewer_opening``)."""

import json

import pytest
from django.contrib.auth.models import User
from django.core.files.storage import default_storage

from competitions.models import Entry, EntryRevision
from competitions.selectors.viewing import viewer_opening
from competitions.services import processing

from .processing_cast import received

pytestmark = pytest.mark.django_db


def test_a_ready_revision_records_the_hero_camera_the_viewer_opens_on(entry: Entry, captain: User) -> None:
    # Given a received GLB (a box), when it is processed
    revision = received(entry, captain)
    processing.revision_process(revision_id=revision.pk)

    # Then its hero camera is stored beside the hero thumbnail
    revision = EntryRevision.objects.get(pk=revision.pk)
    assert revision.status == EntryRevision.Status.READY
    assert revision.artifacts["hero_camera_json"] == f"revisions/{entry.pk}/{revision.pk}/hero_camera.json"
    with default_storage.open(revision.artifacts["hero_camera_json"]) as f:
        recorded = json.load(f)
    assert (recorded["azimuth"], recorded["elevation"], recorded["fov_y"]) == (40.0, 22.0, 30.0)
    # And the viewer opens on it, loading the small model by itself
    opening = viewer_opening(revision)
    assert opening.camera is not None
    assert opening.camera.orbit.startswith("40deg 68deg ")
    assert not opening.on_demand
