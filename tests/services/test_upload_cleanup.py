"""services.uploads, whose upload it is, cancelling it, and the cleanup of old ones."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth.models import User
from django.utils import timezone

from competitions import selectors
from competitions.models import Entry, Team, UploadSession
from competitions.services import uploads
from tests.factories import add_member

from .uploading import CHUNK, SCENE, send, start

pytestmark = pytest.mark.django_db


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
