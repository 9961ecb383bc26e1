"""The cast of the portal tests: Alice captains team Aurora, Bob is in it, Charlie is in no team."""

import pytest

from tests.factories import CompetitionFactory, TeamFactory, TrackFactory, UserFactory, add_member


@pytest.fixture
def competition(db):  # type: ignore[no-untyped-def]
    return CompetitionFactory(name="Metaverse Scenario Design Competition", slug="metaverse")


@pytest.fixture
def track(competition):  # type: ignore[no-untyped-def]
    return TrackFactory(competition=competition, name="Culture and tourism")


@pytest.fixture
def alice(db):  # type: ignore[no-untyped-def]
    return UserFactory(username="alice@example.com", profile__display_name="Alice Wang")


@pytest.fixture
def bob(db):  # type: ignore[no-untyped-def]
    return UserFactory(username="bob@example.com", profile__display_name="Bob Li")


@pytest.fixture
def charlie(db):  # type: ignore[no-untyped-def]
    return UserFactory(username="charlie@example.com", profile__display_name="Charlie Chen")


@pytest.fixture
def team(competition, alice, bob):  # type: ignore[no-untyped-def]
    team = TeamFactory(competition=competition, captain=alice, name="Aurora")
    add_member(team, bob)
    return team
