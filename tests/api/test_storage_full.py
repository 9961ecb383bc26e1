"""What a script sees from the API when the media disk is full during an upload: 507 Insufficient Storage with
``Retry-After`` and the API's error body (code ``storage_full``); nothing is kept, and a resumable upload keeps its
offset. The disk is simulated at the edge (tests/disk_full.py)."""

import errno
import os
from unittest import mock

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler

from competitions.models import EntryRevision
from tests.disk_full import disk_full_under
from tests.factories import EntryFactory, TeamFactory, UserFactory

from .test_resumable_upload import SCENE, TUS, open_upload, patch

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice():
    return UserFactory()


@pytest.fixture
def entry(alice):
    return EntryFactory(team=TeamFactory(captain=alice))


def test_an_upload_on_a_full_disk_is_507_with_retry_after_and_keeps_nothing(client_for, alice, entry):
    upload = SimpleUploadedFile("harbour.glb", SCENE, content_type="model/gltf-binary")

    with disk_full_under(settings.MEDIA_ROOT):
        response = client_for(alice).post(f"/api/entries/{entry.pk}/revisions/", {"file": upload})

    assert response.status_code == 507
    assert response["Retry-After"] == "120"
    body = response.json()
    assert (body["code"], body["field"]) == ("storage_full", None)
    assert "your file was not saved" in body["detail"]
    assert not EntryRevision.objects.exists()


def test_a_resumable_chunk_on_a_full_disk_is_507_and_the_offset_stays(client_for, alice, entry):
    client = client_for(alice)
    url = open_upload(client, entry)["Location"]
    half = len(SCENE) // 2
    assert patch(client, url, SCENE[:half], 0).status_code == 204

    with disk_full_under(settings.MEDIA_ROOT):
        response = patch(client, url, SCENE[half:], half)

    assert response.status_code == 507
    assert response.json()["code"] == "storage_full"
    assert client.head(url, **TUS)["Upload-Offset"] == str(half)


def refuse_to_spool(self, raw_data: bytes, start: int) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_disk_too_full_to_take_the_request_body_is_the_same_507_body(client_for, alice, entry, settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0
    upload = SimpleUploadedFile("harbour.glb", SCENE, content_type="model/gltf-binary")

    with mock.patch.object(TemporaryFileUploadHandler, "receive_data_chunk", refuse_to_spool):
        response = client_for(alice).post(f"/api/entries/{entry.pk}/revisions/", {"file": upload})

    assert response.status_code == 507
    assert response["Retry-After"] == "120"
    assert response.json()["code"] == "storage_full"
    assert not EntryRevision.objects.exists()
