"""services.uploads, opening an upload and its chunks: every rule is checked before any byte is accepted, and bytes
are taken only at the server's offset. Completion: test_upload_completion.py; cancel and cleanup:
test_upload_cleanup.py."""

import pytest
import time_machine
from django.contrib.auth.models import User

from competitions.models import Competition, Entry, Team, UploadSession
from competitions.services import uploads
from tests.factories import CompetitionFactory, EntryFactory, TeamFactory, TrackFactory, UserFactory, add_member

from .conftest import refused
from .uploading import CHUNK, SCENE, DroppedConnection, send, start

pytestmark = pytest.mark.django_db


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


def test_uploads_of_another_competitions_entry_follow_that_competitions_limit(captain: User) -> None:
    small = CompetitionFactory(max_upload_bytes=1000)
    entry = EntryFactory(team=TeamFactory(competition=small, captain=captain), track=TrackFactory(competition=small))

    with refused("file_too_large"):
        start(entry, captain, size=1001)
