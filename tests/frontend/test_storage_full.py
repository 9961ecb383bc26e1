"""What an entrant sees in the portal when the media disk is full during an upload: the upload form again with a
plain message (507, Retry-After), in English or Chinese; a resumable chunk (sent by the upload page to the API with
the session login) answered 507 with the server's offset unchanged, which the upload page treats like any 5xx (it
pauses, asks for the offset and continues). The disk is simulated at the edge (tests/disk_full.py)."""

import errno
import html
import os
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.urls import reverse

from competitions.models import EntryRevision, UploadSession
from tests.disk_full import disk_full_under
from tests.factories import EntryFactory, UserFactory

from .test_resumable_upload import SCENE, open_upload, patch

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_report_yet() -> None:
    cache.clear()


@pytest.fixture
def entry(team, track):
    return EntryFactory(team=team, track=track, title="Bund at night")


def upload_url(entry) -> str:
    return reverse("frontend:revision-upload", kwargs={"pk": entry.pk})


def glb() -> SimpleUploadedFile:
    return SimpleUploadedFile("bund.glb", SCENE, content_type="model/gltf-binary")


def test_the_upload_form_on_a_full_disk_says_the_file_was_not_saved(client, entry, bob):
    client.force_login(bob)

    with disk_full_under(settings.MEDIA_ROOT):
        response = client.post(upload_url(entry), {"file": glb()})

    assert response.status_code == 507
    assert response["Retry-After"] == "120"
    assert "The server's disk is full; your file was not saved." in html.unescape(response.content.decode())
    assert not EntryRevision.objects.exists()
    assert not list((Path(settings.MEDIA_ROOT) / "revisions").rglob("*.glb"))


def test_the_upload_form_on_a_full_disk_speaks_chinese_to_a_chinese_browser(client, entry, bob):
    client.force_login(bob)

    with disk_full_under(settings.MEDIA_ROOT):
        response = client.post(upload_url(entry), {"file": glb()}, headers={"Accept-Language": "zh-hans"})

    assert response.status_code == 507
    assert "服务器磁盘已满" in response.content.decode()


def test_a_resumable_chunk_on_a_full_disk_is_507_and_the_offset_stays(client, entry, bob):
    client.force_login(bob)
    url = open_upload(client, entry)["Location"]
    half = len(SCENE) // 2
    assert patch(client, url, SCENE[:half], 0).status_code == 204

    with disk_full_under(settings.MEDIA_ROOT):
        response = patch(client, url, SCENE[half:], half)

    assert response.status_code == 507
    assert response["Upload-Offset"] == str(half)
    assert response.json()["code"] == "storage_full"
    assert client.head(url, headers={"Tus-Resumable": "1.0.0"})["Upload-Offset"] == str(half)
    assert patch(client, url, SCENE[half:], half).status_code == 204
    assert UploadSession.objects.get().revision is not None


def refuse_to_spool(self, raw_data: bytes, start: int) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_disk_too_full_to_take_the_request_body_is_the_same_507_page(client, entry, bob, settings):
    # Given uploads spooled to a temporary file, on a disk that is full (before any service sees the file)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0
    staff = UserFactory(username="organiser@example.com", is_staff=True)
    client.force_login(bob)

    with mock.patch.object(TemporaryFileUploadHandler, "receive_data_chunk", refuse_to_spool):
        response = client.post(upload_url(entry), {"file": glb()})

    content = html.unescape(response.content.decode())
    assert response.status_code == 507
    assert response["Retry-After"] == "120"
    assert "The server's disk is full; your file was not saved." in content
    assert "Traceback" not in content
    assert [email.to for email in mail.outbox] == [[staff.email]]
    assert not EntryRevision.objects.exists()
