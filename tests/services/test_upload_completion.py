"""services.uploads, completion: the last byte makes one revision, once, within the deadline."""

import hashlib
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth.models import User

from competitions.models import Entry, EntryRevision, UploadSession
from competitions.services import uploads
from tests.factories import UserFactory

from .conftest import refused
from .uploading import CHUNK, SCENE, last_chunk, send, send_all_but_last_chunk, start

pytestmark = pytest.mark.django_db


# --- Completion ------------------------------------------------------------------------------------------------


def test_last_chunk_creates_one_revision_with_the_files_sha256(
    entry: Entry, captain: User, django_capture_on_commit_callbacks
) -> None:
    session = send_all_but_last_chunk(start(entry, captain))
    assert not EntryRevision.objects.exists()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        session = send(session, last_chunk(session))

    revision = EntryRevision.objects.get()
    assert session.revision == revision
    assert UploadSession.objects.get().revision == revision
    assert revision.sha256 == hashlib.sha256(SCENE).hexdigest()
    assert (revision.size, revision.original_name, revision.uploaded_by) == (len(SCENE), "harbour.glb", captain)
    assert (revision.number, revision.status) == (1, EntryRevision.Status.RECEIVED)
    assert revision.file.read() == SCENE
    assert len(callbacks) == 1  # processing is queued once, after commit


def test_the_part_file_is_moved_into_storage_not_copied(entry: Entry, captain: User) -> None:
    session = send_all_but_last_chunk(start(entry, captain))
    part = uploads.upload_part_path(session)
    inode = part.stat().st_ino

    send(session, last_chunk(session))

    assert not part.exists()
    assert Path(EntryRevision.objects.get().file.path).stat().st_ino == inode


def test_the_stored_file_has_a_server_made_name(entry: Entry, captain: User) -> None:
    session = send_all_but_last_chunk(start(entry, captain, name="my scene; rm -rf.glb"))

    send(session, last_chunk(session))

    name = EntryRevision.objects.get().file.name
    assert name.startswith(f"revisions/{entry.pk}/") and name.endswith(".glb")
    assert "scene" not in name


def test_a_second_completion_is_a_no_op(entry: Entry, captain: User) -> None:
    session = send_all_but_last_chunk(start(entry, captain))
    session = send(session, last_chunk(session))

    again = uploads.upload_complete(session=session)
    after_empty_chunk = send(session, b"", offset=len(SCENE))

    assert again == session.revision
    assert after_empty_chunk.revision == session.revision
    assert EntryRevision.objects.count() == 1


def test_an_unfinished_upload_cannot_be_completed(entry: Entry, captain: User) -> None:
    session = send(start(entry, captain), SCENE[:CHUNK])

    with refused("upload_incomplete"):
        uploads.upload_complete(session=session)
    assert not EntryRevision.objects.exists()


def test_upload_started_before_the_deadline_cannot_complete_after_it(entry: Entry, captain: User) -> None:
    # The deadline counts when the last byte arrives: a session names a size, not the content.
    session = send_all_but_last_chunk(start(entry, captain))

    with time_machine.travel(entry.team.competition.submission_deadline + timedelta(seconds=1)):
        with refused("after_deadline"):
            send(session, last_chunk(session))

    assert not EntryRevision.objects.exists()


def test_last_byte_one_second_before_the_deadline_is_accepted(entry: Entry, captain: User) -> None:
    session = send_all_but_last_chunk(start(entry, captain))

    with time_machine.travel(entry.team.competition.submission_deadline - timedelta(seconds=1)):
        send(session, last_chunk(session))

    assert EntryRevision.objects.count() == 1


def test_an_upload_whose_completion_was_interrupted_completes_with_an_empty_chunk_at_the_end(
    entry: Entry, captain: User
) -> None:
    # Given every byte is on disk and counted, but the process stopped before the revision was made
    session = start(entry, captain)
    uploads.upload_part_path(session).parent.mkdir(parents=True, exist_ok=True)
    uploads.upload_part_path(session).write_bytes(SCENE)
    UploadSession.objects.filter(pk=session.pk).update(received=len(SCENE))

    session = send(UploadSession.objects.get(), b"", offset=len(SCENE))

    assert session.revision == EntryRevision.objects.get()
    assert session.revision.sha256 == hashlib.sha256(SCENE).hexdigest()


def test_revision_receive_file_checks_the_rules_again(entry: Entry, tmp_path: Path) -> None:
    path = tmp_path / "scene.glb"
    path.write_bytes(SCENE)
    outsider = UserFactory()

    with refused("not_member"):
        uploads.revision_receive_file(entry=entry, user=outsider, path=path, original_name="scene.glb")
    assert path.exists()
