"""services.uploads: resumable uploads, from the first rule check to the revision, and the cleanup of old ones."""

import hashlib
import io
import os
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth.models import User
from django.utils import timezone

from competitions import selectors
from competitions.models import Competition, Entry, EntryRevision, Team, UploadSession
from competitions.pipeline.samples import Box, scene_glb
from competitions.services import uploads
from tests.factories import CompetitionFactory, EntryFactory, TeamFactory, TrackFactory, UserFactory, add_member

from .conftest import refused

pytestmark = pytest.mark.django_db

# A real scene of a few kilobytes, sent in chunks of CHUNK bytes.
SCENE = scene_glb([Box(centre=(x, 0.5, 0), size=(0.8, 1, 0.8), name=f"crate-{x}") for x in range(12)])
CHUNK = 1000


def start(entry: Entry, user: User, *, size: int = len(SCENE), name: str = "harbour.glb") -> UploadSession:
    return uploads.upload_start(entry=entry, user=user, original_name=name, size=size)


def send(session: UploadSession, data: bytes, *, offset: int | None = None) -> UploadSession:
    """Append ``data`` as one chunk, at the session's offset unless another is given."""
    at = session.received if offset is None else offset
    return uploads.upload_append(session=session, offset=at, stream=io.BytesIO(data), length=len(data))


def send_all_but_last_chunk(session: UploadSession) -> UploadSession:
    for start_at in range(0, len(SCENE) - CHUNK, CHUNK):
        session = send(session, SCENE[start_at : start_at + CHUNK])
    return session


def last_chunk(session: UploadSession) -> bytes:
    return SCENE[session.received :]


class DroppedConnection(io.BytesIO):
    """A request body whose connection breaks after ``keep`` bytes, as Django reports it: an OSError on read."""

    def __init__(self, data: bytes, keep: int) -> None:
        super().__init__(data[:keep])

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        if not data:
            raise OSError("connection reset by peer")
        return data


# --- Opening an upload: every rule is checked before any byte is accepted ------------------------------------------


def test_starting_an_upload_records_name_and_size_and_writes_nothing(entry: Entry, captain: User) -> None:
    session = start(entry, captain, name="../../Harbour at dusk.glb")

    assert (session.entry, session.user, session.size, session.received) == (entry, captain, len(SCENE), 0)
    assert session.original_name == "Harbour at dusk.glb"
    assert not uploads.upload_part_path(session).exists()


def test_non_member_cannot_start_an_upload(entry: Entry) -> None:
    outsider = UserFactory()

    with refused("not_member"):
        start(entry, outsider)
    assert not UploadSession.objects.exists()


def test_upload_cannot_start_after_the_deadline(entry: Entry, captain: User) -> None:
    with time_machine.travel(entry.team.competition.submission_deadline), refused("after_deadline"):
        start(entry, captain)
    assert not UploadSession.objects.exists()


def test_upload_larger_than_the_competitions_limit_is_refused_before_any_byte(
    entry: Entry, captain: User, competition: Competition
) -> None:
    with refused("file_too_large"):
        start(entry, captain, size=competition.max_upload_bytes + 1)
    assert not UploadSession.objects.exists()


def test_upload_of_a_type_the_competition_does_not_accept_is_refused(entry: Entry, captain: User) -> None:
    with refused("format_not_allowed"):
        start(entry, captain, name="harbour.fbx")


def test_empty_upload_is_refused(entry: Entry, captain: User) -> None:
    with refused("file_empty"):
        start(entry, captain, size=0)


def test_upload_cannot_start_while_the_team_is_below_its_minimum_size(captain: User) -> None:
    competition = CompetitionFactory(team_size_min=2)
    entry = EntryFactory(team=TeamFactory(competition=competition, captain=captain))

    with refused("team_too_small"):
        start(entry, captain)


def test_a_fourth_unfinished_upload_drops_the_one_idle_longest(
    entry: Entry, captain: User, django_capture_on_commit_callbacks
) -> None:
    oldest = start(entry, captain)
    send(oldest, SCENE[:CHUNK])
    kept = [start(entry, captain), start(entry, captain)]

    with django_capture_on_commit_callbacks(execute=True):
        newest = start(entry, captain)

    assert set(UploadSession.objects.values_list("pk", flat=True)) == {kept[0].pk, kept[1].pk, newest.pk}
    assert not uploads.upload_part_path(oldest).exists()


# --- Chunks ----------------------------------------------------------------------------------------------------


def test_chunks_at_the_servers_offset_are_appended_in_order(entry: Entry, captain: User) -> None:
    session = start(entry, captain)

    session = send(session, SCENE[:CHUNK])
    session = send(session, SCENE[CHUNK : 2 * CHUNK])

    assert session.received == 2 * CHUNK
    assert UploadSession.objects.get().received == 2 * CHUNK
    assert uploads.upload_part_path(session).read_bytes() == SCENE[: 2 * CHUNK]


def test_chunk_at_a_wrong_offset_is_refused_with_the_servers_offset(entry: Entry, captain: User) -> None:
    session = send(start(entry, captain), SCENE[:CHUNK])

    with pytest.raises(uploads.UploadOffsetConflict) as conflict:
        send(session, SCENE[2 * CHUNK : 3 * CHUNK], offset=2 * CHUNK)

    assert conflict.value.offset == CHUNK
    assert UploadSession.objects.get().received == CHUNK
    assert uploads.upload_part_path(session).read_bytes() == SCENE[:CHUNK]


def test_chunk_sent_again_from_zero_is_refused(entry: Entry, captain: User) -> None:
    session = send(start(entry, captain), SCENE[:CHUNK])

    with pytest.raises(uploads.UploadOffsetConflict):
        send(session, SCENE[:CHUNK], offset=0)

    assert UploadSession.objects.get().received == CHUNK


def test_bytes_past_the_announced_size_are_refused(entry: Entry, captain: User) -> None:
    session = start(entry, captain, size=CHUNK)

    with refused("upload_too_long"):
        send(session, SCENE[: CHUNK + 1])

    assert UploadSession.objects.get().received == 0
    assert not uploads.upload_part_path(session).exists()


def test_two_requests_racing_for_one_offset_store_the_bytes_once(entry: Entry, captain: User) -> None:
    # Given two requests that both saw offset 0 before either was counted
    session = start(entry, captain)
    stale = UploadSession.objects.get(pk=session.pk)
    send(session, SCENE[:CHUNK])

    # When the slower one gets the lock, the offset has moved: it is refused and its bytes are not appended
    with pytest.raises(uploads.UploadOffsetConflict):
        send(stale, SCENE[:CHUNK], offset=0)

    assert UploadSession.objects.get().received == CHUNK
    assert uploads.upload_part_path(session).read_bytes() == SCENE[:CHUNK]
    assert [path.suffix for path in uploads.upload_part_path(session).parent.iterdir()] == [".part"]


def test_a_dropped_connection_keeps_the_bytes_that_arrived(entry: Entry, captain: User) -> None:
    session = start(entry, captain)

    session = uploads.upload_append(
        session=session, offset=0, stream=DroppedConnection(SCENE[:CHUNK], keep=300), length=CHUNK
    )

    assert session.received == 300
    session = send(session, SCENE[300:CHUNK])
    assert uploads.upload_part_path(session).read_bytes() == SCENE[:CHUNK]


def test_a_part_file_shorter_than_counted_sends_the_client_back_to_what_is_on_disk(entry: Entry, captain: User) -> None:
    # Given counted bytes that never reached the disk (a crash before they were flushed)
    session = send(start(entry, captain), SCENE[: 2 * CHUNK])
    with uploads.upload_part_path(session).open("r+b") as part:
        part.truncate(CHUNK)

    with pytest.raises(uploads.UploadOffsetConflict) as conflict:
        send(session, SCENE[2 * CHUNK : 3 * CHUNK])

    assert conflict.value.offset == CHUNK
    assert UploadSession.objects.get().received == CHUNK


def test_chunk_arriving_after_the_deadline_is_refused(entry: Entry, captain: User) -> None:
    session = send(start(entry, captain), SCENE[:CHUNK])

    with time_machine.travel(entry.team.competition.submission_deadline), refused("after_deadline"):
        send(session, SCENE[CHUNK : 2 * CHUNK])

    assert UploadSession.objects.get().received == CHUNK


def test_member_who_left_the_team_cannot_send_more_chunks(team: Team, entry: Entry) -> None:
    member = add_member(team)
    session = send(start(entry, member), SCENE[:CHUNK])
    team.memberships.filter(user=member).delete()

    with refused("not_member"):
        send(session, SCENE[CHUNK : 2 * CHUNK])


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


# --- Whose upload, cancel, cleanup -----------------------------------------------------------------------------


def test_someone_elses_upload_is_not_among_theirs(team: Team, entry: Entry, captain: User) -> None:
    teammate = add_member(team)
    session = start(entry, captain)

    assert list(selectors.upload_sessions_of(captain)) == [session]
    assert not selectors.upload_sessions_of(teammate).exists()


def test_upload_of_someone_who_left_the_team_is_no_longer_theirs(team: Team, entry: Entry) -> None:
    member = add_member(team)
    start(entry, member)

    team.memberships.filter(user=member).delete()

    assert not selectors.upload_sessions_of(member).exists()


def test_cancel_removes_the_session_and_its_part_file(
    entry: Entry, captain: User, django_capture_on_commit_callbacks
) -> None:
    session = send(start(entry, captain), SCENE[:CHUNK])

    with django_capture_on_commit_callbacks(execute=True):
        uploads.upload_cancel(session=session)

    assert not UploadSession.objects.exists()
    assert not uploads.upload_part_path(session).exists()


def test_cleanup_removes_uploads_idle_for_a_day_and_their_part_files(
    entry: Entry, captain: User, django_capture_on_commit_callbacks
) -> None:
    session = send(start(entry, captain), SCENE[:CHUNK])
    part = uploads.upload_part_path(session)
    day_later = timezone.now() + timedelta(hours=24, minutes=1)
    os.utime(part, (day_later.timestamp() - 25 * 3600,) * 2)

    with django_capture_on_commit_callbacks(execute=True):
        removed = uploads.upload_sessions_expire(now=day_later)

    assert removed == 1
    assert not UploadSession.objects.exists()
    assert not part.exists()


def test_cleanup_keeps_uploads_that_received_a_chunk_within_the_day(
    entry: Entry, captain: User, django_capture_on_commit_callbacks
) -> None:
    session = send(start(entry, captain), SCENE[:CHUNK])
    with time_machine.travel(timezone.now() + timedelta(hours=23)):
        send(session, SCENE[CHUNK : 2 * CHUNK])

    with django_capture_on_commit_callbacks(execute=True):
        removed = uploads.upload_sessions_expire(now=timezone.now() + timedelta(hours=25))

    assert removed == 0
    assert uploads.upload_part_path(session).read_bytes() == SCENE[: 2 * CHUNK]


def test_cleanup_removes_old_files_that_have_no_upload(settings, db: None) -> None:
    folder = Path(settings.MEDIA_ROOT) / uploads.UPLOADS_FOLDER
    folder.mkdir(parents=True)
    orphans = [folder / "5b0b4a9c-0000-4000-8000-000000000000.part", folder / "tmp1234.chunk"]
    fresh = folder / "tmp5678.chunk"
    long_ago = (timezone.now() - timedelta(hours=30)).timestamp()
    for path in [*orphans, fresh]:
        path.write_bytes(b"x")
    for path in orphans:
        os.utime(path, (long_ago, long_ago))

    uploads.upload_sessions_expire()

    assert [path.exists() for path in orphans] == [False, False]
    assert fresh.exists()


def test_the_expire_uploads_command_runs_the_cleanup(entry: Entry, captain: User, capsys) -> None:
    from django.core.management import call_command

    start(entry, captain)
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        call_command("expire_uploads")

    assert not UploadSession.objects.exists()
    assert "Removed 1 upload session(s)" in capsys.readouterr().out


def test_revision_receive_file_checks_the_rules_again(entry: Entry, tmp_path: Path) -> None:
    path = tmp_path / "scene.glb"
    path.write_bytes(SCENE)
    outsider = UserFactory()

    with refused("not_member"):
        uploads.revision_receive_file(entry=entry, user=outsider, path=path, original_name="scene.glb")
    assert path.exists()


def test_uploads_of_another_competitions_entry_follow_that_competitions_limit(captain: User) -> None:
    small = CompetitionFactory(max_upload_bytes=1000)
    entry = EntryFactory(team=TeamFactory(competition=small, captain=captain), track=TrackFactory(competition=small))

    with refused("file_too_large"):
        start(entry, captain, size=1001)
