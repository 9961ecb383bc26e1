import time_machine
from django.urls import reverse

from competitions.models import Membership, Team
from tests.factories import EntryFactory, TeamFactory, TrackFactory, UserFactory, add_member


def _team_url(team: Team) -> str:
    return reverse("frontend:team-detail", kwargs={"pk": team.pk})


def test_create_team_makes_the_person_its_captain(client, competition, charlie):
    client.force_login(charlie)

    response = client.post(reverse("frontend:team-create", kwargs={"slug": competition.slug}), {"name": "Nebula"})

    team = Team.objects.get(competition=competition, name="Nebula")
    assert response.status_code == 302
    assert response["Location"] == _team_url(team)
    assert team.memberships.get().user == charlie
    assert team.memberships.get().role == Membership.Role.CAPTAIN


def test_create_team_with_a_taken_name_shows_the_error_next_to_the_name(client, competition, team, charlie):
    client.force_login(charlie)

    response = client.post(reverse("frontend:team-create", kwargs={"slug": competition.slug}), {"name": "aurora"})

    assert response.status_code == 200
    assert "already exists" in response.context["form"].errors["name"][0]
    assert 'value="aurora"' in response.content.decode()


def test_create_team_needs_a_login(client, competition):
    response = client.post(reverse("frontend:team-create", kwargs={"slug": competition.slug}), {"name": "Nebula"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("frontend:login"))
    assert not Team.objects.filter(name="Nebula").exists()


def test_join_by_invite_code_adds_the_person_to_the_team(client, team, charlie):
    client.force_login(charlie)
    typed = f"{team.invite_code[:5].lower()}-{team.invite_code[5:]}"

    response = client.post(reverse("frontend:team-join"), {"invite_code": typed})

    assert response.status_code == 302
    assert response["Location"] == _team_url(team)
    assert team.memberships.filter(user=charlie).exists()


def test_join_with_a_wrong_code_shows_the_error_next_to_the_code_field(client, team, charlie):
    client.force_login(charlie)

    response = client.post(reverse("frontend:team-join"), {"invite_code": "NOPE-NOPE-NOPE"})

    assert response.status_code == 200
    assert "No team has this invite code" in response.context["form"].errors["invite_code"][0]
    content = response.content.decode()
    assert '<ul class="field-errors" id="id_invite_code_error">' in content
    assert 'aria-describedby="id_invite_code_helptext id_invite_code_error"' in content
    assert 'value="NOPE-NOPE-NOPE"' in content
    assert not team.memberships.filter(user=charlie).exists()


def test_join_a_full_team_is_refused_with_a_message(client, team, charlie):
    add_member(team)  # Alice, Bob and one more: the factory's competition allows three.
    client.force_login(charlie)

    response = client.post(reverse("frontend:team-join"), {"invite_code": team.invite_code})

    assert response.status_code == 200
    assert "This team is full (at most 3 members)." in response.content.decode()
    assert not team.memberships.filter(user=charlie).exists()


def test_team_page_shows_members_with_roles_and_the_invite_code(client, team, alice):
    client.force_login(alice)

    content = client.get(_team_url(team)).content.decode()

    assert "Alice Wang" in content
    assert "Bob Li" in content
    assert "Captain" in content
    assert team.invite_code in content


def test_team_page_hides_the_invite_code_once_registration_has_closed(client, team, alice):
    client.force_login(alice)

    with time_machine.travel(team.competition.registration_closes_at):
        content = client.get(_team_url(team)).content.decode()

    assert team.invite_code not in content
    assert "Make a new code" not in content
    assert "Bob Li" in content


def test_non_member_gets_404_on_a_team_page(client, team, charlie):
    client.force_login(charlie)

    response = client.get(_team_url(team))

    assert response.status_code == 404


def test_non_member_cannot_rotate_a_teams_invite_code(client, team, charlie):
    client.force_login(charlie)
    code = team.invite_code

    response = client.post(reverse("frontend:team-rotate-code", kwargs={"pk": team.pk}))

    team.refresh_from_db()
    assert response.status_code == 404
    assert team.invite_code == code


def test_captain_rotates_the_invite_code(client, team, alice):
    client.force_login(alice)
    code = team.invite_code

    client.post(reverse("frontend:team-rotate-code", kwargs={"pk": team.pk}))

    team.refresh_from_db()
    assert team.invite_code != code


def test_member_who_is_not_captain_cannot_rotate_the_code_and_is_told_why(client, team, bob):
    client.force_login(bob)
    code = team.invite_code

    response = client.post(reverse("frontend:team-rotate-code", kwargs={"pk": team.pk}), follow=True)

    team.refresh_from_db()
    assert team.invite_code == code
    assert "Only the team captain can do this." in response.content.decode()


def test_member_leaves_the_team_after_confirming(client, team, bob):
    client.force_login(bob)
    url = reverse("frontend:team-leave", kwargs={"pk": team.pk})

    confirm = client.get(url)
    response = client.post(url)

    assert confirm.status_code == 200
    assert not team.memberships.filter(user=bob).exists()
    assert response["Location"] == reverse("frontend:competition-detail", kwargs={"slug": team.competition.slug})


def test_captain_with_members_cannot_leave_and_is_told_to_hand_over(client, team, alice):
    client.force_login(alice)

    response = client.post(reverse("frontend:team-leave", kwargs={"pk": team.pk}), follow=True)

    assert team.memberships.filter(user=alice).exists()
    assert "Hand over captaincy to another member before you leave." in response.content.decode()


def test_captain_removes_a_member(client, team, alice, bob):
    client.force_login(alice)
    url = reverse("frontend:member-remove", kwargs={"pk": team.pk, "user_id": bob.pk})

    confirm = client.get(url)
    client.post(url)

    assert "Bob Li" in confirm.content.decode()
    assert not team.memberships.filter(user=bob).exists()


def test_member_cannot_remove_the_captain(client, team, alice, bob):
    client.force_login(bob)

    response = client.post(reverse("frontend:member-remove", kwargs={"pk": team.pk, "user_id": alice.pk}), follow=True)

    assert team.memberships.filter(user=alice).exists()
    assert "Only the team captain can do this." in response.content.decode()


def test_captain_cannot_remove_someone_outside_the_team(client, team, alice, charlie):
    other = TeamFactory(competition=team.competition, captain=charlie)
    client.force_login(alice)

    response = client.post(reverse("frontend:member-remove", kwargs={"pk": team.pk, "user_id": charlie.pk}))

    assert response.status_code == 404
    assert other.memberships.filter(user=charlie).exists()


def test_captain_hands_over_captaincy(client, team, alice, bob):
    client.force_login(alice)

    client.post(reverse("frontend:member-make-captain", kwargs={"pk": team.pk, "user_id": bob.pk}))

    assert team.memberships.get(user=bob).role == Membership.Role.CAPTAIN
    assert team.memberships.get(user=alice).role == Membership.Role.MEMBER


def test_member_changes_are_refused_after_the_deadline(client, team, alice, bob):
    with time_machine.travel(team.competition.submission_deadline):
        client.force_login(alice)
        response = client.post(
            reverse("frontend:member-remove", kwargs={"pk": team.pk, "user_id": bob.pk}), follow=True
        )

    assert team.memberships.filter(user=bob).exists()
    assert "The submission deadline has passed" in response.content.decode()


def test_team_page_queries_do_not_grow_with_members_and_entries(client, team, alice, django_assert_max_num_queries):
    add_member(team, UserFactory())
    for _ in range(4):
        EntryFactory(team=team, track=TrackFactory(competition=team.competition))
    client.force_login(alice)

    # One of them reads the pending invitations by email (tests/frontend/test_team_invitations.py), one the
    # organisers' announcements shown as banners.
    with django_assert_max_num_queries(10):
        response = client.get(_team_url(team))

    assert response.status_code == 200
