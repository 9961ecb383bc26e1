"""The cast of the portal tests: Alice captains team Aurora, Bob is in it, Charlie is in no team."""

import pytest
from django.contrib.auth.models import User

from competitions.models import Competition, Team, Track
from tests.factories import CompetitionFactory, TeamFactory, TrackFactory, UserFactory, add_member


@pytest.fixture
def competition(db: None) -> Competition:
    return CompetitionFactory(name="Metaverse Scenario Design Competition", slug="metaverse")


@pytest.fixture
def track(competition: Competition) -> Track:
    return TrackFactory(competition=competition, name="Culture and tourism")


@pytest.fixture
def alice(db: None) -> User:
    return UserFactory(username="alice@example.com", profile__display_name="Alice Wang")


@pytest.fixture
def bob(db: None) -> User:
    return UserFactory(username="bob@example.com", profile__display_name="Bob Li")


@pytest.fixture
def charlie(db: None) -> User:
    return UserFactory(username="charlie@example.com", profile__display_name="Charlie Chen")


@pytest.fixture
def team(competition: Competition, alice: User, bob: User) -> Team:
    team = TeamFactory(competition=competition, captain=alice, name="Aurora")
    add_member(team, bob)
    return team
