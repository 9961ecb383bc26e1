"""services.entries: creating entries and receiving uploaded revisions, and what the rules refuse."""

import hashlib
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone

from competitions.models import Competition, Entry, EntryRevision, Team, Track
from competitions.pipeline.samples import box_glb
from competitions.services import entries
from tests.factories import CompetitionFactory, TeamFactory, TrackFactory, UserFactory, add_member

from .conftest import glb_upload, refused

pytestmark = pytest.mark.django_db


# --- Creating entries ---------------------------------------------------------------------------------------------


def test_member_creates_an_entry_in_a_track(team: Team, track: Track) -> None:
    member = add_member(team)

    entry = entries.entry_create(team=team, track=track, user=member, title="  Smart   Factory Floor ")

    assert (entry.team, entry.track, entry.title, entry.created_by) == (team, track, "Smart Factory Floor", member)


def test_second_entry_in_the_same_track_is_refused(team: Team, captain: User, track: Track) -> None:
    entries.entry_create(team=team, track=track, user=captain, title="Smart Factory Floor")

    with refused("track_limit"):
        entries.entry_create(team=team, track=track, user=captain, title="Another Factory")
    assert Entry.objects.filter(team=team, track=track).count() == 1


def test_entry_in_another_track_of_the_same_competition_is_accepted(team: Team, captain: User, track: Track) -> None:
    entries.entry_create(team=team, track=track, user=captain, title="Smart Factory Floor")
    education = TrackFactory(competition=team.competition, name="Education", slug="education")

    entry = entries.entry_create(team=team, track=education, user=captain, title="Future Classroom")

    assert entry.track == education


def test_competition_may_allow_more_entries_per_track(captain: User) -> None:
    competition = CompetitionFactory(entries_per_team_per_track=2)
    team = TeamFactory(competition=competition, captain=captain)
    track = TrackFactory(competition=competition)
    entries.entry_create(team=team, track=track, user=captain, title="First")

    entries.entry_create(team=team, track=track, user=captain, title="Second")

    assert Entry.objects.filter(team=team, track=track).count() == 2


def test_track_of_another_competition_is_refused(team: Team, captain: User) -> None:
    foreign_track = TrackFactory(competition=CompetitionFactory())

    with refused("wrong_track"):
        entries.entry_create(team=team, track=foreign_track, user=captain, title="Smart Factory Floor")


def test_non_member_cannot_create_an_entry_for_a_team(team: Team, track: Track) -> None:
    with refused("not_member"):
        entries.entry_create(team=team, track=track, user=UserFactory(), title="Smart Factory Floor")
    assert not Entry.objects.filter(team=team).exists()


def test_member_of_another_team_cannot_create_an_entry_for_this_team(team: Team, track: Track) -> None:
    other_captain = UserFactory()
    TeamFactory(competition=team.competition, captain=other_captain)

    with refused("not_member"):
        entries.entry_create(team=team, track=track, user=other_captain, title="Smart Factory Floor")


def test_entry_needs_a_title(team: Team, captain: User, track: Track) -> None:
    with refused("title_required"):
        entries.entry_create(team=team, track=track, user=captain, title="   ")


def test_entry_cannot_be_created_before_submissions_open(captain: User) -> None:
    competition = CompetitionFactory(submission_opens_at=timezone.now() + timedelta(hours=1))
    team = TeamFactory(competition=competition, captain=captain)

    with refused("submission_not_open"):
        entries.entry_create(team=team, track=TrackFactory(competition=competition), user=captain, title="Too early")


def test_entry_cannot_be_created_after_the_deadline(captain: User) -> None:
    competition = CompetitionFactory(submission_deadline=timezone.now() - timedelta(seconds=1))
    team = TeamFactory(competition=competition, captain=captain)

    with refused("after_deadline"):
        entries.entry_create(team=team, track=TrackFactory(competition=competition), user=captain, title="Too late")


def test_non_member_cannot_edit_an_entry(entry: Entry) -> None:
    with refused("not_member"):
        entries.entry_update(entry=entry, user=UserFactory(), title="Taken over", description="")
    entry.refresh_from_db()
    assert entry.title == "Smart Factory Floor"


# --- Receiving revisions ------------------------------------------------------------------------------------------


def test_member_uploads_a_revision_that_waits_for_processing(entry: Entry) -> None:
    member = add_member(entry.team)

    revision = entries.revision_receive(entry=entry, user=member, upload=glb_upload())

    assert (revision.number, revision.status, revision.uploaded_by) == (1, EntryRevision.Status.RECEIVED, member)


def test_upload_is_stored_under_a_server_made_name_with_its_size_and_hash(entry: Entry, captain: User) -> None:
    content = box_glb()

    revision = entries.revision_receive(entry=entry, user=captain, upload=glb_upload(content, "../../My Scene.GLB"))

    assert revision.original_name == "My Scene.GLB"
    assert revision.file.name.startswith(f"revisions/{entry.pk}/")
    assert "My Scene" not in revision.file.name and revision.file.name.endswith(".glb")
    assert (revision.size, revision.sha256) == (len(content), hashlib.sha256(content).hexdigest())
    assert Path(revision.file.path).read_bytes() == content


def test_revision_numbers_count_up_within_an_entry(entry: Entry, captain: User) -> None:
    entries.revision_receive(entry=entry, user=captain, upload=glb_upload())

    second = entries.revision_receive(entry=entry, user=captain, upload=glb_upload())

    assert second.number == 2


def test_processing_is_queued_only_when_the_upload_commits(
    entry: Entry, captain: User, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        entries.revision_receive(entry=entry, user=captain, upload=glb_upload())

    assert len(callbacks) == 1


def test_non_member_cannot_upload_a_revision(entry: Entry) -> None:
    with refused("not_member"):
        entries.revision_receive(entry=entry, user=UserFactory(), upload=glb_upload())
    assert not EntryRevision.objects.filter(entry=entry).exists()


def test_refused_upload_leaves_no_file_behind(entry: Entry) -> None:
    with refused("not_member"):
        entries.revision_receive(entry=entry, user=UserFactory(), upload=glb_upload())

    assert not list(Path(settings.MEDIA_ROOT).rglob("*.glb"))


def test_upload_is_refused_while_the_team_is_below_its_minimum_size(captain: User) -> None:
    competition = CompetitionFactory(team_size_min=2, team_size_max=4)
    team = TeamFactory(competition=competition, captain=captain)
    entry = Entry.objects.create(team=team, track=TrackFactory(competition=competition), title="Solo scene")

    with refused("team_too_small"):
        entries.revision_receive(entry=entry, user=captain, upload=glb_upload())


def test_upload_is_accepted_once_the_team_reaches_its_minimum_size(captain: User) -> None:
    competition = CompetitionFactory(team_size_min=2, team_size_max=4)
    team = TeamFactory(competition=competition, captain=captain)
    add_member(team)
    entry = Entry.objects.create(team=team, track=TrackFactory(competition=competition), title="Duo scene")

    revision = entries.revision_receive(entry=entry, user=captain, upload=glb_upload())

    assert revision.status == EntryRevision.Status.RECEIVED


def test_file_of_a_format_the_competition_does_not_accept_is_refused(entry: Entry, captain: User) -> None:
    with refused("format_not_allowed"):
        entries.revision_receive(entry=entry, user=captain, upload=glb_upload(b"v 0 0 0\n", "scene.obj"))


def test_zip_is_refused_when_the_competition_accepts_only_stl(captain: User) -> None:
    competition = CompetitionFactory(allowed_formats=["stl"])
    team = TeamFactory(competition=competition, captain=captain)
    entry = Entry.objects.create(team=team, track=TrackFactory(competition=competition), title="Zipped scene")

    with refused("format_not_allowed"):
        entries.revision_receive(entry=entry, user=captain, upload=glb_upload(b"PK\x03\x04", "scene.zip"))


def test_file_over_the_competitions_size_limit_is_refused(captain: User) -> None:
    content = box_glb()
    competition = CompetitionFactory(max_upload_bytes=len(content) - 1)
    team = TeamFactory(competition=competition, captain=captain)
    entry = Entry.objects.create(team=team, track=TrackFactory(competition=competition), title="Big scene")

    with refused("file_too_large"):
        entries.revision_receive(entry=entry, user=captain, upload=glb_upload(content))


def test_empty_file_is_refused(entry: Entry, captain: User) -> None:
    with refused("file_empty"):
        entries.revision_receive(entry=entry, user=captain, upload=glb_upload(b""))


def test_upload_before_submissions_open_is_refused(captain: User) -> None:
    competition: Competition = CompetitionFactory(submission_opens_at=timezone.now() + timedelta(minutes=5))
    team = TeamFactory(competition=competition, captain=captain)
    entry = Entry.objects.create(team=team, track=TrackFactory(competition=competition), title="Early scene")

    with refused("submission_not_open"):
        entries.revision_receive(entry=entry, user=captain, upload=glb_upload())
