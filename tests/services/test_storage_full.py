"""The media disk fills up during an upload: nothing half-written stays behind (no file, no revision row; a
resumable upload keeps its offset, so the client resumes), the person is told plainly (``StorageFull``) and the
organisers are emailed, once while the disk stays full. The disk is simulated at the edge (tests/disk_full.py)."""

import io
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import User
from django.core import mail
from django.core.cache import cache
from django.utils import timezone

from competitions.exceptions import StorageFull
from competitions.models import Entry, EntryRevision, UploadSession
from competitions.pipeline.samples import box_glb
from competitions.services import entries, storage, uploads
from tests.disk_full import disk_full_under
from tests.factories import UserFactory

from .conftest import glb_upload

pytestmark = pytest.mark.django_db

SCENE = box_glb()


@pytest.fixture(autouse=True)
def organiser(db: None) -> User:
    cache.clear()  # when the organisers were last told lives in the cache
    return UserFactory(username="organiser@example.com", is_staff=True)


def media() -> Path:
    return Path(settings.MEDIA_ROOT)


def files_under(folder: str) -> list[Path]:
    root = media() / folder
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def test_an_upload_that_finds_the_disk_full_keeps_no_file_and_no_revision(entry: Entry, captain: User) -> None:
    with disk_full_under(media()), pytest.raises(StorageFull) as refusal:
        entries.revision_receive(entry=entry, user=captain, upload=glb_upload(SCENE))

    assert refusal.value.code == "storage_full"
    assert "your file was not saved" in refusal.value.message
    assert files_under("revisions") == []
    assert not EntryRevision.objects.exists()


def test_a_full_disk_is_emailed_to_the_organisers_once_while_it_stays_full(
    entry: Entry, captain: User, organiser: User
) -> None:
    for _attempt in range(3):
        with disk_full_under(media()), pytest.raises(StorageFull):
            entries.revision_receive(entry=entry, user=captain, upload=glb_upload(SCENE))

    [email] = mail.outbox
    assert email.to == [organiser.email]
    assert "disk is full" in email.subject


def test_the_same_upload_succeeds_once_there_is_room_again(entry: Entry, captain: User) -> None:
    with disk_full_under(media()), pytest.raises(StorageFull):
        entries.revision_receive(entry=entry, user=captain, upload=glb_upload(SCENE))

    revision = entries.revision_receive(entry=entry, user=captain, upload=glb_upload(SCENE))

    assert revision.number == 1
    assert Path(revision.file.path).read_bytes() == SCENE
    assert files_under("revisions") == [Path(revision.file.path)]


def resumable(entry: Entry, captain: User) -> UploadSession:
    return uploads.upload_start(entry=entry, user=captain, original_name="scene.glb", size=len(SCENE))


def append(session: UploadSession, start: int, end: int) -> UploadSession:
    return uploads.upload_append(session=session, offset=start, stream=io.BytesIO(SCENE[start:end]), length=end - start)


@pytest.mark.parametrize(
    ("room", "where"),
    [(10, "while the chunk is received"), (len(SCENE) // 2 + 10, "while the chunk is added to the upload")],
)
def test_a_chunk_that_finds_the_disk_full_leaves_the_offset_where_it_was(
    entry: Entry, captain: User, room: int, where: str
) -> None:
    # Given an upload whose first half is in
    half = len(SCENE) // 2
    session = append(resumable(entry, captain), 0, half)

    # When the second half finds the disk full (``where`` says at which write)
    with disk_full_under(media(), room=room), pytest.raises(StorageFull) as refusal:
        append(session, half, len(SCENE))

    # Then the server still has exactly the first half, and no chunk file is left
    session.refresh_from_db()
    assert session.received == half
    assert (media() / "uploads" / f"{session.pk}.part").stat().st_size == half
    assert [path.suffix for path in files_under("uploads")] == [".part"]
    assert "the parts before it are kept" in refusal.value.message
    assert not EntryRevision.objects.exists()


def test_a_resumable_upload_continues_from_its_offset_once_there_is_room_again(entry: Entry, captain: User) -> None:
    half = len(SCENE) // 2
    session = append(resumable(entry, captain), 0, half)
    with disk_full_under(media()), pytest.raises(StorageFull):
        append(session, half, len(SCENE))

    session = append(session, half, len(SCENE))

    assert session.revision is not None
    assert Path(session.revision.file.path).read_bytes() == SCENE


def test_the_organisers_are_emailed_again_when_the_disk_is_still_full_fifteen_minutes_later(
    entry: Entry, captain: User
) -> None:
    with disk_full_under(media()), pytest.raises(StorageFull):
        entries.revision_receive(entry=entry, user=captain, upload=glb_upload(SCENE))

    with time_machine.travel(timezone.now() + storage.REPORT_EVERY + timedelta(seconds=1)):
        with disk_full_under(media()), pytest.raises(StorageFull):
            entries.revision_receive(entry=entry, user=captain, upload=glb_upload(SCENE))

    assert len(mail.outbox) == 2
