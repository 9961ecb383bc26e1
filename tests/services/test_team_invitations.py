"""services.invitations: who may invite an address to a team, and who may accept, by the rules of joining."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core import mail
from django.db import IntegrityError
from django.utils import timezone, translation

from competitions.exceptions import RuleError
from competitions.models import Competition, Team, TeamInvitation
from competitions.services import invitations, teams
from tests.factories import CompetitionFactory, TeamFactory, UserFactory, add_member

from .conftest import refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitee(db: None) -> User:
    return UserFactory(username="dana@example.com")


@pytest.fixture
def invitation(team: Team, captain: User, invitee: User) -> TeamInvitation:
    return invitations.invitation_create(team=team, email=invitee.email, user=captain)


def is_member(team: Team, user: User) -> bool:
    return team.memberships.filter(user=user).exists()


# --- Inviting ------------------------------------------------------------------------------------------------------


def test_invitation_email_carries_the_link_and_is_sent_after_commit(
    team: Team, captain: User, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        invitation = invitations.invitation_create(team=team, email="Dana@Example.com", user=captain)
        assert mail.outbox == []

    assert len(callbacks) == 1
    assert [message.to for message in mail.outbox] == [["dana@example.com"]]
    assert f"/teams/invitations/{invitation.token}/" in mail.outbox[0].body
    assert team.name in mail.outbox[0].subject


def test_invitation_email_is_in_english_and_chinese(team: Team, captain: User, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitations.invitation_create(team=team, email="dana@example.com", user=captain)

    message = mail.outbox[0]
    assert message.subject.startswith("Join team “Huangpu Digital Twins”")
    assert "加入" in message.subject
    assert "invites you to join team" in message.body
    assert "邀请你" in message.body
    assert message.body.index("invites you") < message.body.index("邀请你")


def test_invitation_email_puts_the_inviters_language_first(
    team: Team, captain: User, django_capture_on_commit_callbacks
) -> None:
    with translation.override("zh-hans"), django_capture_on_commit_callbacks(execute=True):
        invitations.invitation_create(team=team, email="dana@example.com", user=captain)

    message = mail.outbox[0]
    assert message.subject.startswith("加入")
    assert message.body.index("邀请你") < message.body.index("invites you")


def test_invited_address_is_kept_in_lower_case_without_spaces(team: Team, captain: User) -> None:
    invitation = invitations.invitation_create(team=team, email="  Dana@Example.COM ", user=captain)

    assert invitation.email == "dana@example.com"
    assert invitation.invited_by == captain
    assert invitation.status == TeamInvitation.Status.PENDING
    assert len(invitation.token) >= 40


def test_member_who_is_not_captain_may_invite(team: Team) -> None:
    member = add_member(team)

    invitation = invitations.invitation_create(team=team, email="dana@example.com", user=member)

    assert invitation.invited_by == member


def test_person_outside_the_team_cannot_invite(team: Team) -> None:
    with refused("not_member"):
        invitations.invitation_create(team=team, email="dana@example.com", user=UserFactory())

    assert not TeamInvitation.objects.exists()


def test_an_address_that_is_not_an_email_is_refused_at_the_email_field(team: Team, captain: User) -> None:
    with pytest.raises(RuleError) as error:
        invitations.invitation_create(team=team, email="dana at example", user=captain)

    assert error.value.code == "bad_email"
    assert error.value.field == "email"


def test_address_of_a_member_cannot_be_invited(team: Team, captain: User) -> None:
    member = add_member(team, UserFactory(username="bob@example.com"))

    with refused("already_in_team"):
        invitations.invitation_create(team=team, email=member.email.upper(), user=captain)


def test_full_team_cannot_invite(team: Team, captain: User) -> None:
    add_member(team)
    add_member(team)  # three members: the competition's most

    with refused("team_full"):
        invitations.invitation_create(team=team, email="dana@example.com", user=captain)


def test_pending_invitations_do_not_count_as_members(team: Team, captain: User) -> None:
    for name in ("dana", "erin", "frank"):
        invitations.invitation_create(team=team, email=f"{name}@example.com", user=captain)

    assert TeamInvitation.objects.filter(team=team).count() == 3


def test_nobody_can_invite_once_registration_has_closed(team: Team, captain: User) -> None:
    with time_machine.travel(team.competition.registration_closes_at), refused("registration_closed"):
        invitations.invitation_create(team=team, email="dana@example.com", user=captain)


def test_nobody_can_invite_after_the_submission_deadline(team: Team, captain: User) -> None:
    with time_machine.travel(team.competition.submission_deadline), refused("registration_closed"):
        invitations.invitation_create(team=team, email="dana@example.com", user=captain)


def test_invitation_expires_after_fourteen_days(captain: User) -> None:
    competition = CompetitionFactory(registration_closes_at=timezone.now() + timedelta(days=30))
    team = TeamFactory(competition=competition, captain=captain)
    before = timezone.now()

    invitation = invitations.invitation_create(team=team, email="dana@example.com", user=captain)

    assert before + timedelta(days=14) <= invitation.expires_at <= timezone.now() + timedelta(days=14)


def test_invitation_expires_when_registration_closes_if_that_is_sooner(captain: User) -> None:
    competition = CompetitionFactory(registration_closes_at=timezone.now() + timedelta(days=2))
    team = TeamFactory(competition=competition, captain=captain)

    invitation = invitations.invitation_create(team=team, email="dana@example.com", user=captain)

    assert invitation.expires_at == competition.registration_closes_at


def test_inviting_an_address_again_renews_its_pending_invitation(team: Team, captain: User) -> None:
    first = invitations.invitation_create(team=team, email="dana@example.com", user=captain)
    TeamInvitation.objects.filter(pk=first.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    again = invitations.invitation_create(team=team, email="DANA@example.com", user=captain)

    assert again.pk == first.pk
    assert again.token == first.token
    assert again.expires_at > timezone.now()


def test_database_keeps_one_pending_invitation_per_team_and_address(team: Team, captain: User) -> None:
    invitations.invitation_create(team=team, email="dana@example.com", user=captain)

    with pytest.raises(IntegrityError):
        TeamInvitation.objects.create(team=team, email="dana@example.com", expires_at=timezone.now())


def test_a_revoked_address_can_be_invited_again_with_a_new_link(invitation: TeamInvitation, captain: User) -> None:
    invitations.invitation_revoke(invitation=invitation, user=captain)

    again = invitations.invitation_create(team=invitation.team, email=invitation.email, user=captain)

    assert again.pk != invitation.pk
    assert again.token != invitation.token


# --- Accepting -----------------------------------------------------------------------------------------------------


def test_invited_person_joins_the_team(invitation: TeamInvitation, invitee: User) -> None:
    team = invitations.invitation_accept(invitation=invitation, user=invitee)

    invitation.refresh_from_db()
    assert team == invitation.team
    assert is_member(team, invitee)
    assert invitation.status == TeamInvitation.Status.ACCEPTED
    assert invitation.accepted_by == invitee
    assert invitation.closed_at is not None


def test_address_matches_whatever_its_case(team: Team, captain: User) -> None:
    person = UserFactory(username="Erin.Wu@Example.com")
    invitation = invitations.invitation_create(team=team, email="erin.wu@example.com", user=captain)

    invitations.invitation_accept(invitation=invitation, user=person)

    assert is_member(team, person)


def test_someone_signed_in_with_another_address_cannot_accept(invitation: TeamInvitation) -> None:
    other = UserFactory(username="mallory@example.com")

    with refused("wrong_address"):
        invitations.invitation_accept(invitation=invitation, user=other)

    assert not is_member(invitation.team, other)


def test_expired_invitation_cannot_be_accepted(invitation: TeamInvitation, invitee: User) -> None:
    with time_machine.travel(invitation.expires_at), refused("invitation_expired"):
        invitations.invitation_accept(invitation=invitation, user=invitee)

    assert not is_member(invitation.team, invitee)


def test_revoked_invitation_cannot_be_accepted(invitation: TeamInvitation, invitee: User, captain: User) -> None:
    invitations.invitation_revoke(invitation=invitation, user=captain)

    with refused("invitation_revoked"):
        invitations.invitation_accept(invitation=invitation, user=invitee)

    assert not is_member(invitation.team, invitee)


def test_invitation_works_only_once(invitation: TeamInvitation, invitee: User) -> None:
    invitations.invitation_accept(invitation=invitation, user=invitee)
    teams.team_leave(team=invitation.team, user=invitee)

    with refused("invitation_used"):
        invitations.invitation_accept(invitation=invitation, user=invitee)


def test_full_team_refuses_and_the_invitation_stays_pending(invitation: TeamInvitation, invitee: User) -> None:
    add_member(invitation.team)
    add_member(invitation.team)

    with refused("team_full"):
        invitations.invitation_accept(invitation=invitation, user=invitee)

    invitation.refresh_from_db()
    assert invitation.status == TeamInvitation.Status.PENDING
    assert not is_member(invitation.team, invitee)


def test_person_in_another_team_of_the_competition_cannot_accept(
    invitation: TeamInvitation, invitee: User, competition: Competition
) -> None:
    TeamFactory(competition=competition, captain=invitee)

    with refused("already_in_team"):
        invitations.invitation_accept(invitation=invitation, user=invitee)

    invitation.refresh_from_db()
    assert invitation.status == TeamInvitation.Status.PENDING


def test_person_in_a_team_of_another_competition_may_accept(invitation: TeamInvitation, invitee: User) -> None:
    TeamFactory(competition=CompetitionFactory(), captain=invitee)

    invitations.invitation_accept(invitation=invitation, user=invitee)

    assert is_member(invitation.team, invitee)


def test_nobody_can_accept_once_registration_has_closed(captain: User, invitee: User) -> None:
    # An invitation that outlives registration (an organiser moved the closing time earlier).
    team = TeamFactory(captain=captain)
    invitation = invitations.invitation_create(team=team, email=invitee.email, user=captain)
    Competition.objects.filter(pk=team.competition_id).update(registration_closes_at=timezone.now())

    with refused("registration_closed"):
        invitations.invitation_accept(invitation=invitation, user=invitee)

    invitation.refresh_from_db()
    assert invitation.status == TeamInvitation.Status.PENDING


def test_person_with_an_unconfirmed_email_cannot_accept(team: Team, captain: User) -> None:
    person = UserFactory(username="new@example.com", is_active=False)
    invitation = invitations.invitation_create(team=team, email=person.email, user=captain)

    with refused("email_unconfirmed"):
        invitations.invitation_accept(invitation=invitation, user=person)


# --- Revoking ------------------------------------------------------------------------------------------------------


def test_any_member_may_revoke_an_invitation(invitation: TeamInvitation) -> None:
    member = add_member(invitation.team)

    invitations.invitation_revoke(invitation=invitation, user=member)

    invitation.refresh_from_db()
    assert invitation.status == TeamInvitation.Status.REVOKED
    assert invitation.closed_at is not None


def test_person_outside_the_team_cannot_revoke(invitation: TeamInvitation, invitee: User) -> None:
    with refused("not_member"):
        invitations.invitation_revoke(invitation=invitation, user=invitee)

    invitation.refresh_from_db()
    assert invitation.status == TeamInvitation.Status.PENDING


def test_revoking_twice_changes_nothing(invitation: TeamInvitation, captain: User) -> None:
    invitations.invitation_revoke(invitation=invitation, user=captain)
    closed_at = TeamInvitation.objects.get(pk=invitation.pk).closed_at

    invitations.invitation_revoke(invitation=invitation, user=captain)

    assert TeamInvitation.objects.get(pk=invitation.pk).closed_at == closed_at


def test_used_invitation_cannot_be_revoked(invitation: TeamInvitation, invitee: User, captain: User) -> None:
    invitations.invitation_accept(invitation=invitation, user=invitee)

    with refused("invitation_used"):
        invitations.invitation_revoke(invitation=invitation, user=captain)
