"""Uploads with object storage: a form upload and a resumable one land in the bucket, a chunk taken by one web
process and the next by another (each with its own local disk) make one file, and expired sessions leave nothing
in the bucket."""

import base64
import hashlib
import io
import os
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.files.storage import default_storage
from django.utils import timezone
from pytest_django.fixtures import SettingsWrapper
from rest_framework.test import APIClient

from competitions.models import Entry, EntryRevision, UploadSession
from competitions.services import entries, upload_chunks, uploads
from tests.services.conftest import glb_upload
from tests.services.uploading import CHUNK, SCENE

from .conftest import Bucket, local_files

TUS = {"HTTP_TUS_RESUMABLE": "1.0.0"}


def test_a_form_upload_is_stored_in_the_bucket_under_a_server_made_name(
    s3: Bucket, entry: Entry, captain: User, settings: SettingsWrapper
) -> None:
    upload = glb_upload(SCENE, name="harbour.glb")

    revision = entries.revision_receive(entry=entry, user=captain, upload=upload)

    key = f"site/{revision.file.name}"
    assert s3.keys("site/revisions/") == [key]
    assert revision.file.name.startswith(f"revisions/{entry.pk}/") and "harbour" not in revision.file.name
    assert s3.read(key) == SCENE
    assert revision.sha256 == hashlib.sha256(SCENE).hexdigest()
    assert local_files(settings.MEDIA_ROOT) == []


class WebProcess:
    """One web machine: an API client whose requests run with this machine's own local media folder."""

    def __init__(self, user: User, media_root: Path, settings: SettingsWrapper) -> None:
        self.client = APIClient()
        self.client.force_authenticate(user)
        self.media_root = media_root
        self.settings = settings

    def request(self, method: str, url: str, data: bytes = b"", **headers: Any) -> Any:
        self.settings.MEDIA_ROOT = str(self.media_root)
        return self.client.generic(method, url, data, **TUS, **headers)  # type: ignore[arg-type]

    def patch(self, url: str, data: bytes, offset: int) -> Any:
        return self.request(
            "PATCH",
            url,
            data,
            content_type="application/offset+octet-stream",
            HTTP_UPLOAD_OFFSET=str(offset),
            CONTENT_LENGTH=str(len(data)),
        )


def test_chunks_taken_by_two_web_processes_with_different_disks_make_one_revision(
    s3: Bucket,
    entry: Entry,
    captain: User,
    settings: SettingsWrapper,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    first, second = (WebProcess(captain, tmp_path / name, settings) for name in ("web-1", "web-2"))
    name = base64.b64encode(b"harbour.glb").decode()
    opened = first.request(
        "POST",
        f"/api/entries/{entry.pk}/uploads/",
        HTTP_UPLOAD_LENGTH=str(len(SCENE)),
        HTTP_UPLOAD_METADATA=f"filename {name}",
    )
    assert opened.status_code == 201
    url = opened["Location"]
    session = UploadSession.objects.get()

    offset = 0
    for number, start in enumerate(range(0, len(SCENE), CHUNK)):
        web = (first, second)[number % 2]
        # A HEAD on either machine tells the offset from the database alone.
        assert web.request("HEAD", url)["Upload-Offset"] == str(offset)
        with django_capture_on_commit_callbacks(execute=True):
            response = web.patch(url, SCENE[start : start + CHUNK], offset)
        assert response.status_code == 204, response.content
        offset = int(response["Upload-Offset"])
        if offset < len(SCENE):
            # Every counted byte is in the bucket, not on the disk of the machine that took it.
            assert s3.keys(f"site/uploads/{session.pk}/")[-1] == f"site/{upload_chunks.chunk_name(session.pk, start)}"
            assert local_files(web.media_root) == []

    revision = EntryRevision.objects.get()
    assert revision.original_name == "harbour.glb"
    assert s3.read(f"site/{revision.file.name}") == SCENE
    assert revision.sha256 == hashlib.sha256(SCENE).hexdigest()
    assert s3.keys("site/uploads/") == []  # the chunks are removed once joined
    assert local_files(tmp_path / "web-1") == local_files(tmp_path / "web-2") == []


def test_a_chunk_sent_again_at_the_same_offset_replaces_the_first_attempt(
    s3: Bucket, entry: Entry, captain: User
) -> None:
    session = uploads.upload_start(entry=entry, user=captain, original_name="harbour.glb", size=len(SCENE))
    uploads.upload_append(session=session, offset=0, stream=io.BytesIO(SCENE[:CHUNK]), length=CHUNK)
    # A first attempt at the next offset that reached the bucket but was never counted (its request failed).
    default_storage.save(upload_chunks.chunk_name(session.pk, CHUNK), io.BytesIO(b"x" * 10))
    session.refresh_from_db()

    session = uploads.upload_append(
        session=session, offset=CHUNK, stream=io.BytesIO(SCENE[CHUNK:]), length=len(SCENE) - CHUNK
    )

    assert session.revision is not None
    assert s3.read(f"site/{session.revision.file.name}") == SCENE


def test_an_upload_missing_its_last_bytes_is_refused_and_resumes_on_another_process(
    s3: Bucket, entry: Entry, captain: User, settings: SettingsWrapper, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "web-1")
    session = uploads.upload_start(entry=entry, user=captain, original_name="harbour.glb", size=len(SCENE))
    session = uploads.upload_append(session=session, offset=0, stream=io.BytesIO(SCENE[:CHUNK]), length=CHUNK)

    settings.MEDIA_ROOT = str(tmp_path / "web-2")
    with pytest.raises(uploads.UploadOffsetConflict) as conflict:
        uploads.upload_append(session=session, offset=0, stream=io.BytesIO(SCENE[:CHUNK]), length=CHUNK)
    assert conflict.value.offset == CHUNK
    rest = SCENE[CHUNK:]
    session = uploads.upload_append(session=session, offset=CHUNK, stream=io.BytesIO(rest), length=len(rest))

    assert session.revision is not None
    assert s3.read(f"site/{session.revision.file.name}") == SCENE


def test_cancelling_an_upload_removes_its_chunks_from_the_bucket(
    s3: Bucket, entry: Entry, captain: User, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    session = uploads.upload_start(entry=entry, user=captain, original_name="harbour.glb", size=len(SCENE))
    uploads.upload_append(session=session, offset=0, stream=io.BytesIO(SCENE[:CHUNK]), length=CHUNK)
    assert s3.keys("site/uploads/")

    with django_capture_on_commit_callbacks(execute=True):
        uploads.upload_cancel(session=session)

    assert s3.keys("site/uploads/") == []


@pytest.mark.django_db(transaction=True)
def test_an_expired_session_loses_its_chunks_and_open_multipart_uploads(
    s3: Bucket, entry: Entry, captain: User
) -> None:
    expired = uploads.upload_start(entry=entry, user=captain, original_name="harbour.glb", size=len(SCENE))
    uploads.upload_append(session=expired, offset=0, stream=io.BytesIO(SCENE[:CHUNK]), length=CHUNK)
    # A save of a large chunk cut short by a crash leaves an unfinished multipart upload in its folder.
    s3.client.create_multipart_upload(Bucket=s3.name, Key=f"site/{upload_chunks.chunk_name(expired.pk, CHUNK)}")
    with time_machine.travel(timezone.now() + timedelta(hours=23), tick=False):
        live = uploads.upload_start(entry=entry, user=captain, original_name="harbour.glb", size=len(SCENE))
        uploads.upload_append(session=live, offset=0, stream=io.BytesIO(SCENE[:CHUNK]), length=CHUNK)

    with time_machine.travel(timezone.now() + timedelta(hours=25), tick=False):
        removed = uploads.upload_sessions_expire()

    assert removed == 1
    assert s3.keys("site/uploads/") == [f"site/{upload_chunks.chunk_name(live.pk, 0)}"]
    assert s3.open_multipart("site/uploads/") == []


@pytest.mark.django_db(transaction=True)
def test_cleanup_removes_chunks_whose_session_row_is_gone(s3: Bucket, entry: Entry, captain: User) -> None:
    session = uploads.upload_start(entry=entry, user=captain, original_name="harbour.glb", size=len(SCENE))
    uploads.upload_append(session=session, offset=0, stream=io.BytesIO(SCENE[:CHUNK]), length=CHUNK)
    UploadSession.objects.filter(pk=session.pk).delete()  # as if the machine died before its on-commit cleanup

    uploads.upload_sessions_expire()
    assert s3.keys("site/uploads/") != []  # too recent: it might belong to a session being created
    with time_machine.travel(timezone.now() + timedelta(hours=25), tick=False):
        uploads.upload_sessions_expire()

    assert s3.keys("site/uploads/") == []


def test_cleanup_removes_an_old_join_file_a_crash_left_on_the_spool(
    s3: Bucket, settings: SettingsWrapper, db: None
) -> None:
    folder = Path(settings.MEDIA_ROOT) / uploads.UPLOADS_FOLDER
    folder.mkdir(parents=True)
    left, fresh = folder / "tmp1234.join", folder / "tmp5678.join"
    for path in (left, fresh):
        path.write_bytes(b"x")
    long_ago = (timezone.now() - timedelta(hours=30)).timestamp()
    os.utime(left, (long_ago, long_ago))

    uploads.upload_sessions_expire()

    assert (left.exists(), fresh.exists()) == (False, True)
