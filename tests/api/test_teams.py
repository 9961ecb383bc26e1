from datetime import timedelta

import pytest
from django.utils import timezone

from competitions.models import Membership, Team
from tests.factories import CompetitionFactory, EntryFactory, TeamFactory, UserFactory, add_member

pytestmark = pytest.mark.django_db


def test_creating_a_team_makes_the_caller_its_captain(client_for):
    # Given a competition open for registration
    CompetitionFactory(slug="metaverse")
    alice = UserFactory()

    # When Alice creates a team
    response = client_for(alice).post("/api/teams/", {"competition": "metaverse", "name": "Pixel Poets"}, format="json")

    # Then she is its captain and sees its invite code
    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "Pixel Poets"
    assert body["competition"] == "metaverse"
    assert body["is_captain"] is True
    assert [(m["user_id"], m["display_name"], m["role"]) for m in body["members"]] == [
        (alice.pk, alice.profile.display_name, "captain")
    ]
    assert body["invite_code"] == Team.objects.get().invite_code


def test_creating_a_team_in_an_unknown_competition_is_refused_on_its_field(client_for):
    response = client_for(UserFactory()).post("/api/teams/", {"competition": "nope", "name": "X"}, format="json")

    assert response.status_code == 400
    assert response.json()["field"] == "competition"


def test_second_team_in_the_same_competition_is_refused(client_for):
    competition = CompetitionFactory(slug="metaverse")
    alice = UserFactory()
    TeamFactory(competition=competition, captain=alice)

    response = client_for(alice).post("/api/teams/", {"competition": "metaverse", "name": "Another"}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "already_in_team"


def test_team_list_shows_only_the_callers_teams(client_for):
    alice = UserFactory()
    mine = TeamFactory(captain=alice)
    TeamFactory()

    response = client_for(alice).get("/api/teams/")

    assert [t["id"] for t in response.json()["results"]] == [mine.pk]


def test_team_detail_shows_every_member_with_role_and_the_invite_code(client_for):
    alice = UserFactory()
    team = TeamFactory(captain=alice)
    bob = add_member(team)

    body = client_for(bob).get(f"/api/teams/{team.pk}/").json()

    assert body["member_count"] == 2
    assert [(m["user_id"], m["role"]) for m in body["members"]] == [(alice.pk, "captain"), (bob.pk, "member")]
    assert body["is_captain"] is False
    assert body["invite_code"] == team.invite_code


def test_another_teams_detail_is_not_found(client_for):
    other = TeamFactory()

    response = client_for(UserFactory()).get(f"/api/teams/{other.pk}/")

    assert response.status_code == 404


def test_joining_by_invite_code_adds_the_caller_as_member(client_for):
    team = TeamFactory()
    bob = UserFactory()

    response = client_for(bob).post("/api/teams/join/", {"invite_code": team.invite_code.lower()}, format="json")

    assert response.status_code == 200
    assert response.json()["id"] == team.pk
    assert Membership.objects.get(team=team, user=bob).role == Membership.Role.MEMBER


def test_joining_with_a_wrong_invite_code_is_refused(client_for):
    TeamFactory()

    response = client_for(UserFactory()).post("/api/teams/join/", {"invite_code": "NOTACODE22"}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "bad_invite_code"
    assert response.json()["field"] == "invite_code"


def test_joining_a_full_team_is_refused(client_for):
    # Given a team at the competition's maximum of three
    team = TeamFactory(competition=CompetitionFactory(team_size_max=3))
    add_member(team)
    add_member(team)
    carol = UserFactory()

    # When a fourth person tries to join
    response = client_for(carol).post("/api/teams/join/", {"invite_code": team.invite_code}, format="json")

    # Then the team is full
    assert response.status_code == 400
    assert response.json()["code"] == "team_full"
    assert not Membership.objects.filter(user=carol).exists()


def test_member_leaves_the_team(client_for):
    team = TeamFactory()
    bob = add_member(team)

    response = client_for(bob).post(f"/api/teams/{team.pk}/leave/")

    assert response.status_code == 200
    assert response.json() == {"dissolved": False}
    assert not Membership.objects.filter(team=team, user=bob).exists()


def test_leaving_after_the_deadline_is_refused(client_for):
    team = TeamFactory(competition=CompetitionFactory(submission_deadline=timezone.now() - timedelta(hours=1)))
    bob = add_member(team)

    response = client_for(bob).post(f"/api/teams/{team.pk}/leave/")

    assert response.status_code == 400
    assert response.json()["code"] == "after_deadline"


def test_leaving_another_team_is_not_found(client_for):
    other = TeamFactory()

    response = client_for(UserFactory()).post(f"/api/teams/{other.pk}/leave/")

    assert response.status_code == 404


def test_captain_rotates_the_invite_code_and_the_old_one_stops_working(client_for):
    alice = UserFactory()
    team = TeamFactory(captain=alice)
    old_code = team.invite_code

    response = client_for(alice).post(f"/api/teams/{team.pk}/rotate-invite-code/")

    assert response.status_code == 200
    new_code = response.json()["invite_code"]
    assert new_code != old_code
    assert client_for(UserFactory()).post("/api/teams/join/", {"invite_code": old_code}).json()["code"] == (
        "bad_invite_code"
    )


def test_member_cannot_rotate_the_invite_code(client_for):
    team = TeamFactory()
    code = team.invite_code
    bob = add_member(team)

    response = client_for(bob).post(f"/api/teams/{team.pk}/rotate-invite-code/")

    assert response.status_code == 400
    assert response.json()["code"] == "not_captain"
    team.refresh_from_db()
    assert team.invite_code == code


def test_rotating_another_teams_invite_code_is_not_found(client_for):
    other = TeamFactory()
    code = other.invite_code

    response = client_for(UserFactory()).post(f"/api/teams/{other.pk}/rotate-invite-code/")

    assert response.status_code == 404
    other.refresh_from_db()
    assert other.invite_code == code


def test_team_list_query_count_does_not_grow_with_teams(client_for, django_assert_max_num_queries):
    # Given Alice in four teams (one per competition), each with members and entries
    alice = UserFactory()
    for _n in range(4):
        team = TeamFactory(captain=alice)
        add_member(team)
        EntryFactory.create_batch(2, team=team)
    client = client_for(alice)

    # When she lists them, the queries are a fixed handful
    with django_assert_max_num_queries(5):
        response = client.get("/api/teams/")

    assert len(response.json()["results"]) == 4
