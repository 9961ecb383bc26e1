"""A small cast for the service tests: a competition open for registration and submissions, a track, a team of
one (its captain), an entry, an organiser (staff: told of failures), and helpers for uploads and refusals."""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from competitions.exceptions import RuleError
from competitions.models import Competition, Entry, Team, Track
from competitions.pipeline.samples import box_glb
from tests.factories import CompetitionFactory, EntryFactory, TeamFactory, TrackFactory, UserFactory


@contextmanager
def refused(code: str) -> Iterator[None]:
    """Expect the block to be refused by a competition rule with this code."""
    with pytest.raises(RuleError) as error:
        yield
    assert error.value.code == code, f"refused with {error.value.code}: {error.value.message}"


def glb_upload(content: bytes | None = None, name: str = "scene.glb") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, box_glb() if content is None else content, content_type="model/gltf-binary")


@pytest.fixture
def competition(db: None) -> Competition:
    return CompetitionFactory(team_size_min=1, team_size_max=3)


@pytest.fixture
def track(competition: Competition) -> Track:
    return TrackFactory(competition=competition, name="Industrial metaverse", slug="industrial")


@pytest.fixture
def captain(db: None) -> User:
    return UserFactory(username="alice@example.com")


@pytest.fixture
def team(competition: Competition, captain: User) -> Team:
    return TeamFactory(competition=competition, captain=captain, name="Huangpu Digital Twins")


@pytest.fixture
def entry(team: Team, track: Track) -> Entry:
    return EntryFactory(team=team, track=track, title="Smart Factory Floor")


@pytest.fixture
def organiser(db: None) -> User:
    return UserFactory(username="organiser@example.com", is_staff=True)
