"""Invitations by email on the pages: the form and the list on the team page, and the page the link opens.

The cast of conftest.py: Alice captains Aurora, Bob is in it, Charlie is in no team (the one invited here).
"""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from competitions.models import Team, TeamInvitation
from competitions.services import invitations
from tests.factories import TeamFactory, UserFactory, add_member


@pytest.fixture
def invitation(team, alice, charlie) -> TeamInvitation:
    return invitations.invitation_create(team=team, email=charlie.email, user=alice)


def _team_url(team: Team) -> str:
    return reverse("frontend:team-detail", kwargs={"pk": team.pk})


def _invite_url(team: Team) -> str:
    return reverse("frontend:invitation-create", kwargs={"pk": team.pk})


def _revoke_url(invitation: TeamInvitation) -> str:
    return reverse("frontend:invitation-revoke", kwargs={"pk": invitation.team_id, "invitation_id": invitation.pk})


def _accept_url(invitation: TeamInvitation) -> str:
    return reverse("frontend:invitation-accept", kwargs={"token": invitation.token})


# --- The team page -------------------------------------------------------------------------------------------------


def test_team_page_has_a_labelled_invite_form_and_lists_pending_invitations(client, team, bob, invitation):
    client.force_login(bob)

    content = client.get(_team_url(team)).content.decode()

    assert "Invite by email" in content
    assert '<label for="id_email">Email address' in content
    assert "charlie@example.com" in content
    assert _revoke_url(invitation) in content
    assert 'aria-label="Revoke the invitation to charlie@example.com"' in content


def test_team_page_leaves_out_revoked_and_expired_invitations(client, team, alice, invitation):
    invitations.invitation_create(team=team, email="erin@example.com", user=alice)
    TeamInvitation.objects.filter(email="erin@example.com").update(expires_at=timezone.now())
    invitations.invitation_revoke(invitation=invitation, user=alice)
    client.force_login(alice)

    content = client.get(_team_url(team)).content.decode()

    assert "charlie@example.com" not in content
    assert "erin@example.com" not in content
    assert "Pending invitations" not in content


def test_team_page_queries_do_not_grow_with_invitations(client, team, alice, django_assert_max_num_queries):
    for number in range(5):
        invitations.invitation_create(team=team, email=f"guest{number}@example.com", user=alice)
    client.force_login(alice)

    # One more than before invitations for the announcement banners (tests/frontend/test_teams.py).
    with django_assert_max_num_queries(10):
        response = client.get(_team_url(team))

    assert response.status_code == 200


def test_member_invites_by_email_and_the_email_is_sent(client, team, bob, django_capture_on_commit_callbacks):
    client.force_login(bob)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_invite_url(team), {"email": "Dana@Example.com"}, follow=True)

    invitation = TeamInvitation.objects.get(team=team)
    assert response.redirect_chain == [(_team_url(team), 302)]
    assert "We emailed an invitation to dana@example.com." in response.content.decode()
    assert invitation.email == "dana@example.com"
    assert mail.outbox[0].to == ["dana@example.com"]
    assert f"{settings.SITE_URL}{_accept_url(invitation)}" in mail.outbox[0].body


def test_invite_with_a_bad_address_shows_the_error_at_the_field(client, team, alice):
    client.force_login(alice)

    response = client.post(_invite_url(team), {"email": "not an address"})

    content = response.content.decode()
    assert response.status_code == 200
    assert response.context["invitation_form"].errors["email"]
    assert '<ul class="field-errors" id="id_email_error">' in content
    assert 'value="not an address"' in content
    assert not TeamInvitation.objects.exists()


def test_invite_of_a_member_shows_the_refusal_at_the_field(client, team, alice, bob):
    client.force_login(alice)

    response = client.post(_invite_url(team), {"email": bob.email})

    assert response.status_code == 200
    assert response.context["invitation_form"].errors["email"] == ["bob@example.com is already a member of this team."]


def test_full_team_page_says_so_instead_of_offering_the_form(client, team, alice):
    add_member(team)
    client.force_login(alice)

    content = client.get(_team_url(team)).content.decode()

    assert "The team is full: no one else can join." in content
    assert 'id="id_email"' not in content


def test_person_outside_the_team_cannot_invite(client, team, charlie):
    client.force_login(charlie)

    response = client.post(_invite_url(team), {"email": "dana@example.com"})

    assert response.status_code == 404
    assert not TeamInvitation.objects.exists()


def test_person_outside_the_team_cannot_revoke(client, invitation, charlie):
    client.force_login(charlie)

    response = client.post(_revoke_url(invitation))

    invitation.refresh_from_db()
    assert response.status_code == 404
    assert invitation.status == TeamInvitation.Status.PENDING


def test_member_of_another_team_cannot_revoke_through_their_own_team(client, competition, invitation):
    stranger = UserFactory()
    other = TeamFactory(competition=competition, captain=stranger)
    client.force_login(stranger)

    url = reverse("frontend:invitation-revoke", kwargs={"pk": other.pk, "invitation_id": invitation.pk})
    response = client.post(url)

    invitation.refresh_from_db()
    assert response.status_code == 404
    assert invitation.status == TeamInvitation.Status.PENDING


def test_member_revokes_an_invitation(client, team, bob, invitation):
    client.force_login(bob)

    response = client.post(_revoke_url(invitation), follow=True)

    invitation.refresh_from_db()
    assert invitation.status == TeamInvitation.Status.REVOKED
    assert "its link no longer works" in response.content.decode()


def test_revoke_is_post_only(client, team, bob, invitation):
    client.force_login(bob)

    response = client.get(_revoke_url(invitation))

    invitation.refresh_from_db()
    assert response.status_code == 405
    assert invitation.status == TeamInvitation.Status.PENDING


# --- The invitation's link -----------------------------------------------------------------------------------------


def test_signed_out_visitor_is_sent_to_log_in_and_back(client, invitation):
    url = _accept_url(invitation)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('frontend:login')}?next={url}"


def test_link_shows_the_team_and_a_button_and_writes_nothing(client, team, invitation, charlie):
    client.force_login(charlie)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(_accept_url(invitation))

    content = response.content.decode()
    writes = [q["sql"] for q in queries if q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")]
    invitation.refresh_from_db()
    assert response.status_code == 200
    assert "Join team “Aurora”?" in content
    assert "Alice Wang invited you." in content
    assert '<button type="submit">Join team</button>' in content
    assert writes == []
    assert invitation.status == TeamInvitation.Status.PENDING
    assert not team.memberships.filter(user=charlie).exists()


def test_invited_person_joins_by_confirming(client, team, invitation, charlie):
    client.force_login(charlie)

    response = client.post(_accept_url(invitation), follow=True)

    invitation.refresh_from_db()
    assert response.redirect_chain == [(_team_url(team), 302)]
    assert "You joined team “Aurora”." in response.content.decode()
    assert team.memberships.filter(user=charlie).exists()
    assert invitation.status == TeamInvitation.Status.ACCEPTED


def test_someone_else_is_told_the_invitation_went_to_another_address(client, team, invitation):
    other = UserFactory(username="mallory@example.com")
    client.force_login(other)

    page = client.get(_accept_url(invitation)).content.decode()
    response = client.post(_accept_url(invitation))

    assert "This invitation was sent to another email address" in page
    assert "Join team</button>" not in page
    assert response.status_code == 200
    assert not team.memberships.filter(user=other).exists()


def test_expired_link_says_so(client, invitation, charlie):
    client.force_login(charlie)

    with time_machine.travel(invitation.expires_at + timedelta(minutes=1)):
        content = client.get(_accept_url(invitation)).content.decode()

    assert "This invitation has expired. Ask the team to invite you again." in content
    assert "Join team</button>" not in content


def test_revoked_link_says_so(client, team, alice, invitation, charlie):
    invitations.invitation_revoke(invitation=invitation, user=alice)
    client.force_login(charlie)

    response = client.post(_accept_url(invitation))

    assert "The team withdrew this invitation." in response.content.decode()
    assert not team.memberships.filter(user=charlie).exists()


def test_used_link_says_so(client, invitation, charlie):
    invitations.invitation_accept(invitation=invitation, user=charlie)
    client.force_login(charlie)

    content = client.get(_accept_url(invitation)).content.decode()

    assert "This invitation has already been used." in content


def test_unknown_link_is_404(client, charlie):
    client.force_login(charlie)

    response = client.get(reverse("frontend:invitation-accept", kwargs={"token": "no-such-token"}))

    assert response.status_code == 404


def test_full_team_is_refused_with_a_message_and_the_invitation_stays(client, team, invitation, charlie):
    add_member(team)
    client.force_login(charlie)

    response = client.post(_accept_url(invitation))

    invitation.refresh_from_db()
    assert "This team is full (at most 3 members)." in response.content.decode()
    assert invitation.status == TeamInvitation.Status.PENDING
    assert not team.memberships.filter(user=charlie).exists()


def test_person_already_in_another_team_is_refused_with_a_message(client, competition, invitation, charlie):
    TeamFactory(competition=competition, captain=charlie, name="Borealis")
    client.force_login(charlie)

    response = client.post(_accept_url(invitation))

    assert "You are already in a team in this competition." in response.content.decode()
    assert not invitation.team.memberships.filter(user=charlie).exists()


def test_after_registration_closes_the_link_refuses_with_a_message(client, team, invitation, charlie):
    # The organiser moved the closing time earlier after the invitation was sent.
    team.competition.registration_closes_at = timezone.now()
    team.competition.save(update_fields=["registration_closes_at"])
    client.force_login(charlie)

    response = client.post(_accept_url(invitation))

    assert "Registration for this competition has closed." in response.content.decode()
    assert not team.memberships.filter(user=charlie).exists()


def test_after_the_submission_deadline_the_link_has_expired(client, team, invitation, charlie):
    with time_machine.travel(team.submission_deadline):
        client.force_login(charlie)
        response = client.post(_accept_url(invitation))

    assert "This invitation has expired." in response.content.decode()
    assert not team.memberships.filter(user=charlie).exists()


# --- In Chinese ----------------------------------------------------------------------------------------------------


def test_link_page_in_chinese(client, invitation, charlie):
    client.force_login(charlie)

    content = client.get(_accept_url(invitation), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "加入团队“Aurora”？" in content
    assert "Alice Wang 邀请了你。" in content


def test_team_page_invite_form_in_chinese(client, team, alice, invitation):
    client.force_login(alice)

    content = client.get(_team_url(team), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "通过邮件邀请" in content
    assert "邮箱地址" in content
    assert "待接受的邀请" in content
    assert "撤回" in content


def test_refusal_on_the_link_page_in_chinese(client, invitation):
    client.force_login(UserFactory(username="mallory@example.com"))

    content = client.get(_accept_url(invitation), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "此邀请发送到的邮箱地址与你当前登录使用的地址不同" in content
