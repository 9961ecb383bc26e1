"""POST /api/teams/{id}/invitations/: a member invites an address by email."""

import pytest
from django.core import mail

from competitions.models import TeamInvitation
from tests.factories import TeamFactory, UserFactory, add_member

pytestmark = pytest.mark.django_db


def test_member_invites_an_address_and_the_email_is_sent(client_for, django_capture_on_commit_callbacks):
    team = TeamFactory()
    member = add_member(team)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(member).post(
            f"/api/teams/{team.pk}/invitations/", {"email": "Dana@Example.com"}, format="json"
        )

    invitation = TeamInvitation.objects.get()
    assert response.status_code == 201
    assert response.json() == {
        "id": invitation.pk,
        "email": "dana@example.com",
        "status": "pending",
        "created_at": response.json()["created_at"],
        "expires_at": response.json()["expires_at"],
    }
    assert "token" not in response.json()
    assert mail.outbox[0].to == ["dana@example.com"]


def test_person_outside_the_team_gets_404(client_for):
    team = TeamFactory()

    response = client_for(UserFactory()).post(
        f"/api/teams/{team.pk}/invitations/", {"email": "dana@example.com"}, format="json"
    )

    assert response.status_code == 404
    assert not TeamInvitation.objects.exists()


def test_full_team_is_refused_with_its_code(client_for):
    team = TeamFactory(competition__team_size_max=1)

    response = client_for(team.memberships.get().user).post(
        f"/api/teams/{team.pk}/invitations/", {"email": "dana@example.com"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "team_full"


def test_bad_address_is_refused_on_its_field(client_for):
    team = TeamFactory()

    response = client_for(team.memberships.get().user).post(
        f"/api/teams/{team.pk}/invitations/", {"email": "not an address"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["field"] == "email"
