"""The organiser console's panel: inviting and withdrawing judges, and recording and removing conflicts of
interest."""

import pytest
from django.core import mail
from django.urls import reverse

from competitions.models import Conflict

pytestmark = pytest.mark.django_db


def test_invite_judge_seats_them_and_sends_an_email(client, olga, round, track, django_capture_on_commit_callbacks):
    client.force_login(olga)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("frontend:organise-judge-invite", kwargs={"pk": round.pk}),
            {"email": "Wei@Jury.example.net", "name": "Wei Zhang", "tracks": [track.pk]},
        )

    assert response.status_code == 302
    panelist = round.panelists.get()
    assert panelist.user.email == "wei@jury.example.net"
    assert list(panelist.tracks.all()) == [track]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["wei@jury.example.net"]


def test_invite_with_a_bad_email_shows_the_error_next_to_the_field(client, olga, round):
    client.force_login(olga)

    response = client.post(reverse("frontend:organise-judge-invite", kwargs={"pk": round.pk}), {"email": "nope"})

    assert response.status_code == 400
    assert response.context["invite_form"].errors["email"]
    assert not round.panelists.exists()


def test_withdrawing_a_judge_asks_first_and_says_what_happens_to_their_entries(client, olga, round, jules):
    client.force_login(olga)
    panelist = round.panelists.get(user=jules)
    url = reverse("frontend:organise-judge-withdraw", kwargs={"pk": round.pk, "panelist_id": panelist.pk})

    panel = client.get(reverse("frontend:organise-round-panel", kwargs={"pk": round.pk})).content.decode()
    response = client.get(url)

    assert f'href="{url}"' in panel
    assert response.status_code == 200
    content = response.content.decode()
    assert "Run the assignment again afterwards" in content and 'method="post"' in content
    panelist.refresh_from_db()
    assert panelist.is_active


def test_withdraw_judge_keeps_the_seat_but_marks_it_withdrawn(client, olga, round, jules):
    client.force_login(olga)
    panelist = round.panelists.get(user=jules)

    client.post(reverse("frontend:organise-judge-withdraw", kwargs={"pk": round.pk, "panelist_id": panelist.pk}))

    panelist.refresh_from_db()
    assert not panelist.is_active


def test_organiser_records_and_removes_a_conflict(client, olga, round, alice, jules):
    client.force_login(olga)
    team = alice.memberships.get().team

    client.post(
        reverse("frontend:organise-conflict-create", kwargs={"pk": round.pk}),
        {"judge": jules.pk, "team": team.pk, "reason": "Former supervisor"},
    )
    conflict = Conflict.objects.get(judge=jules, team=team)
    assert (conflict.source, conflict.reason) == (Conflict.Source.ORGANISER, "Former supervisor")
    page = client.get(reverse("frontend:organise-round-panel", kwargs={"pk": round.pk})).content.decode()
    assert "Former supervisor" in page

    client.post(reverse("frontend:organise-conflict-remove", kwargs={"pk": round.pk, "conflict_id": conflict.pk}))
    assert not Conflict.objects.filter(judge=jules, team=team).exists()
