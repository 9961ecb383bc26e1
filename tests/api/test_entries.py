from datetime import timedelta

import pytest
import time_machine

from competitions.models import Entry
from tests.factories import (
    CompetitionFactory,
    EntryFactory,
    EntryRevisionFactory,
    TeamFactory,
    TrackFactory,
    UserFactory,
    add_member,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice():
    return UserFactory()


@pytest.fixture
def team(alice):
    return TeamFactory(captain=alice)


@pytest.fixture
def games(team):
    return TrackFactory(competition=team.competition, slug="games")


def test_member_creates_an_entry_in_a_track(client_for, alice, team, games):
    response = client_for(alice).post(
        "/api/entries/",
        {"team": team.pk, "track": "games", "title": "  Harbour   at dusk ", "description": "A night market."},
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["team"], body["track"], body["title"]) == (team.pk, "games", "Harbour at dusk")
    assert body["competition"] == team.competition.slug
    assert body["current_revision"] is None
    assert body["revisions_url"].endswith(f"/api/entries/{body['id']}/revisions/")
    assert Entry.objects.get().created_by == alice


def test_second_entry_in_the_same_track_is_refused(client_for, alice, team, games):
    EntryFactory(team=team, track=games)

    response = client_for(alice).post(
        "/api/entries/", {"team": team.pk, "track": "games", "title": "Second try"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "track_limit"
    assert response.json()["field"] == "track"
    assert Entry.objects.count() == 1


def test_creating_an_entry_for_another_team_is_refused_on_the_team_field(client_for, games):
    # Given Bob, who is in a different team of the same competition
    bob = UserFactory()
    TeamFactory(competition=games.competition, captain=bob)
    other = games.competition.teams.exclude(memberships__user=bob).get()

    # When he tries to create an entry for the other team
    response = client_for(bob).post("/api/entries/", {"team": other.pk, "track": "games", "title": "X"}, format="json")

    # Then it is as if that team did not exist
    assert response.status_code == 400
    assert response.json()["field"] == "team"
    assert not Entry.objects.exists()


def test_creating_an_entry_in_a_track_of_another_competition_is_refused(client_for, alice, team):
    TrackFactory(slug="elsewhere")

    response = client_for(alice).post(
        "/api/entries/", {"team": team.pk, "track": "elsewhere", "title": "X"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["field"] == "track"


def test_entry_list_shows_only_entries_of_the_callers_teams(client_for, alice, team, games):
    mine = EntryFactory(team=team, track=games)
    EntryFactory()

    response = client_for(alice).get("/api/entries/")

    assert [e["id"] for e in response.json()["results"]] == [mine.pk]


def test_another_teams_entry_is_not_found(client_for, alice):
    other = EntryFactory()

    response = client_for(alice).get(f"/api/entries/{other.pk}/")

    assert response.status_code == 404


def test_member_changes_the_title(client_for, alice, team, games):
    entry = EntryFactory(team=team, track=games, description="Kept")

    response = client_for(alice).patch(f"/api/entries/{entry.pk}/", {"title": "New title"}, format="json")

    assert response.status_code == 200
    entry.refresh_from_db()
    assert (entry.title, entry.description) == ("New title", "Kept")


def test_changing_another_teams_entry_is_not_found(client_for, alice):
    other = EntryFactory(title="Theirs")

    response = client_for(alice).patch(f"/api/entries/{other.pk}/", {"title": "Mine now"}, format="json")

    assert response.status_code == 404
    other.refresh_from_db()
    assert other.title == "Theirs"


def test_changing_the_title_after_the_deadline_is_refused(client_for, alice, team, games):
    entry = EntryFactory(team=team, track=games)

    with time_machine.travel(team.competition.submission_deadline + timedelta(seconds=1)):
        response = client_for(alice).patch(f"/api/entries/{entry.pk}/", {"title": "Late"}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "after_deadline"


def test_replacing_an_entry_with_put_is_not_allowed(client_for, alice, team, games):
    entry = EntryFactory(team=team, track=games)

    response = client_for(alice).put(f"/api/entries/{entry.pk}/", {"title": "X"}, format="json")

    assert response.status_code == 405


def test_entry_list_query_count_does_not_grow_with_entries(client_for, django_assert_max_num_queries):
    # Given Alice in three competitions, with entries in several tracks that have ready revisions
    alice = UserFactory()
    for _n in range(3):
        team = TeamFactory(captain=alice, competition=CompetitionFactory(entries_per_team_per_track=3))
        add_member(team)
        for entry in EntryFactory.create_batch(3, team=team):
            entry.current_revision = EntryRevisionFactory(entry=entry)
            entry.save()
    client = client_for(alice)

    with django_assert_max_num_queries(3):
        response = client.get("/api/entries/")

    assert len(response.json()["results"]) == 9
