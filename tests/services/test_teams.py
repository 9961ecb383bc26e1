"""services.teams: who may create, join, leave and run a team, and when."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from competitions.models import Competition, Membership, Team, Track
from competitions.services import teams
from tests.factories import CompetitionFactory, EntryFactory, TeamFactory, UserFactory, add_member, captain_of

from .conftest import refused

pytestmark = pytest.mark.django_db


def role_of(team: Team, user: User) -> str | None:
    membership = Membership.objects.filter(team=team, user=user).first()
    return membership.role if membership else None


# --- Creating ----------------------------------------------------------------------------------------------------


def test_creating_a_team_makes_its_creator_captain(competition: Competition) -> None:
    person = UserFactory()

    team = teams.team_create(competition=competition, user=person, name="  Lakeside   Learning Lab ")

    assert team.name == "Lakeside Learning Lab"
    assert role_of(team, person) == Membership.Role.CAPTAIN


def test_person_with_an_unconfirmed_email_cannot_create_a_team(competition: Competition) -> None:
    person = UserFactory(is_active=False)

    with refused("email_unconfirmed"):
        teams.team_create(competition=competition, user=person, name="Lakeside Learning Lab")


def test_team_name_is_taken_whatever_its_case(team: Team) -> None:
    with refused("name_taken"):
        teams.team_create(competition=team.competition, user=UserFactory(), name=team.name.upper())


def test_person_in_a_team_cannot_create_another_in_the_same_competition(team: Team, captain: User) -> None:
    with refused("already_in_team"):
        teams.team_create(competition=team.competition, user=captain, name="Second Team")


def test_person_can_be_in_teams_of_different_competitions(team: Team, captain: User) -> None:
    other_competition = CompetitionFactory()

    other_team = teams.team_create(competition=other_competition, user=captain, name="Second Team")

    assert role_of(other_team, captain) == Membership.Role.CAPTAIN


# --- Joining ------------------------------------------------------------------------------------------------------


def test_joining_with_the_invite_code_makes_a_member(team: Team) -> None:
    person = UserFactory()

    joined = teams.team_join(user=person, invite_code=team.invite_code)

    assert joined == team
    assert role_of(team, person) == Membership.Role.MEMBER


def test_invite_code_is_accepted_in_lower_case_with_spaces_and_dashes(team: Team) -> None:
    code = team.invite_code
    typed = f"  {code[:5].lower()} - {code[5:].lower()} "
    person = UserFactory()

    teams.team_join(user=person, invite_code=typed)

    assert role_of(team, person) == Membership.Role.MEMBER


def test_unknown_invite_code_is_refused(team: Team) -> None:
    with refused("bad_invite_code"):
        teams.team_join(user=UserFactory(), invite_code="NOSUCHCODE")


def test_the_last_place_in_a_team_can_be_taken(team: Team) -> None:
    add_member(team)  # 2 of 3
    person = UserFactory()

    teams.team_join(user=person, invite_code=team.invite_code)

    assert team.memberships.count() == team.competition.team_size_max


def test_joining_a_full_team_is_refused(team: Team) -> None:
    add_member(team)
    add_member(team)  # 3 of 3
    person = UserFactory()

    with refused("team_full"):
        teams.team_join(user=person, invite_code=team.invite_code)
    assert role_of(team, person) is None


def test_person_cannot_join_a_second_team_in_the_same_competition(team: Team) -> None:
    other = TeamFactory(competition=team.competition)
    person = add_member(other)

    with refused("already_in_team"):
        teams.team_join(user=person, invite_code=team.invite_code)


def test_person_with_an_unconfirmed_email_cannot_join(team: Team) -> None:
    with refused("email_unconfirmed"):
        teams.team_join(user=UserFactory(is_active=False), invite_code=team.invite_code)


# --- Registration window ------------------------------------------------------------------------------------------


def test_joining_before_registration_opens_is_refused() -> None:
    now = timezone.now()
    competition = CompetitionFactory(registration_opens_at=now + timedelta(days=1))
    team = TeamFactory(competition=competition)

    with refused("registration_not_open"):
        teams.team_join(user=UserFactory(), invite_code=team.invite_code)


def test_joining_after_registration_closes_is_refused() -> None:
    now = timezone.now()
    competition = CompetitionFactory(registration_closes_at=now - timedelta(seconds=1))
    team = TeamFactory(competition=competition)

    with refused("registration_closed"):
        teams.team_join(user=UserFactory(), invite_code=team.invite_code)


def test_creating_a_team_after_registration_closes_is_refused() -> None:
    competition = CompetitionFactory(registration_closes_at=timezone.now() - timedelta(seconds=1))

    with refused("registration_closed"):
        teams.team_create(competition=competition, user=UserFactory(), name="Late Team")


def test_creating_a_team_before_registration_opens_is_refused() -> None:
    competition = CompetitionFactory(registration_opens_at=timezone.now() + timedelta(hours=1))

    with refused("registration_not_open"):
        teams.team_create(competition=competition, user=UserFactory(), name="Early Team")


# --- Invite codes -------------------------------------------------------------------------------------------------


def test_rotating_the_invite_code_makes_the_old_one_stop_working(team: Team, captain: User) -> None:
    old_code = team.invite_code

    teams.team_rotate_invite_code(team=team, by=captain)

    with refused("bad_invite_code"):
        teams.team_join(user=UserFactory(), invite_code=old_code)


def test_the_new_invite_code_works_after_rotation(team: Team, captain: User) -> None:
    new_code = teams.team_rotate_invite_code(team=team, by=captain)
    person = UserFactory()

    teams.team_join(user=person, invite_code=new_code)

    assert role_of(team, person) == Membership.Role.MEMBER


def test_member_cannot_rotate_the_invite_code(team: Team) -> None:
    member = add_member(team)
    code = team.invite_code

    with refused("not_captain"):
        teams.team_rotate_invite_code(team=team, by=member)
    team.refresh_from_db()
    assert team.invite_code == code


def test_captain_of_another_team_cannot_rotate_this_teams_code(team: Team) -> None:
    other_captain = captain_of(TeamFactory(competition=team.competition))

    with refused("not_captain"):
        teams.team_rotate_invite_code(team=team, by=other_captain)


# --- Leaving ------------------------------------------------------------------------------------------------------


def test_member_can_leave(team: Team) -> None:
    member = add_member(team)

    dissolved = teams.team_leave(team=team, user=member)

    assert dissolved is False
    assert role_of(team, member) is None


def test_captain_cannot_leave_before_handing_over_captaincy(team: Team, captain: User) -> None:
    add_member(team)

    with refused("captain_must_hand_over"):
        teams.team_leave(team=team, user=captain)
    assert role_of(team, captain) == Membership.Role.CAPTAIN


def test_captain_can_leave_after_handing_over_captaincy(team: Team, captain: User) -> None:
    member = add_member(team)
    teams.team_transfer_captaincy(team=team, by=captain, to=member)

    teams.team_leave(team=team, user=captain)

    assert role_of(team, captain) is None
    assert role_of(team, member) == Membership.Role.CAPTAIN


def test_last_member_of_a_team_with_entries_cannot_leave(team: Team, captain: User, track: Track) -> None:
    EntryFactory(team=team, track=track)

    with refused("last_member_with_entries"):
        teams.team_leave(team=team, user=captain)
    assert Team.objects.filter(pk=team.pk).exists()


def test_last_member_leaving_a_team_without_entries_dissolves_it(team: Team, captain: User) -> None:
    dissolved = teams.team_leave(team=team, user=captain)

    assert dissolved is True
    assert not Team.objects.filter(pk=team.pk).exists()


def test_person_outside_the_team_cannot_leave_it(team: Team) -> None:
    with refused("not_member"):
        teams.team_leave(team=team, user=UserFactory())


def test_leaving_after_the_submission_deadline_is_refused() -> None:
    now = timezone.now()
    competition = CompetitionFactory(submission_deadline=now - timedelta(seconds=1))
    team = TeamFactory(competition=competition)
    member = add_member(team)

    with refused("after_deadline"):
        teams.team_leave(team=team, user=member)


# --- The captain's powers -----------------------------------------------------------------------------------------


def test_captain_removes_a_member(team: Team, captain: User) -> None:
    member = add_member(team)

    teams.team_remove_member(team=team, by=captain, member=member)

    assert role_of(team, member) is None


def test_member_cannot_remove_another_member(team: Team) -> None:
    member = add_member(team)
    other = add_member(team)

    with refused("not_captain"):
        teams.team_remove_member(team=team, by=member, member=other)
    assert role_of(team, other) == Membership.Role.MEMBER


def test_member_cannot_remove_the_captain(team: Team, captain: User) -> None:
    member = add_member(team)

    with refused("not_captain"):
        teams.team_remove_member(team=team, by=member, member=captain)
    assert role_of(team, captain) == Membership.Role.CAPTAIN


def test_captain_cannot_remove_themselves(team: Team, captain: User) -> None:
    with refused("cannot_remove_self"):
        teams.team_remove_member(team=team, by=captain, member=captain)


def test_captain_cannot_remove_a_member_of_another_team(team: Team, captain: User) -> None:
    other_team = TeamFactory(competition=team.competition)
    stranger = add_member(other_team)

    with refused("not_member"):
        teams.team_remove_member(team=team, by=captain, member=stranger)
    assert role_of(other_team, stranger) == Membership.Role.MEMBER


def test_removing_members_after_the_deadline_is_refused() -> None:
    competition = CompetitionFactory(submission_deadline=timezone.now() - timedelta(seconds=1))
    team = TeamFactory(competition=competition)
    member = add_member(team)

    with refused("after_deadline"):
        teams.team_remove_member(team=team, by=captain_of(team), member=member)


def test_captaincy_can_only_go_to_a_member_of_the_team(team: Team, captain: User) -> None:
    with refused("not_member"):
        teams.team_transfer_captaincy(team=team, by=captain, to=UserFactory())
    assert role_of(team, captain) == Membership.Role.CAPTAIN


def test_member_cannot_hand_over_captaincy(team: Team, captain: User) -> None:
    member = add_member(team)

    with refused("not_captain"):
        teams.team_transfer_captaincy(team=team, by=member, to=member)
    assert role_of(team, captain) == Membership.Role.CAPTAIN
